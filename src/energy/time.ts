/**
 * Clock arithmetic in Europe/Warsaw, the time zone every eLicznik date and hour label is in.
 *
 * TAURON labels an hour by the hour it ends at, 1..24, on the local date: label 1 is 00:00–01:00,
 * label 24 is 23:00–24:00. On the spring DST day label 3 does not exist (02:00–03:00 never happens);
 * on the autumn DST day label 3 appears twice, first for 02:00–03:00 CEST (+02:00), then for
 * 02:00–03:00 CET (+01:00). The helpers below turn labels into absolute instants and back without
 * losing or doubling an hour.
 */
import type { TZDate as TZDateClass } from '@date-fns/tz';

/** The time zone of every eLicznik date and hour. */
export const WARSAW = 'Europe/Warsaw';

/** Milliseconds in one hour. */
export const MS_PER_HOUR = 3_600_000;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Warsaw's UTC offset. Asking the time zone database (Intl, through TZDate) costs microseconds a
// call, more than everything else a conversion does; so the database is asked only for the
// instants at which the offset changes, once per UTC calendar year (a few dozen look-ups, then
// kept), and every conversion after that is integer arithmetic.

/** Offset changes of one UTC calendar year: the offset at the year's start and each change after it. */
interface YearOffsets {
  /** First and last-plus-one instant of the year, epoch ms. */
  startMs: number;
  endMs: number;
  /** Offset in minutes east of UTC at 00:00 UTC on 1 January. */
  initial: number;
  /** Instants (epoch ms) at which the offset changes, ascending, with the offset from then on. */
  changes: { atMs: number; offset: number }[];
}

const offsetYears = new Map<number, YearOffsets>();
let lastYear: YearOffsets | undefined;

/** @date-fns/tz's TZDate, loaded when the first year's offsets are asked for (not when this module loads). */
let TZDate: typeof TZDateClass | undefined;

/** The Warsaw UTC offset in minutes at an instant, from the time zone database (slow). */
function databaseOffset(ms: number): number {
  TZDate ??= (require('@date-fns/tz') as typeof import('@date-fns/tz')).TZDate;
  return -new TZDate(ms, WARSAW).getTimezoneOffset();
}

function yearOffsets(year: number): YearOffsets {
  let table = offsetYears.get(year);
  if (table) return table;
  const starts: number[] = [];
  for (let m = 0; m <= 12; m++) starts.push(Date.UTC(year, m, 1));
  const offsets = starts.map(databaseOffset);
  const changes: { atMs: number; offset: number }[] = [];
  for (let m = 0; m < 12; m++) {
    if (offsets[m] === offsets[m + 1]) continue;
    // Offsets change on whole hours in Warsaw; find the first hour of the month with the new one.
    let lo = starts[m] / MS_PER_HOUR;
    let hi = starts[m + 1] / MS_PER_HOUR;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (databaseOffset(mid * MS_PER_HOUR) === offsets[m]) lo = mid;
      else hi = mid;
    }
    changes.push({ atMs: hi * MS_PER_HOUR, offset: offsets[m + 1] });
  }
  table = { startMs: starts[0], endMs: starts[12], initial: offsets[0], changes };
  offsetYears.set(year, table);
  return table;
}

/**
 * Warsaw's offset from UTC in minutes at an instant (60 in winter, 120 in summer).
 * @example
 * warsawOffsetMinutes(Date.parse('2026-07-01T00:00:00Z')) //=> 120
 */
export function warsawOffsetMinutes(ms: number): number {
  let table = lastYear;
  if (table === undefined || ms < table.startMs || ms >= table.endMs) {
    table = lastYear = yearOffsets(new Date(ms).getUTCFullYear());
  }
  let offset = table.initial;
  for (const c of table.changes) {
    if (ms >= c.atMs) offset = c.offset;
    else break;
  }
  return offset;
}

/** Warsaw wall-clock time of an instant as if it were UTC (epoch ms + offset). */
function wallMs(ms: number): number {
  return ms + warsawOffsetMinutes(ms) * MS_PER_MINUTE;
}

