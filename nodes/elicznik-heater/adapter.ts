/**
 * Message handling of `elicznik-heater` without the runtime: settings, the on/off values, commands
 * (override, config) and status texts. The control itself is `src/energy/heater.ts`.
 */
import type { NodeStatus } from 'node-red';
import { BadInputError } from '../../src/client/errors';
import {
  DEFAULT_HEATER_OPTIONS,
  heaterOptionsWith,
  type HeaterDecision,
  type HeaterOptions,
} from '../../src/energy/heater';

/** Settings of the node as the editor saves them (numbers may come as strings). */
export interface HeaterDef {
  mode?: string;
  loadKw?: string | number;
  loadProperty?: string;
  minRun?: string | number;
  margin?: string | number;
  guard?: string | number;
  trend?: string | number;
  onThreshold?: string | number;
  offThreshold?: string | number;
  minOn?: string | number;
  minOff?: string | number;
  onDelay?: string | number;
  maxSwitches?: string | number;
  failSafe?: string | number;
  maxOnPerDay?: string | number;
  onValue?: string;
  onValueType?: string;
  offValue?: string;
  offValueType?: string;
  repeat?: string | number;
  store?: string;
}

/** Node-RED's `RED._`: a catalog key and its `__name__` parameters to text. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Control options from the node definition. @throws BadInputError naming the bad settings. */
export function heaterOptionsOf(def: HeaterDef): HeaterOptions {
  const settings: Record<string, unknown> = {
    mode: def.mode === 'threshold' ? 'threshold' : 'budget',
    loadKw: def.loadKw,
    minRun: def.minRun,
    margin: def.margin,
    guard: def.guard,
    trend: def.trend,
    onThreshold: def.onThreshold,
    offThreshold: def.offThreshold,
    minOn: def.minOn,
    minOff: def.minOff,
    onDelay: def.onDelay,
    maxSwitches: def.maxSwitches,
    failSafe: def.failSafe,
    maxOnPerDay: def.maxOnPerDay,
  };
  return heaterOptionsWith(DEFAULT_HEATER_OPTIONS, settings);
}

/**
 * The value sent for "on" or "off": `bool` (`true`/`false`), `num` or `str`.
 * @throws BadInputError for a number that is not one, or a boolean that is not true/false.
 */
export function outputValue(value: string | undefined, type: string | undefined, fallback: boolean): unknown {
  const v = value ?? '';
  switch (type) {
    case 'num': {
      const n = Number(String(v).replace(',', '.'));
      if (String(v).trim() === '' || !Number.isFinite(n))
        throw new BadInputError(`Not a number: ${JSON.stringify(v)}`);
      return n;
    }
    case 'str':
      return v;
    case 'bool':
    case undefined:
    case '':
      if (v === '' || v === undefined) return fallback;
      if (v === 'true' || v === 'false') return v === 'true';
      throw new BadInputError(`Not true or false: ${JSON.stringify(v)}`);
    default:
      throw new BadInputError(`Unknown value type ${JSON.stringify(type)}`);
  }
}

/** A command carried by `msg.payload`: override and/or config, and whether balance fields came too. */
export interface HeaterCommand {
  override?: { mode: 'on' | 'off' | 'auto'; durationMs?: number };
  config?: Record<string, unknown>;
}

/**
 * Reads `msg.payload.override` (`"on"`/`"off"`/`"auto"`, or `{mode, minutes}`),
 * `msg.payload.minutes` (override duration) and `msg.payload.config` (named settings). A config
 * with `msg.payload.name` applies only to the node of that name.
 * @returns null when the payload carries no command
 * @throws BadInputError for a malformed command
 */
export function commandOf(payload: unknown, nodeName: string): HeaterCommand | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const p = payload as Record<string, unknown>;
  if (p.override === undefined && p.config === undefined) return null;
  const cmd: HeaterCommand = {};
  if (p.override !== undefined) {
    let mode: unknown = p.override;
    let minutes: unknown = p.minutes;
    if (typeof p.override === 'object' && p.override !== null) {
      const o = p.override as Record<string, unknown>;
      mode = o.mode;
      minutes = o.minutes ?? minutes;
    }
    mode = typeof mode === 'string' ? mode.toLowerCase() : mode;
    if (mode !== 'on' && mode !== 'off' && mode !== 'auto') {
      throw new BadInputError(`override must be "on", "off" or "auto", not ${JSON.stringify(mode)}`);
    }
    cmd.override = { mode };
    if (minutes !== undefined && minutes !== null && minutes !== '') {
      const n = Number(String(minutes).replace(',', '.'));
      if (!Number.isFinite(n) || n <= 0) {
        throw new BadInputError(`override minutes must be a number > 0, not ${JSON.stringify(minutes)}`);
      }
      if (mode !== 'auto') cmd.override.durationMs = n * 60_000;
    }
  }
  if (p.config !== undefined) {
    if (typeof p.config !== 'object' || p.config === null || Array.isArray(p.config)) {
      throw new BadInputError('config must be an object of named settings');
    }
    if (p.name === undefined || p.name === nodeName) cmd.config = p.config as Record<string, unknown>;
  }
  return cmd;
}

function kwh(x: number): string {
  return x.toFixed(2);
}

/**
 * Status of the node: green dot on, grey ring off, yellow for an override, red ring for the
 * fail-safe, each with why.
 */
export function heaterStatus(t: Translate, d: HeaterDecision): NodeStatus {
  const k = (key: string, params?: Record<string, string | number>) =>
    t(`elicznik-heater.status.${key}`, params);
  if (d.override) {
    const text =
      d.override.minutesLeft === null
        ? k(`override${d.override.mode === 'on' ? 'On' : 'Off'}`)
        : k(`override${d.override.mode === 'on' ? 'On' : 'Off'}For`, { minutes: d.override.minutesLeft });
    return { fill: 'yellow', shape: 'dot', text };
  }
  if (d.reason === 'fail-safe') {
    return {
      fill: 'red',
      shape: 'ring',
      text: d.inputAgeMinutes === null ? k('failSafeNoInput') : k('failSafe', { minutes: d.inputAgeMinutes }),
    };
  }
  const params = {
    budget: kwh(d.budgetKwh),
    net: kwh(d.netKwh),
    minutes: d.minutesLeft,
    projected: kwh(d.projectedNetKwh),
  };
  if (d.on) return { fill: 'green', shape: 'dot', text: k(`on.${d.reason}`, params) };
  return { fill: 'grey', shape: 'ring', text: k(`off.${d.reason}`, params) };
}
