/**
 * Hourly balancing (bilansowanie godzinowe) as TAURON bills prosumers since 2022-04-01: within each
 * clock hour, the energy taken from the grid (ECP, all phases summed) and the energy given to it
 * (ECO, all phases summed) cancel out; only the remainder is settled.
 *
 *   ECBP = max(ECP − ECO, 0)    balanced import, billed
 *   ECBO = max(ECO − ECP, 0)    balanced export, goes to the bank or deposit
 *   autoconsumption = min(ECP, ECO)   exported and taken back within the hour, not settled
 *
 * Nothing carries from one hour to the next. Period figures are sums of the hourly ones, over all
 * zones and per zone. Every sum is made in integer Wh, so results match TAURON's three-decimal
 * figures exactly (no floating point drift).
 */
import { BadInputError } from '../errors';
import { withBalance, type BalancedHour } from './balanced-hour';
import {
  hourKey,
  hourTimeFields,
  kwhToWh,
  makeHourRecord,
  newHourRecord,
  whToKwh,
  type HourRecord,
} from './hour';
import { MS_PER_HOUR, hasUtcOffset, hourContaining, hourFromLabel, isLocalDate } from './time';

/** ECBP, ECBO and autoconsumption of one hour in Wh. */
export interface HourBalanceWh {
  ecbp: number;
  ecbo: number;
  autoconsumption: number;
}

/**
 * Balances one hour given in integer Wh.
 * @example
 * balanceWh(4300, 1700) //=> { ecbp: 2600, ecbo: 0, autoconsumption: 1700 }
 */
export function balanceWh(ecpWh: number, ecoWh: number): HourBalanceWh {
  return {
    ecbp: Math.max(ecpWh - ecoWh, 0),
    ecbo: Math.max(ecoWh - ecpWh, 0),
    autoconsumption: Math.min(ecpWh, ecoWh),
  };
}

export type { BalancedHour };

/** Balances one hour record; the hour is "missing" (nulls) when ECP or ECO has no value. */
export function balanceHour(record: HourRecord): BalancedHour {
  if (record.ecp === null || record.eco === null) return withBalance(record, null, null, null);
  const b = balanceWh(kwhToWh(record.ecp), kwhToWh(record.eco));
  return withBalance(record, whToKwh(b.ecbp), whToKwh(b.ecbo), whToKwh(b.autoconsumption));
}

/** Sums of balanced hours over some period, in kWh. */
export interface BalanceSums {
  ecp: number;
  eco: number;
  ecbp: number;
  ecbo: number;
  autoconsumption: number;
  /**
   * Share of the exported energy (ECO) that was taken back within the same hour:
   * autoconsumption / ECO, 0..1, rounded to 4 decimals; null when nothing was exported.
   */
  selfUseShare: number | null;
  /** Hours in the period. */
  hours: number;
  /** Hours without an ECP or ECO value (left out of the sums, never counted as 0). */
  missingHours: number;
  /** True when no hour is missing. */
  complete: boolean;
}

/** Running sums in Wh, the exact form behind {@link BalanceSums}. */
export interface BalanceAccumulator {
  ecp: number;
  eco: number;
  ecbp: number;
  ecbo: number;
  autoconsumption: number;
  hours: number;
  missingHours: number;
}

/** An empty accumulator. */
export function emptyAccumulator(): BalanceAccumulator {
  return { ecp: 0, eco: 0, ecbp: 0, ecbo: 0, autoconsumption: 0, hours: 0, missingHours: 0 };
}

/** Adds one balanced hour to an accumulator (in place) and returns it. */
export function accumulate(acc: BalanceAccumulator, hour: BalancedHour): BalanceAccumulator {
  acc.hours += 1;
  if (hour.ecp === null || hour.eco === null) {
    acc.missingHours += 1;
    return acc;
  }
  const ecp = kwhToWh(hour.ecp);
  const eco = kwhToWh(hour.eco);
  const b = balanceWh(ecp, eco);
  acc.ecp += ecp;
  acc.eco += eco;
  acc.ecbp += b.ecbp;
  acc.ecbo += b.ecbo;
  acc.autoconsumption += b.autoconsumption;
  return acc;
}

