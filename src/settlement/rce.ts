/**
 * RCE market prices from PSE's public report API (settlement.md §6), turned into one price per
 * settlement hour.
 *
 * Request: `GET <url>?$filter=business_date ge 'YYYY-MM-DD' and business_date le 'YYYY-MM-DD'`
 * with `Accept: application/json`, no authentication. The answer is `{"value": [rows…]}`; a longer
 * result carries `nextLink` (also accepted as `@odata.nextLink`), a URL of the next page, which is
 * followed until there is none.
 *
 * Rows: `rce_pln` (PLN/MWh, may be negative), `business_date` (or `doba` in older answers) and the
 * END of the period in local Warsaw time, `dtime` (or `udtczas` in older answers), e.g.
 * `2025-10-02 00:15:00` for `period` `00:00 - 00:15`. Quarter-hour rows (96 a day, 92/100 on DST
 * days) exist since about 2025-10-01, hourly rows before. A local end time is ambiguous on the
 * autumn DST day, so rows are matched to the day's periods in the order the API sends them: each row
 * takes the next period whose end carries its label (either the nominal label, start + length, or
 * the wall clock at the end).
 *
 * Hourly price = mean of the hour's periods. Negative prices (settlement counts them as 0) are
 * handled by a setting: `average-then-clip` (default: the mean of the raw quarters; the settlement
 * clips the hour) or `clip-then-average` (each quarter clipped at 0 first). Sellers' practice is
 * disputed; compare with the invoice.
 *
 * Past days never change, so complete past days are cached in memory. Errors carry the package's
 * codes: `SERVICE_UNAVAILABLE` (timeouts, connection errors, 5xx, 429), `SERVICE_CHANGED` (4xx,
 * not JSON, rows without the expected fields), `BAD_INPUT` (dates).
 */
import type { AxiosInstance } from 'axios';
import { redactExcerpt } from '../errors';
import type { HourRecord } from '../energy/hour';
import { MS_PER_HOUR, isLocalDate, todayLocal } from '../energy/time';
import {
  dayNumber,
  shiftDate,
  warsawDateOf,
  warsawHoursOfDay,
  warsawIso,
  warsawMidnight,
  warsawMinutesOfDay,
} from './clock';
import { SettlementError, badInput } from './errors';
import { hasUtcOffset } from './hours';
import type { RcePriceBook } from './net-billing';

/** PSE's RCE report. */
export const PSE_RCE_URL = 'https://api.raporty.pse.pl/api/rce-pln';

/** How negative quarter prices enter the hourly price. */
export type NegativePriceRule = 'average-then-clip' | 'clip-then-average';

/** One priced period (a quarter hour or an hour). */
export interface RcePeriod {
  /** Start, epoch ms. */
  startMs: number;
  /** End, epoch ms. */
  endMs: number;
  /** Price, PLN/MWh. */
  price: number;
  /** PSE business date the row belongs to. */
  businessDate: string;
}

/** One settlement hour's price. */
export interface RceHourPrice {
  /** Start of the hour, ISO 8601 with the Warsaw offset. */
  hourStart: string;
  /** Start of the hour, epoch ms. */
  startMs: number;
  /** Local date. */
  date: string;
  /** Service hour label 1..24. */
  hour: number;
  /** The second copy of the repeated autumn hour. */
  repeated: boolean;
  /** Price, PLN/MWh (mean of the periods; may be negative under `average-then-clip`). */
  price: number;
  /** How many periods the mean is of (4 for quarter-hour data, 1 for hourly rows). */
  periods: number;
}

/** Prices of a date range. */
export interface RcePrices {
  /** Hourly prices, in time order. */
  hours: RceHourPrice[];
  /** Dates of the range PSE had no rows for (not published yet, or missing). */
  missingDates: string[];
}

function changed(step: string, what: string, excerpt?: string): SettlementError {
  return new SettlementError(
    'SERVICE_CHANGED',
    `The PSE RCE report answered something this package does not recognise: ${what}. ` +
      'The report may have changed; please report it with this message.',
    excerpt === undefined ? { step } : { step, excerpt },
  );
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2})/;
const PERIOD_RE = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/;

