/**
 * The hour record: the one shape an hour of meter data has everywhere in this package, from the
 * eLicznik parsers through the fetch node, the balance node and the settlement node to a dashboard.
 *
 * It is plain JSON (strings, numbers, booleans, null) so it survives Node-RED messages, context
 * storage and debug output unchanged.
 */
import { hourFromLabel, toLocalIso, type DayHour } from './time';

/** One clock hour of grid energy at one meter point. */
export interface HourRecord {
  /** Start of the hour, ISO 8601 with the Warsaw offset, e.g. `2026-10-25T02:00:00+01:00`. */
  hourStart: string;
  /** End of the hour, same form. */
  hourEnd: string;
  /** Local date `YYYY-MM-DD` the hour belongs to. */
  date: string;
  /** The service's hour label, 1..24, the local hour the interval ends at. */
  hour: number;
  /** True for the second (CET) copy of the repeated hour on the autumn DST day. */
  repeated: boolean;
  /** Tariff zone code (`T1`, `T2`, `T3`, …), or null when the service did not say. */
  zone: string | null;
  /** Tariff zone name as the service shows it (`Cała doba`, `Szczyt`, …), or null. */
  zoneName: string | null;
  /** Energy taken from the grid in the hour (pobór, ECP), kWh; null when the service has no value yet. */
  ecp: number | null;
  /** Energy given to the grid in the hour (oddanie, ECO), kWh; null when the service has no value yet. */
  eco: number | null;
  /** TAURON's own balanced import for the hour (series `netto`), kWh, when it was fetched. */
  tauronEcbp?: number | null;
  /** TAURON's own balanced export for the hour (series `netto_oze`), kWh, when it was fetched. */
  tauronEcbo?: number | null;
  /** Balanced import, max(ECP − ECO, 0), kWh; added by the balance step. */
  ecbp?: number | null;
  /** Balanced export, max(ECO − ECP, 0), kWh; added by the balance step. */
  ecbo?: number | null;
  /** Energy exported and taken back within the hour, min(ECP, ECO), kWh; added by the balance step. */
  autoconsumption?: number | null;
  /** True when the service had a value for every hour of this record's day, in every fetched series. */
  dayComplete: boolean;
  /** The meter point (site id) the hour was read at, when known. */
  meterPoint?: string;
  /** The tariff (G11, G12W, …) when known. */
  tariff?: string;
}

/** Watt-hours in one kilowatt-hour. */
export const WH_PER_KWH = 1000;

/**
 * kWh → integer Wh. The service gives kWh with three decimals, so every value it sends is a whole
 * number of Wh; rounding here removes binary floating point noise (1.03 → 1030, not 1029.9999).
 */
export function kwhToWh(kwh: number): number {
  return Math.round(kwh * WH_PER_KWH);
}

/** Integer Wh → kWh with at most three decimals. */
export function whToKwh(wh: number): number {
  return wh / WH_PER_KWH;
}

/** Builds the time fields of a record from a clock hour. */
export function hourTimeFields(
  h: DayHour,
): Pick<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'> {
  return {
    hourStart: toLocalIso(h.startMs),
    hourEnd: toLocalIso(h.endMs),
    date: h.date,
    hour: h.hour,
    repeated: h.repeated,
  };
}

/**
 * A record from its time fields and values, built as one object literal.
 *
 * Every record is made here (or copied by {@link copyHourRecord}) rather than with object spread
 * (`{ ...time, zone, … }`): V8 gives each object made by a spread with further properties its own
 * hidden class, so a year of records would have thousands of shapes and every loop over them would
 * run at the speed of a dictionary lookup.
 */
export function newHourRecord(
  time: Pick<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'>,
  zone: string | null,
  zoneName: string | null,
  ecp: number | null,
  eco: number | null,
  dayComplete: boolean,
): HourRecord {
  return {
    hourStart: time.hourStart,
    hourEnd: time.hourEnd,
    date: time.date,
    hour: time.hour,
    repeated: time.repeated,
    zone,
    zoneName,
    ecp,
    eco,
    dayComplete,
  };
}

/**
 * A record with no values, made when the module loads and kept for the life of the process. V8
 * keeps a field that has only ever held numbers as a box of its own in every object (16 bytes
 * each, made anew by every copy); once objects of the same shape have held `null` there, the
 * field holds a plain reference, so a record shares its numbers with the one it was made from and
 * a 0 costs nothing. V8 forgets a shape no living object has, hence kept.
 */
export const EMPTY_HOUR_RECORD: Readonly<HourRecord> = newHourRecord(
  { hourStart: '', hourEnd: '', date: '', hour: 0, repeated: false },
  null,
  null,
  null,
  null,
  false,
);

/**
 * A copy of a record with more fields set: what `{ ...record, ...fields }` gives (same keys in the
 * same order), made without object spread for the reason given at {@link newHourRecord}.
 */
export function copyHourRecord<T extends object, F extends object>(record: T, fields: F): T & F {
  if (Object.prototype.hasOwnProperty.call(record, '__proto__')) return { ...record, ...fields };
  return Object.assign(Object.assign({}, record), fields);
}

/**
 * Creates a record for the service label `hour` of `date`.
 * @throws RangeError when the label does not exist that day.
 */
export function makeHourRecord(
  date: string,
  hour: number,
  repeated: boolean,
  fields: Partial<Omit<HourRecord, 'hourStart' | 'hourEnd' | 'date' | 'hour' | 'repeated'>> = {},
): HourRecord {
  const h = hourFromLabel(date, hour, repeated);
  if (!h) {
    throw new RangeError(`Hour label ${hour}${repeated ? ' (repeated)' : ''} does not exist on ${date}`);
  }
  return Object.assign(newHourRecord(hourTimeFields(h), null, null, null, null, false), fields);
}

