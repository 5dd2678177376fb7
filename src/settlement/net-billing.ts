/**
 * Net-billing: the prosumer deposit ("depozyt prosumencki") of prosumers who started from
 * 2022-04-01 (settlement.md §3; marks there).
 *
 * - Each hour's balanced export ECBO is valued at a price in PLN/MWh: the month's RCEm, or the
 *   hour's RCE (`priceMode`; default RCEm, what prosumers who started before 2024-07-01 have unless
 *   they switched). A negative price counts as 0. From `coefficientFrom` (2024-12-27) the value is
 *   multiplied by `coefficient` (1.23); hours before that date are not, unless
 *   `coefficientRetroactive` is set.
 * - Money is kept per hour in integer micro-złoty (µPLN; Wh × PLN/MWh = µPLN exactly) and rounded
 *   to whole grosze once per period: a month's deposit is the rounded sum of its hours. Every book
 *   entry (deposit added, used, refunded, lost, balance) is in whole grosze, so the books close
 *   exactly: added = used + refunded + lost + balance.
 * - A month's deposit becomes usable on the 1st of the next month and stays usable for
 *   `validityMonths` (12) months: the deposit of month M pays the bills of M+1 … M+12. It pays only
 *   the energy part of a bill (ECBP × the zone's energy price), never distribution; the oldest
 *   deposit pays first. Each month is billed when it closes (its last hour is settled or a later
 *   month's hour arrives).
 * - What is left of a deposit after its last month is refunded up to `refundCapPercent` (20; 30
 *   for prosumers who switched to RCE by statement) of the value of the energy exported in its
 *   month, the rest is lost. Whether that value includes the 1.23 coefficient is not confirmed:
 *   `refundCapBase` `market` (default) uses the value without it, `deposit` the deposit as credited.
 */
import type { HourRecord } from '../energy/hour';
import { MS_PER_HOUR, isLocalDate } from '../energy/time';
import { monthOf, monthStartMs, shiftDate, shiftMonth, warsawDateOf, warsawMidnight } from './clock';
import { badInput } from './errors';
import {
  costMicro,
  energyValueMicro,
  microToGrosze,
  microToPln,
  closeMonthsUntil,
  settleInOrder,
  settlementHourOf,
  type SettlementHour,
  type StatementOptions,
} from './hours';
import { checkTariffPrices, zonePriceAt, type TariffPrices, type TariffPricesInput } from './prices';

/** How exported energy is valued. */
export type PriceMode = 'rcem' | 'rce';

/** Settings of the deposit. */
export interface NetBillingSettings {
  /** `rcem`: the month's RCEm for every hour; `rce`: each hour's RCE. */
  priceMode: PriceMode;
  /** With `rce`: the first date valued at RCE (earlier hours use RCEm), e.g. the date of switching. */
  rceFrom?: string;
  /** Multiplier of the deposit value (1.23). */
  coefficient: number;
  /** First local date the coefficient applies to (2024-12-27). */
  coefficientFrom: string;
  /** Apply the coefficient to hours before `coefficientFrom` too. */
  coefficientRetroactive: boolean;
  /** Months a deposit stays usable after the month it was earned in. */
  validityMonths: number;
  /** Refund cap as a percentage of the value of the month's export (20, or 30 after switching to RCE). */
  refundCapPercent: number;
  /** What the cap is a percentage of: the export's market value (`market`) or the deposit credited (`deposit`). */
  refundCapBase: 'market' | 'deposit';
  /** Energy (required) and distribution (optional) prices per zone, PLN/kWh. */
  prices: TariffPrices;
}

/** Settings as the deposit accepts them: every field but the prices optional, prices also as one zone map. */
export type NetBillingOptions = Partial<Omit<NetBillingSettings, 'prices'>> & { prices: TariffPricesInput };

/** Defaults of everything but the prices. */
export const NET_BILLING_DEFAULTS: Readonly<Omit<NetBillingSettings, 'prices'>> = Object.freeze({
  priceMode: 'rcem',
  coefficient: 1.23,
  coefficientFrom: '2024-12-27',
  coefficientRetroactive: false,
  validityMonths: 12,
  refundCapPercent: 20,
  refundCapBase: 'market',
});

/**
 * Validates settings and fills in defaults.
 * @throws SettlementError `BAD_INPUT`
 */