interface RawRow {
  price: number;
  businessDate: string;
  /** End label as minutes after midnight, modulo one day. */
  endLabel: number;
  /** Period length in minutes from the `period` field, when there is one. */
  minutes?: number;
}

function readRow(row: unknown, index: number): RawRow {
  if (!row || typeof row !== 'object') throw changed('rce-rows', `row ${index} is not an object`);
  const r = row as Record<string, unknown>;
  const price = typeof r.rce_pln === 'string' ? Number(r.rce_pln.replace(',', '.')) : r.rce_pln;
  if (typeof price !== 'number' || !Number.isFinite(price)) {
    throw changed('rce-rows', `row ${index} has no numeric rce_pln`, redactExcerpt(JSON.stringify(row)));
  }
  const time = [r.dtime, r.udtczas, r.udtczas_oreb].find((t) => typeof t === 'string' && TIME_RE.test(t)) as
    string | undefined;
  if (!time) {
    throw changed(
      'rce-rows',
      `row ${index} has no period end (dtime/udtczas)`,
      redactExcerpt(JSON.stringify(row)),
    );
  }
  const m = TIME_RE.exec(time)!;
  const endLabel = (Number(m[2]) * 60 + Number(m[3])) % 1440;
  const dateField = [r.business_date, r.doba].find(
    (d) => typeof d === 'string' && isLocalDate(d.slice(0, 10)),
  ) as string | undefined;
  // Without a business date, the end's date is it, except for an end at midnight (the day before).
  const businessDate = dateField ? dateField.slice(0, 10) : endLabel === 0 ? shiftDate(m[1], -1) : m[1];
  const out: RawRow = { price, businessDate, endLabel };
  const p = typeof r.period === 'string' ? PERIOD_RE.exec(r.period) : null;
  if (p) {
    const start = Number(p[1]) * 60 + Number(p[2]);
    const end = Number(p[3]) * 60 + Number(p[4]);
    const minutes = (((end - start) % 1440) + 1440) % 1440;
    if (minutes === 15 || minutes === 60) out.minutes = minutes;
  }
  return out;
}

/**
 * Turns rows of the RCE report into priced periods with absolute times, in time order.
 * @throws SettlementError `SERVICE_CHANGED` when a row lacks a price or an end time, or rows do not
 *   fit their day's periods
 */
