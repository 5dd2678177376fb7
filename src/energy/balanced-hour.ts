/**
 * Balanced hours: a record with `ecbp`, `ecbo` and `autoconsumption` set, made exactly as
 * `{ ...record, ecbp, ecbo, autoconsumption }` makes it (the same keys in the same order, the
 * record's other fields kept), but fast, as balancing a long range makes one per hour.
 *
 * An object spread with further properties gives every result a hidden class of its own in V8, so
 * every later loop over the hours runs at the speed of a dictionary lookup; `Object.assign` and
 * adding three properties is several times slower than one object literal. So a balanced hour is
 * made by one object literal written for the keys its record has: by hand for the keys
 * `newHourRecord` gives, made once (`new Function`, the keys quoted as JSON strings) for any other
 * list of keys, such as records with `meterPoint` and `tariff` from the client or a balanced hour
 * balanced again. Where the runtime forbids making code, or for records that are not plain objects,
 * the result is made with `Object.assign`.
 */
import { EMPTY_HOUR_RECORD, type HourRecord } from './hour';

/** A record with the balance step's fields filled in (null when ECP or ECO is missing). */
export type BalancedHour = HourRecord & {
  ecbp: number | null;
  ecbo: number | null;
  autoconsumption: number | null;
};

type Make = (
  record: HourRecord,
  ecbp: number | null,
  ecbo: number | null,
  autoconsumption: number | null,
) => BalancedHour;

/** One list of keys and the object literal that makes balanced hours of records with it. */
interface Shape {
  /** The record's own enumerable keys, in their order. */
  keys: readonly string[];
  make: Make;
  /**
   * A balanced hour of this shape with every value null, made when the shape is and kept: V8 keeps
   * a field that has only ever held numbers as a box of its own in every object (16 bytes, made
   * anew for every copy); once objects of the shape have held null there, the field holds a plain
   * reference, so a balanced hour shares ECP and ECO with its record and a 0 costs nothing. V8
   * forgets a shape no living object has, hence kept.
   */
  empty: BalancedHour;
}

/** The keys of a record as `newHourRecord` makes it, in its order. */
const RECORD_KEYS = [
  'hourStart',
  'hourEnd',
  'date',
  'hour',
  'repeated',
  'zone',
  'zoneName',
  'ecp',
  'eco',
  'dayComplete',
] as const;

const BALANCE_KEYS = ['ecbp', 'ecbo', 'autoconsumption'] as const;

/** At most this many shapes are made (a flow sends a few); records of any other go through `Object.assign`. */
const MAX_SHAPES = 32;
/** Records with more keys go through `Object.assign`. */
const MAX_KEYS = 64;

function makeRecordShape(
  record: HourRecord,
  ecbp: number | null,
  ecbo: number | null,
  autoconsumption: number | null,
): BalancedHour {
  return {
    hourStart: record.hourStart,
    hourEnd: record.hourEnd,
    date: record.date,
    hour: record.hour,
    repeated: record.repeated,
    zone: record.zone,
    zoneName: record.zoneName,
    ecp: record.ecp,
    eco: record.eco,
    dayComplete: record.dayComplete,
    ecbp,
    ecbo,
    autoconsumption,
  };
}

const shapes = new Map<string, Shape>();
const hasOwn = Object.prototype.hasOwnProperty;

function addShape(keys: readonly string[], make: Make, empty: HourRecord): Shape {
  const shape: Shape = { keys, make, empty: make(empty, null, null, null) };
  shapes.set(JSON.stringify(keys), shape);
  return shape;
}

/** The shape of the last record balanced: records of one source come in one shape. */
let current = addShape(RECORD_KEYS, makeRecordShape, EMPTY_HOUR_RECORD);

/**
 * `{ ...record, ecbp, ecbo, autoconsumption }`: the record's own enumerable keys in their order,
 * the three balance fields where the record has them, else after them.
 */
export function withBalance(
  record: HourRecord,
  ecbp: number | null,
  ecbo: number | null,
  autoconsumption: number | null,
): BalancedHour {
  const shape = current;
  const keys = shape.keys;
  let i = 0;
  for (const key in record) {
    // for…in also lists a prototype's enumerable keys, which a spread does not copy.
    if (key !== keys[i] || !hasOwn.call(record, key)) {
      return withBalanceOfShape(record, ecbp, ecbo, autoconsumption);
    }
    i++;
  }
  if (i !== keys.length) return withBalanceOfShape(record, ecbp, ecbo, autoconsumption);
  return shape.make(record, ecbp, ecbo, autoconsumption);
}

/** {@link withBalance} of a record whose keys are not those of the last one. */
function withBalanceOfShape(
  record: HourRecord,
  ecbp: number | null,
  ecbo: number | null,
  autoconsumption: number | null,
): BalancedHour {
  const keys: string[] = [];
  for (const key in record) {
    if (!hasOwn.call(record, key)) return withBalanceAssigned(record, ecbp, ecbo, autoconsumption);
    // A key named __proto__ would set the prototype in an object literal.
    if (key === '__proto__') return { ...record, ecbp, ecbo, autoconsumption };
    keys.push(key);
  }
  let shape = shapes.get(JSON.stringify(keys));
  if (shape === undefined) {
    const make = keys.length <= MAX_KEYS && shapes.size < MAX_SHAPES ? compile(keys) : undefined;
    if (make === undefined) return withBalanceAssigned(record, ecbp, ecbo, autoconsumption);
    shape = addShape(keys, make, Object.fromEntries(keys.map((k) => [k, null])) as unknown as HourRecord);
  }
  current = shape;
  return shape.make(record, ecbp, ecbo, autoconsumption);
}

function withBalanceAssigned(
  record: HourRecord,
  ecbp: number | null,
  ecbo: number | null,
  autoconsumption: number | null,
): BalancedHour {
  const out = Object.assign({}, record) as BalancedHour;
  out.ecbp = ecbp;
  out.ecbo = ecbo;
  out.autoconsumption = autoconsumption;
  return out;
}

/** The object literal for records with `keys`, or undefined where the runtime makes no code. */
function compile(keys: readonly string[]): Make | undefined {
  const balance: readonly string[] = BALANCE_KEYS;
  const fields = keys.map((key) => {
    const name = JSON.stringify(key);
    return balance.includes(key) ? `${name}: ${key}` : `${name}: record[${name}]`;
  });
  for (const key of BALANCE_KEYS) if (!keys.includes(key)) fields.push(`${key}: ${key}`);
  try {
    return new Function(
      'record',
      'ecbp',
      'ecbo',
      'autoconsumption',
      `'use strict';\nreturn { ${fields.join(', ')} };`,
    ) as Make;
  } catch {
    return undefined; // --disallow-code-generation-from-strings
  }
}
