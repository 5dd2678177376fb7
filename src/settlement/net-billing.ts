/**
 * Net-billing: the prosumer deposit ("depozyt prosumencki") of prosumers who started from
 * 2022-04-01 (settlement.md §3; marks there).
 *
 * - Each hour's balanced export ECBO is valued at a price in PLN/MWh: the month's RCEm, or the
 *   hour's RCE (`priceMode`; default RCEm, what prosumers who started before 2024-07-01 have unless
 *   they switched); hours before 2024-07-01 are valued at RCEm in either mode, as the act had it
 *   for everyone then. A negative price counts as 0. From `coefficientFrom` (2024-12-27) the value is
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
 *
 * The month-by-month machinery (hours in order, closing, preview, state) is the ledger both
 * systems share (`ledger.ts`); this file has the deposit's own rules.
 */
import type { HourRecord } from '../energy/hour';
import { isLocalDate } from '../energy/time';
import { monthOf, shiftMonth, warsawMidnight } from './clock';
import { PriceMissingError, badInput } from './errors';
import {
  costMicro,
  energyValueMicro,
  microToGrosze,
  microToPln,
  plusOrNull,
  type SettlementHour,
  type StatementOptions,
} from './hours';
import {
  Ledger,
  MonthTables,
  checkLedgerState,
  emptyLedgerState,
  settleRange,
  spanDays,
  statementFrame,
  statementSpan,
  type LedgerState,
  type HourStatementFrame,
  type LedgerUpdate,
  type StatementFrame,
} from './ledger';
import { checkTariffPrices, zonePriceAt, type TariffPrices, type TariffPricesInput } from './prices';

/** How exported energy is valued. */
export type PriceMode = 'rcem' | 'rce';

/** Settings of the deposit. */
export interface NetBillingSettings {
  /** `rcem`: the month's RCEm for every hour; `rce`: each hour's RCE. */
  priceMode: PriceMode;
  /**
   * With `rce`: the first date valued at RCE (earlier hours use RCEm), e.g. the date of switching;
   * hours before 2024-07-01 are valued at RCEm whatever it says.
   */
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

/**
 * The first day export can be valued at hourly RCE: the act valued every prosumer's export at RCEm
 * until 2024-06-30 (settlement.md §3, price regime).
 */
export const RCE_FIRST_DATE = '2024-07-01';

/** The first day valued at hourly RCE with `rceFrom`: that day, but never before {@link RCE_FIRST_DATE}. */
export function rceStartDate(rceFrom: string | undefined): string {
  return rceFrom && rceFrom > RCE_FIRST_DATE ? rceFrom : RCE_FIRST_DATE;
}

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

/** Saved state of the deposit: plain JSON (lots: deposits with money left, oldest first; see `LedgerState`). */
export interface NetBillingState extends LedgerState<DepositLot, DepositHour, NetBillingMonth> {
  system: 'net-billing';
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
export type NetBillingDay = StatementFrame<'net-billing', DepositTotals>;

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
export interface NetBillingHour extends HourStatementFrame {
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
}

/** Everything a month produces. */
export interface NetBillingPeriod {
  month: NetBillingMonth;
  days: NetBillingDay[];
  hours: NetBillingHour[];
}

/** What settling one hour did. */
export type NetBillingUpdate = LedgerUpdate<NetBillingPeriod>;

/** A new, empty deposit state. */
export function emptyNetBillingState(): NetBillingState {
  return emptyLedgerState('net-billing', {});
}

/**
 * Checks that a value is a saved deposit state.
 * @throws SettlementError `BAD_INPUT`
 */
export function checkNetBillingState(value: unknown): NetBillingState {
  return checkLedgerState(value, 'net-billing', 'a net-billing deposit state');
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
    this.value = plusOrNull(this.value, h.valueMicro);
    this.market = plusOrNull(this.market, h.marketMicro);
  }