export function parseRceRows(rows: readonly unknown[]): RcePeriod[] {
  const byDate = new Map<string, RawRow[]>();
  rows.forEach((row, i) => {
    const raw = readRow(row, i);
    let list = byDate.get(raw.businessDate);
    if (!list) {
      list = [];
      byDate.set(raw.businessDate, list);
    }
    list.push(raw);
  });
  const out: RcePeriod[] = [];
  for (const date of [...byDate.keys()].sort()) {
    const list = byDate.get(date)!;
    const minutes = list.find((r) => r.minutes)?.minutes ?? (list.length > 25 ? 15 : 60);
    const step = minutes * 60_000;
    const dayStart = warsawMidnight(date);
    const dayEnd = warsawMidnight(shiftDate(date, 1));
    const slots: { startMs: number; labels: number[] }[] = [];
    for (let t = dayStart; t < dayEnd; t += step) {
      const nominal = (warsawMinutesOfDay(t) + minutes) % 1440;
      const wall = warsawMinutesOfDay(t + step);
      slots.push({ startMs: t, labels: nominal === wall ? [nominal] : [nominal, wall] });
    }
    let next = 0;
    for (const row of list) {
      let i = next;
      while (i < slots.length && !slots[i].labels.includes(row.endLabel)) i++;
      if (i >= slots.length) {
        const label = `${String(Math.floor(row.endLabel / 60)).padStart(2, '0')}:${String(row.endLabel % 60).padStart(2, '0')}`;
        throw changed(
          'rce-rows',
          `a row of ${date} ending at ${label} does not fit the day's ${minutes}-minute periods`,
        );
      }
      out.push({
        startMs: slots[i].startMs,
        endMs: slots[i].startMs + step,
        price: row.price,
        businessDate: date,
      });
      next = i + 1;
    }
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** Hour label and repeated flag of the clock hour starting at `startMs`. */
function labelOf(startMs: number): { date: string; hour: number; repeated: boolean } {
  const date = warsawDateOf(startMs);
  const hour = Math.floor(warsawMinutesOfDay(startMs) / 60) + 1;
  const before = startMs - MS_PER_HOUR;
  const repeated = warsawDateOf(before) === date && Math.floor(warsawMinutesOfDay(before) / 60) + 1 >= hour;
  return { date, hour, repeated };
}

/**
 * One price per clock hour: the mean of the hour's periods (negative quarters clipped first under
 * `clip-then-average`). Hours without any period are absent.
 */
export function hourlyPrices(
  periods: readonly RcePeriod[],
  rule: NegativePriceRule = 'average-then-clip',
): RceHourPrice[] {
  const sums = new Map<number, { sum: number; n: number }>();
  for (const p of periods) {
    // Warsaw offsets are whole hours, so local clock hours start on whole UTC hours.
    for (let t = Math.floor(p.startMs / MS_PER_HOUR) * MS_PER_HOUR; t < p.endMs; t += MS_PER_HOUR) {
      const price = rule === 'clip-then-average' ? Math.max(p.price, 0) : p.price;
      const s = sums.get(t);
      if (s) {
        s.sum += price;
        s.n += 1;
      } else sums.set(t, { sum: price, n: 1 });
    }
  }
  return [...sums.keys()]
    .sort((a, b) => a - b)
    .map((startMs) => {
      const { sum, n } = sums.get(startMs)!;
      return {
        hourStart: warsawIso(startMs),
        startMs,
        ...labelOf(startMs),
        price: Math.round((sum / n) * 1e6) / 1e6,
        periods: n,
      };
    });
}

/** Hourly prices as the settlement's price book. */
export function priceBookOf(hours: readonly Pick<RceHourPrice, 'startMs' | 'price'>[]): RcePriceBook {
  return { hourly: new Map(hours.map((h) => [h.startMs, h.price])) };
}

/** Options of {@link RceClient}. */
export interface RceClientOptions {
  /** Report URL; default {@link PSE_RCE_URL}. Tests and the demo point it at the simulator. */
  url?: string;
  /** Time limit of one request, ms (default 15 000). */
  timeoutMs?: number;
  /** Extra attempts after a timeout, connection error, 5xx or 429 (default 2). */
  retries?: number;
  /** First delay before a retry, ms, doubling (default 1000). */
  retryBaseMs?: number;
  /** Negative price handling of the hourly mean (default `average-then-clip`). */
  negativePrices?: NegativePriceRule;
  /** Clock, for what counts as a past day (default `Date.now`). */
  now?: () => number;
  /** Longest range of one {@link RceClient.getHourlyPrices} call in days (default 400); longer ranges go in parts. */
  maxDays?: number;
  /** Receives one line per request (path and status; never more). */
  log?: (line: string) => void;
}

const MAX_PAGES = 2000;
const CHUNK_DAYS = 31;
const CACHE_DAYS = 1200;

/**
 * A client of the RCE report with an in-memory cache of past days.
 */
export class RceClient {
  readonly url: string;
  /** Made at the first request, so that loading the module does not load the HTTP library. */
  private httpInstance: AxiosInstance | undefined;
  private readonly options: Required<Omit<RceClientOptions, 'log' | 'url'>> & Pick<RceClientOptions, 'log'>;
  private readonly cache = new Map<string, RceHourPrice[]>();
  private readonly controller = new AbortController();
  /** Requests sent (pages included), for tests and statistics. */
  requests = 0;

  constructor(options: RceClientOptions = {}) {
    this.url = options.url || PSE_RCE_URL;
    let parsed: URL;
    try {
      parsed = new URL(this.url);
    } catch {
      throw badInput(`The RCE URL is not a valid URL: ${JSON.stringify(this.url)}`, 'rce-request');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw badInput(
        'The RCE URL must start with https:// (or http:// for a local simulator)',
        'rce-request',
      );
    }
    this.options = {
      timeoutMs: options.timeoutMs ?? 15_000,
      retries: options.retries ?? 2,
      retryBaseMs: options.retryBaseMs ?? 1000,
      negativePrices: options.negativePrices ?? 'average-then-clip',
      now: options.now ?? Date.now,
      maxDays: options.maxDays ?? 400,
      log: options.log,
    };
    if (
      this.options.negativePrices !== 'average-then-clip' &&
      this.options.negativePrices !== 'clip-then-average'
    ) {
      throw badInput('Negative prices must be "average-then-clip" or "clip-then-average"', 'rce-request');
    }
  }

  private get http(): AxiosInstance {
    if (!this.httpInstance) {
      const axios = (require('axios') as typeof import('axios')).default;
      this.httpInstance = axios.create({
        timeout: this.options.timeoutMs,
        headers: { Accept: 'application/json' },
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 5,
      });
    }
    return this.httpInstance;
  }

  /** Aborts requests in flight; later calls fail with `SERVICE_UNAVAILABLE`. */
  close(): void {
    this.controller.abort();
  }

  /**
   * Hourly prices of the local dates `from`..`to` (both included). Complete past days come from
   * the cache after the first call.
   * @throws SettlementError `BAD_INPUT`, `SERVICE_UNAVAILABLE` or `SERVICE_CHANGED`
   */
  async getHourlyPrices(from: string, to: string): Promise<RcePrices> {
    if (!isLocalDate(from) || !isLocalDate(to)) throw badInput('RCE dates must be YYYY-MM-DD', 'rce-request');
    const days = dayNumber(to) - dayNumber(from) + 1;
    if (days < 1) throw badInput(`The RCE range ends (${to}) before it starts (${from})`, 'rce-request');
    if (days > this.options.maxDays) {
      throw badInput(
        `The RCE range is ${days} days; at most ${this.options.maxDays} per call`,
        'rce-request',
      );
    }
    const dates: string[] = [];
    for (let d = from; d <= to; d = shiftDate(d, 1)) dates.push(d);
    const fetched = new Map<string, RceHourPrice[]>();
    // Fetch the uncached dates in runs of consecutive days, at most a month per run.
    let run: string[] = [];
    const flush = async () => {
      if (run.length === 0) return;
      const periods = await this.fetchPeriods(run[0], run[run.length - 1]);
      for (const h of hourlyPrices(periods, this.options.negativePrices)) {
        const list = fetched.get(h.date) ?? [];
        list.push(h);
        fetched.set(h.date, list);
      }
      run = [];
    };
    for (const d of dates) {
      if (this.cache.has(d)) {
        await flush();
        continue;
      }
      run.push(d);
      if (run.length >= CHUNK_DAYS) await flush();
    }
    await flush();
    const today = todayLocal(this.options.now());
    const hours: RceHourPrice[] = [];
    const missingDates: string[] = [];
    for (const d of dates) {
      const list = this.cache.get(d) ?? fetched.get(d) ?? [];
      if (list.length === 0) missingDates.push(d);
      if (!this.cache.has(d) && d < today && list.length === warsawHoursOfDay(d).length) {
        if (this.cache.size >= CACHE_DAYS) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(d, list);
      }
      hours.push(...list);
    }
    return { hours, missingDates };
  }

  /**
   * Hourly prices of the local dates `from`..`to` however long the range: one
   * {@link getHourlyPrices} call per at most `maxDays` days, one after another (as the eLicznik
   * data requests are split), joined in time order.
   * @throws SettlementError `BAD_INPUT`, `SERVICE_UNAVAILABLE` or `SERVICE_CHANGED`
   */
  async pricesBetween(from: string, to: string): Promise<RcePrices> {
    if (!isLocalDate(from) || !isLocalDate(to)) throw badInput('RCE dates must be YYYY-MM-DD', 'rce-request');
    if (to < from) throw badInput(`The RCE range ends (${to}) before it starts (${from})`, 'rce-request');
    const hours: RceHourPrice[] = [];
    const missingDates: string[] = [];
    for (let start = from; start <= to;) {
      const last = shiftDate(start, this.options.maxDays - 1);
      const end = last < to ? last : to;
      const part = await this.getHourlyPrices(start, end);
      for (const h of part.hours) hours.push(h);
      for (const d of part.missingDates) missingDates.push(d);
      start = shiftDate(end, 1);
    }
    return { hours, missingDates };
  }

  /** Prices for the hours of some records (the dates they span, in parts of `maxDays` days). */
  async pricesFor(records: readonly Pick<HourRecord, 'date'>[]): Promise<RcePrices> {
    if (records.length === 0) return { hours: [], missingDates: [] };
    let from = records[0].date;
    let to = from;
    for (const r of records) {
      if (r.date < from) from = r.date;
      if (r.date > to) to = r.date;
    }
    return this.pricesBetween(from, to);
  }

  /** Number of past days held in the cache. */
  get cachedDays(): number {
    return this.cache.size;
  }

  private filterUrl(from: string, to: string): string {
    const filter =
      from === to ? `business_date eq '${from}'` : `business_date ge '${from}' and business_date le '${to}'`;
    const sep = this.url.includes('?') ? '&' : '?';
    return `${this.url}${sep}$filter=${encodeURIComponent(filter)}`;
  }

  private async fetchPeriods(from: string, to: string): Promise<RcePeriod[]> {
    const rows: unknown[] = [];
    let url: string | undefined = this.filterUrl(from, to);
    const seen = new Set<string>();
    for (let page = 0; url; page++) {
      if (page >= MAX_PAGES || seen.has(url))
        throw changed('rce-paging', 'the pages of the answer do not end');
      seen.add(url);
      const body = await this.getJson(url);
      const value = (body as { value?: unknown }).value;
      if (!Array.isArray(value)) {
        throw changed('rce-answer', 'the answer has no "value" list', redactExcerpt(JSON.stringify(body)));
      }
      rows.push(...value);
      const next =
        (body as Record<string, unknown>).nextLink ?? (body as Record<string, unknown>)['@odata.nextLink'];
      if (next !== undefined && next !== null && typeof next !== 'string') {
        throw changed('rce-paging', 'nextLink is not a URL');
      }
      url = next ? new URL(next, url).toString() : undefined;
    }
    return parseRceRows(rows);
  }

  private async getJson(url: string): Promise<unknown> {
    const { retries, retryBaseMs } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.getOnce(url);
      } catch (err) {
        const retryable =
          err instanceof SettlementError && err.code === 'SERVICE_UNAVAILABLE' && err.step !== 'closed';
        if (!retryable || attempt >= retries) throw err;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryBaseMs * 2 ** attempt);
          this.controller.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve();
            },
            { once: true },
          );
        });
      }
    }
  }

  private async getOnce(url: string): Promise<unknown> {
    if (this.controller.signal.aborted) {
      throw new SettlementError('SERVICE_UNAVAILABLE', 'The RCE client was closed.', { step: 'closed' });
    }
    const path = new URL(url).pathname;
    this.requests += 1;
    let res;
    try {
      res = await this.http.get<string>(url, { signal: this.controller.signal });
    } catch (err) {
      if (this.controller.signal.aborted) {
        throw new SettlementError('SERVICE_UNAVAILABLE', 'The RCE client was closed.', { step: 'closed' });
      }
      const code = (err as { code?: string }).code;
      this.options.log?.(`RCE GET ${path} failed (${code ?? 'error'})`);
      const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT';
      throw new SettlementError(
        'SERVICE_UNAVAILABLE',
        timeout
          ? `The PSE RCE report did not answer within ${this.options.timeoutMs} ms.`
          : `The PSE RCE report could not be reached (${code ?? 'connection error'}).`,
        { step: 'rce-request' },
      );
    }
    this.options.log?.(`RCE GET ${path} ${res.status}`);
    const text = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    if (res.status >= 500 || res.status === 429) {
      throw new SettlementError('SERVICE_UNAVAILABLE', `The PSE RCE report answered HTTP ${res.status}.`, {
        step: 'rce-request',
        httpStatus: res.status,
      });
    }
    if (res.status !== 200) {
      throw new SettlementError(
        'SERVICE_CHANGED',
        `The PSE RCE report refused the request with HTTP ${res.status}; the report's query format may have changed.`,
        { step: 'rce-request', httpStatus: res.status, excerpt: redactExcerpt(text) },
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw changed('rce-answer', 'the answer is not JSON', redactExcerpt(text));
    }
  }
}