/** Turns an accumulator into kWh sums. */
export function toSums(acc: BalanceAccumulator): BalanceSums {
  return {
    ecp: whToKwh(acc.ecp),
    eco: whToKwh(acc.eco),
    ecbp: whToKwh(acc.ecbp),
    ecbo: whToKwh(acc.ecbo),
    autoconsumption: whToKwh(acc.autoconsumption),
    selfUseShare: acc.eco > 0 ? Math.round((acc.autoconsumption / acc.eco) * 10_000) / 10_000 : null,
    hours: acc.hours,
    missingHours: acc.missingHours,
    complete: acc.missingHours === 0,
  };
}

/** Sums of balanced hours grouped by a key (day, zone, month, …), in first-seen order. */
export function sumBy(
  hours: readonly BalancedHour[],
  keyOf: (h: BalancedHour) => string,
): Record<string, BalanceSums> {
  const accs = new Map<string, BalanceAccumulator>();
  for (const h of hours) {
    const key = keyOf(h);
    let acc = accs.get(key);
    if (!acc) accs.set(key, (acc = emptyAccumulator()));
    accumulate(acc, h);
  }
  const out: Record<string, BalanceSums> = {};
  for (const [k, acc] of accs) out[k] = toSums(acc);
  return out;
}

/** Zone key of an hour for grouping: its zone code, or `all` when the service gave none. */
export function zoneKey(h: Pick<HourRecord, 'zone'>): string {
  return h.zone ?? 'all';
}

/** The result of balancing a range of hours. */
export interface BalanceResult {
  /** Every hour, in time order, with ecbp, ecbo and autoconsumption. */
  hours: BalancedHour[];
  /** Sums per local date. */
  days: Record<string, BalanceSums>;
  /** Sums per zone code over the whole range. */
  zones: Record<string, BalanceSums>;
  /** Sums per local date and zone: `days[date][zone]`. */
  dayZones: Record<string, Record<string, BalanceSums>>;
  /** Sums per month `YYYY-MM`. */
  months: Record<string, BalanceSums>;
  /** Sums over the whole range. */
  total: BalanceSums;
  /** First and last local date covered. */
  from: string | null;
  to: string | null;
  /** Start instants (`hourStart`) of the hours that had no ECP or ECO value. */
  missing: string[];
}

/**
 * Balances hour records: each hour on its own, then sums per day, zone, day-and-zone, month and
 * for the whole range.
 * @throws BadInputError when two records are the same clock hour.
 */
export function balanceHours(records: readonly HourRecord[]): BalanceResult {
  if (records.length === 1) return balanceOneHour(records[0]);
  // Records in time order (what sources give) are balanced as they are read; anything else is
  // sorted first (and refused when two are the same hour).
  return balanceSorted(records, true) ?? balanceSorted(sortedByStart(records), false)!;
}

/**
 * {@link balanceHours} of records in time order. With `check`, gives up (undefined) at the first
 * record that does not come after the one before by its date, hour label and repeated flag: a
 * date later than every date before, or in the same date a later label, or the same label
 * repeated. Every record this package makes has those three from its start instant (the balance
 * node's input too), and reading them costs nothing, where reading each `hourStart` text was a third
 * of the time of a long range (the texts lie all over the heap). Records without them, or not in
 * that order, are sorted by their start instant, which finds two of the same hour.
 *
 * One pass: balance each hour and add it to the sums of its day and zone, the only sums made per
 * hour; days, zones, months and the total are made from those at the end. Hours come in time
 * order, so a day is a run of hours and is looked up only when the date changes, and its zones are
 * a short list in which the last one used is kept.
 */
