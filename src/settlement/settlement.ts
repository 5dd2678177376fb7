/**
 * One interface over the net-metering bank and the net-billing deposit, as a running settlement
 * (the settlement node) uses them: settle hours as they come, preview the open month, save and
 * restore, a short summary, and the statements to send; plus the hour records a message carries.
 */
import type { HourRecord } from '../energy/hour';
import { isElicznikError } from '../errors';
import { warsawDateOf, warsawIso, warsawMinutesOfDay } from './clock';
import { PriceMissingError, badInput } from './errors';
import { forEachSettlementHour, groszeToPln, hasUtcOffset, type SettlementHour } from './hours';
import {
  NetBillingDeposit,
  checkNetBillingState,
  rceStartDate,
  type NetBillingPeriod,
  type NetBillingState,
  type RcePriceBook,
} from './net-billing';
import {
  NetMeteringBank,
  checkNetMeteringState,
  type NetMeteringPeriod,
  type NetMeteringState,
} from './net-metering';
import type { SettlementChoice } from './settings';

/** The chosen system's settings; net-billing with the RCEm prices entered beside them (PLN/MWh by month). */
export type SettlementSetup =
  | Extract<SettlementChoice, { system: 'net-metering' }>
  | (Extract<SettlementChoice, { system: 'net-billing' }> & { rcem: Record<string, number> });

/** Statement granularity of the output. */
export type OutputPeriod = 'hour' | 'day' | 'month';

/** A month's statements of either system. */
export type Period = NetMeteringPeriod | NetBillingPeriod;

/** What a running settlement keeps (the node: in its context). */
export interface SavedSettlement {
  system: 'net-metering' | 'net-billing';
  state: NetMeteringState | NetBillingState;
  /** RCEm prices that came in messages, PLN/MWh by month (net-billing). */
  rcem?: Record<string, number>;
  /** Hours waiting for a price their month needs to close (net-billing). */
  waiting?: HeldHours;
}

/**
 * Hours that wait for a price: in time order, the price (e.g. `the RCEm of 2025-03`) and the month
 * that cannot close without it (`YYYY-MM`).
 */
export interface HeldHours {
  hours: SettlementHour[];
  for: string;
  month: string;
}

/** How many hours wait, for which price and month. */
export interface Waiting {
  hours: number;
  for: string;
  month: string;
}

/**
 * At most this many hours wait for a price (120 days): PSE publishes a month's RCEm around the
 * 10th of the next month, so a daily flow keeps about ten days of hours until it comes.
 */
export const MAX_WAITING_HOURS = 120 * 24;

/** The result of settling one message's hours. */
export interface SettleOutcome {
  /** Months closed by these hours, final. */
  closed: Period[];
  /** Hours settled now. */
  settled: number;
  /** Hours left out: no data yet, or not after the latest settled hour. */
  skipped: number;
  /** Start of the first hour settled now, epoch ms; null when none was. */
  firstMs: number | null;
  /** Hours kept until a price comes (see {@link Settlement.waiting}); null when none wait. */
  waiting: Waiting | null;
  /**
   * The error that stopped settling at an hour (e.g. a zone without a price); the hours before it
   * stay settled and are counted above, that hour and the later ones are not settled.
   */
  error?: Error;
}

/** A short summary for the status line and the output message. */
export interface SettlementSummary {
  system: 'net-metering' | 'net-billing';
  /** Energy in the bank, kWh (net-metering). */
  bankKwh?: number;
  /** Deposit, PLN (net-billing). */
  depositPln?: number;
  /** Start of the latest settled hour, ISO text; null before the first hour. */
  settledThrough: string | null;
}

/** The bank or the deposit, as the settings say. */
export class Settlement {
  private readonly settings: SettlementSetup;
  private bank?: NetMeteringBank;
  private deposit?: NetBillingDeposit;
  private lastHourStart: string | null = null;
  /** RCEm from messages, kept across restarts. */
  readonly rcem: Record<string, number> = {};
  /**
   * Hours that came while a month they follow could not close for want of a price (net-billing:
   * its RCEm is published after it ends): kept, in time order, and settled as soon as the price
   * comes, so that a flow sending each day's hours loses none while it waits.
   */
  private held: HeldHours | null = null;