/**
 * Prices given in a message: PLN/MWh, as
 * - a list of hourly prices `[{hourStart, price}]` (`hourStart` ISO 8601 with offset; `rce_pln`
 *   is accepted for `price`),
 * - a monthly RCEm table `{"2025-01": 412.5, …}`,
 * - an object with either or both: `{hourly: [...], monthly: {...}}`,
 * - or a raw answer of the RCE report `{value: [rows…]}`.
 * @throws SettlementError `BAD_INPUT` naming the bad entry
 */
export function priceBookFromMessage(
  value: unknown,
  rule: NegativePriceRule = 'average-then-clip',
): RcePriceBook {
  if (Array.isArray(value)) return { hourly: hourlyList(value) };
  if (!value || typeof value !== 'object') {
    throw badInput('Prices must be a list of hourly prices or an RCEm table by month');
  }
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.value)) {
    try {
      return priceBookOf(hourlyPrices(parseRceRows(v.value), rule));
    } catch (err) {
      throw badInput(`The RCE rows in the message are not valid: ${(err as Error).message}`);
    }
  }
  if ('hourly' in v || 'monthly' in v) {
    const out: RcePriceBook = {};
    if (v.hourly !== undefined) {
      if (!Array.isArray(v.hourly)) throw badInput('prices.hourly must be a list of {hourStart, price}');
      out.hourly = hourlyList(v.hourly);
    }
    if (v.monthly !== undefined) out.monthly = monthlyTable(v.monthly);
    return out;
  }
  return { monthly: monthlyTable(v) };
}

