/**
 * Readers of the JSON answers of `POST /energia/api` (and `/energia/wo/api`), `elicznik-service.md`
 * §2.1, §2.5 and §3.
 *
 * Hourly (`profile=full time`, one day per request): the hours come from `allData` when it is
 * there, else from `values` with the zones of `chartZones`. `EC: null`, `Status: null` and
 * `values[i] = null` are hours without a value (never 0).
 *
 * DST — what is assumed, since no Gen-2 sample of a DST day is known:
 * - `allData` with 23 or 25 entries: labels are TAURON's hour-ending labels, the repeated autumn hour
 *   is the entry with `Extra: "T"` (or, without `Extra`, the second entry with the same `Hour`).
 * - 24 entries on a DST day (in `allData`, or `values` with or without `labels`): the entries are
 *   the labels 1..24 (by `Hour`/`labels`, else by position). In spring the entry labelled 3 names
 *   an hour that does not exist and is left out; in autumn label 3 is taken as the first (CEST)
 *   copy and the repeated copy stays null, so that day is not complete.
 * - `values` whose length equals the day's real hours (23/25) without `labels` map by position onto
 *   the day's clock hours.
 *
 * Zones: the code of a zone key comes from `workName` (2026), else from a `(T…)` suffix of its
 * `zonesName`, else is `T<key>` (the CSV's `Strefa` uses the same codes); the name is the
 * `zonesName` text without that suffix, or `allData[].ZoneName`.
 */
import { hoursInLocalDay, hoursOfLocalDay, localDatesInRange, parseLocalDate } from '../energy/time';
import { kwhToWh, whToKwh } from '../energy/hour';
import { ServiceChangedError, redactExcerpt } from '../errors';

/** Code and name of a zone key. */
export interface ZoneInfo {
  code: string | null;
  name: string | null;
}

/** One hour of one series from a JSON answer. */
export interface JsonHour {
  date: string;
  hour: number;
  repeated: boolean;
  value: number | null;
  zone: string | null;
  zoneName: string | null;
}

/** The hours of one day and series. */
export interface EnergyDay {
  hours: JsonHour[];
  /** `tariff` (or the hours' `Taryfa`), null when absent. */
  tariff: string | null;
  /** Zones of the answer by key. */
  zones: Map<string, ZoneInfo>;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON success test (HTTP 200 is the caller's part): an object with `success: true`; returns
 * its `data`, whatever type it is.
 * @throws ServiceChangedError when the body is not such an object or `data` is missing
 */
export function successData(body: unknown, step: string): unknown {
  if (!isObject(body)) {
    throw new ServiceChangedError(step, 'a JSON answer that is not an object');
  }
  if (body.success !== true) {
    throw new ServiceChangedError(step, 'eLicznik refused the request ("success": false)', {
      excerpt: redactExcerpt(JSON.stringify(body)),
    });
  }
  if (body.data === undefined || body.data === null) {
    throw new ServiceChangedError(step, 'a JSON answer without "data"', {
      excerpt: redactExcerpt(JSON.stringify(body)),
    });
  }
  return body.data;
}

/**
 * {@link successData} for the energy answers, whose `data` is an object.
 * @throws ServiceChangedError when the success test fails or `data` is not an object
 */
export function energyData(body: unknown, step: string): Json {
  const data = successData(body, step);
  if (!isObject(data)) {
    throw new ServiceChangedError(step, 'a JSON answer whose "data" is not an object');
  }
  return data;
}

/**
 * A kWh number from the service: a number or a numeric string (decimal dot or comma).
 * @returns the number, null for null/undefined/'', undefined when it is not a number
 */
export function toKwh(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const t = value.trim();
    if (t === '') return null;
    if (!/^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$/.test(t)) return undefined;
    return Number(t.replace(',', '.'));
  }
  return undefined;
}

function toLabel(value: unknown, max: number): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= max ? n : undefined;
}