function balanceSorted(sorted: readonly HourRecord[], check: boolean): BalanceResult | undefined {
  const n = sorted.length;
  // The place of the previous record in its date: hour label × 2, + 1 when repeated.
  let previous = -1;
  const hours: BalancedHour[] = new Array(n);
  const missing: string[] = [];
  const out = new RangeSums();
  // Without `check`, a date can come back after others (records whose date does not follow their
  // instant): every day is kept to the end. Dates seen are then looked up only for a date that is
  // not after every date before it; a date after all is new. With `check` a day is over when the
  // date changes: its sums are made then, and its accumulators used for the next day.
  const dayList: DaySums[] = [];
  let dayIndex: Map<string, DaySums> | undefined;
  let lastDate: string | undefined;
  const zoneKeys: string[] = [];
  const zoneAccs: BalanceAccumulator[] = [];
  const free: DayZoneAccumulator[] = [];
  let day: DaySums | undefined;
  let acc: DayZoneAccumulator | undefined;
  for (let i = 0; i < n; i++) {
    const record = sorted[i];
    const date = record.date;
    const zone = record.zone ?? 'all';
    if (day === undefined || date !== day.date) {
      const later = lastDate === undefined || date > lastDate;
      if (check && !later) return undefined;
      previous = -1;
      if (check) {
        lastDate = date;
        if (day === undefined) day = { date, first: undefined, last: undefined };
        else {
          out.addDay(day);
          releaseDay(day, free);
          day.date = date;
        }
      } else if (later) {
        lastDate = date;
        day = { date, first: undefined, last: undefined };
        dayList.push(day);
        dayIndex?.set(date, day);
      } else {
        dayIndex ??= new Map(dayList.map((d) => [d.date, d]));
        day = dayIndex.get(date);
        if (day === undefined) {
          day = { date, first: undefined, last: undefined };
          dayList.push(day);
          dayIndex.set(date, day);
        }
      }
      acc = undefined;
    }
    if (check) {
      const label = record.hour;
      if (typeof label !== 'number') return undefined;
      const place = label * 2 + (record.repeated === true ? 1 : 0);
      if (!(place > previous)) return undefined;
      previous = place;
    }
    if (acc === undefined || zone !== acc.zone) acc = dayZoneAccumulator(day, zone, zoneKeys, zoneAccs, free);
    acc.hours += 1;
    const ecpKwh = record.ecp;
    const ecoKwh = record.eco;
    if (ecpKwh === null || ecoKwh === null) {
      hours[i] = withBalance(record, null, null, null);
      acc.missingHours += 1;
      missing.push(record.hourStart);
      continue;
    }
    const ecp = kwhToWh(ecpKwh);
    const eco = kwhToWh(ecoKwh);
    // A result equal to ECP or ECO is that value itself (no new number), when it is exact in Wh.
    const ecpExact = whToKwh(ecp) === ecpKwh;
    const ecoExact = whToKwh(eco) === ecoKwh;
    if (ecp > eco) {
      const ecbp = ecp - eco;
      hours[i] = withBalance(
        record,
        eco === 0 && ecpExact ? ecpKwh : kwhNumber(ecbp),
        0,
        ecoExact ? ecoKwh : whToKwh(eco),
      );
      acc.ecbp += ecbp;
      acc.autoconsumption += eco;
    } else {
      const ecbo = eco - ecp;
      hours[i] = withBalance(
        record,
        0,
        ecp === 0 && ecoExact ? ecoKwh : kwhNumber(ecbo),
        ecpExact ? ecpKwh : whToKwh(ecp),
      );
      acc.ecbo += ecbo;
      acc.autoconsumption += ecp;
    }
    acc.ecp += ecp;
    acc.eco += eco;
  }
  if (check) {
    if (day !== undefined) out.addDay(day);
  } else {
    for (const d of dayList) out.addDay(d);
  }
  const zones: Record<string, BalanceSums> = {};
  for (let j = 0; j < zoneKeys.length; j++) zones[zoneKeys[j]] = toSums(zoneAccs[j]);
  return {
    hours,
    days: out.days,
    zones,
    dayZones: out.dayZones,
    months: out.months(),
    total: toSums(out.total),
    from: n ? hours[0].date : null,
    to: n ? hours[n - 1].date : null,
    missing,
  };
}

/**
 * The sums of a range made from its days, which are added in time order: each day's sums and its
 * zones', the day added to its month, to the range's total and to the range's sums per zone.
 */