  /**
   * @param saved what the context held; ignored (with `discarded` set) when it is of the other system
   * @throws SettlementError `BAD_INPUT` for bad settings
   */
  constructor(settings: SettlementSetup, saved?: SavedSettlement | null) {
    this.settings = settings;
    const usable = saved && saved.system === settings.system ? saved : undefined;
    this.discarded = !!saved && !usable;
    if (settings.system === 'net-metering') {
      this.bank = new NetMeteringBank(
        settings.bank,
        usable ? checkNetMeteringState(usable.state) : undefined,
      );
    } else {
      Object.assign(this.rcem, usable?.rcem ?? {});
      this.held = heldOf(usable?.waiting);
      this.deposit = new NetBillingDeposit(
        settings.deposit,
        usable ? checkNetBillingState(usable.state) : undefined,
        { monthly: { ...this.rcem, ...settings.rcem } },
      );
    }
    const state = this.toJSON().state;
    this.lastHourStart = lastHourStartOf(state);
  }

  /** True when the saved state was of the other system and was not used. */
  readonly discarded: boolean;

  get system(): 'net-metering' | 'net-billing' {
    return this.settings.system;
  }

  /** The hours waiting for a price, and the price; null when none wait. */
  get waiting(): Waiting | null {
    return waitingOf(this.held);
  }

  /** Adds market prices (net-billing); RCEm tables are remembered. */
  addPrices(book: RcePriceBook): void {
    if (!this.deposit) throw badInput('Prices are only used by net-billing');
    if (book.monthly) Object.assign(this.rcem, book.monthly);
    this.deposit.addPrices(book);
  }

  /** Hours after the latest settled one that have data, i.e. what {@link settle} would take. */
  pending(records: readonly HourRecord[]): HourRecord[] {
    const last = (this.bank ?? this.deposit)!.lastHourMs;
    return records.filter((r) => last === null || Date.parse(r.hourStart) > last);
  }

  /**
   * The hours of `records` that net-billing on hourly RCE still needs prices for: those
   * {@link settle} would take, from the RCE start date on (not before 2024-07-01); none for net-metering or RCEm.
   */
  hoursNeedingRce(records: readonly HourRecord[]): HourRecord[] {
    if (this.settings.system !== 'net-billing' || this.settings.deposit.priceMode !== 'rce') return [];
    const from = rceStartDate(this.settings.deposit.rceFrom);
    const waiting = (this.held?.hours ?? []).map(
      (h) => ({ hourStart: h.hourStart, date: h.date }) as HourRecord,
    );
    return [...waiting, ...this.pending(records)].filter((r) => r.date >= from);
  }

  /**
   * Settles hours (any order), after the hours waiting for a price. When a month cannot close for
   * want of a price (net-billing), the hour that would close it and every later one wait, and
   * {@link SettleOutcome.waiting} says how many. An hour that cannot be settled (`BAD_INPUT`, e.g. a
   * zone without a price), or more than {@link MAX_WAITING_HOURS} hours to wait, stops it: the hours
   * before stay settled, and {@link SettleOutcome.error} gives the error, so that the caller can pass
   * on what was settled (months closed included) before it reports the error.
   */
  settle(records: readonly HourRecord[]): SettleOutcome {
    const fresh: SettlementHour[] = [];
    forEachSettlementHour(records, (h) => fresh.push(h));
    const before = this.held?.hours.length ?? 0;
    let hours = fresh;
    if (this.held) {
      // the waiting hours first; an hour sent again replaces its waiting copy
      const byStart = new Map<number, SettlementHour>();
      for (const h of this.held.hours) byStart.set(h.startMs, h);
      for (const h of fresh) byStart.set(h.startMs, h);
      hours = [...byStart.values()].sort((a, b) => a.startMs - b.startMs);
    }
    const ledger = (this.bank ?? this.deposit)!;
    const out: SettleOutcome = {
      closed: [],
      settled: 0,
      skipped: 0,
      firstMs: null,
      waiting: null,
    };
    let held: HeldHours | null = null;
    // hours not settled because of an error: from the one that failed on
    let stopped = 0;
    for (let i = 0; i < hours.length; i++) {
      const h = hours[i];
      let update;
      try {
        update = this.bank ? this.bank.pushHour(h) : this.deposit!.pushHour(h);
      } catch (err) {
        const last = ledger.lastHourMs;
        const rest = hours.slice(i).filter((x) => last === null || x.startMs > last);
        if (err instanceof PriceMissingError && rest.length <= MAX_WAITING_HOURS) {
          held = { hours: rest, for: err.waitingFor, month: err.month };
        } else {
          out.error =
            err instanceof PriceMissingError
              ? badInput(
                  `${err.message}; ${rest.length} hours wait for it, more than the ${MAX_WAITING_HOURS / 24} days kept`,
                )
              : (err as Error);
          // the hours that waited before and were not settled now wait on
          const waited = new Set(this.held?.hours.map((x) => x.startMs));
          const still = rest.filter((x) => waited.has(x.startMs));
          held = this.held && still.length > 0 ? { ...this.held, hours: still } : null;
          stopped = rest.length - still.length;
        }
        break;
      }
      if (!update.accepted) continue;
      out.settled += 1;
      out.firstMs ??= h.startMs;
      this.lastHourStart = h.hourStart;
      for (const p of update.closed) out.closed.push(p);
    }
    this.held = held;
    out.waiting = waitingOf(held);
    out.skipped = Math.max(records.length + before - out.settled - (held?.hours.length ?? 0) - stopped, 0);
    return out;
  }

