/**
 * `getHourly`: every clock hour of a range, from the CSV export (up to {@link MAX_CSV_DAYS} days
 * per request), falling back to one JSON request per day and series when the CSV fails in a way
 * that is not a session problem. Zone names come from the documented tariffs, else from one JSON
 * day per point (the CSV has codes only).
 */
import { ServiceChangedError, ServiceUnavailableError } from '../errors';
import type { HourRecord } from '../energy/hour';
import { addLocalDays, localDaysBetween, toServiceDate, todayLocal } from '../energy/time';
import type { HourlyQuery, HourlySource } from './client';
import type { ClientContext } from './context';
import { parseCsvExport, type CsvHour } from './csv';
import { dataCall, energyCall, NotData, type DataAnswer } from './data-request';
import { parseEnergyDay, type EnergyDay } from './energy-json';
import { buildHourRecords, type SeriesHour } from './hourly';
import { selectPoint, usePoint } from './meter-point';
import type { MeterPoint } from './pages';
import { splitRange } from './query';
import { SERIES_NAMES, type EnergySeries } from './series';
import { withSession } from './session';

/** Longest range of one CSV export request, in days. */
export const MAX_CSV_DAYS = 366;

/** The CSV export cannot be used for this request; the JSON endpoint may still work. */
class CsvUnusable extends Error {
  constructor(readonly changed: ServiceChangedError) {
    super(changed.message);
  }
}

/**
 * The zone names TAURON's JSON answers give for the tariffs whose zones are documented (the shared
 * service notes, section 3: G11 from HA #249, G12/G12W from HA #228 and #287), by zone code. A CSV
 * of these tariffs has codes only; naming them from here saves the JSON request that would ask.
 */
const DOCUMENTED_ZONE_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  G11: { T1: 'Cała doba' },
  G12: { T1: 'Szczyt', T2: 'Poza szczytem' },
  G12W: { T1: 'Szczyt', T2: 'Poza szczytem' },
};

/** Names for every code in `codes` from {@link DOCUMENTED_ZONE_NAMES}, or undefined when one is not there. */
function knownZoneNames(
  tariff: string | null,
  codes: ReadonlySet<string>,
): Record<string, string> | undefined {
  const table = tariff ? DOCUMENTED_ZONE_NAMES[tariff.toUpperCase()] : undefined;
  if (!table) return undefined;
  const names: Record<string, string> = {};
  for (const code of codes) {
    const name = table[code];
    if (name === undefined) return undefined;
    names[code] = name;
  }
  return names;
}

/** One day of one series from the JSON endpoint (`profile=full time`). */
async function jsonDay(
  ctx: ClientContext,
  point: MeterPoint,
  date: string,
  series: EnergySeries,
): Promise<EnergyDay> {
  const names = SERIES_NAMES[series];
  const form: Record<string, string> = {
    from: toServiceDate(date),
    to: toServiceDate(date),
    profile: 'full time',
    type: names.apiType,
  };
  if (names.energy) form.energy = names.energy;
  const body = await energyCall(ctx, point, form, 'energy-json');
  return parseEnergyDay(body, date, 'energy-json');
}

/** One CSV export of the selected point; {@link CsvUnusable} when its answer cannot be used. */
async function csvChunk(
  ctx: ClientContext,
  range: { from: string; to: string },
  series: readonly EnergySeries[],
): Promise<CsvHour[]> {
  const q = new URLSearchParams();
  q.set('form[from]', toServiceDate(range.from));
  q.set('form[to]', toServiceDate(range.to));
  q.set('form[type]', 'godzin');
  for (const s of series) q.set(`form[energy][${SERIES_NAMES[s].apiType}]`, '1');
  q.set('form[fileType]', 'CSV');
  let answer: DataAnswer;
  try {
    answer = await dataCall(
      ctx,
      {
        method: 'GET',
        url: `${ctx.serviceUrl}/energia/do/dane?${q.toString()}`,
        step: 'csv',
        headers: { Accept: 'text/csv, application/octet-stream;q=0.9, */*;q=0.8' },
      },
      'csv',
    );
  } catch (err) {
    if (err instanceof NotData) {
      throw new CsvUnusable(
        new ServiceChangedError('csv', err.what, { excerpt: err.excerpt, httpStatus: err.httpStatus }),
      );
    }
    throw err;
  }
  try {
    return parseCsvExport(answer.text, range).filter((row) => series.includes(row.series));
  } catch (err) {
    if (err instanceof ServiceChangedError) throw new CsvUnusable(err);
    throw err;
  }
}

