/**
 * Clock arithmetic in Europe/Warsaw, the time zone every eLicznik date and hour label is in.
 *
 * TAURON labels an hour by the hour it ends at, 1..24, on the local date: label 1 is 00:00–01:00,
 * label 24 is 23:00–24:00. On the spring DST day label 3 does not exist (02:00–03:00 never happens);
 * on the autumn DST day label 3 appears twice, first for 02:00–03:00 CEST (+02:00), then for
 * 02:00–03:00 CET (+01:00). The helpers below turn labels into absolute instants and back without
 * losing or doubling an hour.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

/** The time zone of every eLicznik date and hour. */
export const WARSAW = 'Europe/Warsaw';

/** Milliseconds in one hour. */
export const MS_PER_HOUR = 3_600_000;

/** One clock hour of a local day: its service label and its absolute start and end. */
export interface DayHour {
  /** Local date `YYYY-MM-DD` the hour belongs to (the date of its start). */
  date: string;
  /** Service hour label, 1..24, the local hour the interval ends at. */
  hour: number;
  /** True for the second occurrence of a label on the autumn DST day (the CET copy of 02:00–03:00). */
  repeated: boolean;
  /** Start of the hour in epoch milliseconds. */
  startMs: number;
  /** End of the hour in epoch milliseconds. */
  endMs: number;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Checks a local date string `YYYY-MM-DD` and returns its parts.
 * @throws RangeError when the string is not a real calendar date.
 */
export function parseLocalDate(date: string): { year: number; month: number; day: number } {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`Not a date in the form YYYY-MM-DD: ${JSON.stringify(date)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new RangeError(`No such calendar date: ${date}`);
  }
  return { year, month, day };
}

/** True when `date` is a valid `YYYY-MM-DD` calendar date. */
export function isLocalDate(date: unknown): date is string {
  if (typeof date !== 'string') return false;
  try {
    parseLocalDate(date);
    return true;
  } catch {
    return false;
  }
}

/** Epoch milliseconds of local midnight at the start of `date` in Warsaw (midnight is never skipped there). */
export function startOfLocalDayMs(date: string): number {
  const { year, month, day } = parseLocalDate(date);
  return new TZDate(year, month - 1, day, 0, 0, 0, WARSAW).getTime();
}

/** The local date `YYYY-MM-DD` that `days` days after `date` falls on (negative goes back). */
export function addLocalDays(date: string, days: number): string {
  const { year, month, day } = parseLocalDate(date);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`); 0 when equal, negative when `to` is earlier. */
export function localDaysBetween(from: string, to: string): number {
  const a = parseLocalDate(from);
  const b = parseLocalDate(to);
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000,
  );
}

/** Every local date from `from` to `to`, both included, in order. */
export function localDatesInRange(from: string, to: string): string[] {
  const n = localDaysBetween(from, to);
  if (n < 0) throw new RangeError(`The range ends (${to}) before it starts (${from})`);
  const out: string[] = [];
  for (let i = 0; i <= n; i++) out.push(addLocalDays(from, i));
  return out;
}

/** The local Warsaw date `YYYY-MM-DD` of an instant. */
export function localDateOf(instant: number | Date): string {
  return format(new TZDate(typeof instant === 'number' ? instant : instant.getTime(), WARSAW), 'yyyy-MM-dd');
}

/** ISO 8601 text of an instant in Warsaw local time with its offset, e.g. `2026-10-25T02:00:00+01:00`. */
export function toLocalIso(instant: number | Date): string {
  const d = new TZDate(typeof instant === 'number' ? instant : instant.getTime(), WARSAW);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const offset = -d.getTimezoneOffset(); // minutes east of UTC
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}` +
    `T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}` +
    `${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`
  );
}

/**
 * The clock hours of a local day, in order: 24 on ordinary days, 23 on the last Sunday of March,
 * 25 on the last Sunday of October.
 */
export function hoursOfLocalDay(date: string): DayHour[] {
  const start = startOfLocalDayMs(date);
  const end = startOfLocalDayMs(addLocalDays(date, 1));
  const out: DayHour[] = [];
  const seen = new Set<number>();
  for (let t = start; t < end; t += MS_PER_HOUR) {
    const startHour = new TZDate(t, WARSAW).getHours();
    const hour = startHour + 1;
    const repeated = seen.has(hour);
    seen.add(hour);
    out.push({ date, hour, repeated, startMs: t, endMs: t + MS_PER_HOUR });
  }
  return out;
}

/** Number of clock hours of a local day (23, 24 or 25). */
export function hoursInLocalDay(date: string): number {
  return Math.round((startOfLocalDayMs(addLocalDays(date, 1)) - startOfLocalDayMs(date)) / MS_PER_HOUR);
}

/**
 * The clock hour a service label stands for.
 * @param date local date `YYYY-MM-DD`
 * @param hour label 1..24 (hour ending)
 * @param repeated the second occurrence of the label on the autumn DST day
 * @returns the hour, or `undefined` when the label does not exist that day (label 3 in spring,
 *   `repeated` on any other hour)
 */
export function hourFromLabel(date: string, hour: number, repeated = false): DayHour | undefined {
  return hoursOfLocalDay(date).find((h) => h.hour === hour && h.repeated === repeated);
}

/** The clock hour (Warsaw) an instant falls in. */
export function hourContaining(instant: number | Date): DayHour {
  const t = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`Not an instant: ${String(instant)}`);
  // Warsaw is always a whole number of hours off UTC, so its clock hours start on UTC hours.
  const startMs = Math.floor(t / MS_PER_HOUR) * MS_PER_HOUR;
  const start = new TZDate(startMs, WARSAW);
  const startHour = start.getHours();
  // The second copy of an hour label: the hour before started at the same local hour (autumn DST).
  const repeated = new TZDate(startMs - MS_PER_HOUR, WARSAW).getHours() === startHour;
  const date = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-${String(start.getDate()).padStart(2, '0')}`;
  return { date, hour: startHour + 1, repeated, startMs, endMs: startMs + MS_PER_HOUR };
}

/** Formats a local date `YYYY-MM-DD` the way eLicznik forms want it: `dd.mm.yyyy`. */
export function toServiceDate(date: string): string {
  const { year, month, day } = parseLocalDate(date);
  return `${String(day).padStart(2, '0')}.${String(month).padStart(2, '0')}.${year}`;
}

/** Parses an eLicznik `d.m.yyyy` / `dd.mm.yyyy` date into `YYYY-MM-DD`. */
export function fromServiceDate(text: string): string {
  const m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})/.exec(text);
  if (!m) throw new RangeError(`Not a dd.mm.yyyy date: ${JSON.stringify(text)}`);
  const date = `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}`;
  parseLocalDate(date);
  return date;
}

/** Today's local Warsaw date, for a clock that can be replaced in tests. */
export function todayLocal(now: number = Date.now()): string {
  return localDateOf(now);
}