  /** The open month's provisional statements, or null. */
  preview(): Period | null {
    return this.bank ? this.bank.preview() : this.deposit!.preview();
  }

  /** What to keep in the context. */
  toJSON(): SavedSettlement {
    if (this.bank) return { system: 'net-metering', state: this.bank.toJSON() };
    return {
      system: 'net-billing',
      state: this.deposit!.toJSON(),
      rcem: { ...this.rcem },
      ...(this.held ? { waiting: { ...this.held, hours: this.held.hours.map((h) => ({ ...h })) } } : {}),
    };
  }

  /**
   * Balance after everything settled so far; `open` (the open month's preview, when the caller has
   * it) gives the balance after that month's provisional coverage, as the statements show it.
   */
  summary(open: Period | null = this.preview()): SettlementSummary {
    if (this.bank) {
      const wh = open ? (open.month as NetMeteringPeriod['month']).balanceWh : this.bank.balanceWh;
      return { system: 'net-metering', bankKwh: wh / 1000, settledThrough: this.lastHourStart };
    }
    const gr = open ? (open.month as NetBillingPeriod['month']).balanceGr : this.deposit!.balanceGr;
    return { system: 'net-billing', depositPln: groszeToPln(gr), settledThrough: this.lastHourStart };
  }

  /**
   * What settling one message's hours gives: the output, the command that came with them, the
   * counts, the summary after the open month's preview and the statements to send.
   */
  report(
    output: OutputPeriod,
    outcome: SettleOutcome,
    open: Period | null,
    command?: string,
  ): SettlementReport {
    return {
      output,
      ...(command ? { command } : {}),
      settled: outcome.settled,
      skipped: outcome.skipped,
      ...(outcome.waiting ? { waiting: outcome.waiting } : {}),
      ...(outcome.error ? { error: errorOf(outcome.error) } : {}),
      ...this.summary(open),
      statements: statementsOf(output, outcome.closed, open, outcome.firstMs),
    };
  }
}

/** The settlement node's `msg.payload` after settling a message's hours. */
export type SettlementReport = {
  output: OutputPeriod;
  command?: string;
  settled: number;
  skipped: number;
  /** Hours kept until a price comes, the price and the month that waits for it. */
  waiting?: Waiting;
  /** The error that stopped settling at an hour: what is here was settled before it. */
  error?: { code?: string; message: string };
  statements: unknown[];
} & SettlementSummary;

/** The code (when it has one) and message of an error that stopped settling. */
function errorOf(err: Error): { code?: string; message: string } {
  return isElicznikError(err) ? { code: err.code, message: err.message } : { message: err.message };
}

/** How many hours wait, for what: null when none do. */
function waitingOf(held: HeldHours | null): Waiting | null {
  return held && { hours: held.hours.length, for: held.for, month: held.month };
}

