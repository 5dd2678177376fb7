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
  // Each cell text is read once: a `Rodzaj` text to its series, a `Data` text to its hour (the
  // same hour however its text is written), a `Strefa` text to its zone.
  const kinds = new Map<string, EnergySeries | undefined>();
  const dates = new Map<string, CsvSlot | undefined>();
  const slots = new Map<string, CsvSlot>();
  const zones = new Map<string, string | null>();
  const checked = new Map<string, boolean>();
  const days = new Map<string, Set<string> | null>();
  for (n = i + 1; n < lines.length; n++) {
    line = lines[n];
    if (line.trim() === '') continue;
    const cells = line.split(';');
    const kindText = cells[columns.kind] ?? '';
    let series = kinds.get(kindText);
    if (series === undefined) {
      const kindCell = kindText.trim();
      if (kindCell === '') throw fail('a row without "Rodzaj"');
      series = seriesOfKind(kindCell);
      if (!series) throw fail(`an unknown series "${redactExcerpt(kindCell, [], 40)}"`);
      kinds.set(kindText, series);
    }
    const dateCell = cells[columns.date] ?? '';
    let slot = dates.get(dateCell);
    if (slot === undefined && !dates.has(dateCell)) {
      const when = readCsvDate(dateCell, checked);
      if (when) {
        const key = `${when.date}|${when.hour}`;
        slot = slots.get(key);
        if (!slot) {
          slot = {
            date: when.date,
            hour: when.hour,
            inRange: !range || (when.date >= range.from && when.date <= range.to),
            counts: new Map(),
          };
          slots.set(key, slot);
        }
      }
      dates.set(dateCell, slot);
    }
    if (!slot) throw fail('an unknown date');
    const valueCell = cells[columns.value] ?? '';
    const value = PLAIN_NUMBER_RE.test(valueCell)
      ? Number(valueCell.length > 1 ? valueCell.replace(',', '.') : valueCell)
      : parseKwh(valueCell);
    if (value === undefined) throw fail('a value that is not a number');
    if (!slot.inRange) continue;
    const count = (slot.counts.get(series) ?? 0) + 1;
    slot.counts.set(series, count);
    if (count > 2) continue;
    const repeated = count === 2;
    if (!labelExists(slot, repeated, days)) continue;
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
    out.push({ series, date: slot.date, hour: slot.hour, repeated, value, zone });
  }
  return out;
}

/** A kWh cell as the export writes it: digits with a decimal comma or dot, nothing around them. */
const PLAIN_NUMBER_RE = /^\d+(?:[.,]\d+)?$/;

/** One hour label of one date in the export, with what has been read of it. */
interface CsvSlot {
  date: string;
  hour: number;
  /** Inside the requested range (or no range given). */
  inRange: boolean;
  /** Rows read per series. */
  counts: Map<EnergySeries, number>;
  /** Whether the label exists that day, first copy and repeated copy, once known. */
  exists?: [boolean, boolean];
}

/**
 * Labels of 24-hour days are 1..24 once each; only the DST days need their clock hours (kept per
 * date in `days`: null for a 24-hour day, else the day's `label|repeated` keys).
 */
function labelExists(slot: CsvSlot, repeated: boolean, days: Map<string, Set<string> | null>): boolean {
  if (!slot.exists) {
    let set = days.get(slot.date);
    if (set === undefined) {
      set =
        hoursInLocalDay(slot.date) === 24
          ? null
          : new Set(hoursOfLocalDay(slot.date).map((h) => `${h.hour}|${h.repeated}`));
      days.set(slot.date, set);
    }
    slot.exists =
      set === null ? [true, false] : [set.has(`${slot.hour}|false`), set.has(`${slot.hour}|true`)];
  }
  return slot.exists[repeated ? 1 : 0];
}