export function checkNetBillingSettings(input: Partial<NetBillingOptions> = {}): NetBillingSettings {
  const d = NET_BILLING_DEFAULTS;
  const priceMode = input.priceMode ?? d.priceMode;
  if (priceMode !== 'rcem' && priceMode !== 'rce') {
    throw badInput(`The price mode must be "rcem" or "rce"; got ${JSON.stringify(priceMode)}`);
  }
  const coefficient = input.coefficient ?? d.coefficient;
  if (typeof coefficient !== 'number' || !(coefficient > 0 && coefficient <= 10)) {
    throw badInput(`The deposit coefficient must be a positive number (1.23); got ${coefficient}`);
  }
  const coefficientFrom = input.coefficientFrom || d.coefficientFrom;
  if (!isLocalDate(coefficientFrom)) {
    throw badInput(`The coefficient date must be YYYY-MM-DD; got ${JSON.stringify(coefficientFrom)}`);
  }
  const validityMonths = input.validityMonths ?? d.validityMonths;
  if (!Number.isInteger(validityMonths) || validityMonths < 1 || validityMonths > 120) {
    throw badInput(
      `The deposit validity must be a whole number of months from 1 to 120; got ${validityMonths}`,
    );
  }
  const refundCapPercent = input.refundCapPercent ?? d.refundCapPercent;
  if (typeof refundCapPercent !== 'number' || !(refundCapPercent >= 0 && refundCapPercent <= 100)) {
    throw badInput(`The refund cap must be a percentage from 0 to 100; got ${refundCapPercent}`);
  }
  const refundCapBase = input.refundCapBase ?? d.refundCapBase;
  if (refundCapBase !== 'market' && refundCapBase !== 'deposit') {
    throw badInput(`The refund cap base must be "market" or "deposit"; got ${JSON.stringify(refundCapBase)}`);
  }
  if (input.prices === undefined || input.prices === null) {
    throw badInput('Net-billing needs the energy price of every tariff zone (PLN/kWh)');
  }
  const out: NetBillingSettings = {
    priceMode,
    coefficient,
    coefficientFrom,
    coefficientRetroactive: input.coefficientRetroactive === true,
    validityMonths,
    refundCapPercent,
    refundCapBase,
    prices: checkTariffPrices(input.prices),
  };
  if (input.rceFrom !== undefined && input.rceFrom !== null && input.rceFrom !== '') {
    if (!isLocalDate(input.rceFrom)) {
      throw badInput(`The RCE start date must be YYYY-MM-DD; got ${JSON.stringify(input.rceFrom)}`);
    }
    out.rceFrom = input.rceFrom;
  }
  return out;
}

/** Market prices for valuing export, PLN/MWh. */
export interface RcePriceBook {
  /** Hourly RCE by the hour's start (epoch ms). */
  hourly?: ReadonlyMap<number, number>;
  /** RCEm by month `YYYY-MM`. */
  monthly?: Readonly<Record<string, number>>;
}

/** The deposit earned in one month. */
export interface DepositLot {
  /** The month the energy was exported in, `YYYY-MM`. */
  month: string;
  /** The last month whose bill it can pay. */
  lastMonth: string;
  /** Deposit credited (with the coefficient), grosze. */
  amountGr: number;
  /** Market value of the month's export (without the coefficient), grosze. */
  marketGr: number;
  /** Not used yet, grosze. */
  remainingGr: number;
}

/** One settled hour of the open month. */
export interface DepositHour extends SettlementHour {
  /** Where the price came from. */
  source: PriceMode;
  /** The price as given (may be negative), PLN/MWh; null when not known yet. */
  price: number | null;
  /** The coefficient applied (1 or e.g. 1.23). */
  factor: number;
  /** Value of the export credited to the deposit, µPLN; null until the price is known. */
  valueMicro: number | null;
  /** Value of the export at the market price alone, µPLN; null until the price is known. */
  marketMicro: number | null;
  /** ECBP × energy price, µPLN. */
  energyMicro: number;
  /** ECBP × distribution price, µPLN; null without a distribution price. */
  distributionMicro: number | null;
}

/** Saved state of the deposit: plain JSON. */
export interface NetBillingState {
  system: 'net-billing';
  version: 1;
  /** Deposits with money left, oldest first. */
  lots: DepositLot[];
  startedMs: number | null;
  lastHourMs: number | null;
  nextMonth: string | null;
  pending: DepositHour[];
  lastMonth: NetBillingMonth | null;
}

