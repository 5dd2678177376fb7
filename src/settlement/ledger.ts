/**
 * The ledger both settlement systems keep, month by month: the net-metering bank and the
 * net-billing deposit differ only in their own rules (what an hour banks or earns, how a month's
 * import is paid, when what is left expires), which each adds to this.
 *
 * - State, plain JSON: the lots (banked energy or deposits) with something left, the hours of the
 *   open month, the first month not closed yet, the first and latest settled hour, the statement
 *   of the last closed month.
 * - Hours come in time order; an hour that does not start after the latest settled one is refused
 *   (`already-settled`), a record without data too (`no-data`).
 * - A month closes when its last hour is settled or an hour of a later month arrives (months with
 *   no data in between close empty). The open month's statements are a preview: what closing it
 *   after the latest settled hour would give (`final: false`), computed on a copy of the state.
 * - A month's statements cover the month from its start (or the first settled day) to its end (or,
 *   for a preview, the latest settled hour's end); every statement has the same frame: the period,
 *   the hours settled and missing, the totals per zone and over all zones.
 */
import type { HourRecord } from '../energy/hour';
import { MS_PER_HOUR } from '../energy/time';
import { monthOf, monthStartMs, shiftDate, shiftMonth, warsawDateOf, warsawMidnight } from './clock';
import { badInput } from './errors';
import {
  forEachSettlementHourView,
  settlementHourOf,
  type SettlementHour,
  type StatementOptions,
} from './hours';

/** What both systems keep. */
export interface LedgerState<Lot, Hour extends SettlementHour, Month> {
  system: string;
  version: 1;
  /** Lots with something left, oldest first. */
  lots: Lot[];
  /** Start of the first hour ever settled, epoch ms. */
  startedMs: number | null;
  /** Start of the latest hour settled, epoch ms; earlier hours are refused. */
  lastHourMs: number | null;
  /** The first month not closed yet, `YYYY-MM`. */
  nextMonth: string | null;
  /** Hours of that month settled so far, in time order. */
  pending: Hour[];
  /** Statement of the last closed month. */
  lastMonth: Month | null;
}

/** What settling one hour did. */
export interface LedgerUpdate<Period> {
  /** False when the hour was not settled. */
  accepted: boolean;
  /** Why not: the record has no data yet, or the hour is not after the latest settled one. */
  reason?: 'no-data' | 'already-settled';
  /** Months closed by this hour (usually none; one when it is the month's last hour or a later month's first). */
  closed: Period[];
}

/**
 * A new, empty state of `system`; `extra` (a system's own fields) comes after the lots.
 */
export function emptyLedgerState<System extends string, Extra extends object>(
  system: System,
  extra: Extra,
): { system: System; version: 1; lots: never[] } & Extra & {
    startedMs: null;
    lastHourMs: null;
    nextMonth: null;
    pending: never[];
    lastMonth: null;
  } {
  return {
    system,
    version: 1,
    lots: [],
    ...extra,
    startedMs: null,
    lastHourMs: null,
    nextMonth: null,
    pending: [],
    lastMonth: null,
  };
}

/**
 * Checks that `value` is a saved state of `system` (version 1, with its lists, and what `isOwn`
 * checks of the system's own fields).
 * @throws SettlementError `BAD_INPUT` saying it is not `what`
 */
export function checkLedgerState<S>(
  value: unknown,
  system: string,
  what: string,
  isOwn: (state: Record<string, unknown>) => boolean = () => true,
): S {
  const s = value as Partial<LedgerState<unknown, SettlementHour, unknown>> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    s.system !== system ||
    s.version !== 1 ||
    !Array.isArray(s.lots) ||
    !Array.isArray(s.pending) ||
    !isOwn(s as Record<string, unknown>)
  ) {
    throw badInput(`The saved state is not ${what} (version 1)`);
  }
  return s as S;
}

/**
 * The month-by-month machinery over a system's state `S`, whose open month holds hours `H` and
 * whose closes give periods `P` (the month, its days and hours) with month statements `M`.
 */