class RangeSums {
  readonly days: Record<string, BalanceSums> = {};
  readonly dayZones: Record<string, Record<string, BalanceSums>> = {};
  readonly total = emptyAccumulator();
  private readonly monthAccs = new Map<string, BalanceAccumulator>();
  private monthKey: string | undefined = undefined;
  private monthAcc: BalanceAccumulator = this.total;
  /** The day's sums while it is added (one for every day). */
  private readonly dayAcc = emptyAccumulator();

  addDay(d: DaySums): void {
    const dayAcc = this.dayAcc;
    resetAccumulator(dayAcc);
    const byZone: Record<string, BalanceSums> = {};
    for (let a = d.first; a !== undefined; a = a.next) {
      byZone[a.zone] = toSums(a);
      addAccumulator(dayAcc, a);
      addAccumulator(a.zoneTotal, a);
    }
    const date = d.date;
    this.days[date] = toSums(dayAcc);
    this.dayZones[date] = byZone;
    const month = date.slice(0, 7);
    if (month !== this.monthKey) {
      this.monthKey = month;
      this.monthAcc = accumulatorIn(this.monthAccs, month);
    }
    addAccumulator(this.monthAcc, dayAcc);
    addAccumulator(this.total, dayAcc);
  }

  months(): Record<string, BalanceSums> {
    const months: Record<string, BalanceSums> = {};
    for (const [k, a] of this.monthAccs) months[k] = toSums(a);
    return months;
  }
}

/**
 * The kWh numbers of 0 to 9.999 kWh, each made when first needed and kept: the balanced hours of a
 * long range share them instead of each holding a new number of its own, which is 16 bytes the
 * garbage collector copies twice before it settles. At most 10,000 numbers (about 240 KB). Filled
 * with undefined, not left empty, so that the array holds references rather than raw doubles.
 */
const SMALL_KWH: (number | undefined)[] = new Array(10_000).fill(undefined);

/** `whToKwh(wh)` of a whole number of Wh, shared for small ones. */
function kwhNumber(wh: number): number {
  if (wh >= 0 && wh < 10_000) {
    let kwh = SMALL_KWH[wh];
    if (kwh === undefined) SMALL_KWH[wh] = kwh = whToKwh(wh);
    return kwh;
  }
  return whToKwh(wh);
}

/** The sums of one local date, per zone. */
interface DaySums {
  date: string;
  /** The zones' sums, in the order the zones first appear that day. */
  first: DayZoneAccumulator | undefined;
  last: DayZoneAccumulator | undefined;
}

/** The sums of one zone on one local date. */
interface DayZoneAccumulator extends BalanceAccumulator {
  zone: string;
  /** The whole range's sums of the zone. */
  zoneTotal: BalanceAccumulator;
  /** The day's next zone. */
  next: DayZoneAccumulator | undefined;
}

/**
 * The accumulator of `zone` on a day, added (with the zone to the range's zones) when new: one of
 * `free` (emptied) when there is one, else a new one.
 */
function dayZoneAccumulator(
  day: DaySums,
  zone: string,
  zoneKeys: string[],
  zoneAccs: BalanceAccumulator[],
  free: DayZoneAccumulator[],
): DayZoneAccumulator {
  for (let a = day.first; a !== undefined; a = a.next) if (a.zone === zone) return a;
  let z = zoneKeys.indexOf(zone);
  if (z < 0) {
    z = zoneKeys.length;
    zoneKeys.push(zone);
    zoneAccs.push(emptyAccumulator());
  }
  let acc = free.pop();
  if (acc === undefined) {
    acc = {
      ecp: 0,
      eco: 0,
      ecbp: 0,
      ecbo: 0,
      autoconsumption: 0,
      hours: 0,
      missingHours: 0,
      zone,
      zoneTotal: zoneAccs[z],
      next: undefined,
    };
  } else {
    resetAccumulator(acc);
    acc.zone = zone;
    acc.zoneTotal = zoneAccs[z];
    acc.next = undefined;
  }
  if (day.last === undefined) day.first = acc;
  else day.last.next = acc;
  day.last = acc;
  return acc;
}

