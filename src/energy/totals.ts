/**
 * Energy totals per day, month or year, in one shape whether they come from eLicznik's own sums
 * (`/energia/api` with `profile=month` or `year`) or are derived here from hour records. Sums are
 * made in integer Wh and converted back to kWh at the end.
 */
import { kwhToWh, whToKwh, type HourRecord } from './hour';
import { addLocalDays, localDatesInRange, parseLocalDate } from './time';

/** The hourly series: grid import (ECP), grid export (ECO) and TAURON's balanced import/export. */
export type EnergySeries = 'ecp' | 'eco' | 'tauronEcbp' | 'tauronEcbo';

/** The length of a totals period. */
export type TotalsPeriod = 'day' | 'month' | 'year';

/** kWh per series; a series that was not asked for is absent, one without any value is null. */
export type SeriesTotals = Partial<Record<EnergySeries, number | null>>;

/** Energy of one period at one meter point. */
export interface EnergyTotal extends SeriesTotals {
  /** The period length. */
  period: TotalsPeriod;
  /** `YYYY-MM-DD` (day), `YYYY-MM` (month) or `YYYY` (year). */
  label: string;
  /** First local date of the period that the totals cover (the range may start inside it). */
  from: string;
  /** Last local date covered. */
  to: string;
  /** kWh per zone code (`T1`, …) and series, when the source gives a split for exactly this period. */
  zones?: Record<string, SeriesTotals>;
  /** Zone names per zone code (`T1` → `Szczyt`), when known. */
  zoneNames?: Record<string, string>;
  /** True when every hour of every day covered had a value in every series (only from hour records). */
  complete?: boolean;
  /** The meter point, when known. */
  meterPoint?: string;
  /** The tariff, when known. */
  tariff?: string;
}

/** The label of the period a local date falls in. */
export function periodLabel(date: string, period: TotalsPeriod): string {
  parseLocalDate(date);
  if (period === 'day') return date;
  if (period === 'month') return date.slice(0, 7);
  return date.slice(0, 4);
}

/** First and last local date of the period with the given label. */
export function periodBounds(label: string, period: TotalsPeriod): { from: string; to: string } {
  if (period === 'day') {
    parseLocalDate(label);
    return { from: label, to: label };
  }
  if (period === 'month') {
    const from = `${label}-01`;
    const { year, month } = parseLocalDate(from);
    const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
    return { from, to: addLocalDays(next, -1) };
  }
  parseLocalDate(`${label}-01-01`);
  return { from: `${label}-01-01`, to: `${label}-12-31` };
}

/**
 * Splits a date range into the periods it touches, each clipped to the range, in order.
 * @throws RangeError when a date is invalid or `to` is before `from`
 */
export function periodsInRange(
  from: string,
  to: string,
  period: TotalsPeriod,
): { label: string; from: string; to: string }[] {
  const out: { label: string; from: string; to: string }[] = [];
  for (const date of localDatesInRange(from, to)) {
    const label = periodLabel(date, period);
    const last = out[out.length - 1];
    if (last && last.label === label) last.to = date;
    else out.push({ label, from: date, to: date });
  }
  return out;
}

/** The series present on a record (ecp and eco always; the TAURON ones when fetched). */
function seriesOfRecords(records: readonly HourRecord[]): EnergySeries[] {
  const out: EnergySeries[] = ['ecp', 'eco'];
  if (records.some((r) => r.tauronEcbp !== undefined)) out.push('tauronEcbp');
  if (records.some((r) => r.tauronEcbo !== undefined)) out.push('tauronEcbo');
  return out;
}

interface Acc {
  label: string;
  from: string;
  to: string;
  wh: Map<EnergySeries, number | null>;
  zoneWh: Map<string, Map<EnergySeries, number | null>>;
  zoneNames: Map<string, string>;
  complete: boolean;
  meterPoint?: string;
  tariff?: string;
}

function addWh(map: Map<EnergySeries, number | null>, s: EnergySeries, kwh: number | null | undefined): void {
  if (!map.has(s)) map.set(s, null);
  if (kwh === null || kwh === undefined) return;
  map.set(s, (map.get(s) ?? 0) + kwhToWh(kwh));
}

function toKwh(map: Map<EnergySeries, number | null>, series: readonly EnergySeries[]): SeriesTotals {
  const out: SeriesTotals = {};
  for (const s of series) {
    const wh = map.get(s);
    out[s] = wh === null || wh === undefined ? null : whToKwh(wh);
  }
  return out;
}

/**
 * Totals per period derived from hour records (of one meter point): the sum of the hours that have
 * a value (null when none has), a split per zone code, and `complete` when every record of the
 * period is of a complete day and has a value in every series.
 * @param records hour records, in any order
 * @param period day, month or year
 * @param series the series to sum; default: ecp and eco, plus the TAURON series present on the records
 */
export function totalsFromHours(
  records: readonly HourRecord[],
  period: TotalsPeriod,
  series: readonly EnergySeries[] = seriesOfRecords(records),
): EnergyTotal[] {
  const byLabel = new Map<string, Acc>();
  for (const r of records) {
    const label = periodLabel(r.date, period);
    let acc = byLabel.get(label);
    if (!acc) {
      acc = {
        label,
        from: r.date,
        to: r.date,
        wh: new Map(),
        zoneWh: new Map(),
        zoneNames: new Map(),
        complete: true,
      };
      byLabel.set(label, acc);
    }
    if (r.date < acc.from) acc.from = r.date;
    if (r.date > acc.to) acc.to = r.date;
    acc.meterPoint ??= r.meterPoint;
    acc.tariff ??= r.tariff;
    if (!r.dayComplete) acc.complete = false;
    let zone: Map<EnergySeries, number | null> | undefined;
    if (r.zone !== null) {
      zone = acc.zoneWh.get(r.zone);
      if (!zone) {
        zone = new Map();
        acc.zoneWh.set(r.zone, zone);
      }
      if (r.zoneName !== null && !acc.zoneNames.has(r.zone)) acc.zoneNames.set(r.zone, r.zoneName);
    }
    for (const s of series) {
      const v = r[s];
      if (v === null || v === undefined) acc.complete = false;
      addWh(acc.wh, s, v);
      if (zone) addWh(zone, s, v);
    }
  }
  return [...byLabel.values()]
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0))
    .map((acc) => {
      const total: EnergyTotal = {
        period,
        label: acc.label,
        from: acc.from,
        to: acc.to,
        ...toKwh(acc.wh, series),
        complete: acc.complete,
      };
      if (acc.zoneWh.size > 0) {
        total.zones = {};
        for (const [code, wh] of [...acc.zoneWh].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
          total.zones[code] = toKwh(wh, series);
        }
      }
      if (acc.zoneNames.size > 0) total.zoneNames = Object.fromEntries(acc.zoneNames);
      if (acc.meterPoint !== undefined) total.meterPoint = acc.meterPoint;
      if (acc.tariff !== undefined) total.tariff = acc.tariff;
      return total;
    });
}
