/**
 * `getTotals`: eLicznik's own sums per day, month or year (`profile=month` per calendar month for
 * days, `profile=year` per calendar year for months and years), with a per-zone split for a period
 * exactly when one request covered exactly that period (the service gives zones per request only).
 */
import { toServiceDate, todayLocal } from '../energy/time';
import { periodsInRange, type EnergyTotal, type TotalsPeriod } from '../energy/totals';
import type { ClientContext } from './context';
import { energyCall } from './data-request';
import { parseEnergyPeriods, type EnergyPeriods } from './energy-json';
import { usePoint } from './meter-point';
import type { MeterPoint } from './pages';
import { SERIES_NAMES, type EnergySeries } from './series';
import { withSession } from './session';

/** The totals of every `period` of `range`; periods after today are not requested (null). */
export async function getTotals(
  ctx: ClientContext,
  range: { from: string; to: string },
  period: TotalsPeriod,
  series: EnergySeries[],
  meterPoint: string | undefined,
): Promise<EnergyTotal[]> {
  const today = todayLocal(ctx.now());
  const profile = period === 'day' ? 'month' : 'year';
  const chunks = periodsInRange(range.from, range.to, period === 'day' ? 'month' : 'year');
  const periods = periodsInRange(range.from, range.to, period);
  const values = new Map<string, Partial<Record<EnergySeries, number | null>>>();
  const chunkResults: { from: string; to: string; series: EnergySeries; parsed: EnergyPeriods }[] = [];
  let point: MeterPoint | undefined;
  let tariff: string | null = null;
  const prepare = async () => {
    const used = await usePoint(ctx, meterPoint);
    point = used.point;
    tariff = used.tariff ?? tariff;
    return used.point;
  };
  await withSession(ctx, 'meter-point', prepare);
  for (const chunk of chunks) {
    if (chunk.from > today) continue;
    for (const s of series) {
      const names = SERIES_NAMES[s];
      const form: Record<string, string> = {
        from: toServiceDate(chunk.from),
        to: toServiceDate(chunk.to),
        profile,
        type: names.apiType,
      };
      if (names.energy) form.energy = names.energy;
      const parsed = await withSession(ctx, 'energy-totals', async () => {
        const p = await prepare();
        const body = await energyCall(ctx, p, form, 'energy-totals');
        return parseEnergyPeriods(body, profile, chunk.from, chunk.to, 'energy-totals');
      });
      tariff ??= parsed.tariff;
      chunkResults.push({ from: chunk.from, to: chunk.to, series: s, parsed });
      for (const v of parsed.values) {
        const entry = values.get(v.label) ?? {};
        entry[s] = v.value;
        values.set(v.label, entry);
      }
    }
  }
  const selected = point as MeterPoint | undefined;
  return periods.map((p) => {
    const total: EnergyTotal = { period, label: p.label, from: p.from, to: p.to };
    const exact = chunkResults.filter((c) => c.from === p.from && c.to === p.to);
    for (const s of series) {
      if (period === 'year') total[s] = exact.find((c) => c.series === s)?.parsed.total ?? null;
      else total[s] = values.get(p.label)?.[s] ?? null;
    }
    if (exact.length > 0 && exact.some((c) => c.parsed.zones)) {
      const zones: Record<string, Partial<Record<EnergySeries, number | null>>> = {};
      for (const c of exact) {
        for (const [code, kwh] of Object.entries(c.parsed.zones ?? {})) {
          zones[code] ??= {};
          zones[code][c.series] = kwh;
        }
      }
      total.zones = zones;
      const names = Object.assign({}, ...exact.map((c) => c.parsed.zoneNames)) as Record<string, string>;
      if (Object.keys(names).length > 0) total.zoneNames = names;
    }
    if (selected) total.meterPoint = selected.id;
    if (tariff) total.tariff = tariff;
    return total;
  });
}
