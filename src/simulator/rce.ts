/**
 * A stand-in for PSE's RCE price report (`GET /api/rce-pln`), served on the simulator's eLicznik
 * port so that tests and the demo need no network.
 *
 * Prices (PLN/MWh, two decimals) are deterministic per quarter hour: a seasonal base (higher in
 * winter), cheap nights, a morning and a bigger evening peak (earlier in winter), lower weekends,
 * and a midday dip that follows the simulator's PV model (clear-sky output times the day's
 * weather), so sunny spring and summer middays go to zero or below.
 *
 * Rows, as settlement.md §6 describes the real report: from {@link RCE_QUARTERS_FROM} quarter-hour
 * rows `{dtime, period, rce_pln, business_date, publication_ts}` (96 a day, 92/100 on DST days;
 * `dtime` is the local end of the quarter, `24:00` written as the next day's `00:00:00`), before
 * that hourly rows `{doba, business_date, udtczas, rce_pln}` (the hour's mean). Labels are nominal:
 * the repeated autumn hour's rows carry the same labels twice, in time order.
 *
 * Query rules: `$filter` on `business_date` with `eq`, `ge`, `gt`, `le`, `lt` joined by `and` (a
 * filter on `doba` is refused with 400, as PSE does since it renamed the field; `$top` is refused
 * with 400); `$select` picks fields; pages hold at most {@link RCE_PAGE_SIZE} rows (`$first` can
 * only lower that) and link the next one with `nextLink` (`$skip`). A day is published the day
 * before at 14:00 local time; later days answer no rows.
 */
import { MS_PER_HOUR } from '../energy/time';
import { shiftDate, warsawHoursOfDay, warsawMinutesOfDay, dayNumber } from '../settlement/clock';
import { clearSkyPvPerKwp, dayOfYear, dayWeather, seededRandom } from './data';
import { dayOfWeek } from './zones';

/** The report's path on the simulator. */
export const RCE_PATH = '/api/rce-pln';

/** First business date served as quarter-hour rows; earlier dates are hourly. */
export const RCE_QUARTERS_FROM = '2025-10-01';

/** Most rows in one answer. */
export const RCE_PAGE_SIZE = 100;

/** Local time of day (minutes) from which the next day's prices are published. */
export const RCE_PUBLISH_MINUTE = 14 * 60;

const QUARTER_MS = MS_PER_HOUR / 4;

function bell(x: number, centre: number, width: number): number {
  const z = (x - centre) / width;
  return Math.exp(-0.5 * z * z);
}

/** The model's prices of every quarter hour of a local date, PLN/MWh with two decimals, in time order. */
export function simulatedQuarterPrices(date: string): { startMs: number; price: number }[] {
  const n = dayOfYear(date);
  const winter = (1 + Math.cos((2 * Math.PI * (n - 15)) / 365)) / 2;
  const dow = dayOfWeek(date);
  const weekend = dow === 0 || dow === 6 ? 0.88 : 1;
  const clearness = dayWeather(date).clearness;
  const rnd = seededRandom('rce', date);
  const base = (380 + 160 * winter) * weekend;
  const out: { startMs: number; price: number }[] = [];
  for (const h of warsawHoursOfDay(date)) {
    for (let q = 0; q < 4; q++) {
      const startMs = h.startMs + q * QUARTER_MS;
      const clock = warsawMinutesOfDay(startMs) / 60 + 0.125;
      const shape =
        0.72 +
        0.3 * bell(clock, 7.5, 1.3) +
        0.65 * bell(clock, 19.5 - 1.5 * winter, 1.6) +
        0.25 * bell(clock, 13, 3.5);
      const solar = clearSkyPvPerKwp(startMs + QUARTER_MS / 2) * clearness;
      const noise = 1 + 0.06 * (rnd() - 0.5);
      const price = base * shape * noise - 620 * solar * (1 - 0.5 * winter) + 15 * (rnd() - 0.5);
      out.push({ startMs, price: Math.round(price * 100) / 100 });
    }
  }
  return out;
}

type Row = Record<string, string | number>;

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** End label of a period: the local date and time, `24:00` written as the next day's `00:00`. */
function endLabel(date: string, startMinutes: number, length: number): { date: string; time: string } {
  const end = startMinutes + length;
  return end >= 1440 ? { date: shiftDate(date, 1), time: hhmm(end - 1440) } : { date, time: hhmm(end) };
}

const rowCache = new Map<string, Row[]>();