export abstract class Ledger<H extends SettlementHour, M, P, S extends LedgerState<unknown, H, M>> {
  protected state: S;
  /** Whether periods carry one statement per hour. */
  protected readonly hourStatements: boolean;
  private monthEnd = { month: '', endMs: 0 };
  /** The month of the last hour's date. */
  private lastDate = { date: '', month: '' };

  constructor(state: S, options: StatementOptions) {
    this.state = state;
    this.hourStatements = options.hourStatements !== false;
  }

  /** The state as plain JSON (a copy). */
  toJSON(): S {
    return structuredClone(this.state);
  }

  /** The state itself, for a caller that drops the ledger afterwards (no copy). */
  releaseState(): S {
    return this.state;
  }

  /** Start of the latest settled hour, or null. */
  get lastHourMs(): number | null {
    return this.state.lastHourMs;
  }

  /** The statement of the last closed month, or null. */
  get lastMonth(): M | null {
    return this.state.lastMonth;
  }

  /**
   * Settles one hour. Hours must come in time order: an hour that does not start after the latest
   * settled one is refused (`already-settled`), as is a record without data (`no-data`).
   */
  push(record: HourRecord): LedgerUpdate<P> {
    const h = settlementHourOf(record);
    if (!h) return { accepted: false, reason: 'no-data', closed: [] };
    return this.pushHour(h);
  }

  /** Settles one hour already in the settlement view (see {@link push}). */
  pushHour(h: SettlementHour): LedgerUpdate<P> {
    const closed: P[] = [];
    if (!this.settle(h, closed)) return { accepted: false, reason: 'already-settled', closed };
    return { accepted: true, closed };
  }

  /**
   * Settles many hours (sorted by start first); hours without data or not after the latest
   * settled one are skipped. Returns the months they closed.
   */
  pushAll(records: readonly HourRecord[]): P[] {
    const out: P[] = [];
    // settle keeps no view: hourOf copies what the open month keeps.
    forEachSettlementHourView(records, (h) => {
      this.settle(h, out);
    });
    return out;
  }

  /**
   * Settles one hour (see {@link pushHour}) and adds the months it closes to `closed`; false when
   * the hour does not start after the latest settled one.
   */
  private settle(h: SettlementHour, closed: P[]): boolean {
    const s = this.state;
    if (s.lastHourMs !== null && h.startMs <= s.lastHourMs) return false;
    // Hours come day by day: the month of the last date is kept.
    if (h.date !== this.lastDate.date) this.lastDate = { date: h.date, month: monthOf(h.date) };
    const month = this.lastDate.month;
    const monthEnd = this.monthEndMs(month);
    const endsMonth = h.startMs + MS_PER_HOUR >= monthEnd;
    const hour = this.hourOf(h, month, endsMonth);
    this.closeOpenMonths(month, closed);
    s.nextMonth = month;
    s.startedMs ??= h.startMs;
    this.take(hour);
    s.pending.push(hour);
    s.lastHourMs = h.startMs;
    if (endsMonth) {
      closed.push(this.closeMonth(s, month, monthEnd, true));
      s.nextMonth = shiftMonth(month, 1);
    }
    return true;
  }

  /**
   * Closes every month before `month` (`YYYY-MM`) that is still open, e.g. when the data of the
   * month's last hours will never come. Returns the closed months.
   */
  closeMonthsBefore(month: string): P[] {
    const s = this.state;
    if (s.nextMonth !== null && s.nextMonth < month) this.checkClose(s.nextMonth, s.pending);
    const out: P[] = [];
    this.closeOpenMonths(month, out);
    return out;
  }

  /**
   * The provisional statements of the open month, as closing it after the latest settled hour
   * would give them (`final: false`); null when no hour of an open month was settled.
   */
  preview(): P | null {
    const s = this.state;
    if (s.nextMonth === null || s.pending.length === 0 || s.lastHourMs === null) return null;
    return this.closeMonth(this.previewCopy(s), s.nextMonth, s.lastHourMs + MS_PER_HOUR, false);
  }

