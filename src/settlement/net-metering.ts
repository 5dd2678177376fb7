/**
 * Net-metering ("system opustów"): the energy bank of prosumers who started before 2022-04-01.
 *
 * Rules (settlement.md §2; marks there):
 * - Every hour's balanced export ECBO × ratio (0.8 up to 10 kW installed, 0.7 above) is banked as
 *   a lot dated by its hour. Lots are whole Wh: the ratio is applied to the running sum of export,
 *   so rounding never loses or creates energy over time (the remainder below 1 Wh is carried).
 * - A lot can cover import of hours that start after its own hour and before it expires, which
 *   is `windowDays` (365) Warsaw local days after the day of its hour. Where in that day is not
 *   confirmed (settlement.md §2 marks the window unsure), so `expiry` chooses:
 *   - `end-of-day` (default): at the end of that day: a lot from 2026-03-28 10:00 covers import
 *     until 2027-03-28 24:00. The sources give the window in days (365 dni), settlement works on
 *     daily readings, and Polish civil law ends a period counted in days with the end of its last
 *     day, the day of the event not counted (Kodeks cywilny art. 111);
 *   - `same-time`: at the same Warsaw wall-clock time: a lot from 2026-03-28 10:00 (winter time)
 *     expires at 2027-03-28 10:00 (summer time), one hour less than 365 × 24 h; the hour
 *     09:00–10:00 that day is still covered, 10:00–11:00 is not. A wall time the clock skips
 *     (02:00 on the spring DST day) means the next hour (03:00); a repeated wall time (02:00 on the
 *     autumn DST day) means its first occurrence.
 *   An expired remainder is counted on the day of the last hour it could have covered.
 * - Import is covered once per calendar month, when the month closes: the month's hours with
 *   import are taken zone by zone in the zone priority order (default: highest variable
 *   distribution price first, TAURON's reported rule), within a zone in time order; each takes
 *   from the oldest lots first (FIFO). Zone priority therefore matters when the bank runs short in
 *   a month: the preferred zone gets the energy, the other zones are billed. With priority `time`
 *   hours are covered purely in time order.
 * - A month closes when its last hour is settled or an hour of a later month arrives (months with
 *   no data in between close empty, so their expiries are counted). Statements of the month that
 *   is still open are provisional (`final: false`): they show what the close would give now.
 *
 * Books close exactly in whole Wh: banked = used + expired + balance, for every day, month and
 * the whole history. The month-by-month machinery (hours in order, closing, preview, state) is the
 * ledger both systems share (`ledger.ts`); this file has the bank's own rules.
 */
import type { HourRecord } from '../energy/hour';
import { MS_PER_HOUR } from '../energy/time';
import {
  monthStartMs,
  shiftDate,
  warsawDateOf,
  warsawInstant,
  warsawMidnight,
  warsawMinutesOfDay,
} from './clock';
import { badInput } from './errors';
import { microToGrosze, microToPln, plusOrNull, type SettlementHour, type StatementOptions } from './hours';
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
import {
  checkTariffPrices,
  checkZonePriority,
  zonePriceAt,
  zoneRanks,
  type TariffPrices,
  type TariffPricesInput,
  type ZonePriority,
} from './prices';

/** Settings of the net-metering bank. */
export interface NetMeteringSettings {
  /** kWh that may be taken back per kWh of balanced export: 0.8 (≤ 10 kW installed) or 0.7. */
  ratio: number;
  /** Days a lot stays usable, counted in Warsaw local days. */
  windowDays: number;
  /** When on the last day a lot expires: at its end (default) or at the clock time of its hour. */
  expiry: BankExpiry;
  /** Which zone's import is covered first when the bank is short within a month. */
  zonePriority: ZonePriority;
  /** Energy and variable distribution prices per zone; used for costs and the `distribution` priority. */
  prices?: TariffPrices;
}

/** When a lot expires on the day `windowDays` after its own: at the end of that day, or at the same clock time. */
export type BankExpiry = 'end-of-day' | 'same-time';

/** Settings as the bank accepts them: every field optional, prices also as one zone map. */
export type NetMeteringOptions = Partial<Omit<NetMeteringSettings, 'prices'>> & {
  prices?: TariffPricesInput | null;
};