function hourlyList(list: readonly unknown[]): Map<number, number> {
  const out = new Map<number, number>();
  list.forEach((item, i) => {
    const e = item as { hourStart?: unknown; price?: unknown; rce_pln?: unknown } | null;
    const start = typeof e?.hourStart === 'string' ? Date.parse(e.hourStart) : NaN;
    const price = e?.price ?? e?.rce_pln;
    if (!Number.isFinite(start) || typeof price !== 'number' || !Number.isFinite(price)) {
      throw badInput(
        `Hourly price ${i} needs hourStart (ISO 8601 with offset) and a numeric price in PLN/MWh`,
      );
    }
    if (!hasUtcOffset(e!.hourStart as string)) {
      throw badInput(`Hourly price ${i}: hourStart ${JSON.stringify(e!.hourStart)} has no UTC offset`);
    }
    if (start % MS_PER_HOUR !== 0) throw badInput(`Hourly price ${i} does not start on a whole hour`);
    out.set(start, price);
  });
  return out;
}

function monthlyTable(value: unknown): Record<string, number> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw badInput('The RCEm table must map months "YYYY-MM" to prices in PLN/MWh');
  }
  const out: Record<string, number> = {};
  for (const [month, price] of Object.entries(value as Record<string, unknown>)) {
    const n = typeof price === 'string' && price.trim() !== '' ? Number(price.replace(',', '.')) : price;
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month) || typeof n !== 'number' || !Number.isFinite(n)) {
      throw badInput(
        `RCEm entry ${JSON.stringify(month)}: ${JSON.stringify(price)} is not "YYYY-MM": price in PLN/MWh`,
      );
    }
    out[month] = n;
  }
  return out;
}