/** Gives a day's zone accumulators to `free` and leaves the day without zones. */
function releaseDay(day: DaySums, free: DayZoneAccumulator[]): void {
  for (let a = day.first; a !== undefined; a = a.next) free.push(a);
  day.first = undefined;
  day.last = undefined;
}

/**
 * The records sorted by start instant, stable (like sortHours).
 * @throws BadInputError when two records are the same clock hour.
 */
function sortedByStart(records: readonly HourRecord[]): HourRecord[] {
  const n = records.length;
  const keys: number[] = new Array(n);
  for (let i = 0; i < n; i++) keys[i] = hourKey(records[i]);
  const idx = Array.from({ length: n }, (_, i) => i);
  // Equal instants keep their input order (and are refused below).
  idx.sort((x, y) => keys[x] - keys[y]);
  const sorted = idx.map((i) => records[i]);
  for (let i = 1; i < n; i++) {
    if (keys[idx[i]] === keys[idx[i - 1]]) {
      throw new BadInputError(`Hour ${sorted[i].hourStart} appears twice in the input`);
    }
  }
  return sorted;
}

/**
 * {@link balanceHours} of one record (a live meter or a flow sending one hour per message): the same
 * result, without the sorting, the duplicate check and the maps the general path needs.
 */
function balanceOneHour(record: HourRecord): BalanceResult {
  const acc = emptyAccumulator();
  acc.hours = 1;
  let hour: BalancedHour;
  if (record.ecp === null || record.eco === null) {
    hour = withBalance(record, null, null, null);
    acc.missingHours = 1;
  } else {
    const ecp = kwhToWh(record.ecp);
    const eco = kwhToWh(record.eco);
    const ecbp = ecp > eco ? ecp - eco : 0;
    const ecbo = eco > ecp ? eco - ecp : 0;
    const auto = ecp < eco ? ecp : eco;
    hour = withBalance(record, whToKwh(ecbp), whToKwh(ecbo), whToKwh(auto));
    addWh(acc, ecp, eco, ecbp, ecbo, auto);
  }
  const date = record.date;
  const zone = record.zone ?? 'all';
  // Assignments (not computed keys), as the general path makes these objects.
  const days: Record<string, BalanceSums> = {};
  days[date] = toSums(acc);
  const zones: Record<string, BalanceSums> = {};
  zones[zone] = toSums(acc);
  const byZone: Record<string, BalanceSums> = {};
  byZone[zone] = toSums(acc);
  const dayZones: Record<string, Record<string, BalanceSums>> = {};
  dayZones[date] = byZone;
  const months: Record<string, BalanceSums> = {};
  months[date.slice(0, 7)] = toSums(acc);
  return {
    hours: [hour],
    days,
    zones,
    dayZones,
    months,
    total: toSums(acc),
    from: date,
    to: date,
    missing: acc.missingHours ? [record.hourStart] : [],
  };
}

function accumulatorIn<K>(map: Map<K, BalanceAccumulator>, key: K): BalanceAccumulator {
  let acc = map.get(key);
  if (!acc) map.set(key, (acc = emptyAccumulator()));
  return acc;
}

function addWh(
  acc: BalanceAccumulator,
  ecp: number,
  eco: number,
  ecbp: number,
  ecbo: number,
  auto: number,
): void {
  acc.ecp += ecp;
  acc.eco += eco;
  acc.ecbp += ecbp;
  acc.ecbo += ecbo;
  acc.autoconsumption += auto;
}

function resetAccumulator(acc: BalanceAccumulator): void {
  acc.ecp = 0;
  acc.eco = 0;
  acc.ecbp = 0;
  acc.ecbo = 0;
  acc.autoconsumption = 0;
  acc.hours = 0;
  acc.missingHours = 0;
}

function addAccumulator(acc: BalanceAccumulator, more: BalanceAccumulator): void {
  acc.ecp += more.ecp;
  acc.eco += more.eco;
  acc.ecbp += more.ecbp;
  acc.ecbo += more.ecbo;
  acc.autoconsumption += more.autoconsumption;
  acc.hours += more.hours;
  acc.missingHours += more.missingHours;
}