/** Energy and money of a period in one zone (or all zones). */
export interface DepositTotals {
  ecbpWh: number;
  ecboWh: number;
  /** ECBP × energy price, grosze (before the deposit). */
  energyCostGr: number;
  /** ECBP × distribution price, grosze; paid in cash, never from the deposit; null without prices. */
  distributionCostGr: number | null;
  /** Value of the export credited to the deposit, grosze; null while a price is missing. */
  surplusValueGr: number | null;
  /** Value of the export at market price without the coefficient, grosze; null while a price is missing. */
  marketValueGr: number | null;
}

/** A day statement of net-billing (energy and money of the day; the deposit is settled monthly). */
export interface NetBillingDay {
  system: 'net-billing';
  period: 'day' | 'month';
  label: string;
  from: string;
  to: string;
  final: boolean;
  hours: number;
  missingHours: number;
  zones: Record<string, DepositTotals>;
  total: DepositTotals;
}

/** A month statement of net-billing: the day fields plus the deposit's books. */
export interface NetBillingMonth extends NetBillingDay {
  period: 'month';
  /** Deposit earned this month (usable from next month), grosze; null while a price is missing. */
  depositAddedGr: number | null;
  /** Deposit used to pay this month's energy, grosze. */
  depositUsedGr: number;
  /** Deposit left at the end of validity and refunded, grosze. */
  refundedGr: number;
  /** Deposit left at the end of validity above the refund cap, grosze. */
  lostGr: number;
  /** Deposit at the start of the month, grosze. */
  balanceStartGr: number;
  /** Deposit at the end of the month (including this month's), grosze. */
  balanceGr: number;
  /** Of the balance, what reaches the end of its validity at the next month's close, grosze. */
  expiringNextMonthGr: number;
  /** Energy cost to pay after the deposit, grosze. */
  energyCostAfterGr: number;
  /** Hours with export whose price is not known yet (the month's RCEm is published after it ends). */
  unpricedHours: number;
}

/** One hour of a statement. */
export interface NetBillingHour {
  hourStart: string;
  date: string;
  hour: number;
  repeated: boolean;
  zone: string;
  ecbpWh: number;
  ecboWh: number;
  priceSource: PriceMode;
  /** Price as published, PLN/MWh (negative prices count as 0 in the value); null when unknown. */
  pricePlnPerMwh: number | null;
  /** Coefficient applied. */
  factor: number;
  /** Value of the surplus credited to the deposit, PLN; null when the price is unknown. */
  surplusValuePln: number | null;
  /** Energy cost of the hour's import before the deposit, PLN. */
  energyCostPln: number;
  /** Distribution cost of the import, PLN; null without a price. */
  distributionCostPln: number | null;
  final: boolean;
}

/** Everything a month produces. */
export interface NetBillingPeriod {
  month: NetBillingMonth;
  days: NetBillingDay[];
  hours: NetBillingHour[];
}

/** What settling one hour did. */
export interface NetBillingUpdate {
  accepted: boolean;
  reason?: 'no-data' | 'already-settled';
  closed: NetBillingPeriod[];
}

/** A new, empty deposit state. */
export function emptyNetBillingState(): NetBillingState {
  return {
    system: 'net-billing',
    version: 1,
    lots: [],
    startedMs: null,
    lastHourMs: null,
    nextMonth: null,
    pending: [],
    lastMonth: null,
  };
}

/**
 * Checks that a value is a saved deposit state.
 * @throws SettlementError `BAD_INPUT`
 */
export function checkNetBillingState(value: unknown): NetBillingState {
  const s = value as Partial<NetBillingState> | null;
  if (
    !s ||
    typeof s !== 'object' ||
    s.system !== 'net-billing' ||
    s.version !== 1 ||
    !Array.isArray(s.lots) ||
    !Array.isArray(s.pending)
  ) {
    throw badInput('The saved state is not a net-billing deposit state (version 1)');
  }
  return s as NetBillingState;
}

class DepositSums {
  ecbpWh = 0;
  ecboWh = 0;
  energy = 0;
  distribution: number | null = 0;
  value: number | null = 0;
  market: number | null = 0;