/** Defaults: ratio 0.8, 365 days to the end of the day, highest distribution price first. */
export const NET_METERING_DEFAULTS: Readonly<NetMeteringSettings> = Object.freeze({
  ratio: 0.8,
  windowDays: 365,
  expiry: 'end-of-day',
  zonePriority: 'distribution',
});

/** The ratio the rules give for an installation of `installedKw` kW: 0.8 up to 10 kW, 0.7 above. */
export function ratioForInstalledPower(installedKw: number): number {
  return installedKw > 10 ? 0.7 : 0.8;
}

/**
 * Validates settings and fills in defaults.
 * @throws SettlementError `BAD_INPUT`
 */
export function checkNetMeteringSettings(input: NetMeteringOptions = {}): NetMeteringSettings {
  const ratio = input.ratio ?? NET_METERING_DEFAULTS.ratio;
  if (typeof ratio !== 'number' || !(ratio > 0 && ratio <= 1)) {
    throw badInput(
      `The net-metering ratio must be a number above 0 and at most 1 (0.8 or 0.7); got ${ratio}`,
    );
  }
  const windowDays = input.windowDays ?? NET_METERING_DEFAULTS.windowDays;
  if (!Number.isInteger(windowDays) || windowDays < 1 || windowDays > 3660) {
    throw badInput(`The bank window must be a whole number of days from 1 to 3660; got ${windowDays}`);
  }
  const expiry = input.expiry ?? NET_METERING_DEFAULTS.expiry;
  if (expiry !== 'end-of-day' && expiry !== 'same-time') {
    throw badInput(`The bank expiry must be "end-of-day" or "same-time"; got ${JSON.stringify(expiry)}`);
  }
  const out: NetMeteringSettings = {
    ratio,
    windowDays,
    expiry,
    zonePriority: checkZonePriority(input.zonePriority),
  };
  if (input.prices !== undefined && input.prices !== null) out.prices = checkTariffPrices(input.prices);
  return out;
}

/** Energy banked in one hour. */
export interface BankLot {
  /** Start of the hour the energy was exported in, epoch ms. */
  startMs: number;
  /** Local date of that hour. */
  date: string;
  /** Zone of that hour. */
  zone: string;
  /** The first instant the lot can no longer be used, epoch ms. */
  expiresMs: number;
  /** Energy banked, Wh. */
  amountWh: number;
  /** Energy not used yet, Wh. */
  remainingWh: number;
}

/** One settled hour of the month that is still open. */
export interface BankHour extends SettlementHour {
  /** Energy banked from this hour's export, Wh. */
  bankedWh: number;
}

/** Saved state of the bank: plain JSON (lots: energy left, oldest first; see `LedgerState`). */
export interface NetMeteringState extends LedgerState<BankLot, BankHour, NetMeteringStatement> {
  system: 'net-metering';
  /** Thousandths of a Wh of export × ratio not banked yet (always below 1000). */
  carry: number;
}

/** Energy and money of a period in one zone (or all zones). */
export interface BankTotals {
  /** Balanced import, Wh. */
  ecbpWh: number;
  /** Balanced export, Wh. */
  ecboWh: number;
  /** Energy banked from export (export × ratio), Wh. */
  bankedWh: number;
  /** Import covered from the bank, Wh. */
  usedWh: number;
  /** Import billed after the bank (ECBP − used), Wh. */
  billedWh: number;
  /** ECBP at energy + variable distribution prices, grosze; null without prices for every hour. */
  costBeforeGr: number | null;
  /** Billed import at the same prices, grosze; null without prices. */
  costAfterGr: number | null;
}

/** A day or month statement of the bank. */
export interface NetMeteringStatement extends StatementFrame<'net-metering', BankTotals> {
  /** Energy that expired unused in the period, Wh. */
  expiredWh: number;
  /** Energy in the bank at the start of the period, Wh. */
  balanceStartWh: number;
  /** Energy in the bank at the end of the period, Wh. */
  balanceWh: number;
  /** Of the end balance, what expires within the next 30 days, Wh. */
  expiringNext30DaysWh: number;
}

