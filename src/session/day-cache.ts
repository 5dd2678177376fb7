/**
 * Complete past days of hourly data, kept in memory so repeated fetches do not ask eLicznik again.
 *
 * A day goes in only when the service had a value for every hour of it in every fetched series
 * (`dayComplete` on its records) and it is before today; incomplete days are fetched again next
 * time. Entries are per meter point, per set of series and per local date. Records are copied in
 * and out, so a node that adds fields to the records it sends cannot change the cache.
 */
import { type HourRecord, sortHours } from '../energy/hour';
import { hoursInLocalDay, localDatesInRange } from '../energy/time';

/** Default upper bound of cached days (about four years of one meter point and series set). */
export const DEFAULT_MAX_CACHED_DAYS = 1500;

function dayKey(meterPoint: string, series: readonly string[], date: string): string {
  return `${meterPoint}\n${series.join(',')}\n${date}`;
}

function copy(records: readonly HourRecord[]): HourRecord[] {
  return records.map((r) => ({ ...r }));
}

/** True when `records` are every hour of `date` and the service had all their values. */
export function isCompleteDay(date: string, records: readonly HourRecord[]): boolean {
  return records.length === hoursInLocalDay(date) && records.every((r) => r.date === date && r.dayComplete);
}

/** Groups records by their local date, keeping their order. */
export function recordsByDate(records: readonly HourRecord[]): Map<string, HourRecord[]> {
  const out = new Map<string, HourRecord[]>();
  for (const r of records) {
    const day = out.get(r.date);
    if (day) day.push(r);
    else out.set(r.date, [r]);
  }
  return out;
}

/** A bounded in-memory store of complete days; the oldest stored day goes first when it is full. */
export class DayCache {
  private readonly days = new Map<string, HourRecord[]>();

  /** @param maxDays how many (meter point, series, date) entries to keep at most */
  constructor(private readonly maxDays: number = DEFAULT_MAX_CACHED_DAYS) {}

  /** The cached records of a day (copies), or undefined. */
  get(meterPoint: string, series: readonly string[], date: string): HourRecord[] | undefined {
    const day = this.days.get(dayKey(meterPoint, series, date));
    return day ? copy(day) : undefined;
  }

  /** The dates of `from`..`to` that are not cached, in order. */
  missingDates(meterPoint: string, series: readonly string[], from: string, to: string): string[] {
    return localDatesInRange(from, to).filter((d) => !this.days.has(dayKey(meterPoint, series, d)));
  }

  /**
   * Stores the complete days among `records` that are before `today`.
   * @returns the dates stored
   */
  putCompleteDays(
    meterPoint: string,
    series: readonly string[],
    records: readonly HourRecord[],
    today: string,
  ): string[] {
    const stored: string[] = [];
    for (const [date, day] of recordsByDate(records)) {
      if (date >= today || !isCompleteDay(date, day)) continue;
      const key = dayKey(meterPoint, series, date);
      this.days.delete(key);
      this.days.set(key, copy(sortHours(day)));
      stored.push(date);
    }
    while (this.days.size > this.maxDays) {
      const oldest = this.days.keys().next().value as string;
      this.days.delete(oldest);
    }
    return stored;
  }

  /** Number of cached days. */
  get size(): number {
    return this.days.size;
  }

  /** Forgets everything. */
  clear(): void {
    this.days.clear();
  }
}