  /**
   * The open month's hour made from `h` of `month`, before anything changes: throws when the
   * hour cannot be settled, or when a close it causes could not be made (see {@link checkClose}).
   * It copies what it keeps of `h`: {@link pushAll} hands every hour in one view object.
   */
  protected abstract hourOf(h: SettlementHour, month: string, endsMonth: boolean): H;

  /** What an hour adds to the lots, after the months before it closed. */
  protected take(hour: H): void {
    void hour;
  }

  /** Throws when closing `month` with its `hours` could not be made (nothing has changed yet). */
  protected checkClose(month: string, hours: readonly H[]): void {
    void month;
    void hours;
  }

  /** A copy of the state that a preview's close may change. */
  protected abstract previewCopy(s: S): S;

  /**
   * Closes `month` at `endMs` (its end, or the latest hour's end for a preview): settles its hours
   * against the lots, expires what has to, builds the statements, and leaves `s` with the lots
   * that are left and no pending hours (`s` is the live state when `final`, else a copy).
   */
  protected abstract closeMonth(s: S, month: string, endMs: number, final: boolean): P;

  /** Ends `s`'s month: the lots left, no pending hours, and the statement kept when final. */
  protected endMonth(s: S, lots: S['lots'], statement: M, final: boolean): void {
    s.lots = lots;
    s.pending = [];
    if (final) s.lastMonth = statement;
  }

  /** End of a month (local midnight of the next month's first day), memoised for the current month. */
  protected monthEndMs(month: string): number {
    if (this.monthEnd.month !== month) this.monthEnd = { month, endMs: monthStartMs(shiftMonth(month, 1)) };
    return this.monthEnd.endMs;
  }

  /** Closes every open month before `month`, oldest first, each at its own end, adding them to `out`. */
  private closeOpenMonths(month: string, out: P[]): void {
    const s = this.state;
    while (s.nextMonth !== null && s.nextMonth < month) {
      out.push(this.closeMonth(s, s.nextMonth, monthStartMs(shiftMonth(s.nextMonth, 1)), true));
      s.nextMonth = shiftMonth(s.nextMonth, 1);
    }
  }
}

/** Settles a range of hours with `ledger`: the months they close, then the open month's preview. */
export function settleRange<P, S>(
  ledger: { pushAll(records: readonly HourRecord[]): P[]; preview(): P | null; releaseState(): S },
  records: readonly HourRecord[],
): { periods: P[]; state: S } {
  const periods = ledger.pushAll(records);
  const open = ledger.preview();
  if (open) periods.push(open);
  return { periods, state: ledger.releaseState() };
}

/** Sums of one zone: what one hour adds (with up to two arguments of a system's own), merged, and as totals. */
export interface ZoneSums<T> {
  add(hour: SettlementHour, a?: any, b?: any): void;
  merge(other: this): void;
  totals(): T;
}

/** The arguments `Z.add` takes after the hour. */
type AddArgs<Z> = Z extends { add(hour: any, ...args: infer A): void } ? A : never;

/** The totals `Z` gives. */
export type TotalsOf<Z extends ZoneSums<unknown>> = ReturnType<Z['totals']>;

/** Sums of a period per zone, and the hours in it. */
export class ZoneTable<Z extends ZoneSums<unknown>> {
  readonly zones = new Map<string, Z>();
  hours = 0;

  constructor(private readonly newZone: () => Z) {}

  add(hour: SettlementHour, ...args: AddArgs<Z>): void;
  add(hour: SettlementHour, a?: unknown, b?: unknown): void {
    let z = this.zones.get(hour.zone);
    if (!z) {
      z = this.newZone();
      this.zones.set(hour.zone, z);
    }
    z.add(hour, a, b);
    this.hours += 1;
  }

  /** Totals per zone code, in code order. */
  zoneTotals(): Record<string, TotalsOf<Z>> {
    const out: Record<string, TotalsOf<Z>> = {};
    for (const code of [...this.zones.keys()].sort())
      out[code] = this.zones.get(code)!.totals() as TotalsOf<Z>;
    return out;
  }

  /** The sums over all zones. */
  all(): Z {
    const all = this.newZone();
    for (const z of this.zones.values()) all.merge(z);
    return all;
  }
}