  add(h: DepositHour): void {
    this.ecbpWh += h.ecbpWh;
    this.ecboWh += h.ecboWh;
    this.energy += h.energyMicro;
    if (h.distributionMicro === null) {
      if (h.ecbpWh > 0) this.distribution = null;
    } else if (this.distribution !== null) this.distribution += h.distributionMicro;
    this.value = this.value === null || h.valueMicro === null ? null : this.value + h.valueMicro;
    this.market = this.market === null || h.marketMicro === null ? null : this.market + h.marketMicro;
  }

  merge(o: DepositSums): void {
    this.ecbpWh += o.ecbpWh;
    this.ecboWh += o.ecboWh;
    this.energy += o.energy;
    this.distribution =
      this.distribution === null || o.distribution === null ? null : this.distribution + o.distribution;
    this.value = this.value === null || o.value === null ? null : this.value + o.value;
    this.market = this.market === null || o.market === null ? null : this.market + o.market;
  }

  totals(): DepositTotals {
    return {
      ecbpWh: this.ecbpWh,
      ecboWh: this.ecboWh,
      energyCostGr: microToGrosze(this.energy),
      distributionCostGr: this.distribution === null ? null : microToGrosze(this.distribution),
      surplusValueGr: this.value === null ? null : microToGrosze(this.value),
      marketValueGr: this.market === null ? null : microToGrosze(this.market),
    };
  }
}

class DepositPeriodSums {
  readonly zones = new Map<string, DepositSums>();
  hours = 0;

  add(h: DepositHour): void {
    let z = this.zones.get(h.zone);
    if (!z) {
      z = new DepositSums();
      this.zones.set(h.zone, z);
    }
    z.add(h);
    this.hours += 1;
  }

  zoneTotals(): Record<string, DepositTotals> {
    const out: Record<string, DepositTotals> = {};
    for (const code of [...this.zones.keys()].sort()) out[code] = this.zones.get(code)!.totals();
    return out;
  }

  all(): DepositSums {
    const all = new DepositSums();
    for (const z of this.zones.values()) all.merge(z);
    return all;
  }
}

/** Hourly price maps up to this size are copied by {@link NetBillingDeposit.addPrices}. */
const COPY_LIMIT = 2000;

/**
 * The net-billing deposit. Feed it balanced hours in time order ({@link push} / {@link pushAll})
 * with the prices it needs ({@link addPrices}); save it with {@link toJSON}, restore by passing
 * that state to the constructor.
 */
export class NetBillingDeposit {
  readonly settings: NetBillingSettings;
  private state: NetBillingState;
  /** Hourly prices added in small batches (copied here). */
  private readonly ownHourly = new Map<number, number>();
  /** Large hourly price maps, newest first; used as given, not copied. */
  private sharedHourly: ReadonlyMap<number, number>[] = [];
  private readonly monthly: Record<string, number> = {};
  private readonly coefficientFromMs: number;
  private readonly hourStatements: boolean;

  constructor(
    settings: NetBillingOptions,
    state?: NetBillingState,
    prices?: RcePriceBook,
    options: StatementOptions = {},
  ) {
    this.settings = checkNetBillingSettings(settings);
    this.state = state ? structuredClone(checkNetBillingState(state)) : emptyNetBillingState();
    this.coefficientFromMs = warsawMidnight(this.settings.coefficientFrom);
    this.hourStatements = options.hourStatements !== false;
    if (prices) this.addPrices(prices);
  }

  /**
   * Adds market prices (PLN/MWh) for later hours and for months whose RCEm was not known yet.
   * A large hourly map (over {@link COPY_LIMIT} entries) is used as it is, not copied: do not
   * change it afterwards.
   * @throws SettlementError `BAD_INPUT` for a price that is not a finite number
   */
  addPrices(prices: RcePriceBook): void {
    if (prices.hourly) {
      for (const [startMs, price] of prices.hourly) {
        if (!Number.isFinite(price) || !Number.isFinite(startMs))
          throw badInput(`Not a valid hourly price: ${price}`);
      }
      if (prices.hourly.size > COPY_LIMIT) this.sharedHourly = [prices.hourly, ...this.sharedHourly];
      else for (const [startMs, price] of prices.hourly) this.ownHourly.set(startMs, price);
    }
    for (const [month, price] of Object.entries(prices.monthly ?? {})) {
      if (!/^\d{4}-\d{2}$/.test(month) || !Number.isFinite(price)) {
        throw badInput(`Not a valid RCEm entry: ${month} = ${JSON.stringify(price)}`);
      }
      this.monthly[month] = price;
    }
  }

