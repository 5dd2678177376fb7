/**
 * Hour records as InfluxDB points, in the shape node-red-contrib-influxdb's `influxdb batch` node
 * writes: `msg.payload` is an array of `{measurement, tags, fields, timestamp}` and `msg.precision`
 * says the unit of `timestamp`.
 *
 * - One point per hour record: measurement (default `elicznik`), tags `meterPoint` and `zone`,
 *   timestamp = the start of the hour in epoch milliseconds (precision `ms`).
 * - Fields are the energies in kWh the record has a value for: `ecp`, `eco`, `ecbp`, `ecbo`,
 *   `autoconsumption`, `tauronEcbp`, `tauronEcbo`. A value the service does not have yet is left
 *   out, never written as 0; an hour with no value at all gives no point.
 * - The repeated autumn hour starts at another instant than the first copy, so it is its own point.
 * - The same hour always gives the same measurement, tags and timestamp: InfluxDB keeps one point
 *   per series and timestamp, so writing a day again replaces its points instead of adding to them.
 *
 * Milliseconds work with the batch node as it comes: InfluxDB 1.x takes `msg.precision`, and
 * 2.x / 1.8 Flux connections write in the node's own precision, `ms` unless changed.
 */
import { BadInputError } from '../errors';
import { hourKey, type HourRecord } from './hour';

/** The measurement when none is set. */
export const DEFAULT_MEASUREMENT = 'elicznik';

/** Unit of the points' `timestamp`, for `msg.precision`. */
export const INFLUX_PRECISION = 'ms';

/** The record fields written as point fields (kWh), in this order. */
export const INFLUX_FIELDS = [
  'ecp',
  'eco',
  'ecbp',
  'ecbo',
  'autoconsumption',
  'tauronEcbp',
  'tauronEcbo',
] as const;

/** One of {@link INFLUX_FIELDS}. */
export type InfluxField = (typeof INFLUX_FIELDS)[number];

/** One point for the batch node. */
export interface InfluxPoint {
  measurement: string;
  /** `meterPoint` and `zone`, each only when known. */
  tags: { meterPoint?: string; zone?: string };
  /** kWh of the fields that have a value; at least one. */
  fields: Partial<Record<InfluxField, number>>;
  /** Start of the hour, epoch milliseconds ({@link INFLUX_PRECISION}). */
  timestamp: number;
}

/** Options of {@link influxPoints}. */
export interface InfluxPointOptions {
  /** Measurement name; default {@link DEFAULT_MEASUREMENT}. */
  measurement?: string;
  /** Meter point tag for records that do not carry their own. */
  meterPoint?: string;
}

/**
 * A measurement name from a setting or a message property: non-empty text, trimmed, without
 * whitespace or commas. The batch node writes the measurement of InfluxDB 1.x into the line
 * protocol as it is (only its 2.x client escapes it), so a space or a comma there makes InfluxDB
 * refuse every point.
 * @throws BadInputError naming `what`
 */
export function measurementOf(value: unknown, what: string): string {
  const name = typeof value === 'string' ? value.trim() : '';
  if (!name || /[\s,]/.test(name)) {
    throw new BadInputError(
      `${what} must be a measurement name (text without spaces or commas), got ${JSON.stringify(value)}.`,
    );
  }
  return name;
}

/** Hour records → points for `influxdb batch`; hours without any value give none. */
export function influxPoints(hours: readonly HourRecord[], options: InfluxPointOptions = {}): InfluxPoint[] {
  const measurement = options.measurement ?? DEFAULT_MEASUREMENT;
  const points: InfluxPoint[] = [];
  for (const h of hours) {
    const fields: Partial<Record<InfluxField, number>> = {};
    let any = false;
    for (const f of INFLUX_FIELDS) {
      const v = h[f];
      if (typeof v === 'number' && Number.isFinite(v)) {
        fields[f] = v;
        any = true;
      }
    }
    if (!any) continue;
    const tags: InfluxPoint['tags'] = {};
    const meterPoint = h.meterPoint || options.meterPoint;
    if (meterPoint) tags.meterPoint = meterPoint;
    if (h.zone) tags.zone = h.zone;
    points.push({ measurement, tags, fields, timestamp: hourKey(h) });
  }
  return points;
}
