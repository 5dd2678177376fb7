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
    const nextDate = addLocalDays(date, 1);
    const next = startOfLocalDayMs(nextDate);
    const [y, m, d] = date.split('-').map(Number);
    const offsetMinutes = (Date.UTC(y, m - 1, d) - start) / 60_000;
    if (next - start !== 24 * MS_PER_HOUR || !Number.isInteger(offsetMinutes)) {
      yield { date, hours: hoursOfLocalDay(date).map(hourTimeFields) };
    } else {
      // the day's wall clock runs from its midnight to the next one's at one offset
      const suffix = offsetText(offsetMinutes);
      const hours: TimeFields[] = [];
      let hourStart = `${date}T00:00:00${suffix}`;
      for (let i = 0; i < 24; i++) {
        const hourEnd = i < 23 ? `${date}T${HH[i + 1]}:00:00${suffix}` : `${nextDate}T00:00:00${suffix}`;
        hours.push({ hourStart, hourEnd, date, hour: i + 1, repeated: false });
        hourStart = hourEnd;
      }
      yield { date, hours };
    }
    start = next;
  }
}

/** `00` … `23`. */
const HH = Array.from({ length: 24 }, (_, i) => String(i).padStart(2, '0'));

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

/**
 * Builds the hour records of a range, sorted by start instant. `ecp` and `eco` are always present
 * (null when not fetched); `tauronEcbp`/`tauronEcbo` only when fetched.
 */
export function buildHourRecords(input: BuildHoursInput): HourRecord[] {
  // The first value of each listed series per date, label and copy: by date, then at
  // 2 × label + (repeated ? 1 : 0), then at the series' place in `input.series`.
  const series = input.series;
  const place = new Map<EnergySeries, number>();
  series.forEach((s, i) => place.set(s, i));
  const table = new Map<string, (SeriesHour | undefined)[][]>();
  for (const v of input.values) {
    const at = place.get(v.series);
    if (at === undefined || !Number.isInteger(v.hour)) continue;
    let day = table.get(v.date);
    if (!day) {
      day = [];
      table.set(v.date, day);
    }
    const key = 2 * v.hour + (v.repeated ? 1 : 0);
    let row = day[key];
    if (!row) {
      row = new Array<SeriesHour | undefined>(series.length);
      day[key] = row;
    }
    if (row[at] === undefined) row[at] = v;
  }
  const out: HourRecord[] = [];
  for (const { date, hours } of daysTimeFields(input.from, input.to)) {
    const byLabel = table.get(date);
    const first = out.length;
    let complete = true;
    for (const h of hours) {
      const row = byLabel?.[2 * h.hour + (h.repeated ? 1 : 0)];
      let zone: string | null = null;
      let zoneName: string | null = null;
      const record = newHourRecord(h, null, null, null, null, false);
      for (let i = 0; i < series.length; i++) {
        const v = row?.[place.get(series[i]) as number];
        const value = v?.value ?? null;
        record[series[i]] = value;
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
      out.push(record);
    }
    for (let i = first; i < out.length; i++) out[i].dayComplete = complete;
  }
  return out;
}