  /** The state as plain JSON (a copy). */
  toJSON(): NetBillingState {
    return structuredClone(this.state);
  }

  /** The state itself, for a caller that drops the deposit afterwards (no copy). */
  releaseState(): NetBillingState {
    return this.state;
  }

  /** Deposit left now, grosze (every month's deposit, usable or not yet). */
  get balanceGr(): number {
    return this.state.lots.reduce((sum, l) => sum + l.remainingGr, 0);
  }

  get lastHourMs(): number | null {
    return this.state.lastHourMs;
  }

  get lastMonth(): NetBillingMonth | null {
    return this.state.lastMonth;
  }

  /** The months of the hours not priced yet in the open month (what to fetch). */
  get unpricedMonths(): string[] {
    return [...new Set(this.state.pending.filter((h) => h.valueMicro === null).map((h) => monthOf(h.date)))];
  }

  private sourceOf(h: SettlementHour): PriceMode {
    const s = this.settings;
    return s.priceMode === 'rce' && (s.rceFrom === undefined || h.date >= s.rceFrom) ? 'rce' : 'rcem';
  }

  private priceOf(h: SettlementHour, source: PriceMode): number | undefined {
    if (source === 'rcem') return this.monthly[monthOf(h.date)];
    const own = this.ownHourly.get(h.startMs);
    if (own !== undefined) return own;
    for (const map of this.sharedHourly) {
      const price = map.get(h.startMs);
      if (price !== undefined) return price;
    }
    return undefined;
  }

  /** Values the hour's export when its price is known. */
  private value(h: DepositHour): void {
    if (h.valueMicro !== null) return;
    const price = this.priceOf(h, h.source);
    if (price === undefined) {
      if (h.ecboWh === 0) {
        h.valueMicro = 0;
        h.marketMicro = 0;
      }
      return;
    }
    const clipped = Math.max(price, 0);
    h.price = price;
    h.marketMicro = energyValueMicro(h.ecboWh, clipped);
    h.valueMicro = energyValueMicro(h.ecboWh, clipped, h.factor);
  }

  private depositHour(h: SettlementHour): DepositHour {
    const s = this.settings;
    const zp = zonePriceAt(s.prices, h.date, h.zone);
    if (!zp) {
      throw badInput(
        `No energy price for zone ${h.zone} on ${h.date}; enter a price for every zone of the tariff`,
      );
    }
    const factor = s.coefficientRetroactive || h.startMs >= this.coefficientFromMs ? s.coefficient : 1;
    const out: DepositHour = {
      startMs: h.startMs,
      hourStart: h.hourStart,
      date: h.date,
      hour: h.hour,
      repeated: h.repeated,
      zone: h.zone,
      ecbpWh: h.ecbpWh,
      ecboWh: h.ecboWh,
      source: this.sourceOf(h),
      price: null,
      factor,
      valueMicro: null,
      marketMicro: null,
      energyMicro: costMicro(h.ecbpWh, zp.energy),
      distributionMicro: zp.distribution === undefined ? null : costMicro(h.ecbpWh, zp.distribution),
    };
    this.value(out);
    return out;
  }

  private monthEnd = { month: '', endMs: 0 };

  /** End of a month (local midnight of the next month's first day), memoised for the current month. */
  private monthEndMs(month: string): number {
    if (this.monthEnd.month !== month) this.monthEnd = { month, endMs: monthStartMs(shiftMonth(month, 1)) };
    return this.monthEnd.endMs;
  }

  /** Throws when some of `hours` (of `month`) still have no price. */
  private requirePrices(month: string, hours: DepositHour[]): void {
    const missing = hours.filter((h) => {
      this.value(h);
      return h.valueMicro === null;
    });
    if (missing.length === 0) return;
    const first = missing[0];
    const what =
      first.source === 'rcem'
        ? `the RCEm of ${month}`
        : `the hourly RCE from ${first.hourStart} (${missing.length} hour${missing.length > 1 ? 's' : ''})`;
    throw badInput(
      `Cannot close ${month}: ${what} is not known; give that price (an RCEm table or hourly RCE) and settle again`,
    );
  }

  /**
   * Settles one hour (in time order). May close months; closing needs every export hour of the
   * month priced, otherwise it throws `BAD_INPUT` and nothing changes.
   * @throws SettlementError `BAD_INPUT` for a missing zone price or missing market price
   */
  push(record: HourRecord): NetBillingUpdate {
    const h = settlementHourOf(record);
    if (!h) return { accepted: false, reason: 'no-data', closed: [] };
    return this.pushHour(h);
  }