/** A month's sums and each day's, as the hours are added. */
export class MonthTables<Z extends ZoneSums<unknown>> {
  readonly month: ZoneTable<Z>;
  private readonly days = new Map<string, ZoneTable<Z>>();

  constructor(private readonly newZone: () => Z) {
    this.month = new ZoneTable(newZone);
  }

  /** Adds an hour to its day's sums and the month's. */
  add(hour: SettlementHour, ...args: AddArgs<Z>): void;
  add(hour: SettlementHour, a?: unknown, b?: unknown): void {
    let day = this.days.get(hour.date);
    if (!day) {
      day = new ZoneTable(this.newZone);
      this.days.set(hour.date, day);
    }
    (day as ZoneTable<ZoneSums<unknown>>).add(hour, a, b);
    (this.month as ZoneTable<ZoneSums<unknown>>).add(hour, a, b);
  }

  /** A day's sums (empty for a day without hours). */
  day(date: string): ZoneTable<Z> {
    return this.days.get(date) ?? new ZoneTable(this.newZone);
  }
}

/** The time a month's statements cover. */
export interface StatementSpan {
  /** From the month's start, or the local midnight of the first settled day when that is later. */
  startMs: number;
  /** The end: the month's end, or the latest hour's end for a preview. */
  endMs: number;
  firstDate: string;
  lastDate: string;
}

/** The span of `month`'s statements up to `endMs`, for a ledger that started at `startedMs`. */
export function statementSpan(month: string, endMs: number, startedMs: number | null): StatementSpan {
  const monthStart = monthStartMs(month);
  const startMs = Math.max(
    monthStart,
    startedMs === null ? monthStart : warsawMidnight(warsawDateOf(startedMs)),
  );
  return { startMs, endMs, firstDate: warsawDateOf(startMs), lastDate: warsawDateOf(endMs - 1) };
}

/** One day of a span, within the span's bounds. */
export interface SpanDay {
  date: string;
  startMs: number;
  endMs: number;
}

/** Every day of a span, in order. */
export function spanDays(span: StatementSpan): SpanDay[] {
  const out: SpanDay[] = [];
  for (let date = span.firstDate; date <= span.lastDate; date = shiftDate(date, 1)) {
    out.push({
      date,
      startMs: Math.max(warsawMidnight(date), span.startMs),
      endMs: Math.min(warsawMidnight(shiftDate(date, 1)), span.endMs),
    });
  }
  return out;
}

/** What every hour statement has: the hour as settled (its start as text, not epoch ms), and whether it is final. */
export interface HourStatementFrame extends Omit<SettlementHour, 'startMs'> {
  /** False while the month is open. */
  final: boolean;
}

/** What every day and month statement starts with. */
export interface StatementFrame<System extends string, T> {
  system: System;
  period: 'day' | 'month';
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  label: string;
  /** First local date covered. */
  from: string;
  /** Last local date covered. */
  to: string;
  /** False while the month is open: the figures are what closing it now would give. */
  final: boolean;
  /** Hours settled. */
  hours: number;
  /** Clock hours of the period (up to now for an open one) without data. */
  missingHours: number;
  /** Totals per zone code. */
  zones: Record<string, T>;
  /** Totals over all zones. */
  total: T;
}

/** The frame of a statement of `table`'s hours over `startMs`..`endMs`. */
export function statementFrame<
  System extends string,
  Period extends 'day' | 'month',
  Z extends ZoneSums<unknown>,
>(
  system: System,
  period: Period,
  where: { label: string; from: string; to: string; startMs: number; endMs: number },
  final: boolean,
  table: ZoneTable<Z>,
  total: TotalsOf<Z>,
): StatementFrame<System, TotalsOf<Z>> & { period: Period } {
  return {
    system,
    period,
    label: where.label,
    from: where.from,
    to: where.to,
    final,
    hours: table.hours,
    missingHours: Math.round((where.endMs - where.startMs) / MS_PER_HOUR) - table.hours,
    zones: table.zoneTotals(),
    total,
  };
}
