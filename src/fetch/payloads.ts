/**
 * What a fetch gives (the `msg.payload` shapes of `elicznik-fetch`), built from hour records or
 * register readings, and what is missing in them: the gap and a short in/out figure. Pure.
 */
import type { RegisterReading } from '../client/registers';
import type { EnergySeries } from '../client/series';
import { kwhToWh, whToKwh, type HourRecord } from '../energy/hour';
import { rangeLabel, type DateRange } from '../energy/ranges';
import { hoursInLocalDay, localDatesInRange } from '../energy/time';
import { totalsFromHours, type EnergyTotal, type SeriesTotals } from '../energy/totals';

/** `msg.payload` of the `hours` shape. */
export interface HoursPayload {
  meterPoint: string;
  tariff: string | null;
  from: string;
  to: string;
  series: EnergySeries[];
  /** Every clock hour of the range (23/25 on DST days), values null where the service has none yet. */
  hours: HourRecord[];
  /** True when every hour has a value in every series. */
  complete: boolean;
  /** `hourStart` of every hour that lacks a value in some series. */
  missingHours: string[];
}

/** Totals of one period in the `summary` shape. */
export interface PeriodSummary extends SeriesTotals {
  /** First and last local date the totals cover. */
  from: string;
  to: string;
  /** kWh per zone code and series. */
  zones: Record<string, SeriesTotals>;
  /** Zone names per code, when the service gave them. */
  zoneNames: Record<string, string>;
  /** True when every hour of the period had every value. */
  complete: boolean;
}

/** `msg.payload` of the `summary` shape. */
export interface SummaryPayload {
  meterPoint: string;
  tariff: string | null;
  series: EnergySeries[];
  /** The newest complete day (within the days looked at), or yesterday when none is complete. */
  daily: PeriodSummary;
  /** From the first of that day's month to that day. */
  monthly: PeriodSummary;
  /** From 1 January of that day's year to that day. */
  yearly: PeriodSummary;
  /** True when the three periods are complete. */
  complete: boolean;
}

/** `msg.payload` of the `registers` shape. */
export interface RegistersPayload {
  meterPoint: string;
  from: string;
  to: string;
  /** One reading per day the service has one for, oldest first. */
  readings: RegisterReading[];
  /** The newest reading, or null. */
  latest: RegisterReading | null;
  /** True when there is a reading for the last day of the range. */
  complete: boolean;
}

/** Start instants of the hours that lack a value in one of the series. */
export function missingHours(records: readonly HourRecord[], series: readonly EnergySeries[]): string[] {
  return records
    .filter((r) => series.some((s) => r[s] === null || r[s] === undefined))
    .map((r) => r.hourStart);
}

/** The `hours` payload. */
export function hoursPayload(
  meterPoint: string,
  range: DateRange,
  series: EnergySeries[],
  records: HourRecord[],
): HoursPayload {
  const missing = missingHours(records, series);
  return {
    meterPoint: records[0]?.meterPoint ?? meterPoint,
    tariff: records.find((r) => r.tariff)?.tariff ?? null,
    from: range.from,
    to: range.to,
    series,
    hours: records,
    complete: missing.length === 0,
    missingHours: missing,
  };
}

/** The newest date whose hours all have every value, or undefined. */
export function newestCompleteDay(
  records: readonly HourRecord[],
  series: readonly EnergySeries[],
): string | undefined {
  const byDate = new Map<string, HourRecord[]>();
  for (const r of records) byDate.set(r.date, [...(byDate.get(r.date) ?? []), r]);
  const dates = [...byDate.keys()].sort().reverse();
  return dates.find((d) => {
    const day = byDate.get(d) ?? [];
    return day.length === hoursInLocalDay(d) && missingHours(day, series).length === 0;
  });
}

function periodSummary(
  records: readonly HourRecord[],
  from: string,
  to: string,
  series: readonly EnergySeries[],
): PeriodSummary {
  const inPeriod = records.filter((r) => r.date >= from && r.date <= to);
  const [total] = totalsFromHours(inPeriod, 'year', series) as (EnergyTotal | undefined)[];
  const out: PeriodSummary = { from, to, zones: {}, zoneNames: {}, complete: false };
  for (const s of series) out[s] = total ? (total[s] ?? null) : null;
  if (total?.zones) out.zones = total.zones;
  if (total?.zoneNames) out.zoneNames = total.zoneNames;
  const expectedHours = localDatesInRange(from, to).reduce((n, d) => n + hoursInLocalDay(d), 0);
  out.complete = inPeriod.length === expectedHours && missingHours(inPeriod, series).length === 0;
  return out;
}