/** One hour of a statement. */
export interface NetMeteringHour extends HourStatementFrame {
  bankedWh: number;
  usedWh: number;
  billedWh: number;
  /** Cost of the import before the bank, PLN; null without a price for the zone. */
  costBeforePln: number | null;
  /** Cost of the billed import, PLN; null without a price. */
  costAfterPln: number | null;
}

/** Everything a month produces: the month, its days and its hours. */
export interface NetMeteringPeriod {
  month: NetMeteringStatement;
  days: NetMeteringStatement[];
  hours: NetMeteringHour[];
}

/** What settling one hour did. */
export type NetMeteringUpdate = LedgerUpdate<NetMeteringPeriod>;

/** A new, empty bank state. */
export function emptyNetMeteringState(): NetMeteringState {
  return emptyLedgerState('net-metering', { carry: 0 });
}

/**
 * Checks that a value is a saved bank state (as {@link NetMeteringBank.toJSON} wrote it).
 * @throws SettlementError `BAD_INPUT`
 */
export function checkNetMeteringState(value: unknown): NetMeteringState {
  return checkLedgerState(
    value,
    'net-metering',
    'a net-metering bank state',
    (s) => typeof s.carry === 'number',
  );
}

/** The instant a lot from the hour starting at `startMs` on `date` expires (see {@link BankExpiry}). */
export function lotExpiryMs(
  startMs: number,
  date: string,
  windowDays: number,
  expiry: BankExpiry = NET_METERING_DEFAULTS.expiry,
): number {
  // Hours come day by day: the expiry date of the last date is kept (and its end).
  if (date !== lastExpiry.date || windowDays !== lastExpiry.windowDays) {
    lastExpiry = { date, windowDays, expiryDate: shiftDate(date, windowDays), endMs: NaN };
  }
  if (expiry === 'end-of-day') {
    if (Number.isNaN(lastExpiry.endMs)) lastExpiry.endMs = warsawMidnight(shiftDate(date, windowDays + 1));
    return lastExpiry.endMs;
  }
  return warsawInstant(lastExpiry.expiryDate, warsawMinutesOfDay(startMs));
}

let lastExpiry = { date: '', windowDays: NaN, expiryDate: '', endMs: NaN };

function copyLot(l: BankLot): BankLot {
  return {
    startMs: l.startMs,
    date: l.date,
    zone: l.zone,
    expiresMs: l.expiresMs,
    amountWh: l.amountWh,
    remainingWh: l.remainingWh,
  };
}

/** Money per zone accumulated in µPLN; null once an hour had no price. */
class BankSums {
  ecbpWh = 0;
  ecboWh = 0;
  bankedWh = 0;
  usedWh = 0;
  billedWh = 0;
  costBefore: number | null = 0;
  costAfter: number | null = 0;

  add(h: BankHour, usedWh: number, unitMicroPerWh: number | null): void {
    this.ecbpWh += h.ecbpWh;
    this.ecboWh += h.ecboWh;
    this.bankedWh += h.bankedWh;
    this.usedWh += usedWh;
    this.billedWh += h.ecbpWh - usedWh;
    if (unitMicroPerWh === null) {
      if (h.ecbpWh > 0) {
        this.costBefore = null;
        this.costAfter = null;
      }
    } else {
      if (this.costBefore !== null) this.costBefore += Math.round(h.ecbpWh * unitMicroPerWh);
      if (this.costAfter !== null) this.costAfter += Math.round((h.ecbpWh - usedWh) * unitMicroPerWh);
    }
  }

  merge(o: BankSums): void {
    this.ecbpWh += o.ecbpWh;
    this.ecboWh += o.ecboWh;
    this.bankedWh += o.bankedWh;
    this.usedWh += o.usedWh;
    this.billedWh += o.billedWh;
    this.costBefore = plusOrNull(this.costBefore, o.costBefore);
    this.costAfter = plusOrNull(this.costAfter, o.costAfter);
  }

  totals(): BankTotals {
    return {
      ecbpWh: this.ecbpWh,
      ecboWh: this.ecboWh,
      bankedWh: this.bankedWh,
      usedWh: this.usedWh,
      billedWh: this.billedWh,
      costBeforeGr: this.costBefore === null ? null : microToGrosze(this.costBefore),
      costAfterGr: this.costAfter === null ? null : microToGrosze(this.costAfter),
    };
  }
}