  merge(o: DepositSums): void {
    this.ecbpWh += o.ecbpWh;
    this.ecboWh += o.ecboWh;
    this.energy += o.energy;
    this.distribution = plusOrNull(this.distribution, o.distribution);
    this.value = plusOrNull(this.value, o.value);
    this.market = plusOrNull(this.market, o.market);
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

/** Hourly price maps up to this size are copied by {@link NetBillingDeposit.addPrices}. */
const COPY_LIMIT = 2000;

/**
 * The net-billing deposit. Feed it balanced hours in time order ({@link push} / {@link pushAll})
 * with the prices it needs ({@link addPrices}); save it with {@link toJSON}, restore by passing
 * that state to the constructor.
 */
export class NetBillingDeposit extends Ledger<
  DepositHour,
  NetBillingMonth,
  NetBillingPeriod,
  NetBillingState
> {
  readonly settings: NetBillingSettings;
  /** Hourly prices added in small batches (copied here). */
  private readonly ownHourly = new Map<number, number>();
  /** Large hourly price maps, newest first; used as given, not copied. */
  private sharedHourly: ReadonlyMap<number, number>[] = [];
  private readonly monthly: Record<string, number> = {};
  private readonly coefficientFromMs: number;
  /** The first date valued at hourly RCE (with `rce`). */
  private readonly rceStart: string;

  constructor(
    settings: NetBillingOptions,
    state?: NetBillingState,
    prices?: RcePriceBook,
    options: StatementOptions = {},
  ) {
    const checked = checkNetBillingSettings(settings);
    super(state ? structuredClone(checkNetBillingState(state)) : emptyNetBillingState(), options);
    this.settings = checked;
    this.coefficientFromMs = warsawMidnight(this.settings.coefficientFrom);
    this.rceStart = rceStartDate(this.settings.rceFrom);
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

  /** Deposit left now, grosze (every month's deposit, usable or not yet). */
  get balanceGr(): number {
    return this.state.lots.reduce((sum, l) => sum + l.remainingGr, 0);
  }

  /** The months of the hours not priced yet in the open month (what to fetch). */
  get unpricedMonths(): string[] {
    return [...new Set(this.state.pending.filter((h) => h.valueMicro === null).map((h) => monthOf(h.date)))];
  }

  private sourceOf(h: SettlementHour): PriceMode {
    const s = this.settings;
    return s.priceMode === 'rce' && h.date >= this.rceStart ? 'rce' : 'rcem';
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

  /**
   * The hour valued (when its price is known) with its energy cost; checks the prices every close
   * it causes needs, before anything changes.
   * @throws SettlementError `BAD_INPUT` for a missing zone price or missing market price
   */
  protected hourOf(h: SettlementHour, month: string, endsMonth: boolean): DepositHour {
    const hour = this.depositHour(h);
    const s = this.state;
    const closesOpen = s.nextMonth !== null && s.nextMonth < month;
    if (closesOpen) this.checkClose(s.nextMonth!, s.pending);
    if (endsMonth)
      this.checkClose(month, closesOpen || s.nextMonth !== month ? [hour] : [...s.pending, hour]);
    return hour;
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

  /** Throws when some of `hours` (of `month`) still have no price. */
  protected override checkClose(month: string, hours: readonly DepositHour[]): void {
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
    throw new PriceMissingError(
      `Cannot close ${month}: ${what} is not known; give that price (an RCEm table or hourly RCE) and settle again`,
      what,
      month,
    );
  }

  /** The close changes the lots' remainders, values pending hours and replaces the lists. */
  protected previewCopy(s: NetBillingState): NetBillingState {
    return { ...s, lots: s.lots.map((l) => ({ ...l })), pending: s.pending.map((h) => ({ ...h })) };
  }

  /** Bills the month's energy from older deposits, ends deposits past their validity, and builds the statements. */
  protected closeMonth(s: NetBillingState, month: string, endMs: number, final: boolean): NetBillingPeriod {
    for (const h of s.pending) this.value(h);
    const span = statementSpan(month, endMs, s.startedMs);
    const sums = new MonthTables(() => new DepositSums());
    const hours: NetBillingHour[] = [];
    let unpricedHours = 0;
    for (const h of s.pending) {
      sums.add(h);
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

    const days: NetBillingDay[] = spanDays(span).map((day) => {
      const table = sums.day(day.date);
      const where = { label: day.date, from: day.date, to: day.date, ...day };
      return statementFrame('net-billing', 'day', where, final, table, table.all().totals());
    });

    // ---- the bill: older deposits pay the month's energy, oldest first ----
    const all = sums.month.all();
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
      ...statementFrame(
        'net-billing',
        'month',
        { label: month, from: span.firstDate, to: span.lastDate, startMs: span.startMs, endMs },
        final,
        sums.month,
        total,
      ),
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
    this.endMonth(s, kept, monthStatement, final);
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
  return settleRange(new NetBillingDeposit(settings, state, prices, options), records);
}