// ---------------------------------------------------------------------------------------------
// Input normalisation: what users send to the balance node.

const KEYS_ECP = ['ecp', 'ECP', 'Ecp', 'import', 'pobor', 'pobór', 'consumption'];
const KEYS_ECO = ['eco', 'ECO', 'Eco', 'export', 'oddanie', 'production'];
const TIME_KEYS = ['hourStart', 'timestamp', 'time', 'start', 'date', 'hour'];
const PHASE_KEYS = /^(l|L|phase|faza)?[123]$/;
const RECORD_LIKE_KEYS = [...KEYS_ECP, ...KEYS_ECO, ...TIME_KEYS];

function describe(where: string): string {
  return where ? ` (${where})` : '';
}

/**
 * Reads an energy value in kWh: a number, a numeric string with a decimal comma or dot, or
 * per-phase values (an array, or an object with keys l1/l2/l3) which are summed.
 * `null`/`undefined` stay null (no value yet). Anything else, or a negative or non-finite number,
 * is a {@link BadInputError} naming the field and the hour.
 */
export function readEnergy(value: unknown, field: string, where: string): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new BadInputError(`${field} is not a number${describe(where)}`);
    if (value < 0) throw new BadInputError(`${field} is negative (${value})${describe(where)}`);
    return whToKwh(kwhToWh(value));
  }
  if (typeof value === 'string') {
    const text = value.trim().replace(',', '.');
    if (!/^[-+]?\d+(\.\d+)?$/.test(text)) {
      throw new BadInputError(`${field} is not a number: ${JSON.stringify(value)}${describe(where)}`);
    }
    return readEnergy(Number(text), field, where);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) throw new BadInputError(`${field} is an empty list${describe(where)}`);
    return sumPhases(value, field, where);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 || !entries.every(([k]) => PHASE_KEYS.test(k))) {
      throw new BadInputError(
        `${field} is an object but not per-phase values (l1, l2, l3)${describe(where)}`,
      );
    }
    return sumPhases(
      entries.map(([, v]) => v),
      field,
      where,
    );
  }
  throw new BadInputError(`${field} is not an energy value (${typeof value})${describe(where)}`);
}

/** 1973-03-03 in epoch ms: a smaller "ms" time is seconds since 1970 (1.7e9 ms is January 1970). */
const FIRST_MS = 1e11;

/**
 * The instant a time in a message stands for: epoch ms, or ISO 8601 text with its UTC offset.
 * @returns undefined when there is none (undefined, null or empty text)
 * @throws BadInputError naming `what` for text that is not a time or has no UTC offset (`Date.parse`
 *   would read it in the server's time zone, so on a server set to UTC a Warsaw wall time would be
 *   one or two hours off), and for a number that is not ms since 1970 (seconds, say)
 */
export function messageTime(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new BadInputError(`${what} is not a time: ${String(value)}`);
    if (value < FIRST_MS) {
      throw new BadInputError(
        `${what} ${value} is not in milliseconds since 1970 (it would be ${new Date(value).toISOString()}); a time in seconds needs × 1000`,
      );
    }
    return value;
  }
  const text = typeof value === 'string' ? value.trim() : '';
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new BadInputError(`${what} is not a time: ${JSON.stringify(value)}`);
  if (!hasUtcOffset(text)) {
    throw new BadInputError(
      `${what} ${JSON.stringify(value)} has no UTC offset; give it as e.g. 2026-06-10T12:30:00+02:00 or in ms since 1970`,
    );
  }
  return ms;
}

function sumPhases(values: unknown[], field: string, where: string): number | null {
  let wh = 0;
  for (let i = 0; i < values.length; i++) {
    const v = readEnergy(values[i], `${field} phase ${i + 1}`, where);
    if (v === null) return null;
    wh += kwhToWh(v);
  }
  return whToKwh(wh);
}

function pick(obj: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (k in obj) return obj[k];
  return undefined;
}