  /** Settles one hour already in the settlement view (see {@link push}). */
  pushHour(h: SettlementHour): NetBillingUpdate {
    const s = this.state;
    if (s.lastHourMs !== null && h.startMs <= s.lastHourMs) {
      return { accepted: false, reason: 'already-settled', closed: [] };
    }
    const month = monthOf(h.date);
    const hour = this.depositHour(h);
    const monthEnd = this.monthEndMs(month);
    const closesOpen = s.nextMonth !== null && s.nextMonth < month;
    const endsMonth = h.startMs + MS_PER_HOUR >= monthEnd;
    // Check every price a close needs before changing anything.
    if (closesOpen) this.requirePrices(s.nextMonth!, s.pending);
    if (endsMonth)
      this.requirePrices(month, closesOpen || s.nextMonth !== month ? [hour] : [...s.pending, hour]);
    const closed = closeMonthsUntil(s, month, (m, endMs) => this.closeMonth(s, m, endMs, true));
    s.nextMonth = month;
    s.startedMs ??= h.startMs;
    s.pending.push(hour);
    s.lastHourMs = h.startMs;
    if (endsMonth) {
      closed.push(this.closeMonth(s, month, monthEnd, true));
      s.nextMonth = shiftMonth(month, 1);
    }
    return { accepted: true, closed };
  }

  /** Settles many hours (sorted first), skipping those without data or already settled. */
  pushAll(records: readonly HourRecord[]): NetBillingPeriod[] {
    return settleInOrder(records, (h) => this.pushHour(h));
  }

  /** Closes every open month before `month`. @throws SettlementError `BAD_INPUT` when prices are missing */
  closeMonthsBefore(month: string): NetBillingPeriod[] {
    const s = this.state;
    if (s.nextMonth !== null && s.nextMonth < month) this.requirePrices(s.nextMonth, s.pending);
    return closeMonthsUntil(s, month, (m, endMs) => this.closeMonth(s, m, endMs, true));
  }

  /** Provisional statements of the open month (`final: false`), or null. */
  preview(): NetBillingPeriod | null {
    const s = this.state;
    if (s.nextMonth === null || s.pending.length === 0 || s.lastHourMs === null) return null;
    // The close changes the lots' remainders, values pending hours and replaces the lists.
    const copy: NetBillingState = {
      ...s,
      lots: s.lots.map((l) => ({ ...l })),
      pending: s.pending.map((h) => ({ ...h })),
    };
    return this.closeMonth(copy, s.nextMonth, s.lastHourMs + MS_PER_HOUR, false);
  }

