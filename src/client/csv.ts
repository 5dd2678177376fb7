/**
 * Parser of the hourly CSV export `GET /energia/do/dane` (`elicznik-service.md` §2.4, §2.5).
 *
 * Accepted shapes:
 * - headers `Data; Wartość kWh;Rodzaj;` (2023), `Data; Strefa; Wartość kWh;Rodzaj;` (2025+) and
 *   `Data; Strefa; Wartość ;Rodzaj;Status;` (a 2026 variant whose `Rodzaj` values end in ` [kWh]`);
 *   columns are found by name, so their order and spacing do not matter;
 * - `Data` as `YYYY-MM-DD H:MM` or `dd.mm.yyyy H:MM`, the hour 1..24 being the local hour the
 *   interval ends at (`24:00` = 23:00–24:00 of that date);
 * - decimal comma or dot, a trailing `;`, CRLF or LF, a BOM (removed when decoding);
 * - `Rodzaj` `pobór`, `oddanie`, `pobrana po zbilansowaniu`, `oddana po zbilansowaniu`.
 *
 * On the autumn DST day the second row of a series with label 3 is the repeated (CET) hour. Rows
 * for an hour that does not exist (label 3 on the spring day), further duplicates of a label, and
 * rows of a series that is not listed are left out. An unknown header, a missing `Rodzaj` or an
 * unknown series name is `SERVICE_CHANGED`.
 */
import { hoursInLocalDay, hoursOfLocalDay, parseLocalDate } from '../energy/time';
import { ServiceChangedError, redactExcerpt } from '../errors';
import type { EnergySeries } from './series';

/** One value of the CSV export. */
export interface CsvHour {
  series: EnergySeries;
  /** Local date `YYYY-MM-DD`. */
  date: string;
  /** Service label 1..24. */
  hour: number;
  /** The second (CET) copy of label 3 on the autumn DST day. */
  repeated: boolean;
  /** kWh, or null when the cell is empty. */
  value: number | null;
  /** `Strefa` (zone code, e.g. `T1`) when the export has that column and the cell is not empty. */
  zone: string | null;
}

/** Lower case, no diacritics, single spaces: `' Wartość kWh'` → `'wartosc kwh'`. */
export function normalizeCell(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const KIND_TO_SERIES: Readonly<Record<string, EnergySeries>> = {
  pobor: 'ecp',
  oddanie: 'eco',
  'pobrana po zbilansowaniu': 'tauronEcbp',
  'oddana po zbilansowaniu': 'tauronEcbo',
};

/** The series a `Rodzaj` value names (a ` [kWh]` suffix allowed), or undefined. */
export function seriesOfKind(kind: string): EnergySeries | undefined {
  const key = normalizeCell(kind)
    .replace(/\s*\[\s*kwh\s*\]\s*$/, '')
    .trim();
  return KIND_TO_SERIES[key];
}

interface Columns {
  date: number;
  zone: number;
  value: number;
  kind: number;
}

function findColumns(headerCells: string[]): Columns | undefined {
  const names = headerCells.map(normalizeCell);
  const date = names.indexOf('data');
  const zone = names.indexOf('strefa');
  const value = names.findIndex((n) => n === 'wartosc' || n.startsWith('wartosc '));
  const kind = names.indexOf('rodzaj');
  if (date < 0 || value < 0 || kind < 0) return undefined;
  return { date, zone, value, kind };
}

const ISO_DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2}):(\d{2})(?::00)?$/;
const PL_DATE_RE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2}):(\d{2})(?::00)?$/;

/**
 * Reads a CSV `Data` cell: the local date and the hour label.
 * @returns undefined when the cell is not one of the two forms, or not a real date and hour 1..24
 */
export function parseCsvDate(cell: string): { date: string; hour: number } | undefined {
  return readCsvDate(cell, new Map());
}

/** {@link parseCsvDate} with the calendar check of each date kept in `checked`. */
function readCsvDate(
  cell: string,
  checked: Map<string, boolean>,
): { date: string; hour: number } | undefined {
  const text = cell.trim();
  let y: string, mo: string, d: string, h: string, mi: string;
  let m = ISO_DATE_RE.exec(text);
  if (m) [, y, mo, d, h, mi] = m;
  else {
    m = PL_DATE_RE.exec(text);
    if (!m) return undefined;
    [, d, mo, y, h, mi] = m;
  }
  const date = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const hour = Number(h);
  if (mi !== '00' || hour < 1 || hour > 24) return undefined;
  let real = checked.get(date);
  if (real === undefined) {
    try {
      parseLocalDate(date);
      real = true;
    } catch {
      real = false;
    }
    checked.set(date, real);
  }
  return real ? { date, hour } : undefined;
}