function hasAny(obj: Record<string, unknown>, keys: string[]): boolean {
  return keys.some((k) => k in obj);
}

/** An hour label as a whole number, also from text (`"12"`); undefined when it is not one. */
function hourLabelOf(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\s*\d{1,2}\s*$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** The fields that time a record by an instant, in the order they are looked at. */
const STAMP_KEYS = ['hourStart', 'timestamp', 'time', 'start'] as const;

/** Numeric times below this are refused as seconds (1e11 ms is 3 March 1973; 1e11 s is in the year 5138). */
const SECONDS_LIMIT = 1e11;

/**
 * Time fields from a record-like object: hourStart (ISO), timestamp (ms or ISO), or date + hour;
 * the current hour for a record without any when it is `alone` in the input (an error otherwise).
 */
function timeFieldsOf(
  obj: Record<string, unknown>,
  where: string,
  now: number,
  alone: boolean,
): Pick<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'> {
  const field = STAMP_KEYS.find((k) => obj[k] !== undefined && obj[k] !== null);
  if (field !== undefined) {
    const stamp = obj[field];
    const ms = typeof stamp === 'number' ? stamp : typeof stamp === 'string' ? Date.parse(stamp) : NaN;
    if (!Number.isFinite(ms))
      throw new BadInputError(`Not a time: ${JSON.stringify(stamp)}${describe(where)}`);
    // Text without its UTC offset is read by Date.parse in the server's time zone (UTC in many
    // containers), which would put the hour one or two hours off: refused, as in live mode.
    if (typeof stamp === 'string' && !hasUtcOffset(stamp.trim())) {
      throw new BadInputError(
        `${field} ${JSON.stringify(stamp)} has no UTC offset; give it as e.g. 2026-06-10T12:00:00+02:00 or in ms since 1970${describe(where)}`,
      );
    }
    // A number below this (3 March 1973 in ms) is a time in seconds, as many sources send them
    if (typeof stamp === 'number' && Math.abs(stamp) < SECONDS_LIMIT) {
      throw new BadInputError(
        `Time ${stamp} looks like seconds since 1970; give milliseconds (× 1000) or an ISO time${describe(where)}`,
      );
    }
    return hourTimeFields(hourContaining(ms));
  }
  const date = obj.date;
  const label = hourLabelOf(obj.hour);
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (given(date) || given(obj.hour)) {
    // A date or a label that does not time the hour is an error, never the current hour.
    if (!given(date)) {
      throw new BadInputError(`hour label ${JSON.stringify(obj.hour)} without a date${describe(where)}`);
    }
    if (!isLocalDate(date)) {
      throw new BadInputError(
        `date ${JSON.stringify(date)} is not a date in the form YYYY-MM-DD${describe(where)}`,
      );
    }
    if (!given(obj.hour)) {
      throw new BadInputError(`date ${date} without an hour label (1..24)${describe(where)}`);
    }
    if (label === undefined) {
      throw new BadInputError(
        `hour label ${JSON.stringify(obj.hour)} is not a whole number 1..24${describe(where)}`,
      );
    }
    try {
      const r = makeHourRecord(date, label, obj.repeated === true);
      return {
        hourStart: r.hourStart,
        hourEnd: r.hourEnd,
        date: r.date,
        hour: r.hour,
        repeated: r.repeated,
      };
    } catch (e) {
      throw new BadInputError((e as Error).message + describe(where));
    }
  }
  if (!alone) {
    throw new BadInputError(
      `No time${describe(where)}: give hourStart, timestamp or date + hour; only a single hour without one is taken as the current hour`,
    );
  }
  return currentHourFields(now);
}

/** True when the record is timed by an instant (`hourStart`, `timestamp`, …), not by date and label. */
function timedByInstant(obj: Record<string, unknown>): boolean {
  return STAMP_KEYS.some((k) => obj[k] !== undefined && obj[k] !== null);
}

type TimeFields = Pick<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'>;
let lastHour: { startMs: number; fields: TimeFields } | undefined;