/** The hour of the day (0..23) the Warsaw clock shows at an instant. */
function localHourOf(ms: number): number {
  const wall = wallMs(ms);
  return Math.floor((((wall % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_HOUR);
}

/**
 * The instant the Warsaw clock shows `wall` (a wall time as if UTC, epoch ms). A wall time that
 * happens twice gives the first occurrence; one that never happens, the first instant after the gap.
 */
function instantOfWall(wall: number): number {
  const before = warsawOffsetMinutes(wall - 3 * MS_PER_HOUR);
  const a = wall - before * MS_PER_MINUTE;
  const atA = warsawOffsetMinutes(a);
  if (atA === before) return a;
  const b = wall - atA * MS_PER_MINUTE;
  return warsawOffsetMinutes(b) === atA ? b : a;
}

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

/** The end of an ISO 8601 time with its UTC offset (`Z`, `+02:00`, `+0200`). */
const OFFSET_RE = /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * True when an ISO 8601 time text ends with its UTC offset; without one, `Date.parse` reads it in
 * the server's time zone rather than Warsaw's.
 */
export function hasUtcOffset(text: string): boolean {
  return OFFSET_RE.test(text);
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
  return instantOfWall(Date.UTC(year, month - 1, day));
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
  return new Date(wallMs(typeof instant === 'number' ? instant : instant.getTime()))
    .toISOString()
    .slice(0, 10);
}

/** Wall times (as if UTC, epoch ms) of 0000-01-01 and 10000-01-01: the years written with 4 digits. */
const FIRST_WALL_MS = -62_167_219_200_000;
const END_WALL_MS = 253_402_300_800_000;

/**
 * ISO 8601 text of an instant in Warsaw local time with its offset, e.g. `2026-10-25T02:00:00+01:00`.
 *
 * Written with integer arithmetic as one flat string of 25 characters (what `Date.toISOString`,
 * slicing and joining gave: the same text, but as a tree of pieces, which is several times slower
 * to make, larger, and slower to read again).
 */
export function toLocalIso(instant: number | Date): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  const offset = warsawOffsetMinutes(ms); // minutes east of UTC
  const wall = Math.trunc(ms + offset * MS_PER_MINUTE) + 0; // as Date does it; + 0 makes -0 0
  if (!(wall >= FIRST_WALL_MS && wall < END_WALL_MS)) return toLocalIsoByDate(ms, offset);
  const days = Math.floor(wall / MS_PER_DAY);
  let t = wall - days * MS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  const hours = Math.floor(t / MS_PER_HOUR);
  t -= hours * MS_PER_HOUR;
  const minutes = Math.floor(t / MS_PER_MINUTE);
  const seconds = Math.floor((t - minutes * MS_PER_MINUTE) / 1000);
  const abs = offset < 0 ? -offset : offset;
  const offH = Math.floor(abs / 60);
  const offM = abs - offH * 60;
  return String.fromCharCode(
    48 + Math.floor(year / 1000),
    48 + (Math.floor(year / 100) % 10),
    48 + (Math.floor(year / 10) % 10),
    48 + (year % 10),
    45, // -
    48 + Math.floor(month / 10),
    48 + (month % 10),
    45,
    48 + Math.floor(day / 10),
    48 + (day % 10),
    84, // T
    48 + Math.floor(hours / 10),
    48 + (hours % 10),
    58, // :
    48 + Math.floor(minutes / 10),
    48 + (minutes % 10),
    58,
    48 + Math.floor(seconds / 10),
    48 + (seconds % 10),
    offset < 0 ? 45 : 43, // - or +
    48 + Math.floor(offH / 10),
    48 + (offH % 10),
    58,
    48 + Math.floor(offM / 10),
    48 + (offM % 10),
  );
}

/** {@link toLocalIso} of instants outside the years 0..9999 (and the error of a non-instant), through `Date`. */
function toLocalIsoByDate(ms: number, offset: number): string {
  const local = new Date(ms + offset * MS_PER_MINUTE).toISOString().slice(0, 19);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${p2(Math.floor(abs / 60))}:${p2(abs % 60)}`;
}

/** Year, month (1..12) and day of the proleptic Gregorian calendar from days since 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (month <= 2 ? 1 : 0),
    month,
    day: doy - Math.floor((153 * mp + 2) / 5) + 1,
  };
}

function p2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
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
    const hour = localHourOf(t) + 1;
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
  const startHour = localHourOf(startMs);
  // The second copy of an hour label: the hour before started at the same local hour (autumn DST).
  const repeated = localHourOf(startMs - MS_PER_HOUR) === startHour;
  const date = localDateOf(startMs);
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
