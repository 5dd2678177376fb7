/**
 * Assembles hour records from the values of one or more series, whichever endpoint they came from:
 * one record per real clock hour of every day of the range (23 or 25 on DST days), values null
 * where the service had none, `dayComplete` per day.
 */
import { hourTimeFields, type HourRecord } from '../energy/hour';
import { hoursOfLocalDay, localDatesInRange } from '../energy/time';
import type { EnergySeries } from './series';

/** One value of one series, as the parsers produce it. */
export interface SeriesHour {
  series: EnergySeries;
  date: string;
  hour: number;
  repeated: boolean;
  value: number | null;
  zone?: string | null;
  zoneName?: string | null;
}

/** What {@link buildHourRecords} needs. */
export interface BuildHoursInput {
  /** First local date `YYYY-MM-DD`. */
  from: string;
  /** Last local date, inclusive. */
  to: string;
  /** The series that were fetched; `dayComplete` needs a value in each. */
  series: readonly EnergySeries[];
  /** The values (any order; the first value of an hour and series wins). */
  values: Iterable<SeriesHour>;
  meterPoint?: string;
  tariff?: string | null;
  /** Zone names by zone code, for values that carry a code only (the CSV). */
  zoneNames?: Readonly<Record<string, string>>;
}

function keyOf(date: string, hour: number, repeated: boolean): string {
  return `${date}|${hour}|${repeated ? 1 : 0}`;
}

/**
 * Builds the hour records of a range, sorted by start instant. `ecp` and `eco` are always present
 * (null when not fetched); `tauronEcbp`/`tauronEcbo` only when fetched.
 */
export function buildHourRecords(input: BuildHoursInput): HourRecord[] {
  const table = new Map<string, Map<EnergySeries, SeriesHour>>();
  for (const v of input.values) {
    const key = keyOf(v.date, v.hour, v.repeated);
    let row = table.get(key);
    if (!row) {
      row = new Map();
      table.set(key, row);
    }
    if (!row.has(v.series)) row.set(v.series, v);
  }
  const out: HourRecord[] = [];
  for (const date of localDatesInRange(input.from, input.to)) {
    const day: HourRecord[] = [];
    let complete = true;
    for (const h of hoursOfLocalDay(date)) {
      const row = table.get(keyOf(date, h.hour, h.repeated));
      let zone: string | null = null;
      let zoneName: string | null = null;
      const record: HourRecord = {
        ...hourTimeFields(h),
        zone: null,
        zoneName: null,
        ecp: null,
        eco: null,
        dayComplete: false,
      };
      for (const s of input.series) {
        const v = row?.get(s);
        const value = v?.value ?? null;
        record[s] = value;
        if (value === null) complete = false;
        if (v) {
          zone ??= v.zone ?? null;
          zoneName ??= v.zoneName ?? null;
        }
      }
      record.zone = zone;
      record.zoneName = zoneName ?? (zone !== null ? (input.zoneNames?.[zone] ?? null) : null);
      if (input.meterPoint !== undefined) record.meterPoint = input.meterPoint;
      if (input.tariff) record.tariff = input.tariff;
      day.push(record);
    }
    for (const r of day) r.dayComplete = complete;
    out.push(...day);
  }
  return out;
}