/** Hour records of `range` (days after today are not requested: null). */
export async function getHourly(
  ctx: ClientContext,
  range: { from: string; to: string },
  series: EnergySeries[],
  source: HourlySource,
  meterPoint: string | undefined,
  onProgress: HourlyQuery['onProgress'],
): Promise<HourRecord[]> {
  const today = todayLocal(ctx.now());
  const lastRequested = range.to < today ? range.to : today;
  const values: SeriesHour[] = [];
  let point: MeterPoint | undefined;
  let tariff: string | null = null;
  let csvHadZones = false;
  const csvCodes = new Set<string>();
  const prepare = async () => {
    const used = await usePoint(ctx, meterPoint);
    point = used.point;
    tariff = used.tariff ?? tariff;
    return used.point;
  };
  if (range.from > lastRequested) {
    await withSession(ctx, 'meter-point', prepare);
  } else {
    const totalDays = localDaysBetween(range.from, lastRequested) + 1;
    let doneDays = 0;
    let useCsv = source !== 'json';
    for (const chunk of splitRange(range.from, lastRequested, MAX_CSV_DAYS)) {
      if (useCsv) {
        try {
          const rows = await withSession(ctx, 'csv', async () => {
            await prepare();
            return csvChunk(ctx, chunk, series);
          });
          for (const row of rows) values.push(row);
          for (const r of rows) {
            if (r.zone !== null && r.zone !== undefined) {
              csvHadZones = true;
              csvCodes.add(r.zone);
            }
          }
          doneDays += localDaysBetween(chunk.from, chunk.to) + 1;
          onProgress?.({ doneDays, totalDays, source: 'csv' });
          continue;
        } catch (err) {
          if (!(err instanceof CsvUnusable)) throw err;
          if (source === 'csv') throw err.changed;
          ctx.log(`the CSV export failed (${err.changed.message}); falling back to day-by-day JSON`);
          useCsv = false;
        }
      }
      for (let date = chunk.from; date <= chunk.to; date = addLocalDays(date, 1)) {
        for (const s of series) {
          const day = await withSession(ctx, 'energy-json', async () => {
            const p = await prepare();
            return jsonDay(ctx, p, date, s);
          });
          tariff ??= day.tariff;
          for (const h of day.hours) values.push({ ...h, series: s });
        }
        doneDays += 1;
        onProgress?.({ doneDays, totalDays, source: 'json' });
      }
    }
  }
  const id = (point as MeterPoint | undefined)?.id;
  let zoneNames: Record<string, string> | undefined;
  if (id !== undefined && csvHadZones) {
    zoneNames =
      knownZoneNames(tariff, csvCodes) ?? (await zoneNamesOf(ctx, point as MeterPoint, lastRequested));
  }
  return buildHourRecords({
    from: range.from,
    to: range.to,
    series,
    values,
    ...(id !== undefined ? { meterPoint: id } : {}),
    tariff,
    ...(zoneNames ? { zoneNames } : {}),
  });
}

/**
 * Zone names by code for a point, read once per client from one JSON day (the CSV has codes
 * only). Best effort: when the JSON answer fails, the names stay unknown.
 */
async function zoneNamesOf(
  ctx: ClientContext,
  point: MeterPoint,
  date: string,
): Promise<Record<string, string> | undefined> {
  const known = ctx.zoneNames.get(point.id);
  if (known) return known;
  try {
    const day = await withSession(ctx, 'zone-names', async () => {
      await selectPoint(ctx, point);
      return jsonDay(ctx, point, date, 'ecp');
    });
    const names: Record<string, string> = {};
    for (const info of day.zones.values()) if (info.code && info.name) names[info.code] = info.name;
    ctx.zoneNames.set(point.id, names);
    return names;
  } catch (err) {
    if (err instanceof ServiceChangedError) {
      // the answer will not change soon: do not ask again for this point
      ctx.zoneNames.set(point.id, {});
      ctx.log(`zone names unknown: ${err.message}`);
      return undefined;
    }
    if (err instanceof ServiceUnavailableError) {
      ctx.log(`zone names unknown for now: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}
