/**
 * The part of an hour record that settlement needs: the hour, its tariff zone and the balanced
 * energy in whole Wh.
 */
import { InstantReader, kwhToWh, parseInstant, type HourRecord } from '../energy/hour';

/** The zone code used for hours whose record names no zone (the single zone of a G11 tariff). */
export const DEFAULT_ZONE = 'T1';

/** One hour ready to be settled. */
export interface SettlementHour {
  /** Start of the hour, epoch ms. */
  startMs: number;
  /** Start of the hour as the record gives it (ISO 8601 with the Warsaw offset). */
  hourStart: string;
  /** Local date `YYYY-MM-DD`. */
  date: string;
  /** Service hour label 1..24. */
  hour: number;
  /** The second copy of the repeated autumn hour. */
  repeated: boolean;
  /** Tariff zone code; {@link DEFAULT_ZONE} when the record has none. */
  zone: string;
  /** Balanced import ECBP, Wh. */
  ecbpWh: number;
  /** Balanced export ECBO, Wh. */
  ecboWh: number;
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * The settlement view of a record, or `null` when the hour has no data yet.
 *
 * The balanced values `ecbp`/`ecbo` are used when the balance step added them; otherwise they are
 * computed from `ecp`/`eco` the same way (ECBP = max(ECP − ECO, 0), ECBO = max(ECO − ECP, 0), in Wh).
 * Negative inputs are treated as bad data (`null`), never settled.
 */
export function settlementHourOf(record: HourRecord): SettlementHour | null {
  return settlementHourInto(record, undefined, undefined);
}

/**
 * {@link settlementHourOf}, with the start instant of the record already read when `startMs` is
 * given, and written into `into` when given (its fields replaced) instead of a new object; null,
 * with `into` unchanged, when the hour has no data.
 */
function settlementHourInto(
  record: HourRecord,
  startMs: number | undefined,
  into: SettlementHour | undefined,
): SettlementHour | null {
  let ecbpWh: number;
  let ecboWh: number;
  if (finite(record.ecbp) && finite(record.ecbo)) {
    ecbpWh = kwhToWh(record.ecbp);
    ecboWh = kwhToWh(record.ecbo);
  } else if (finite(record.ecp) && finite(record.eco)) {
    const ecp = kwhToWh(record.ecp);
    const eco = kwhToWh(record.eco);
    ecbpWh = Math.max(ecp - eco, 0);
    ecboWh = Math.max(eco - ecp, 0);
  } else {
    return null;
  }
  if (ecbpWh < 0 || ecboWh < 0) return null;
  startMs ??= parseInstant(String(record.hourStart));
  if (!Number.isFinite(startMs)) return null;
  if (into === undefined) {
    return {
      startMs,
      hourStart: record.hourStart,
      date: record.date,
      hour: record.hour,
      repeated: record.repeated === true,
      zone: record.zone ?? DEFAULT_ZONE,
      ecbpWh,
      ecboWh,
    };
  }
  into.startMs = startMs;
  into.hourStart = record.hourStart;
  into.date = record.date;
  into.hour = record.hour;
  into.repeated = record.repeated === true;
  into.zone = record.zone ?? DEFAULT_ZONE;
  into.ecbpWh = ecbpWh;
  into.ecboWh = ecboWh;
  return into;
}

export { hasUtcOffset } from '../energy/time';

/** `a + b`, or null when either is null (a sum of money that is unknown once a price is missing). */
export function plusOrNull(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

/** Micro-złoty (µPLN) in one grosz. */
export const MICRO_PER_GROSZ = 10_000;

/**
 * µPLN → whole grosze, rounded half away from zero. Money is kept per hour in integer µPLN and
 * rounded to grosze once per period, so a month's figure is the rounded sum of its hours.
 */
export function microToGrosze(micro: number): number {
  return Math.sign(micro) * Math.round(Math.abs(micro) / MICRO_PER_GROSZ);
}

/** Whole grosze → PLN. */
export function groszeToPln(grosze: number): number {
  return grosze / 100;
}

/** Integer µPLN → PLN. */
export function microToPln(micro: number): number {
  return micro / 1_000_000;
}

/**
 * The value in integer µPLN of `wh` watt-hours at `pricePerKwh` PLN/kWh
 * (Wh × PLN/kWh = mPLN, so × 1000).
 */
export function costMicro(wh: number, pricePerKwh: number): number {
  return Math.round(wh * pricePerKwh * 1000);
}

/**
 * The value in integer µPLN of `wh` watt-hours at `pricePerMwh` PLN/MWh (Wh × PLN/MWh = µPLN),
 * times `factor`.
 */
export function energyValueMicro(wh: number, pricePerMwh: number, factor = 1): number {
  return Math.round(wh * pricePerMwh * factor);
}

/**
 * The settlement view of many records, in time order (records without data left out). Each start
 * is parsed once; records already in order (the usual case) are not sorted again.
 */
export function settlementHoursInOrder(records: readonly HourRecord[]): SettlementHour[] {
  const out: SettlementHour[] = [];
  let sorted = true;
  for (const r of records) {
    const h = settlementHourOf(r);
    if (!h) continue;
    if (out.length > 0 && h.startMs < out[out.length - 1].startMs) sorted = false;
    out.push(h);
  }
  if (!sorted) out.sort((a, b) => a.startMs - b.startMs);
  return out;
}

/**
 * The start instants of `records` when they come in time order (each readable one not before the
 * one before it), else undefined. Read with {@link InstantReader}, which gives what
 * {@link parseInstant} gives.
 */
function startsInOrder(records: readonly HourRecord[]): Float64Array | undefined {
  const n = records.length;
  const starts = new Float64Array(n);
  const reader = new InstantReader();
  let previous = -Infinity;
  for (let i = 0; i < n; i++) {
    const text = records[i].hourStart;
    const ms = typeof text === 'string' ? reader.read(text) : parseInstant(String(text));
    if (ms < previous) return undefined;
    if (ms === ms) previous = ms;
    starts[i] = ms;
  }
  return starts;
}

/**
 * Calls `fn` with the settlement view of each record that has data, in time order: what
 * {@link settlementHoursInOrder} lists. Records already in order (the usual case) are taken one at
 * a time, each view made just before `fn` settles it, so no list of a whole range's views is kept
 * while it is settled (fewer objects for the garbage collector to keep and copy); others are
 * sorted first.
 */
export function forEachSettlementHour(
  records: readonly HourRecord[],
  fn: (hour: SettlementHour) => void,
): void {
  eachSettlementHour(records, fn, false);
}

/**
 * {@link forEachSettlementHour} for an `fn` that keeps nothing of the view it is given (it copies
 * the fields it needs): records in time order are all handed in one view object whose fields are
 * replaced for each hour, so a long range makes no view per hour (a year's views were about a
 * tenth of what settling it allocates). Records out of order are sorted as there.
 */
export function forEachSettlementHourView(
  records: readonly HourRecord[],
  fn: (hour: SettlementHour) => void,
): void {
  eachSettlementHour(records, fn, true);
}

function eachSettlementHour(
  records: readonly HourRecord[],
  fn: (hour: SettlementHour) => void,
  reuseView: boolean,
): void {
  const starts = startsInOrder(records);
  if (starts === undefined) {
    for (const h of settlementHoursInOrder(records)) fn(h);
    return;
  }
  let view: SettlementHour | undefined;
  for (let i = 0; i < records.length; i++) {
    const h = settlementHourInto(records[i], starts[i], view);
    if (h === null) continue;
    if (reuseView) view = h;
    fn(h);
  }
}

/** What a bank or deposit includes in its statements. */
export interface StatementOptions {
  /** Include one statement per hour in every period (default true; false saves time over long ranges). */
  hourStatements?: boolean;
}