const CODE_SUFFIX_RE = /\s*\((T[\w-]*)\)\s*$/i;

/** The zones of an answer by key, from `zonesName`, `workName`, `zones` and `chartZones`. */
export function zoneTable(data: Json): Map<string, ZoneInfo> {
  const names = isObject(data.zonesName) ? data.zonesName : {};
  const work = isObject(data.workName) ? data.workName : {};
  const keys = new Set<string>([
    ...Object.keys(names),
    ...Object.keys(work),
    ...(isObject(data.zones) ? Object.keys(data.zones) : []),
    ...(isObject(data.chartZones) ? Object.keys(data.chartZones) : []),
  ]);
  const out = new Map<string, ZoneInfo>();
  for (const key of keys) out.set(key, zoneInfo(key, names[key], work[key]));
  return out;
}

function zoneInfo(key: string, zonesName: unknown, workName: unknown): ZoneInfo {
  const fullName = typeof zonesName === 'string' ? zonesName.trim() : '';
  const suffix = CODE_SUFFIX_RE.exec(fullName);
  const name = fullName.replace(CODE_SUFFIX_RE, '').trim() || null;
  let code: string | null = typeof workName === 'string' && workName.trim() ? workName.trim() : null;
  if (!code && suffix) code = suffix[1];
  if (!code && /^\d+$/.test(key)) code = `T${key}`;
  return { code, name };
}

/** Keeps a running count of labels of a day to tell the repeated autumn hour. */
class DayLabels {
  private readonly real: Set<string>;
  private readonly count = new Map<number, number>();
  constructor(readonly date: string) {
    this.real = new Set(hoursOfLocalDay(date).map((h) => `${h.hour}|${h.repeated}`));
  }
  /**
   * Which copy an entry with this label is: the second occurrence of a label, or one marked
   * `Extra: "T"`, is the repeated copy. Undefined when that copy is not a real hour of the day (or
   * for a third occurrence).
   */
  place(hour: number, extraT = false): boolean | undefined {
    const n = (this.count.get(hour) ?? 0) + 1;
    this.count.set(hour, n);
    if (n > 2) return undefined;
    const repeated = extraT === true || n === 2;
    return this.real.has(`${hour}|${repeated}`) ? repeated : undefined;
  }
}

