/**
 * Meter register readings from `POST /odczyty/api` (`elicznik-service.md` §2.3): one answer per
 * register (`energia-pobrana` = import, `energia-oddana` = export), each a list of
 * `{"Date": "dd.mm.yyyy HH:MM:SS", "C": total, "S1".."S3": zone registers or null}`.
 */
import { ServiceChangedError, redactExcerpt } from '../errors';
import { successData, toKwh } from './energy-json';

/** The registers of one direction at one moment, kWh. */
export interface RegisterValues {
  /** The total register `C`; null when the service gave none. */
  total: number | null;
  /** The zone registers; null for zones the tariff does not have. */
  zones: { S1: number | null; S2: number | null; S3: number | null };
}

/** One register reading of one direction, as parsed. */
export interface RegisterEntry extends RegisterValues {
  /** Local date `YYYY-MM-DD` of the reading. */
  date: string;
  /** Local time `HH:MM:SS` of the reading, when given. */
  time: string | null;
}

/** The import and export registers of one day. */
export interface RegisterReading {
  /** Local date `YYYY-MM-DD`. */
  date: string;
  /** Local time `HH:MM:SS` of the reading (usually `23:59:59`), when given. */
  time: string | null;
  /** Energy taken from the grid (register `energia-pobrana`); null when not read that day. */
  import: RegisterValues | null;
  /** Energy given to the grid (register `energia-oddana`); null when not read that day. */
  export: RegisterValues | null;
}

const PL_RE = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$/;
const ISO_RE = /^\s*(\d{4})-(\d{2})-(\d{2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/;

/** Reads a register `Date` (`dd.mm.yyyy HH:MM:SS`, or ISO) into a date and a time. */
export function parseRegisterDate(text: unknown): { date: string; time: string | null } | undefined {
  if (typeof text !== 'string') return undefined;
  let y: string, mo: string, d: string, h: string | undefined, mi: string | undefined, s: string | undefined;
  let m = PL_RE.exec(text);
  if (m) [, d, mo, y, h, mi, s] = m;
  else {
    m = ISO_RE.exec(text);
    if (!m) return undefined;
    [, y, mo, d, h, mi, s] = m;
  }
  const date = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const probe = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(probe.getTime()) || probe.toISOString().slice(0, 10) !== date) return undefined;
  const time = h === undefined ? null : `${h.padStart(2, '0')}:${mi}:${s ?? '00'}`;
  return { date, time };
}

function register(entry: Record<string, unknown>, key: string, step: string): number | null {
  const v = toKwh(entry[key]);
  if (v === undefined) {
    throw new ServiceChangedError(step, `a register "${key}" that is not a number`, {
      excerpt: redactExcerpt(JSON.stringify(entry)),
    });
  }
  return v;
}

/**
 * Reads one `/odczyty/api` answer.
 * @throws ServiceChangedError when `success` is not true or an entry has no date or no `C`
 */
export function parseRegisterResponse(body: unknown, step = 'registers'): RegisterEntry[] {
  const data = successData(body, step);
  if (!Array.isArray(data))
    throw new ServiceChangedError(step, 'a register answer whose "data" is not a list');
  return data.map((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ServiceChangedError(step, 'a register entry that is not an object');
    }
    const e = entry as Record<string, unknown>;
    const when = parseRegisterDate(e.Date);
    if (!when || !('C' in e)) {
      throw new ServiceChangedError(step, 'a register entry without "Date" or "C"', {
        excerpt: redactExcerpt(JSON.stringify(e)),
      });
    }
    return {
      ...when,
      total: register(e, 'C', step),
      zones: { S1: register(e, 'S1', step), S2: register(e, 'S2', step), S3: register(e, 'S3', step) },
    };
  });
}

/** Joins import and export entries by date (the last entry of a date wins), sorted by date. */
export function mergeRegisters(
  importEntries: readonly RegisterEntry[],
  exportEntries: readonly RegisterEntry[],
): RegisterReading[] {
  const byDate = new Map<string, RegisterReading>();
  const put = (e: RegisterEntry, side: 'import' | 'export') => {
    let r = byDate.get(e.date);
    if (!r) {
      r = { date: e.date, time: e.time, import: null, export: null };
      byDate.set(e.date, r);
    }
    if (r.time === null) r.time = e.time;
    r[side] = { total: e.total, zones: { ...e.zones } };
  };
  for (const e of importEntries) put(e, 'import');
  for (const e of exportEntries) put(e, 'export');
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}