/**
 * The `summary` payload from the hours of 1 January of `day`'s year to `day`.
 * @param day the newest complete day (or yesterday when none is)
 */
export function summaryPayload(
  meterPoint: string,
  day: string,
  series: EnergySeries[],
  records: readonly HourRecord[],
): SummaryPayload {
  const daily = periodSummary(records, day, day, series);
  const monthly = periodSummary(records, `${day.slice(0, 7)}-01`, day, series);
  const yearly = periodSummary(records, `${day.slice(0, 4)}-01-01`, day, series);
  return {
    meterPoint: records[0]?.meterPoint ?? meterPoint,
    tariff: records.find((r) => r.tariff)?.tariff ?? null,
    series,
    daily,
    monthly,
    yearly,
    complete: daily.complete && monthly.complete && yearly.complete,
  };
}

/** The `registers` payload. */
export function registersPayload(
  meterPoint: string,
  range: DateRange,
  readings: RegisterReading[],
): RegistersPayload {
  const withValues = readings.filter((r) => r.import !== null || r.export !== null);
  const latest = withValues[withValues.length - 1] ?? null;
  return {
    meterPoint,
    from: range.from,
    to: range.to,
    readings: withValues,
    latest,
    complete: latest?.date === range.to,
  };
}

/** kWh taken from and given to the grid, for the status line; null where not fetched. */
export interface StatusFigure {
  in: number | null;
  out: number | null;
}

function sum(records: readonly HourRecord[], s: EnergySeries): number | null {
  let wh = 0;
  let any = false;
  for (const r of records) {
    const v = r[s];
    if (v === null || v === undefined) continue;
    wh += kwhToWh(v);
    any = true;
  }
  return any ? whToKwh(wh) : null;
}

/** In and out of hour records: ECP and ECO, or TAURON's balanced series when those were fetched instead. */
export function figureOfHours(records: readonly HourRecord[], series: readonly EnergySeries[]): StatusFigure {
  const inSeries = series.includes('ecp') ? 'ecp' : series.includes('tauronEcbp') ? 'tauronEcbp' : undefined;
  const outSeries = series.includes('eco') ? 'eco' : series.includes('tauronEcbo') ? 'tauronEcbo' : undefined;
  return {
    in: inSeries ? sum(records, inSeries) : null,
    out: outSeries ? sum(records, outSeries) : null,
  };
}

/** In and out of one period summary. */
export function figureOfSummary(period: PeriodSummary, series: readonly EnergySeries[]): StatusFigure {
  const pick = (a: EnergySeries, b: EnergySeries) =>
    series.includes(a) ? (period[a] ?? null) : series.includes(b) ? (period[b] ?? null) : null;
  return { in: pick('ecp', 'tauronEcbp'), out: pick('eco', 'tauronEcbo') };
}

/** In and out registers of a reading. */
export function figureOfRegisters(reading: RegisterReading | null): StatusFigure {
  return { in: reading?.import?.total ?? null, out: reading?.export?.total ?? null };
}

/** What is missing in a set of hour records, for the status line. */
export interface Gap {
  /** The first and last date with a missing value, as one label (`2026-11-22` or `from…to`). */
  label: string;
  /** True when every hour of each of those dates lacks a value (the service has nothing yet). */
  allEmpty: boolean;
  /** Hours that lack a value in some series. */
  hours: number;
}

/** The gap in `records`, or undefined when every hour has every value. */
export function gapOf(records: readonly HourRecord[], series: readonly EnergySeries[]): Gap | undefined {
  const missing = new Map<string, number>();
  const perDate = new Map<string, number>();
  let hours = 0;
  for (const r of records) {
    perDate.set(r.date, (perDate.get(r.date) ?? 0) + 1);
    if (series.some((s) => r[s] === null || r[s] === undefined)) {
      missing.set(r.date, (missing.get(r.date) ?? 0) + 1);
      hours += 1;
    }
  }
  if (hours === 0) return undefined;
  const dates = [...missing.keys()].sort();
  return {
    label: rangeLabel({ from: dates[0], to: dates[dates.length - 1] }),
    allEmpty: dates.every((d) => missing.get(d) === perDate.get(d)),
    hours,
  };
}