function hoursFromAllData(
  date: string,
  all: unknown[],
  zones: Map<string, ZoneInfo>,
  step: string,
): JsonHour[] {
  const labels = new DayLabels(date);
  const out: JsonHour[] = [];
  const seen = new Set<string>();
  for (const entry of all) {
    if (!isObject(entry)) throw new ServiceChangedError(step, 'an "allData" entry that is not an object');
    if (typeof entry.Date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(entry.Date) && entry.Date !== date)
      continue;
    const hour = toLabel(entry.Hour, 24);
    if (hour === undefined) {
      throw new ServiceChangedError(step, 'an "allData" entry without a valid "Hour"', {
        excerpt: redactExcerpt(JSON.stringify(entry)),
      });
    }
    const extra = typeof entry.Extra === 'string' ? entry.Extra.trim().toUpperCase() : '';
    const repeated = labels.place(hour, extra === 'T');
    if (repeated === undefined) continue;
    const key = `${hour}|${repeated}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ec = toKwh(entry.EC);
    if (ec === undefined) {
      throw new ServiceChangedError(step, 'an "allData" entry whose "EC" is not a number', {
        excerpt: redactExcerpt(JSON.stringify(entry)),
      });
    }
    const value = entry.Status === null ? null : ec;
    const zoneKey = entry.Zone === undefined || entry.Zone === null ? undefined : String(entry.Zone);
    const fromTable = zoneKey !== undefined ? zones.get(zoneKey) : undefined;
    const work = typeof entry.WorkName === 'string' && entry.WorkName.trim() ? entry.WorkName.trim() : null;
    const zoneName =
      typeof entry.ZoneName === 'string' && entry.ZoneName.trim()
        ? entry.ZoneName.replace(CODE_SUFFIX_RE, '').trim()
        : (fromTable?.name ?? null);
    const zone = work ?? fromTable?.code ?? (zoneKey && /^\d+$/.test(zoneKey) ? `T${zoneKey}` : null);
    out.push({ date, hour, repeated, value, zone, zoneName });
  }
  return out;
}

function hoursFromValues(date: string, data: Json, zones: Map<string, ZoneInfo>, step: string): JsonHour[] {
  const values = data.values;
  if (!Array.isArray(values)) {
    throw new ServiceChangedError(step, 'an hourly answer with neither "allData" nor "values"', {
      excerpt: redactExcerpt(JSON.stringify(data)),
    });
  }
  const rawLabels = Array.isArray(data.labels) ? data.labels.map((l) => toLabel(l, 24)) : undefined;
  const useLabels =
    rawLabels !== undefined && rawLabels.length >= values.length && rawLabels.every((l) => l !== undefined);
  const clock = hoursOfLocalDay(date);
  const positionalReal = !useLabels && values.length === hoursInLocalDay(date);
  const n = useLabels ? rawLabels.length : values.length;
  const chart = isObject(data.chartZones) ? data.chartZones : {};
  const chartKeys = Object.keys(chart);
  let zoneKey: string | undefined = [...zones.keys()][0] ?? chartKeys[0];
  const labels = new DayLabels(date);
  const out: JsonHour[] = [];
  for (let i = 0; i < n; i++) {
    for (const key of chartKeys) {
      const list = chart[key];
      if (Array.isArray(list) && list[i] === true) {
        zoneKey = key;
        break;
      }
    }
    let hour: number;
    let repeated: boolean | undefined;
    if (useLabels) {
      hour = rawLabels[i] as number;
      repeated = labels.place(hour);
    } else if (positionalReal) {
      hour = clock[i].hour;
      repeated = clock[i].repeated;
    } else {
      hour = i + 1;
      if (hour > 24) break;
      repeated = labels.place(hour);
    }
    if (repeated === undefined) continue;
    const value = toKwh(values[i]);
    if (value === undefined) {
      throw new ServiceChangedError(step, 'an hourly value that is not a number', {
        excerpt: redactExcerpt(JSON.stringify(values[i])),
      });
    }
    const info = zoneKey !== undefined ? zones.get(zoneKey) : undefined;
    out.push({
      date,
      hour,
      repeated,
      value,
      zone: info?.code ?? (zoneKey && /^\d+$/.test(zoneKey) ? `T${zoneKey}` : null),
      zoneName: info?.name ?? null,
    });
  }
  return out;
}

/**
 * Reads one day of one series from a `profile=full time` answer.
 * @param body the parsed JSON answer
 * @param date the requested local date `YYYY-MM-DD`
 * @param step the client step, for errors
 */
export function parseEnergyDay(body: unknown, date: string, step = 'energy-json'): EnergyDay {
  parseLocalDate(date);
  const data = energyData(body, step);
  const zones = zoneTable(data);
  const all = Array.isArray(data.allData) && data.allData.length > 0 ? data.allData : undefined;
  const hours = all ? hoursFromAllData(date, all, zones, step) : hoursFromValues(date, data, zones, step);
  let tariff = typeof data.tariff === 'string' && data.tariff.trim() ? data.tariff.trim() : null;
  if (!tariff && all) {
    const first = all.find((e) => isObject(e) && typeof e.Taryfa === 'string' && e.Taryfa.trim());
    if (first) tariff = String((first as Json).Taryfa).trim();
  }
  return { hours, tariff, zones };
}

/** The values of a `profile=month` (days) or `profile=year` (months) answer. */
export interface EnergyPeriods {
  /** Value per day (`YYYY-MM-DD`) or month (`YYYY-MM`) label, in order; null = no data. */
  values: { label: string; value: number | null }[];
  /** Total of the values within the request (integer Wh arithmetic); null when every value is null. */
  total: number | null;
  /** kWh per zone code, when the answer has `zones` and covers exactly the request. */
  zones?: Record<string, number | null>;
  /** Zone names per zone code. */
  zoneNames: Record<string, string>;
  tariff: string | null;
}

function monthsOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (const d of localDatesInRange(from, to)) {
    const m = d.slice(0, 7);
    if (out[out.length - 1] !== m) out.push(m);
  }
  return out;
}

/**
 * Reads a `profile=month` answer (one value per day; the request stays within one calendar month)
 * or a `profile=year` answer (one value per month; the request stays within one calendar year).
 * Values are matched to days or months by `labels` (day or month numbers) when present, else by
 * position from the start of the request, or from the start of the month/year when the answer
 * covers all of it.
 * @throws ServiceChangedError when the values cannot be matched to the request
 */
export function parseEnergyPeriods(
  body: unknown,
  profile: 'month' | 'year',
  from: string,
  to: string,
  step = 'energy-totals',
): EnergyPeriods {
  const data = energyData(body, step);
  const values = data.values;
  if (!Array.isArray(values)) {
    throw new ServiceChangedError(step, 'a totals answer without "values"', {
      excerpt: redactExcerpt(JSON.stringify(data)),
    });
  }
  const nums = values.map((v) => {
    const n = toKwh(v);
    if (n === undefined) throw new ServiceChangedError(step, 'a total that is not a number');
    return n;
  });
  const year = from.slice(0, 4);
  const month = from.slice(0, 7);
  const wanted = profile === 'month' ? localDatesInRange(from, to) : monthsOf(from, to);
  const maxLabel = profile === 'month' ? 31 : 12;
  const labels = Array.isArray(data.labels) ? data.labels.map((l) => toLabel(l, maxLabel)) : undefined;
  let keys: string[];
  if (labels && labels.length === nums.length && labels.every((l) => l !== undefined)) {
    keys = labels.map((l) =>
      profile === 'month'
        ? `${month}-${String(l).padStart(2, '0')}`
        : `${year}-${String(l).padStart(2, '0')}`,
    );
  } else if (nums.length === wanted.length) {
    keys = wanted;
  } else {
    const whole =
      profile === 'month'
        ? localDatesInRange(`${month}-01`, lastDayOfMonth(month))
        : Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
    if (nums.length !== whole.length) {
      throw new ServiceChangedError(step, `${nums.length} totals where ${wanted.length} were expected`);
    }
    keys = whole;
  }
  const want = new Set(wanted);
  const out: { label: string; value: number | null }[] = [];
  keys.forEach((k, i) => {
    if (want.has(k)) out.push({ label: k, value: nums[i] });
  });
  // the answer covers exactly the request: its sum and zones are those of the request
  const exact = keys.length === wanted.length && keys.every((k) => want.has(k));
  const table = zoneTable(data);
  const zoneNames: Record<string, string> = {};
  for (const info of table.values()) if (info.code && info.name) zoneNames[info.code] = info.name;
  const anyValue = out.some((v) => v.value !== null);
  let zones: Record<string, number | null> | undefined;
  if (exact && isObject(data.zones)) {
    zones = {};
    for (const [key, v] of Object.entries(data.zones)) {
      const code = table.get(key)?.code ?? key;
      const n = toKwh(v);
      zones[code] = n === undefined || !anyValue ? null : n;
    }
  }
  let total: number | null = null;
  if (anyValue) total = whToKwh(out.reduce((a, v) => a + (v.value === null ? 0 : kwhToWh(v.value)), 0));
  const tariff = typeof data.tariff === 'string' && data.tariff.trim() ? data.tariff.trim() : null;
  return { values: out, total, ...(zones ? { zones } : {}), zoneNames, tariff };
}

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m, 0));
  return d.toISOString().slice(0, 10);
}
