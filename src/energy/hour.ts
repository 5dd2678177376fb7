/**
 * The hour record: the one shape an hour of meter data has everywhere in this package, from the
 * eLicznik parsers through the fetch node, the balance node and the settlement node to a dashboard.
 *
 * It is plain JSON (strings, numbers, booleans, null) so it survives Node-RED messages, context
 * storage and debug output unchanged.
 */
import { hourFromLabel, toLocalIso, type DayHour } from './time';

/** One clock hour of grid energy at one meter point. */
export interface HourRecord {
  /** Start of the hour, ISO 8601 with the Warsaw offset, e.g. `2026-10-25T02:00:00+01:00`. */
  hourStart: string;
  /** End of the hour, same form. */
  hourEnd: string;
  /** Local date `YYYY-MM-DD` the hour belongs to. */
  date: string;
  /** The service's hour label, 1..24, the local hour the interval ends at. */
  hour: number;
  /** True for the second (CET) copy of the repeated hour on the autumn DST day. */
  repeated: boolean;
  /** Tariff zone code (`T1`, `T2`, `T3`, …), or null when the service did not say. */
  zone: string | null;
  /** Tariff zone name as the service shows it (`Cała doba`, `Szczyt`, …), or null. */
  zoneName: string | null;
  /** Energy taken from the grid in the hour (pobór, ECP), kWh; null when the service has no value yet. */
  ecp: number | null;
  /** Energy given to the grid in the hour (oddanie, ECO), kWh; null when the service has no value yet. */
  eco: number | null;
  /** TAURON's own balanced import for the hour (series `netto`), kWh, when it was fetched. */
  tauronEcbp?: number | null;
  /** TAURON's own balanced export for the hour (series `netto_oze`), kWh, when it was fetched. */
  tauronEcbo?: number | null;
  /** Balanced import, max(ECP − ECO, 0), kWh; added by the balance step. */
  ecbp?: number | null;
  /** Balanced export, max(ECO − ECP, 0), kWh; added by the balance step. */
  ecbo?: number | null;
  /** Energy exported and taken back within the hour, min(ECP, ECO), kWh; added by the balance step. */
  autoconsumption?: number | null;
  /** True when the service had a value for every hour of this record's day, in every fetched series. */
  dayComplete: boolean;
  /** The meter point (site id) the hour was read at, when known. */
  meterPoint?: string;
  /** The tariff (G11, G12W, …) when known. */
  tariff?: string;
}

/** Watt-hours in one kilowatt-hour. */
export const WH_PER_KWH = 1000;

/**
 * kWh → integer Wh. The service gives kWh with three decimals, so every value it sends is a whole
 * number of Wh; rounding here removes binary floating point noise (1.03 → 1030, not 1029.9999).
 */
export function kwhToWh(kwh: number): number {
  return Math.round(kwh * WH_PER_KWH);
}

/** Integer Wh → kWh with at most three decimals. */
export function whToKwh(wh: number): number {
  return wh / WH_PER_KWH;
}

/** Builds the time fields of a record from a clock hour. */
export function hourTimeFields(
  h: DayHour,
): Pick<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'> {
  return {
    hourStart: toLocalIso(h.startMs),
    hourEnd: toLocalIso(h.endMs),
    date: h.date,
    hour: h.hour,
    repeated: h.repeated,
  };
}

/**
 * Creates a record for the service label `hour` of `date`.
 * @throws RangeError when the label does not exist that day.
 */
export function makeHourRecord(
  date: string,
  hour: number,
  repeated: boolean,
  fields: Partial<Omit<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'>> = {},
): HourRecord {
  const h = hourFromLabel(date, hour, repeated);
  if (!h) {
    throw new RangeError(`Hour label ${hour}${repeated ? ' (repeated)' : ''} does not exist on ${date}`);
  }
  return {
    ...hourTimeFields(h),
    zone: null,
    zoneName: null,
    ecp: null,
    eco: null,
    dayComplete: false,
    ...fields,
  };
}

/** A key that tells hours apart, also the two copies of the autumn DST hour: the start instant. */
export function hourKey(record: Pick<HourRecord, 'hourStart'>): number {
  return Date.parse(record.hourStart);
}

/** Sorts records by their start instant (a new array). */
export function sortHours<T extends Pick<HourRecord, 'hourStart'>>(records: readonly T[]): T[] {
  const keyed = records.map((r) => ({ r, k: hourKey(r) }));
  keyed.sort((a, b) => a.k - b.k);
  return keyed.map((x) => x.r);
}