/** Held hours from a saved state: those that are settlement hours, in time order; null when none. */
function heldOf(value: unknown): HeldHours | null {
  const v = value as Partial<HeldHours> | undefined;
  if (!v || typeof v !== 'object' || !Array.isArray(v.hours)) return null;
  const ok = (h: Record<string, unknown>) =>
    typeof h.startMs === 'number' &&
    Number.isFinite(h.startMs) &&
    typeof h.hourStart === 'string' &&
    typeof h.date === 'string' &&
    typeof h.hour === 'number' &&
    typeof h.repeated === 'boolean' &&
    typeof h.zone === 'string' &&
    typeof h.ecbpWh === 'number' &&
    typeof h.ecboWh === 'number';
  const hours = (v.hours as unknown[])
    .filter((h): h is SettlementHour => !!h && typeof h === 'object' && ok(h as Record<string, unknown>))
    .map((h) => ({ ...h }))
    .sort((a, b) => a.startMs - b.startMs);
  if (hours.length === 0) return null;
  return { hours, for: String(v.for ?? 'a price'), month: String(v.month ?? '') };
}

function lastHourStartOf(state: NetMeteringState | NetBillingState): string | null {
  const last = state.pending.length > 0 ? state.pending[state.pending.length - 1] : null;
  if (last) return last.hourStart;
  return state.lastHourMs === null ? null : warsawIso(state.lastHourMs);
}

function looksLikeHour(value: unknown): value is Record<string, unknown> {
  return (
    !!value && typeof value === 'object' && typeof (value as { hourStart?: unknown }).hourStart === 'string'
  );
}

/**
 * Hour records from `msg.payload`: the balance or fetch node's output (`{hours: […]}`), a list of
 * records, or one record. Records need `hourStart` (ISO 8601 with offset); `date` and `hour` are
 * filled in from it when missing.
 * @throws SettlementError `BAD_INPUT`
 */
export function recordsOf(payload: unknown): HourRecord[] {
  let list: unknown[];
  if (Array.isArray(payload)) list = payload;
  else if (payload && typeof payload === 'object' && Array.isArray((payload as { hours?: unknown }).hours)) {
    list = (payload as { hours: unknown[] }).hours;
  } else if (looksLikeHour(payload)) list = [payload];
  else {
    throw badInput(
      'msg.payload must be hour records: the balance or fetch node output ({hours: [...]}), a list, or one hour',
    );
  }
  return list.map((item, i) => {
    if (!looksLikeHour(item)) throw badInput(`Hour ${i + 1} of msg.payload has no hourStart`);
    const startMs = Date.parse(item.hourStart as string);
    if (!Number.isFinite(startMs))
      throw badInput(`Hour ${i + 1}: hourStart ${JSON.stringify(item.hourStart)} is not a time`);
    // Without an offset the text would be read in the server's time zone, not Warsaw's.
    if (!hasUtcOffset(item.hourStart as string)) {
      throw badInput(
        `Hour ${i + 1}: hourStart ${JSON.stringify(item.hourStart)} has no UTC offset; give it as e.g. 2026-06-01T12:00:00+02:00`,
      );
    }
    const record = { ...item } as unknown as HourRecord;
    if (typeof record.date !== 'string') record.date = warsawDateOf(startMs);
    if (typeof record.hour !== 'number') record.hour = Math.floor(warsawMinutesOfDay(startMs) / 60) + 1;
    if (typeof record.repeated !== 'boolean') record.repeated = false;
    if (record.zone === undefined) record.zone = null;
    if (typeof record.hourEnd !== 'string') record.hourEnd = warsawIso(startMs + 3_600_000);
    return record;
  });
}

/**
 * The statements to send for one message: every closed month (at the chosen granularity, final),
 * then the open month's provisional ones; for days and hours only those from `sinceMs` on (the
 * first hour settled by this message), so that live hours do not repeat the whole month.
 */
export function statementsOf(
  output: OutputPeriod,
  closed: readonly Period[],
  open: Period | null,
  sinceMs: number | null,
): unknown[] {
  const out: unknown[] = [];
  const sinceDate = sinceMs === null ? null : warsawDateOf(sinceMs);
  for (const p of closed) {
    if (output === 'month') out.push(p.month);
    else if (output === 'day') out.push(...p.days);
    else out.push(...p.hours);
  }
  if (!open) return out;
  if (output === 'month') out.push(open.month);
  else if (output === 'day') {
    out.push(...(open.days as { label: string }[]).filter((d) => sinceDate === null || d.label >= sinceDate));
  } else {
    out.push(
      ...(open.hours as { hourStart: string }[]).filter(
        (h) => sinceMs === null || Date.parse(h.hourStart) >= sinceMs,
      ),
    );
  }
  return out;
}
