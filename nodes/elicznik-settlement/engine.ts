/**
 * One interface over the net-metering bank and the net-billing deposit for the node: settle
 * hours, preview the open month, save and restore, and a short summary for the status.
 */
import type { HourRecord } from '../../src/energy/hour';
import { warsawIso } from '../../src/settlement/clock';
import { badInput } from '../../src/settlement/errors';
import { groszeToPln, settlementHoursInOrder } from '../../src/settlement/hours';
import {
  NetBillingDeposit,
  checkNetBillingState,
  type NetBillingPeriod,
  type NetBillingState,
  type RcePriceBook,
} from '../../src/settlement/net-billing';
import {
  NetMeteringBank,
  checkNetMeteringState,
  type NetMeteringPeriod,
  type NetMeteringState,
} from '../../src/settlement/net-metering';
import type { NodeSettings } from './settings';

/** A month's statements of either system. */
export type Period = NetMeteringPeriod | NetBillingPeriod;

/** What the node keeps in its context. */
export interface SavedSettlement {
  system: 'net-metering' | 'net-billing';
  state: NetMeteringState | NetBillingState;
  /** RCEm prices that came in messages, PLN/MWh by month (net-billing). */
  rcem?: Record<string, number>;
}

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

/** The bank or the deposit, as the node's settings say. */
export class Settlement {
  private readonly settings: NodeSettings;
  private bank?: NetMeteringBank;
  private deposit?: NetBillingDeposit;
  private lastHourStart: string | null = null;
  /** RCEm from messages, kept across restarts. */
  readonly rcem: Record<string, number> = {};

  /**
   * @param saved what the context held; ignored (with `discarded` set) when it is of the other system
   * @throws SettlementError `BAD_INPUT` for bad settings
   */
  constructor(settings: NodeSettings, saved?: SavedSettlement | null) {
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

  /** Settles hours (any order). @throws SettlementError `BAD_INPUT` when a month cannot close */
  settle(records: readonly HourRecord[]): SettleOutcome {
    const hours = settlementHoursInOrder(records);
    const out: SettleOutcome = {
      closed: [],
      settled: 0,
      skipped: records.length - hours.length,
      firstMs: null,
    };
    for (const h of hours) {
      const update = this.bank ? this.bank.pushHour(h) : this.deposit!.pushHour(h);
      if (!update.accepted) {
        out.skipped += 1;
        continue;
      }
      out.settled += 1;
      out.firstMs ??= h.startMs;
      this.lastHourStart = h.hourStart;
      for (const p of update.closed) out.closed.push(p);
    }
    return out;
  }

  /** The open month's provisional statements, or null. */
  preview(): Period | null {
    return this.bank ? this.bank.preview() : this.deposit!.preview();
  }

  /** What to keep in the context. */
  toJSON(): SavedSettlement {
    if (this.bank) return { system: 'net-metering', state: this.bank.toJSON() };
    return { system: 'net-billing', state: this.deposit!.toJSON(), rcem: { ...this.rcem } };
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
}

function lastHourStartOf(state: NetMeteringState | NetBillingState): string | null {
  const last = state.pending.length > 0 ? state.pending[state.pending.length - 1] : null;
  if (last) return last.hourStart;
  return state.lastHourMs === null ? null : warsawIso(state.lastHourMs);
}
