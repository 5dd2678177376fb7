/**
 * What one trigger of `elicznik-fetch` asks for: the node's settings, overridden by message
 * properties, checked and resolved into dates. Pure; every bad value is a `BAD_INPUT` error that
 * names the property.
 */
import { BadInputError } from '../errors';
import { ALL_SERIES, isEnergySeries, type EnergySeries } from '../client/series';
import {
  isRangeKind,
  RANGE_KINDS,
  resolveRange,
  type DateRange,
  type RangeKind,
  type RangeSpec,
} from '../energy/ranges';
import { DEFAULT_MEASUREMENT, measurementOf } from '../energy/influx';
import { localDateOf } from '../energy/time';

/** The output shapes. */
export const OUTPUT_SHAPES = ['hours', 'perHour', 'summary', 'registers', 'influx'] as const;

/** One of {@link OUTPUT_SHAPES}. */
export type OutputShape = (typeof OUTPUT_SHAPES)[number];

/** A TypedInput value that could not be evaluated; an error only if the request needs the value. */
export class UnreadableSetting {
  constructor(readonly message: string) {}
}

/** The node's settings, with TypedInput values already evaluated. */
export interface FetchSettings {
  range: string;
  /** Value for kind `day`. */
  day?: unknown;
  /** Value for kind `lastDays`. */
  days?: unknown;
  /** Values for kind `range`. */
  from?: unknown;
  to?: unknown;
  /** Series ticked in the dialog. */
  series: readonly EnergySeries[];
  output: string;
  /** InfluxDB measurement for the `influx` shape; empty = {@link DEFAULT_MEASUREMENT}. */
  measurement?: string;
}

/** A checked request. */
export interface FetchRequest {
  /** The range kind in force (after overrides). */
  kind: RangeKind;
  /** The dates, for every shape but `summary`, which picks its own periods. */
  range?: DateRange;
  series: EnergySeries[];
  output: OutputShape;
  /** The measurement of the `influx` shape. */
  measurement?: string;
}

/** The message properties the node reads. */
export interface FetchOverrides {
  range?: unknown;
  day?: unknown;
  days?: unknown;
  series?: unknown;
  output?: unknown;
  measurement?: unknown;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A date value as `YYYY-MM-DD`: text is trimmed, a Date or epoch number becomes its Warsaw date. */
export function dateValue(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? value : localDateOf(value);
  if (typeof value === 'number' && Number.isFinite(value) && value > 1e11) return localDateOf(value);
  if (typeof value === 'string') return value.trim();
  return value;
}

/** A day count: numbers and numeric text. */
export function daysValue(value: unknown): unknown {
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return value;
}

/**
 * Reads series from a list or a comma separated text (`"ecp,eco"`).
 * @throws BadInputError naming `what`
 */
export function parseSeries(value: unknown, what: string): EnergySeries[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every(isEnergySeries)) {
    throw new BadInputError(
      `${what} must be a list (or comma separated text) of ${ALL_SERIES.join(', ')}, got ${JSON.stringify(value)}.`,
    );
  }
  return ALL_SERIES.filter((s) => list.includes(s));
}

function parseOutput(value: unknown, what: string): OutputShape {
  if (typeof value === 'string' && (OUTPUT_SHAPES as readonly string[]).includes(value)) {
    return value as OutputShape;
  }
  throw new BadInputError(
    `${what} must be one of ${OUTPUT_SHAPES.join(', ')}, got ${JSON.stringify(value)}.`,
  );
}

/**
 * Combines the node's settings with the message's overrides and resolves the dates.
 *
 * - `msg.range`: a kind (`yesterday`, `day`, `lastDays`, `thisMonth`, `lastMonth`, `thisYear`,
 *   `lastYear`, `range`), or an object `{from, to}` for an explicit range;
 * - `msg.day`: a date for one day (kind `day` unless `msg.range` names another kind);
 * - `msg.days`: a number of days ending yesterday (kind `lastDays` unless `msg.range` says else);
 * - `msg.series`: list or comma separated text of `ecp`, `eco`, `tauronEcbp`, `tauronEcbo`;
 * - `msg.output`: `hours`, `perHour`, `summary`, `registers` or `influx`;
 * - `msg.measurement`: the InfluxDB measurement of the `influx` shape (read only for that shape).
 *
 * @param today local Warsaw date `YYYY-MM-DD`
 * @throws BadInputError when a setting or a message property is not valid
 */
export function resolveFetchRequest(
  settings: FetchSettings,
  msg: FetchOverrides,
  today: string,
): FetchRequest {
  const output = present(msg.output)
    ? parseOutput(msg.output, 'msg.output')
    : parseOutput(settings.output, 'The output setting');
  const series = present(msg.series)
    ? parseSeries(msg.series, 'msg.series')
    : parseSeries(settings.series, 'The series setting');

  const spec: RangeSpec = { kind: 'yesterday' };
  let source = 'The range setting';
  const overrideRange = msg.range;
  /** An explicit `{from, to}` in msg.range: its dates only, never the node's (a missing one is an error). */
  let explicitRange = false;
  if (present(overrideRange)) {
    source = 'msg.range';
    if (typeof overrideRange === 'object' && !Array.isArray(overrideRange)) {
      const r = overrideRange as { from?: unknown; to?: unknown };
      explicitRange = true;
      spec.kind = 'range';
      spec.from = dateValue(r.from) as string;
      spec.to = dateValue(r.to) as string;
    } else if (isRangeKind(overrideRange)) {
      spec.kind = overrideRange;
    } else {
      throw new BadInputError(
        `msg.range must be one of ${RANGE_KINDS.join(', ')} or an object {from, to}, got ${JSON.stringify(overrideRange)}.`,
      );
    }
  } else if (present(msg.day)) {
    source = 'msg.day';
    spec.kind = 'day';
  } else if (present(msg.days)) {
    source = 'msg.days';
    spec.kind = 'lastDays';
  } else if (isRangeKind(settings.range)) {
    spec.kind = settings.range;
  } else {
    throw new BadInputError(
      `The range setting must be one of ${RANGE_KINDS.join(', ')}, got ${JSON.stringify(settings.range)}.`,
    );
  }
  if (spec.kind === 'day') {
    source = present(msg.day) ? 'msg.day' : 'The day setting';
    spec.day = dateValue(present(msg.day) ? msg.day : settings.day) as string;
  }
  if (spec.kind === 'lastDays') {
    source = present(msg.days) ? 'msg.days' : 'The days setting';
    spec.days = daysValue(present(msg.days) ? msg.days : settings.days) as number;
  }
  if (spec.kind === 'range' && !explicitRange) {
    source = 'The from/to settings';
    spec.from = dateValue(settings.from) as string;
    spec.to = dateValue(settings.to) as string;
  }

  for (const value of [spec.day, spec.days, spec.from, spec.to] as unknown[]) {
    if (value instanceof UnreadableSetting) throw new BadInputError(value.message);
  }
  if (output === 'summary') return { kind: spec.kind, series, output };
  const influx =
    output !== 'influx'
      ? {}
      : {
          measurement: present(msg.measurement)
            ? measurementOf(msg.measurement, 'msg.measurement')
            : settings.measurement?.trim()
              ? measurementOf(settings.measurement, 'The measurement setting')
              : DEFAULT_MEASUREMENT,
        };
  try {
    return { kind: spec.kind, range: resolveRange(spec, today), series, output, ...influx };
  } catch (err) {
    if (err instanceof RangeError) throw new BadInputError(`${source}: ${err.message}.`);
    throw err;
  }
}