/** The time fields of the clock hour `now` is in; the last hour's are kept, as most calls ask for it again. */
function currentHourFields(now: number): TimeFields {
  const startMs = Math.floor(now / MS_PER_HOUR) * MS_PER_HOUR;
  if (lastHour?.startMs !== startMs) lastHour = { startMs, fields: hourTimeFields(hourContaining(now)) };
  const f = lastHour.fields;
  return { hourStart: f.hourStart, hourEnd: f.hourEnd, date: f.date, hour: f.hour, repeated: f.repeated };
}

/**
 * Turns what a flow sends into hour records:
 * - the fetch node's output (`{ hours: HourRecord[], … }`) or an array of records;
 * - an object whose values are records, each timed by its own fields (the keys are not read);
 * - one hour as `{ ecp, eco }` (any spelling: `ECP`/`ecp`, numbers or strings with a decimal
 *   comma, per-phase arrays or `{l1,l2,l3}`), timed by `hourStart`/`timestamp`, or `date`+`hour`,
 *   or else the current hour.
 * @throws BadInputError naming the bad hour for negative, non-numeric or missing values and for
 *   duplicate hours.
 */
export function normaliseHours(input: unknown, now: number = Date.now()): HourRecord[] {
  if (input === null || input === undefined)
    throw new BadInputError('No input: expected hour records or {ecp, eco}');
  if (typeof input !== 'object') {
    throw new BadInputError(`Expected hour records or {ecp, eco}, got ${typeof input}`);
  }
  let list: unknown[];
  if (Array.isArray(input)) list = input;
  else if (Array.isArray((input as { hours?: unknown }).hours)) list = (input as { hours: unknown[] }).hours;
  else if (hasAny(input as Record<string, unknown>, RECORD_LIKE_KEYS)) list = [input];
  else list = Object.values(input as Record<string, unknown>);
  if (list.length === 0) throw new BadInputError('The input has no hours');
  const out: HourRecord[] = [];
  const seen = new Map<number, number>();
  list.forEach((item, i) => {
    const where0 = `item ${i + 1}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new BadInputError(`Not an hour record${describe(where0)}`);
    }
    const obj = item as Record<string, unknown>;
    const hasEcp = hasAny(obj, KEYS_ECP);
    const hasEco = hasAny(obj, KEYS_ECO);
    let time = timeFieldsOf(obj, where0, now, list.length === 1);
    // TAURON lists the repeated October hour as a second label 3 of the day: the second copy of a
    // label, timed by its label and not marked either way, is that hour when the day has one.
    if (seen.has(Date.parse(time.hourStart)) && obj.repeated === undefined && !timedByInstant(obj)) {
      const copy = hourFromLabel(time.date, time.hour, true);
      if (copy) time = hourTimeFields(copy);
    }
    const where = `hour ${time.hourStart}`;
    if (!hasEcp && !hasEco) throw new BadInputError(`Neither ECP nor ECO is given${describe(where)}`);
    const ecp = readEnergy(pick(obj, KEYS_ECP), 'ECP', where);
    const eco = readEnergy(pick(obj, KEYS_ECO), 'ECO', where);
    const key = Date.parse(time.hourStart);
    if (seen.has(key)) throw new BadInputError(`Hour ${time.hourStart} appears twice in the input`);
    seen.set(key, i);
    const zone = typeof obj.zone === 'string' ? obj.zone : typeof obj.Zone === 'string' ? obj.Zone : null;
    const record = newHourRecord(
      time,
      zone,
      typeof obj.zoneName === 'string' ? obj.zoneName : null,
      ecp,
      eco,
      typeof obj.dayComplete === 'boolean' ? obj.dayComplete : ecp !== null && eco !== null,
    );
    if (typeof obj.meterPoint === 'string') record.meterPoint = obj.meterPoint;
    if (typeof obj.tariff === 'string') record.tariff = obj.tariff;
    for (const k of ['tauronEcbp', 'tauronEcbo'] as const) {
      if (obj[k] !== undefined) record[k] = readEnergy(obj[k], k, where);
    }
    out.push(record);
  });
  return out;
}