const NUMBER_RE = /^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$/;

/**
 * Reads a kWh value with a decimal comma or dot.
 * @returns the number, null for an empty cell, undefined when the cell is not a number
 */
export function parseKwh(cell: string): number | null | undefined {
  const text = cell.trim().replace(/\s+/g, '');
  if (text === '' || text === '-') return null;
  if (!NUMBER_RE.test(text)) return undefined;
  return Number(text.replace(',', '.'));
}

/**
 * Parses the text of an hourly CSV export.
 * @param text the decoded file (BOM already removed or not)
 * @param range when given, rows outside `from`..`to` (inclusive) are left out (a one-day export
 *   once carried rows of other days)
 * @throws ServiceChangedError (step `csv`) for an unknown header, a row without `Rodzaj`, or an
 *   unknown series, date or number
 */
export function parseCsvExport(text: string, range?: { from: string; to: string }): CsvHour[] {
  let line = '';
  let n = 0;
  const fail = (what: string) =>
    new ServiceChangedError('csv', `${what} in line ${n + 1} of the CSV export`, {
      excerpt: redactExcerpt(line),
    });
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let i = 0;
  while (i < lines.length && lines[i].trim() === '') i++;
  const headerLine = lines[i] ?? '';
  const columns = findColumns(headerLine.split(';'));
  if (!columns) {
    throw new ServiceChangedError('csv', 'the CSV export has an unknown header', {
      excerpt: redactExcerpt(headerLine),
    });
  }
  const out: CsvHour[] = [];
  // Each `Rodzaj` text is read once into its series; a `Data` cell written as the export writes
  // it (`YYYY-MM-DD H:MM`) is read by its characters, its date once per run of rows of that date,
  // anything else by the general reader once per text; every hour is one slot of its date.
  const kinds = new Map<string, number>();
  const otherDates = new Map<string, CsvSlot | undefined>();
  const days = new Map<string, CsvDay | null>();
  const zones = new Map<string, string | null>();
  const checked = new Map<string, boolean>();
  const dayOf = (date: string): CsvDay | null => {
    let day = days.get(date);
    if (day === undefined) {
      day = readCsvDate(`${date} 1:00`, checked)
        ? { date, inRange: !range || (date >= range.from && date <= range.to), slots: [], labels: undefined }
        : null;
      days.set(date, day);
    }
    return day;
  };
  const slotOf = (day: CsvDay, hour: number): CsvSlot => {
    let slot = day.slots[hour];
    if (!slot) {
      slot = { day, hour, counts: [0, 0, 0, 0], exists: undefined };
      day.slots[hour] = slot;
    }
    return slot;
  };
  let runDay: CsvDay | null = null;
  for (n = i + 1; n < lines.length; n++) {
    line = lines[n];
    if (line.trim() === '') continue;
    const cells = line.split(';');
    const kindText = cells[columns.kind] ?? '';
    let s = kinds.get(kindText);
    if (s === undefined) {
      const kindCell = kindText.trim();
      if (kindCell === '') throw fail('a row without "Rodzaj"');
      const named = seriesOfKind(kindCell);
      if (!named) throw fail(`an unknown series "${redactExcerpt(kindCell, [], 40)}"`);
      s = SLOT_SERIES.indexOf(named);
      kinds.set(kindText, s);
    }
    const series = SLOT_SERIES[s];
    const dateCell = cells[columns.date] ?? '';
    let slot: CsvSlot | undefined;
    const hour = plainHour(dateCell);
    if (hour > 0) {
      if (runDay === null || !dateCell.startsWith(runDay.date)) runDay = dayOf(dateCell.slice(0, 10));
      if (runDay !== null) slot = slotOf(runDay, hour);
    } else if (hour < 0) {
      if (otherDates.has(dateCell)) slot = otherDates.get(dateCell);
      else {
        const when = readCsvDate(dateCell, checked);
        const day = when ? dayOf(when.date) : null;
        slot = day ? slotOf(day, when!.hour) : undefined;
        otherDates.set(dateCell, slot);
      }
    }
    if (!slot) throw fail('an unknown date');
    const value = plainKwh(cells[columns.value] ?? '');
    if (value === undefined) throw fail('a value that is not a number');
    if (!slot.day.inRange) continue;
    const count = ++slot.counts[s];
    if (count > 2) continue;
    const repeated = count === 2;
    if (!labelExists(slot, repeated)) continue;
    let zone: string | null = null;
    if (columns.zone >= 0) {
      const zoneText = cells[columns.zone] ?? '';
      const known = zones.get(zoneText);
      if (known !== undefined) zone = known;
      else {
        zone = zoneText.trim() || null;
        zones.set(zoneText, zone);
      }
    }
    out.push({ series, date: slot.day.date, hour: slot.hour, repeated, value, zone });
  }
  return out;
}