/** First index in `lots` (sorted by expiry) whose lot expires after `t`. */
function firstExpiringAfter(lots: readonly BankLot[], t: number): number {
  let lo = 0;
  let hi = lots.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lots[mid].expiresMs > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The net-metering bank. Feed it balanced hours in time order, one at a time ({@link push}) or
 * all at once ({@link pushAll}); both give the same state and statements. Save it with
 * {@link toJSON} and restore it by passing that state to the constructor.
 */
export class NetMeteringBank extends Ledger<
  BankHour,
  NetMeteringStatement,
  NetMeteringPeriod,
  NetMeteringState
> {
  readonly settings: NetMeteringSettings;
  /** Energy price + distribution price per zone and date, µPLN per Wh, memoised. */
  private readonly unitCache = new Map<string, number | null>();
  /** The prices of the last date asked, by zone (hours come day by day). */
  private unitDay: { date: string; zones: Map<string, number | null> } = { date: '', zones: new Map() };

  constructor(settings: NetMeteringOptions = {}, state?: NetMeteringState, options: StatementOptions = {}) {
    const checked = checkNetMeteringSettings(settings);
    super(state ? structuredClone(checkNetMeteringState(state)) : emptyNetMeteringState(), options);
    this.settings = checked;
  }

  /** Energy in the bank now (every lot not expired by the latest settled hour), Wh. */
  get balanceWh(): number {
    const s = this.state;
    const now = s.lastHourMs === null ? -Infinity : s.lastHourMs + MS_PER_HOUR;
    let sum = 0;
    for (const lot of s.lots) if (lot.expiresMs > now) sum += lot.remainingWh;
    return sum;
  }

  /** The hour with the energy its export banks: export × ratio, whole Wh, the remainder carried. */
  protected hourOf(h: SettlementHour): BankHour {
    const ratioMilli = Math.round(this.settings.ratio * 1000);
    const bankedWh = Math.floor((h.ecboWh * ratioMilli + this.state.carry) / 1000);
    return {
      startMs: h.startMs,
      hourStart: h.hourStart,
      date: h.date,
      hour: h.hour,
      repeated: h.repeated,
      zone: h.zone,
      ecbpWh: h.ecbpWh,
      ecboWh: h.ecboWh,
      bankedWh,
    };
  }

  /** Banks the hour's energy as a lot dated by its hour. */
  protected override take(hour: BankHour): void {
    const s = this.state;
    s.carry = hour.ecboWh * Math.round(this.settings.ratio * 1000) + s.carry - hour.bankedWh * 1000;
    if (hour.bankedWh > 0) {
      s.lots.push({
        startMs: hour.startMs,
        date: hour.date,
        zone: hour.zone,
        expiresMs: lotExpiryMs(hour.startMs, hour.date, this.settings.windowDays, this.settings.expiry),
        amountWh: hour.bankedWh,
        remainingWh: hour.bankedWh,
      });
    }
  }

  /** The close changes the lots' remainders and replaces the lists: copy just the lots. */
  protected previewCopy(s: NetMeteringState): NetMeteringState {
    return { ...s, lots: s.lots.map(copyLot) };
  }

  /** µPLN per Wh of import in a zone on a date (energy + distribution), or null without a price. */
  private unitPrice(date: string, zone: string): number | null {
    if (!this.settings.prices) return null;
    if (this.unitDay.date !== date) this.unitDay = { date, zones: new Map() };
    let known = this.unitDay.zones.get(zone);
    if (known === undefined) {
      known = this.zoneUnitPrice(date, zone);
      this.unitDay.zones.set(zone, known);
    }
    return known;
  }

  private zoneUnitPrice(date: string, zone: string): number | null {
    const prices = this.settings.prices as TariffPrices;
    const key = `${date}|${zone}`;
    let unit = this.unitCache.get(key);
    if (unit === undefined) {
      const p = zonePriceAt(prices, date, zone);
      // PLN/kWh × 1000 = µPLN per Wh; kept unrounded so each hour is rounded once.
      unit = p ? (p.energy + (p.distribution ?? 0)) * 1000 : null;
      if (this.unitCache.size > 5000) this.unitCache.clear();
      this.unitCache.set(key, unit);
    }
    return unit;
  }

  /** Covers the month's import from the bank, expires lots, and builds the statements. */
  protected closeMonth(s: NetMeteringState, month: string, endMs: number, final: boolean): NetMeteringPeriod {
    const monthStart = monthStartMs(month);
    const hours = s.pending;
    const lots = s.lots;
    const n = lots.length;
    // What each lot had before the month's takes; the day statements take them out hour by hour.
    const remainingNow = lots.map((l) => l.remainingWh);
    const balanceStartWh = lots.reduce((sum, l) => (l.startMs < monthStart ? sum + l.remainingWh : sum), 0);

    // ---- cover import, zone priority first, then time, oldest lots first ----
    const ranks = zoneRanks(
      hours.map((h) => h.zone),
      this.settings.zonePriority,
      this.settings.prices,
      `${month}-01`,
    );
    // The hours with import by zone rank, each rank's in time order (the open month's hours are).
    const byRank = new Map<number, number[]>();
    for (let i = 0; i < hours.length; i++) {
      if (!(hours[i].ecbpWh > 0)) continue;
      const rank = ranks.get(hours[i].zone)!;
      let list = byRank.get(rank);
      if (!list) {
        list = [];
        byRank.set(rank, list);
      }
      list.push(i);
    }
    const demand: number[] = [];
    for (const rank of [...byRank.keys()].sort((a, b) => a - b))
      for (const i of byRank.get(rank)!) demand.push(i);
    const parent = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) parent[i] = i < n && lots[i].remainingWh <= 0 ? i + 1 : i;
    const find = (i: number): number => {
      while (parent[i] !== i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
      }
      return i;
    };
    const used = new Array<number>(hours.length).fill(0);
    // What each hour took from which lot: the hour's takes are useLot/useWh[useFrom[hour] ..
    // useFrom[hour] + useCount[hour]) (an hour's takes are made one after another), in numbers
    // rather than an object per take.
    const useFrom = new Int32Array(hours.length);
    const useCount = new Int32Array(hours.length);
    const useLot: number[] = [];
    const useWh: number[] = [];
    for (const hi of demand) {
      const h = hours[hi];
      let need = h.ecbpWh;
      let i = find(firstExpiringAfter(lots, h.startMs));
      useFrom[hi] = useLot.length;
      while (need > 0 && i < n && lots[i].startMs < h.startMs) {
        const lot = lots[i];
        const take = Math.min(lot.remainingWh, need);
        lot.remainingWh -= take;
        need -= take;
        used[hi] += take;
        useLot.push(i);
        useWh.push(take);
        if (lot.remainingWh === 0) parent[i] = i + 1;
        i = find(i);
      }
      useCount[hi] = useLot.length - useFrom[hi];
    }

    // ---- expiry ----
    const expiredByDate = new Map<string, number>();
    let expiredTotal = 0;
    let keepFrom = 0;
    while (keepFrom < n && lots[keepFrom].expiresMs <= endMs) {
      const lot = lots[keepFrom];
      if (lot.remainingWh > 0) {
        const date = warsawDateOf(lot.expiresMs - 1);
        expiredByDate.set(date, (expiredByDate.get(date) ?? 0) + lot.remainingWh);
        expiredTotal += lot.remainingWh;
      }
      keepFrom++;
    }

    // ---- statements ----
    const span = statementSpan(month, endMs, s.startedMs);
    // One statement per hour, in an array made at its length (not grown by push).
    const hourStatements: NetMeteringHour[] = this.hourStatements ? new Array(hours.length) : [];
    const sums = new MonthTables(() => new BankSums());
    for (let i = 0; i < hours.length; i++) {
      const h = hours[i];
      const unit = this.unitPrice(h.date, h.zone);
      sums.add(h, used[i], unit);
      if (!this.hourStatements) continue;
      const costBeforePln = unit === null ? null : microToPln(Math.round(h.ecbpWh * unit));
      hourStatements[i] = {
        hourStart: h.hourStart,
        date: h.date,
        hour: h.hour,
        repeated: h.repeated,
        zone: h.zone,
        ecbpWh: h.ecbpWh,
        ecboWh: h.ecboWh,
        bankedWh: h.bankedWh,
        usedWh: used[i],
        billedWh: h.ecbpWh - used[i],
        costBeforePln,
        // Nothing taken from the bank: the same cost (the same number, not a second one).
        costAfterPln:
          unit === null || used[i] === 0
            ? costBeforePln
            : microToPln(Math.round((h.ecbpWh - used[i]) * unit)),
        final,
      };
    }

    // The next hour (in time order, as the month's hours are) whose takes are not yet out of remainingNow.
    let hourPointer = 0;
    const expiringWithin = (atMs: number, horizonMs: number): number => {
      let sum = 0;
      for (let i = firstExpiringAfter(lots, atMs); i < n && lots[i].expiresMs <= horizonMs; i++) {
        if (lots[i].startMs < atMs) sum += remainingNow[i];
      }
      return sum;
    };
    const days: NetMeteringStatement[] = [];
    let balance = balanceStartWh;
    for (const day of spanDays(span)) {
      const { date } = day;
      for (; hourPointer < hours.length && hours[hourPointer].startMs < day.endMs; hourPointer++) {
        const from = useFrom[hourPointer];
        const to = from + useCount[hourPointer];
        for (let u = from; u < to; u++) remainingNow[useLot[u]] -= useWh[u];
      }
      const table = sums.day(date);
      const total = table.all().totals();
      const expiredWh = expiredByDate.get(date) ?? 0;
      const start = balance;
      balance = start + total.bankedWh - total.usedWh - expiredWh;
      // The frame is completed in place: a spread into a new literal per day costs time in long ranges.
      const where = { label: date, from: date, to: date, startMs: day.startMs, endMs: day.endMs };
      const statement = statementFrame(
        'net-metering',
        'day',
        where,
        final,
        table,
        total,
      ) as NetMeteringStatement;
      statement.expiredWh = expiredWh;
      statement.balanceStartWh = start;
      statement.balanceWh = balance;
      statement.expiringNext30DaysWh = expiringWithin(day.endMs, warsawMidnight(shiftDate(date, 31)));
      days.push(statement);
    }

    const monthTotal = sums.month.all().totals();
    const survivors: BankLot[] = [];
    let balanceWh = 0;
    for (let i = keepFrom; i < n; i++) {
      if (lots[i].remainingWh > 0) {
        survivors.push(lots[i]);
        balanceWh += lots[i].remainingWh;
      }
    }
    const monthStatement: NetMeteringStatement = {
      ...statementFrame(
        'net-metering',
        'month',
        { label: month, from: span.firstDate, to: span.lastDate, startMs: span.startMs, endMs },
        final,
        sums.month,
        monthTotal,
      ),
      expiredWh: expiredTotal,
      balanceStartWh,
      balanceWh,
      expiringNext30DaysWh: expiringWithin(endMs, warsawMidnight(shiftDate(span.lastDate, 31))),
    };
    if (
      balanceStartWh + monthTotal.bankedWh - monthTotal.usedWh - expiredTotal !== balanceWh ||
      balance !== balanceWh
    ) {
      throw new Error(`Net-metering books of ${month} do not close; this is a bug, please report it`);
    }
    this.endMonth(s, survivors, monthStatement, final);
    return { month: monthStatement, days, hours: hourStatements };
  }
}

/** Result of settling a whole range at once. */
export interface NetMeteringResult {
  /** Closed months, then the open month's provisional statements when there is one. */
  periods: NetMeteringPeriod[];
  /** The state after the range, to continue with live hours. */
  state: NetMeteringState;
}

/**
 * Settles a range of hours with the net-metering bank (from an empty bank, or from `state`).
 * The same as feeding the hours one by one to a {@link NetMeteringBank}.
 */
export function settleNetMetering(
  records: readonly HourRecord[],
  settings: NetMeteringOptions = {},
  state?: NetMeteringState,
  options: StatementOptions = {},
): NetMeteringResult {
  return settleRange(new NetMeteringBank(settings, state, options), records);
}
