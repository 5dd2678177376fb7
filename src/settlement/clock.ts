/**
 * Europe/Warsaw clock arithmetic for settling many hours: day numbers, months and instants of
 * wall times, on top of `energy/time.ts`'s offset table (the time zone database is asked only for
 * the instants at which Warsaw's UTC offset changes, once per calendar year; every conversion after
 * that is integer arithmetic). The results are the same as `energy/time.ts` (the tests compare them
 * hour by hour over several years).
 */
import { civilFromDays, MS_PER_HOUR, warsawOffsetMinutes } from '../energy/time';

export { warsawOffsetMinutes };

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** Day number (days since 1970-01-01) of a local date `YYYY-MM-DD`; the string is trusted to be valid. */
export function dayNumber(date: string): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  // Date.UTC reads years 0..99 as 1900..1999; kept for them (and for anything not a plain date)
  if (!(y >= 100 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return Date.UTC(y, m - 1, d) / MS_PER_DAY;
  return daysFromCivil(y, m, d);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (the civil calendar's day count). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Day numbers of 0000-01-01 and 10000-01-01: the dates written with four digits. */
const FIRST_DAY = -719_528;
const END_DAY = 2_932_897;

/** `00` … `99`. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** The local date `YYYY-MM-DD` of a day number. */
export function dateOfDayNumber(day: number): string {
  if (!(Number.isInteger(day) && day >= FIRST_DAY && day < END_DAY)) {
    return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  }
  const { year: y, month: m, day: d } = civilFromDays(day);
  return `${TWO_DIGITS[Math.floor(y / 100)]}${TWO_DIGITS[y % 100]}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
}

/** The local date `days` days after `date` (negative goes back). */
export function shiftDate(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}

/** The local Warsaw date of an instant. */
export function warsawDateOf(ms: number): string {
  return new Date(ms + warsawOffsetMinutes(ms) * MS_PER_MINUTE).toISOString().slice(0, 10);
}

/**
 * The instant at which the Warsaw clock shows `minutes` minutes past midnight on `date`.
 * A wall time that happens twice (02:00–03:00 on the last Sunday of October) gives the first
 * occurrence; a wall time that never happens (02:00–03:00 on the last Sunday of March) gives the
 * instant the same number of minutes after the last midnight-based winter reading, i.e. 02:00 →
 * 03:00 summer time, the first instant after the gap.
 */
export function warsawInstant(date: string, minutes: number): number {
  const wall = dayNumber(date) * MS_PER_DAY + minutes * MS_PER_MINUTE;
  const before = warsawOffsetMinutes(wall - 3 * MS_PER_HOUR);
  const a = wall - before * MS_PER_MINUTE;
  const atA = warsawOffsetMinutes(a);
  if (atA === before) return a;
  const b = wall - atA * MS_PER_MINUTE;
  return warsawOffsetMinutes(b) === atA ? b : a;
}

/** Local midnight at the start of `date` in Warsaw, epoch ms. */
export function warsawMidnight(date: string): number {
  return warsawInstant(date, 0);
}

/** Minutes past local midnight the Warsaw clock shows at an instant (0..1439). */
export function warsawMinutesOfDay(ms: number): number {
  const local = ms + warsawOffsetMinutes(ms) * MS_PER_MINUTE;
  return Math.round((((local % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY) / MS_PER_MINUTE);
}

/** The month label `YYYY-MM` of a local date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** The month `n` months after `month` (`YYYY-MM`; negative goes back). */
export function shiftMonth(month: string, n: number): string {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  const year = Math.floor(index / 12);
  return `${year}-${String(index - year * 12 + 1).padStart(2, '0')}`;
}

/** Whole months from `from` to `to` (`YYYY-MM`). */
export function monthsBetween(from: string, to: string): number {
  return (
    Number(to.slice(0, 4)) * 12 +
    Number(to.slice(5, 7)) -
    (Number(from.slice(0, 4)) * 12 + Number(from.slice(5, 7)))
  );
}

/** Local midnight at the start of a month `YYYY-MM`, epoch ms. */
export function monthStartMs(month: string): number {
  return warsawMidnight(`${month}-01`);
}

/** The last local date of a month `YYYY-MM`. */
export function lastDateOfMonth(month: string): string {
  return shiftDate(`${shiftMonth(month, 1)}-01`, -1);
}

/** True when `text` is a month label `YYYY-MM` with a real month. */
export function isMonth(text: unknown): text is string {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}$/.test(text)) return false;
  const m = Number(text.slice(5, 7));
  return m >= 1 && m <= 12;
}

/** ISO 8601 text of an instant in Warsaw time with its offset, e.g. `2026-10-25T02:00:00+01:00`. */
export function warsawIso(ms: number): string {
  const offset = warsawOffsetMinutes(ms);
  const local = new Date(ms + offset * MS_PER_MINUTE).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** One clock hour of a local day, computed with the fast clock (same fields as `energy/time`'s `DayHour`). */
export interface FastDayHour {
  date: string;
  hour: number;
  repeated: boolean;
  startMs: number;
  endMs: number;
}

/** The clock hours of a local day (23, 24 or 25), like `hoursOfLocalDay` in `energy/time`, without its cost. */
export function warsawHoursOfDay(date: string): FastDayHour[] {
  const start = warsawMidnight(date);
  const end = warsawMidnight(shiftDate(date, 1));
  const out: FastDayHour[] = [];
  let previousLabel = 0;
  for (let t = start; t < end; t += MS_PER_HOUR) {
    const hour = Math.floor(warsawMinutesOfDay(t) / 60) + 1;
    out.push({ date, hour, repeated: hour <= previousLabel, startMs: t, endMs: t + MS_PER_HOUR });
    previousLabel = hour;
  }
  return out;
}