/** The report's rows of one business date. */
export function rceRowsOfDate(date: string): Row[] {
  let rows = rowCache.get(date);
  if (rows) return rows;
  const quarters = simulatedQuarterPrices(date);
  rows = [];
  if (date >= RCE_QUARTERS_FROM) {
    const published = `${shiftDate(date, -1)} 14:02:41.317`;
    for (const q of quarters) {
      const start = warsawMinutesOfDay(q.startMs);
      const end = endLabel(date, start, 15);
      rows.push({
        dtime: `${end.date} ${end.time}:00`,
        period: `${hhmm(start)} - ${start + 15 >= 1440 ? '24:00' : hhmm(start + 15)}`,
        rce_pln: q.price,
        business_date: date,
        publication_ts: published,
      });
    }
  } else {
    for (let i = 0; i < quarters.length; i += 4) {
      const mean =
        (quarters[i].price + quarters[i + 1].price + quarters[i + 2].price + quarters[i + 3].price) / 4;
      const end = endLabel(date, warsawMinutesOfDay(quarters[i].startMs), 60);
      rows.push({
        doba: date,
        business_date: date,
        udtczas: `${end.date} ${end.time}`,
        rce_pln: Math.round(mean * 100) / 100,
      });
    }
  }
  if (rowCache.size >= 800) rowCache.clear();
  rowCache.set(date, rows);
  return rows;
}

/** Number of rows of a business date without building them. */
function rowCount(date: string): number {
  const hours = warsawHoursOfDay(date).length;
  return date >= RCE_QUARTERS_FROM ? hours * 4 : hours;
}

/** An answer of the simulated report. */
export interface RceReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function odataError(message: string): RceReply {
  return {
    status: 400,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ error: { code: 'BadRequest', message } }),
  };
}

const CONDITION_RE = /^\s*(\w+)\s+(eq|ge|gt|le|lt)\s+'(\d{4}-\d{2}-\d{2})'\s*$/i;

/** Inclusive date bounds of a `$filter`, or an error text. */
function parseFilter(filter: string): { from: string; to: string } | string {
  let from: string | undefined;
  let to: string | undefined;
  for (const part of filter.split(/\s+and\s+/i)) {
    const m = CONDITION_RE.exec(part);
    if (!m) return `The query specified in the URI is not valid: ${part.trim()}`;
    const [, field, op, date] = m;
    if (field !== 'business_date') {
      return `Could not find a property named '${field}' on type 'default_namespace.rce-pln.publikacje.rbus_rce_pln_ver2_api'.`;
    }
    const lower = op === 'eq' || op === 'ge' ? date : op === 'gt' ? shiftDate(date, 1) : undefined;
    const upper = op === 'eq' || op === 'le' ? date : op === 'lt' ? shiftDate(date, -1) : undefined;
    if (lower !== undefined && (from === undefined || lower > from)) from = lower;
    if (upper !== undefined && (to === undefined || upper < to)) to = upper;
  }
  if (from === undefined) return 'The simulator needs a lower bound on business_date in $filter.';
  return { from, to: to ?? '9999-12-31' };
}

/**
 * Answers `GET /api/rce-pln?…`.
 * @param url the request URL
 * @param baseUrl the simulator's eLicznik base URL, for `nextLink`
 * @param today the simulator's local date
 * @param nowMinutes the simulator's local time of day, minutes
 */
export function rceReply(url: URL, baseUrl: string, today: string, nowMinutes: number): RceReply {
  const q = url.searchParams;
  if (q.has('$top')) return odataError("The query parameter '$top' is not supported.");
  const filter = q.get('$filter');
  if (!filter) return odataError('The simulator needs a $filter on business_date.');
  const bounds = parseFilter(filter);
  if (typeof bounds === 'string') return odataError(bounds);
  const lastPublished = nowMinutes >= RCE_PUBLISH_MINUTE ? shiftDate(today, 1) : today;
  const to = bounds.to < lastPublished ? bounds.to : lastPublished;
  const skip = Math.max(0, Math.floor(Number(q.get('$skip') ?? 0)) || 0);
  const first = Number(q.get('$first') ?? RCE_PAGE_SIZE);
  const size = Math.min(
    RCE_PAGE_SIZE,
    Number.isFinite(first) && first >= 1 ? Math.floor(first) : RCE_PAGE_SIZE,
  );
  const page: Row[] = [];
  let index = 0;
  let total = 0;
  const days = bounds.from <= to ? dayNumber(to) - dayNumber(bounds.from) + 1 : 0;
  for (let i = 0, date = bounds.from; i < days; i++, date = shiftDate(date, 1)) {
    const count = rowCount(date);
    total += count;
    if (page.length < size && index + count > skip) {
      for (const row of rceRowsOfDate(date).slice(Math.max(0, skip - index))) {
        if (page.length >= size) break;
        page.push(row);
      }
    }
    index += count;
  }
  const select = q.get('$select');
  const fields = select ? select.split(',').map((f) => f.trim()) : null;
  const value = fields
    ? page.map((r) => Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]])))
    : page;
  const body: { value: Row[]; nextLink?: string } = { value };
  if (skip + page.length < total) {
    const next = new URLSearchParams();
    for (const [k, v] of q) if (k !== '$skip') next.set(k, v);
    next.set('$skip', String(skip + page.length));
    body.nextLink = `${baseUrl}${RCE_PATH}?${next.toString().replace(/\+/g, '%20')}`;
  }
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}
