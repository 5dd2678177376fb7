/**
 * Assembles hour records from the values of one or more series, whichever endpoint they came from:
 * one record per real clock hour of every day of the range (23 or 25 on DST days), values null
 * where the service had none, `dayComplete` per day.
 */
import { hourTimeFields, newHourRecord, type HourRecord } from '../energy/hour';
import {
  MS_PER_HOUR,
  addLocalDays,
  hoursOfLocalDay,
  localDatesInRange,
  startOfLocalDayMs,
} from '../energy/time';
import type { EnergySeries } from './series';

type TimeFields = Pick<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'>;

function offsetText(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The time fields of every clock hour of consecutive days, the same as `hourTimeFields` gives. A
 * 24-hour day has one UTC offset from midnight to midnight (the Warsaw clock changes at 02:00/03:00
 * on the 23- and 25-hour days only), so its fields are written by arithmetic; the DST days take the
 * general path. This keeps a year of records (8760) quick to build.
 */
export function* daysTimeFields(from: string, to: string): Generator<{ date: string; hours: TimeFields[] }> {
  let start = startOfLocalDayMs(from);
  for (const date of localDatesInRange(from, to)) {
    const next = startOfLocalDayMs(addLocalDays(date, 1));
    if (next - start !== 24 * MS_PER_HOUR) {
      yield { date, hours: hoursOfLocalDay(date).map(hourTimeFields) };
    } else {
      const [y, m, d] = date.split('-').map(Number);
      const offsetMinutes = Math.round((Date.UTC(y, m - 1, d) - start) / 60_000);
      const suffix = offsetText(offsetMinutes);
      const iso = (ms: number) =>
        `${new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19)}${suffix}`;
      const hours: TimeFields[] = [];
      for (let i = 0; i < 24; i++) {
        const t = start + i * MS_PER_HOUR;
        hours.push({ hourStart: iso(t), hourEnd: iso(t + MS_PER_HOUR), date, hour: i + 1, repeated: false });
      }
      yield { date, hours };
    }
    start = next;
  }
}

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
  for (const { date, hours } of daysTimeFields(input.from, input.to)) {
    const day: HourRecord[] = [];
    let complete = true;
    for (const h of hours) {
      const row = table.get(keyOf(date, h.hour, h.repeated));
      let zone: string | null = null;
      let zoneName: string | null = null;
      const record = newHourRecord(h, null, null, null, null, false);
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