  private closeMonth(s: NetBillingState, month: string, endMs: number, final: boolean): NetBillingPeriod {
    const monthStart = monthStartMs(month);
    for (const h of s.pending) this.value(h);
    const periodStartMs = Math.max(
      monthStart,
      s.startedMs === null ? monthStart : warsawMidnight(warsawDateOf(s.startedMs)),
    );
    const firstDate = warsawDateOf(periodStartMs);
    const lastDate = warsawDateOf(endMs - 1);

    const daySums = new Map<string, DepositPeriodSums>();
    const monthSums = new DepositPeriodSums();
    const hours: NetBillingHour[] = [];
    let unpricedHours = 0;
    for (const h of s.pending) {
      let day = daySums.get(h.date);
      if (!day) {
        day = new DepositPeriodSums();
        daySums.set(h.date, day);
      }
      day.add(h);
      monthSums.add(h);
      if (h.valueMicro === null) unpricedHours += 1;
      if (!this.hourStatements) continue;
      hours.push({
        hourStart: h.hourStart,
        date: h.date,
        hour: h.hour,
        repeated: h.repeated,
        zone: h.zone,
        ecbpWh: h.ecbpWh,
        ecboWh: h.ecboWh,
        priceSource: h.source,
        pricePlnPerMwh: h.price,
        factor: h.factor,
        surplusValuePln: h.valueMicro === null ? null : microToPln(h.valueMicro),
        energyCostPln: microToPln(h.energyMicro),
        distributionCostPln: h.distributionMicro === null ? null : microToPln(h.distributionMicro),
        final,
      });
    }

    const days: NetBillingDay[] = [];
    for (let date = firstDate; date <= lastDate; date = shiftDate(date, 1)) {
      const dayStart = Math.max(warsawMidnight(date), periodStartMs);
      const dayEnd = Math.min(warsawMidnight(shiftDate(date, 1)), endMs);
      const sums = daySums.get(date) ?? new DepositPeriodSums();
      days.push({
        system: 'net-billing',
        period: 'day',
        label: date,
        from: date,
        to: date,
        final,
        hours: sums.hours,
        missingHours: Math.round((dayEnd - dayStart) / MS_PER_HOUR) - sums.hours,
        zones: sums.zoneTotals(),
        total: sums.all().totals(),
      });
    }

    // ---- the bill: older deposits pay the month's energy, oldest first ----
    const all = monthSums.all();
    const total = all.totals();
    const balanceStartGr = s.lots.reduce((sum, l) => sum + l.remainingGr, 0);
    let toPay = total.energyCostGr;
    let usedGr = 0;
    for (const lot of s.lots) {
      if (toPay <= 0) break;
      if (lot.month >= month || lot.lastMonth < month || lot.remainingGr <= 0) continue;
      const take = Math.min(lot.remainingGr, toPay);
      lot.remainingGr -= take;
      toPay -= take;
      usedGr += take;
    }
    // ---- the end of validity: refund up to the cap, the rest is lost ----
    let refundedGr = 0;
    let lostGr = 0;
    const kept: DepositLot[] = [];
    for (const lot of s.lots) {
      if (lot.lastMonth <= month) {
        const base = this.settings.refundCapBase === 'market' ? lot.marketGr : lot.amountGr;
        const cap = Math.floor((base * this.settings.refundCapPercent) / 100);
        const refund = Math.min(lot.remainingGr, cap);
        refundedGr += refund;
        lostGr += lot.remainingGr - refund;
      } else if (lot.remainingGr > 0) {
        kept.push(lot);
      }
    }
    const depositAddedGr = all.value === null ? null : microToGrosze(all.value);
    if (depositAddedGr !== null && depositAddedGr > 0) {
      kept.push({
        month,
        lastMonth: shiftMonth(month, this.settings.validityMonths),
        amountGr: depositAddedGr,
        marketGr: all.market === null ? 0 : microToGrosze(all.market),
        remainingGr: depositAddedGr,
      });
    }
    const balanceGr = kept.reduce((sum, l) => sum + l.remainingGr, 0);
    if (balanceStartGr + (depositAddedGr ?? 0) - usedGr - refundedGr - lostGr !== balanceGr) {
      throw new Error(`Net-billing books of ${month} do not close; this is a bug, please report it`);
    }
    const next = shiftMonth(month, 1);
    const monthStatement: NetBillingMonth = {
      system: 'net-billing',
      period: 'month',
      label: month,
      from: firstDate,
      to: lastDate,
      final,
      hours: monthSums.hours,
      missingHours: Math.round((endMs - periodStartMs) / MS_PER_HOUR) - monthSums.hours,
      zones: monthSums.zoneTotals(),
      total,
      depositAddedGr,
      depositUsedGr: usedGr,
      refundedGr,
      lostGr,
      balanceStartGr,
      balanceGr,
      expiringNextMonthGr: kept.reduce((sum, l) => (l.lastMonth <= next ? sum + l.remainingGr : sum), 0),
      energyCostAfterGr: total.energyCostGr - usedGr,
      unpricedHours,
    };
    s.lots = kept;
    s.pending = [];
    if (final) s.lastMonth = monthStatement;
    return { month: monthStatement, days, hours };
  }
}

/** Result of settling a whole range at once. */
export interface NetBillingResult {
  periods: NetBillingPeriod[];
  state: NetBillingState;
}

/**
 * Settles a range of hours with the deposit (from an empty deposit or from `state`); the same as
 * feeding them one by one to a {@link NetBillingDeposit} with the same prices.
 */
export function settleNetBilling(
  records: readonly HourRecord[],
  settings: NetBillingOptions,
  prices: RcePriceBook,
  state?: NetBillingState,
  options: StatementOptions = {},
): NetBillingResult {
  const deposit = new NetBillingDeposit(settings, state, prices, options);
  const periods = deposit.pushAll(records);
  const open = deposit.preview();
  if (open) periods.push(open);
  return { periods, state: deposit.releaseState() };
}