/** A key that tells hours apart, also the two copies of the autumn DST hour: the start instant. */
export function hourKey(record: Pick<HourRecord, 'hourStart'>): number {
  return parseInstant(record.hourStart);
}

/** Days from 1970-01-01 to the first of `month` (1..12) of `year` in the proleptic Gregorian calendar. */
function daysFromCivil(year: number, month: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Value of the two digits at `text[i]`, `text[i + 1]`, or -1 when either is not 0..9. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  // One test for both: a digit is 0..9, so neither has a bit above 15 and neither + 6 reaches 16.
  return ((a | b) & ~15) | ((a + 6) & 16) | ((b + 6) & 16) ? -1 : a * 10 + b;
}

/**
 * The date part (`YYYY-MM-DD`, the first 10 characters) of a text in the hour records' form, as
 * epoch ms of its midnight in UTC; NaN when it is not one `parseInstant` reads itself.
 */
function shortcutDayMs(text: string): number {
  if (text.charCodeAt(4) !== 45 /* - */ || text.charCodeAt(7) !== 45) return NaN;
  const hi = twoDigits(text, 0);
  const lo = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  // hi >= 1: Date.UTC reads years 0..99 as 1900..1999.
  if (hi < 1 || lo < 0 || month < 1 || month > 12 || day < 1 || day > 31) return NaN;
  return (daysFromCivil(hi * 100 + lo, month) + day - 1) * 86_400_000;
}

/**
 * The instant of a text in the hour records' form whose date part gives `dayMs`, from its time
 * and offset (`THH:MM:SS±HH:MM`, characters 10..24); NaN when it is not one `parseInstant` reads
 * itself.
 */
function shortcutInstant(text: string, dayMs: number): number {
  const sign = text.charCodeAt(19);
  if (
    text.length !== 25 ||
    text.charCodeAt(10) !== 84 /* T */ ||
    text.charCodeAt(13) !== 58 /* : */ ||
    text.charCodeAt(16) !== 58 ||
    (sign !== 43 /* + */ && sign !== 45) /* - */ ||
    text.charCodeAt(22) !== 58
  ) {
    return NaN;
  }
  const hours = twoDigits(text, 11);
  const minutes = twoDigits(text, 14);
  const seconds = twoDigits(text, 17);
  const offH = twoDigits(text, 20);
  const offM = twoDigits(text, 23);
  if (
    hours < 0 ||
    hours > 23 ||
    minutes < 0 ||
    minutes > 59 ||
    seconds < 0 ||
    seconds > 59 ||
    offH < 0 ||
    offH > 23 ||
    offM < 0 ||
    offM > 59
  ) {
    return NaN;
  }
  const offsetMs = (offH * 60 + offM) * 60_000;
  const local = dayMs + ((hours * 60 + minutes) * 60 + seconds) * 1000;
  return sign === 43 ? local - offsetMs : local + offsetMs;
}

/**
 * `Date.parse` of a text, with a shortcut for the form every hour record has,
 * `YYYY-MM-DDTHH:MM:SS±HH:MM`: read with integer arithmetic, the same instant `Date.parse` gives.
 * Anything else (other forms, out-of-range fields) goes to `Date.parse`.
 */
export function parseInstant(text: string): number {
  if (text.length === 25) {
    const dayMs = shortcutDayMs(text);
    if (dayMs === dayMs) {
      const ms = shortcutInstant(text, dayMs);
      if (ms === ms) return ms;
    }
  }
  return Date.parse(text);
}

/**
 * {@link parseInstant} for many texts in a row, most of them of one day after another (the start
 * instants of hour records in time order): a text that has the date and the minutes, seconds and
 * offset of the last text read in full is read from its hour alone.
 *
 * Whether it has them costs no reading of characters: every text that starts with `YYYY-MM-DDT`
 * sorts at or after that prefix and before the same date followed by `U` (and no other text does),
 * and `endsWith` compares the rest at once.
 */
export class InstantReader {
  /** The date and `T` of the last text read in full, and the text just after all that start with it. */
  private dayFrom = '';
  private dayTo = '';
  /** Epoch ms of that date's midnight in UTC. */
  private dayMs = 0;
  /** What followed the hour in that text (`:MM:SS±HH:MM`), and what it adds to the instant in ms. */
  private rest = '';
  private restMs = 0;

  /** `parseInstant(text)`. */
  read(text: string): number {
    if (
      typeof text === 'string' &&
      text >= this.dayFrom &&
      text < this.dayTo &&
      text.length === 25 &&
      text.endsWith(this.rest)
    ) {
      const hours = twoDigits(text, 11);
      if (hours >= 0 && hours <= 23) return this.dayMs + hours * 3_600_000 + this.restMs;
    }
    return this.readInFull(text);
  }

  private readInFull(text: string): number {
    if (typeof text === 'string' && text.length === 25) {
      const dayMs = shortcutDayMs(text);
      if (dayMs === dayMs) {
        const ms = shortcutInstant(text, dayMs);
        if (ms === ms) {
          this.dayFrom = text.slice(0, 11);
          this.dayTo = text.slice(0, 10) + 'U';
          this.dayMs = dayMs;
          this.rest = text.slice(13);
          this.restMs = ms - dayMs - twoDigits(text, 11) * 3_600_000;
          return ms;
        }
      }
    }
    return Date.parse(text);
  }
}

/** Sorts records by their start instant (a new array). */
export function sortHours<T extends Pick<HourRecord, 'hourStart'>>(records: readonly T[]): T[] {
  const keyed = records.map((r) => ({ r, k: hourKey(r) }));
  keyed.sort((a, b) => a.k - b.k);
  return keyed.map((x) => x.r);
}