/** The series by the place where a slot counts their rows. */
const SLOT_SERIES: readonly EnergySeries[] = ['ecp', 'eco', 'tauronEcbp', 'tauronEcbo'];

/** One date of the export with its hours. */
interface CsvDay {
  date: string;
  /** Inside the requested range (or no range given). */
  inRange: boolean;
  /** The date's hours by label. */
  slots: CsvSlot[];
  /** null for a 24-hour day, else the day's `label|repeated` keys; undefined until asked. */
  labels: Set<string> | null | undefined;
}

/** One hour label of one date in the export, with the rows read of it per series. */
interface CsvSlot {
  day: CsvDay;
  hour: number;
  counts: number[];
  /** Whether the label exists that day, first copy and repeated copy, once known. */
  exists: [boolean, boolean] | undefined;
}

/**
 * The hour of a `Data` cell written `YYYY-MM-DD H:MM` or `YYYY-MM-DD HH:MM` exactly (nothing
 * around it, minutes `00`, hour 1..24): the hour; 0 when it is written so but names no such hour
 * (what {@link parseCsvDate} also refuses); -1 when it is written otherwise.
 */
function plainHour(cell: string): number {
  const len = cell.length;
  if (len !== 15 && len !== 16) return -1;
  if (cell.charCodeAt(4) !== 45 || cell.charCodeAt(7) !== 45 || cell.charCodeAt(10) !== 32) return -1;
  for (const at of [0, 1, 2, 3, 5, 6, 8, 9]) if (!isDigit(cell.charCodeAt(at))) return -1;
  const colon = len - 3;
  if (
    cell.charCodeAt(colon) !== 58 ||
    !isDigit(cell.charCodeAt(len - 2)) ||
    !isDigit(cell.charCodeAt(len - 1))
  ) {
    return -1;
  }
  let hour = 0;
  for (let at = 11; at < colon; at++) {
    const c = cell.charCodeAt(at);
    if (!isDigit(c)) return -1;
    hour = hour * 10 + c - 48;
  }
  if (cell.charCodeAt(len - 2) !== 48 || cell.charCodeAt(len - 1) !== 48 || hour < 1 || hour > 24) return 0;
  return hour;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * A kWh cell: digits with a decimal comma or dot and nothing around them read by their digits
 * (an integer of at most 15 digits divided by a power of ten: the same double `Number` gives,
 * both being the correctly rounded value), anything else by {@link parseKwh}.
 */
function plainKwh(cell: string): number | null | undefined {
  const len = cell.length;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (let at = 0; at < len; at++) {
    const c = cell.charCodeAt(at);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + c - 48;
      digits++;
      if (decimals >= 0) decimals++;
    } else if ((c === 44 || c === 46) && decimals < 0 && at > 0 && at < len - 1) {
      decimals = 0;
    } else {
      return parseKwh(cell);
    }
  }
  if (digits === 0 || digits > 15) return parseKwh(cell);
  return decimals > 0 ? mantissa / POWERS_OF_TEN[decimals] : mantissa;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * Labels of 24-hour days are 1..24 once each; only the DST days need their clock hours (read once
 * per date).
 */
function labelExists(slot: CsvSlot, repeated: boolean): boolean {
  if (!slot.exists) {
    const day = slot.day;
    if (day.labels === undefined) {
      day.labels =
        hoursInLocalDay(day.date) === 24
          ? null
          : new Set(hoursOfLocalDay(day.date).map((h) => `${h.hour}|${h.repeated}`));
    }
    slot.exists =
      day.labels === null
        ? [true, false]
        : [day.labels.has(`${slot.hour}|false`), day.labels.has(`${slot.hour}|true`)];
  }
  return slot.exists[repeated ? 1 : 0];
}
