/**
 * Message handling of `elicznik-heater` without the runtime: settings, the on/off values, commands
 * (override, config) and status texts. The control itself is `src/energy/heater.ts`.
 */
import type { NodeStatus } from 'node-red';
import { BadInputError } from '../../src/errors';
import {
  DEFAULT_HEATER_OPTIONS,
  heaterOptionsWith,
  type HeaterDecision,
  type HeaterLoad,
  type HeaterOptions,
} from '../../src/energy/heater';

/** Settings of the node as the editor saves them (numbers may come as strings). */
export interface HeaterDef {
  name?: string;
  mode?: string;
  /** The loads in priority order; absent in flows saved before loads existed (then `loadKw`). */
  loads?: { name?: string; kw?: string | number; stages?: string | number; output?: string }[];
  loadKw?: string | number;
  loadProperty?: string;
  minRun?: string | number;
  margin?: string | number;
  guard?: string | number;
  trend?: string | number;
  reserveHours?: string | number;
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
  const loads =
    Array.isArray(def.loads) && def.loads.length > 0
      ? def.loads
      : [{ name: def.name || 'heater', kw: def.loadKw === undefined || def.loadKw === '' ? 2 : def.loadKw }];
  const settings: Record<string, unknown> = {
    mode: def.mode === 'threshold' ? 'threshold' : 'budget',
    loads,
    minRun: def.minRun,
    margin: def.margin,
    guard: def.guard,
    trend: def.trend,
    reserveHours: def.reserveHours,
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
  /** `load`: the name or 1-based number of the one load it applies to. */
  override?: { mode: 'on' | 'off' | 'auto'; durationMs?: number; load?: string | number };
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
    let load: unknown = p.load;
    if (typeof p.override === 'object' && p.override !== null) {
      const o = p.override as Record<string, unknown>;
      mode = o.mode;
      minutes = o.minutes ?? minutes;
      load = o.load ?? load;
    }
    mode = typeof mode === 'string' ? mode.toLowerCase() : mode;
    if (mode !== 'on' && mode !== 'off' && mode !== 'auto') {
      throw new BadInputError(`override must be "on", "off" or "auto", not ${JSON.stringify(mode)}`);
    }
    cmd.override = { mode };
    if (load !== undefined && load !== null && load !== '') {
      if (typeof load !== 'string' && typeof load !== 'number') {
        throw new BadInputError(`override load must be a load's name or number, not ${JSON.stringify(load)}`);
      }
      cmd.override.load = load;
    }
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

/**
 * Index of the load an override names: its name, or its number counted from 1.
 * @throws BadInputError when no load has that name or number
 */
export function loadIndexOf(loads: readonly HeaterLoad[], load: string | number): number {
  const byName = loads.findIndex((l) => l.name === load);
  if (byName >= 0) return byName;
  const n = typeof load === 'number' ? load : /^\d+$/.test(load) ? Number(load) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= loads.length) return n - 1;
  throw new BadInputError(
    `No load ${JSON.stringify(load)}; the loads are ${loads.map((l, i) => `${i + 1} "${l.name}"`).join(', ')}`,
  );
}

/**
 * Options changed by a config message; the outputs (their number, and the load, stage or percentage
 * each one sends) stay as deployed, since the wires cannot follow.
 * @throws BadInputError for bad settings or a change of the outputs
 */
export function optionsWithConfig(
  options: HeaterOptions,
  config: Record<string, unknown>,
  ports: readonly HeaterPort[],
): HeaterOptions {
  const next = heaterOptionsWith(options, config);
  if (!samePorts(heaterPorts(next.loads), ports)) {
    throw new BadInputError(
      'A config message cannot change the number of outputs or what each sends (loads, stages, relay or percent); change it in the dialog',
    );
  }
  return next;
}

function samePorts(a: readonly HeaterPort[], b: readonly HeaterPort[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i];
      return (
        p.kind === q.kind &&
        ('load' in p ? p.load : -1) === ('load' in q ? q.load : -1) &&
        ('stage' in p ? p.stage : -1) === ('stage' in q ? q.stage : -1)
      );
    })
  );
}

/** What one output port sends. */
export type HeaterPort =
  | { kind: 'on' }
  | { kind: 'off' }
  | { kind: 'stage'; load: number; stage: number }
  | { kind: 'percent'; load: number }
  | { kind: 'decision' };

/**
 * The output ports for the loads. One relay with one stage keeps the layout of the first version:
 * the on value on output 1, the off value on output 2, the decision on output 3. Otherwise one
 * output per relay stage (its on or off value) and per percentage load (0-100), in priority
 * order, then the decision. The editor computes the same count.
 */
export function heaterPorts(loads: readonly HeaterLoad[]): HeaterPort[] {
  if (loads.length === 1 && loads[0].kind === 'relay' && loads[0].stages === 1) {
    return [{ kind: 'on' }, { kind: 'off' }, { kind: 'decision' }];
  }
  const ports: HeaterPort[] = [];
  loads.forEach((l, i) => {
    if (l.kind === 'percent') ports.push({ kind: 'percent', load: i });
    else for (let j = 0; j < l.stages; j++) ports.push({ kind: 'stage', load: i, stage: j });
  });
  ports.push({ kind: 'decision' });
  return ports;
}

/** The value a stage or percentage port shows for a decision (on/off as true/false, percent as a number). */
export function portValue(port: HeaterPort, d: HeaterDecision): boolean | number | null {
  if (port.kind === 'stage') return d.loads[port.load].stagesOn > port.stage;
  if (port.kind === 'percent') return d.loads[port.load].percent;
  return null;
}

function kwh(x: number): string {
  return x.toFixed(2);
}

/**
 * Status of the node: green dot while any load is on, grey ring off, yellow for an override, red
 * ring for the fail-safe, each with the bank of the hour, what the loads used and the reserve kept.
 * The fail-safe and the daily limit switch an override "on" off too (of all loads or one), so they
 * are shown instead.
 */
export function heaterStatus(t: Translate, d: HeaterDecision): NodeStatus {
  const k = (key: string, params?: Record<string, string | number>) =>
    t(`elicznik-heater.status.${key}`, params);
  if (d.override && d.reason !== 'fail-safe' && d.reason !== 'daily-limit') {
    const which = d.override.mode === 'on' ? 'On' : 'Off';
    const text =
      d.override.minutesLeft === null
        ? k(`override${which}`)
        : k(`override${which}For`, { minutes: d.override.minutesLeft });
    return { fill: 'yellow', shape: 'dot', text: d.override.load ? `${d.override.load}: ${text}` : text };
  }
  if (d.reason === 'fail-safe') {
    return {
      fill: 'red',
      shape: 'ring',
      text: d.inputAgeMinutes === null ? k('failSafeNoInput') : k('failSafe', { minutes: d.inputAgeMinutes }),
    };
  }
  const params = {
    banked: kwh(d.bankedKwh),
    used: kwh(d.usedKwh),
    reserve: kwh(d.reserveKwh),
    budget: kwh(d.budgetKwh),
    net: kwh(d.netKwh),
    power: d.loadKw.toFixed(1),
    minutes: d.minutesLeft,
  };
  if (d.on) return { fill: 'green', shape: 'dot', text: k(`on.${d.reason}`, params) };
  return { fill: 'grey', shape: 'ring', text: k(`off.${d.reason}`, params) };
}
