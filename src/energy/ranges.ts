/**
 * Date ranges a fetch asks eLicznik for, computed in Europe/Warsaw from a named kind ("yesterday",
 * "this month", …) and today's local date.
 *
 * The service has data for a day at the earliest the next day, so every kind that names a period
 * which is still running ("this month", "this year", "last N days") ends yesterday. On the first
 * day of a month (or a year) no day of it has passed yet: "this month" is then just today, which
 * the service has no complete data for, so the caller reports "no data yet" instead of showing
 * the previous month under this month's name.
 *
 * Every function here is pure: the clock comes in as a parameter (`today`, a local date).
 */
import { addLocalDays, isLocalDate, localDaysBetween, parseLocalDate, todayLocal } from './time';

/** The named ranges a fetch can ask for. */
export const RANGE_KINDS = [
  'yesterday',
  'day',
  'lastDays',
  'thisMonth',
  'lastMonth',
  'thisYear',
  'lastYear',
  'range',
] as const;

/** One of {@link RANGE_KINDS}. */
export type RangeKind = (typeof RANGE_KINDS)[number];

/** Longest range in days one fetch may cover (a leap year). */
export const MAX_RANGE_DAYS = 366;

/** What a fetch asks for: a kind and the values that kind needs. */
export interface RangeSpec {
  kind: RangeKind;
  /** The day, `YYYY-MM-DD`, for kind `day`. */
  day?: string;
  /** How many days ending yesterday, for kind `lastDays` (1..{@link MAX_RANGE_DAYS}). */
  days?: number;
  /** First day, `YYYY-MM-DD`, for kind `range`. */
  from?: string;
  /** Last day, `YYYY-MM-DD`, for kind `range` (both ends included). */
  to?: string;
}

/** Local dates `YYYY-MM-DD`, both ends included, `from` ≤ `to`. */
export interface DateRange {
  from: string;
  to: string;
}

/** True when `value` is one of {@link RANGE_KINDS}. */
export function isRangeKind(value: unknown): value is RangeKind {
  return typeof value === 'string' && (RANGE_KINDS as readonly string[]).includes(value);
}

/** The first day of the month `date` is in. */
export function firstOfMonth(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** The last day of the month `date` is in. */
export function lastOfMonth(date: string): string {
  const { year, month } = parseLocalDate(date);
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  return addLocalDays(next, -1);
}

/** The first day of the year `date` is in. */
export function firstOfYear(date: string): string {
  return `${date.slice(0, 4)}-01-01`;
}

/** Number of days in a range, both ends included. */
export function rangeDays(range: DateRange): number {
  return localDaysBetween(range.from, range.to) + 1;
}

function checkDate(name: string, value: unknown, today: string): string {
  if (!isLocalDate(value)) {
    throw new RangeError(`${name} must be a date in the form YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  if (value > today) throw new RangeError(`${name} ${value} is in the future (today is ${today})`);
  return value;
}

/**
 * Resolves a range spec against today's local date.
 *
 * - `yesterday`: the day before today.
 * - `day`: `spec.day` (today at the latest).
 * - `lastDays`: the `spec.days` days that end yesterday.
 * - `thisMonth` / `thisYear`: from the first day of the month / year to yesterday; just today on
 *   the first day of the month / year (see the module note).
 * - `lastMonth` / `lastYear`: the whole calendar month / year before today's.
 * - `range`: `spec.from` to `spec.to`, at most {@link MAX_RANGE_DAYS} days, today at the latest.
 *
 * @param spec the kind and its values
 * @param today local date `YYYY-MM-DD` of today in Warsaw
 * @returns the dates the range covers
 * @throws RangeError with a message naming the bad value when the spec is not valid
 * @example
 * resolveRange({ kind: 'thisMonth' }, '2026-11-23')
 * //=> { from: '2026-11-01', to: '2026-11-22' }
 */
export function resolveRange(spec: RangeSpec, today: string): DateRange {
  parseLocalDate(today);
  const yesterday = addLocalDays(today, -1);
  switch (spec.kind) {
    case 'yesterday':
      return { from: yesterday, to: yesterday };
    case 'day': {
      const day = checkDate('day', spec.day, today);
      return { from: day, to: day };
    }
    case 'lastDays': {
      const n = spec.days;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RANGE_DAYS) {
        throw new RangeError(
          `days must be a whole number from 1 to ${MAX_RANGE_DAYS}, got ${JSON.stringify(n)}`,
        );
      }
      return { from: addLocalDays(today, -n), to: yesterday };
    }
    case 'thisMonth': {
      const from = firstOfMonth(today);
      return from === today ? { from, to: today } : { from, to: yesterday };
    }
    case 'lastMonth': {
      const to = addLocalDays(firstOfMonth(today), -1);
      return { from: firstOfMonth(to), to };
    }
    case 'thisYear': {
      const from = firstOfYear(today);
      return from === today ? { from, to: today } : { from, to: yesterday };
    }
    case 'lastYear': {
      const to = addLocalDays(firstOfYear(today), -1);
      return { from: firstOfYear(to), to };
    }
    case 'range': {
      const from = checkDate('from', spec.from, today);
      const to = checkDate('to', spec.to, today);
      if (to < from) throw new RangeError(`The range ends (${to}) before it starts (${from})`);
      const days = localDaysBetween(from, to) + 1;
      if (days > MAX_RANGE_DAYS) {
        throw new RangeError(`The range has ${days} days; at most ${MAX_RANGE_DAYS} can be fetched at once`);
      }
      return { from, to };
    }
    default:
      throw new RangeError(
        `range must be one of ${RANGE_KINDS.join(', ')}, got ${JSON.stringify((spec as { kind: unknown }).kind)}`,
      );
  }
}

/**
 * {@link resolveRange} with the clock as an instant: today is the Warsaw date of `now`.
 * @param now epoch milliseconds (tests pass a fixed one)
 */
export function resolveRangeAt(spec: RangeSpec, now: number = Date.now()): DateRange {
  return resolveRange(spec, todayLocal(now));
}

/**
 * Short text for a range in a status line or message: the date for one day, `from…to` otherwise.
 * @example
 * rangeLabel({ from: '2026-11-01', to: '2026-11-22' }) //=> '2026-11-01…2026-11-22'
 */
export function rangeLabel(range: DateRange): string {
  return range.from === range.to ? range.from : `${range.from}…${range.to}`;
}
