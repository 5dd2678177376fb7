/**
 * Heater control on the hour's surplus: decides, reading by reading, whether a resistive load
 * (heater, boiler, EV charger) may run so that it spends what this Europe/Warsaw clock hour has
 * exported without making the hour end in net import.
 *
 * Under hourly balancing, energy exported and taken back within the same clock hour is free; an
 * hour that ends with net import (ECP > ECO) is paid for. The input is the running balance of the
 * current hour (ECP, ECO, net = ECO − ECP so far, as `elicznik-balance` sends it in live mode).
 *
 * The model (budget mode):
 * - `houseRateKw`: how fast the hour's net grows without the load, in kW (positive = export). It
 *   is the slope of the net between readings of the same hour, with the load's power added back
 *   while it was on, smoothed exponentially over `trendMs`. It carries over the hour boundary
 *   (the sun does not know the clock), the net does not.
 * - `budgetKwh = net − margin − max(−houseRate, 0) × hoursLeft`: the surplus of this hour the load
 *   may still draw, after keeping the margin and reserving what the house would import until the
 *   hour ends at the current trend. Future export is not counted in the budget.
 * - `projectedNetKwh = net + (houseRate − load) × hoursLeft` while on (the hour's end if the load
 *   ran to the end), `net + min(houseRate, 0) × hoursLeft` while off.
 * - Switch on when the budget covers the load for the minimum run time, or when the trend alone
 *   covers the load and the projection keeps the hour at or above the margin; the condition must
 *   hold for the on-delay, after the minimum off time, within the switch cap.
 * - Stay on while the budget still covers `guardMs` of the load (the reaction time: reading
 *   interval plus relay delay) or the projection with the load on ends at or above the margin.
 *   Otherwise switch off after the minimum on time; before it only if even the guard is gone
 *   (`import-guard`: the hour would end in net import because of the load).
 * - Each hour's net starts from zero, so the budget starts from zero each hour.
 *
 * The threshold mode is the plain hysteresis on the running net: on at `onThresholdKwh`, off at
 * `offThresholdKwh`, with the same safety rules.
 *
 * Safety rules in both modes: minimum on and off times, on-delay, a cap on switches per clock
 * hour (switching off is always allowed), a fail-safe (no input for `failSafeMs` → off; normal
 * control resumes with the next input), an optional maximum on time per Warsaw day, and a manual
 * override on/off/auto with an optional end. The state is a plain JSON object; every function
 * takes the time explicitly.
 */
import { BadInputError } from '../client/errors';
import { addLocalDays, hourContaining, localDateOf, startOfLocalDayMs, toLocalIso } from './time';

/** `budget`: spend the hour's surplus with a projection; `threshold`: hysteresis on the running net. */
export type HeaterMode = 'budget' | 'threshold';

/** Settings of the heater control. Times in ms, power in kW, energy in kWh. */
export interface HeaterOptions {
  mode: HeaterMode;
  /** Power the load draws when on, kW (a measured value from the input replaces it while on). */
  loadKw: number;
  /** The budget must cover the load for this long before it switches on (ms). */
  minRunMs: number;
  /** The hour's net is kept at or above this many kWh. */
  marginKwh: number;
  /** Reaction time kept in reserve while on: switch off while the budget still covers this (ms). */
  guardMs: number;
  /** Time constant of the trend (ms). */
  trendMs: number;
  /** Threshold mode: on when the hour's net reaches this (kWh). */
  onThresholdKwh: number;
  /** Threshold mode: off when the hour's net falls to or below this (kWh). */
  offThresholdKwh: number;
  /** Minimum on and off times (ms). */
  minOnMs: number;
  minOffMs: number;
  /** The switch-on condition must hold this long (ms). */
  onDelayMs: number;
  /** At most this many changes per clock hour, 0 = no cap. Switching off is always allowed. */
  maxSwitchesPerHour: number;
  /** No input for this long → off (ms), 0 = never. */
  failSafeMs: number;
  /** At most this long on per Warsaw day (ms), 0 = no limit. */
  maxOnMsPerDay: number;
}

/** Defaults: 2 kW load, 5 min minimum run, 0.02 kWh margin, fail-safe after 5 min. */
export const DEFAULT_HEATER_OPTIONS: HeaterOptions = {
  mode: 'budget',
  loadKw: 2,
  minRunMs: 5 * 60_000,
  marginKwh: 0.02,
  guardMs: 60_000,
  trendMs: 5 * 60_000,
  onThresholdKwh: 0.2,
  offThresholdKwh: 0.02,
  minOnMs: 5 * 60_000,
  minOffMs: 5 * 60_000,
  onDelayMs: 60_000,
  maxSwitchesPerHour: 6,
  failSafeMs: 5 * 60_000,
  maxOnMsPerDay: 0,
};

/** A manual override. */
export interface HeaterOverride {
  mode: 'on' | 'off';
  /** End of the override (epoch ms), null = until `auto`. */
  until: number | null;
}

/** The serialisable state. */
export interface HeaterState {
  version: 1;
  on: boolean;
  /** When the output last changed (epoch ms). */
  switchedAt: number | null;
  /** The clock hour of the latest input or evaluation (epoch ms). */
  hourStartMs: number | null;
  hourEndMs: number | null;
  /** This hour so far, kWh. */
  net: number;
  ecp: number;
  eco: number;
  /** Time of the latest input (epoch ms). */
  lastInputAt: number | null;
  /** Time of the latest evaluation (epoch ms). */
  lastEvalAt: number | null;
  /** Smoothed net rate without the load, kW; null before two readings of one hour. */
  houseRateKw: number | null;
  /** The net rate without the load between the two latest readings, kW (unsmoothed). */
  lastRateKw: number | null;
  /** Last measured power of the load while on, kW. */
  measuredLoadKw: number | null;
  /** Since when the switch-on condition holds (on-delay), epoch ms. */
  readySince: number | null;
  /** Changes in the current clock hour. */
  switchesThisHour: number;
  /** Warsaw day of `onMsToday` and the time on in it. */
  day: string | null;
  onMsToday: number;
  override: HeaterOverride | null;
  /** The reason of the latest decision. */
  reason: HeaterReason;
}

/** Why the output is what it is. */
export type HeaterReason =
  | 'start'
  | 'budget'
  | 'trend'
  | 'threshold'
  | 'min-on'
  | 'min-off'
  | 'on-delay'
  | 'switch-cap'
  | 'no-surplus'
  | 'budget-spent'
  | 'import-guard'
  | 'fail-safe'
  | 'daily-limit'
  | 'override';

/** One input: the running balance of the current hour. */
export interface HeaterInput {
  /** Time of the reading (epoch ms). */
  at: number;
  /** The clock hour the balance belongs to; from `at` when absent. */
  hourStartMs?: number;
  hourEndMs?: number;
  /** This hour so far, kWh; net = ECO − ECP when not given. */
  net: number;
  ecp?: number;
  eco?: number;
  /** Measured power of the load, kW, when known. */
  loadKw?: number;
}

/** What the flow learns on every evaluation. */
export interface HeaterDecision {
  state: 'on' | 'off';
  on: boolean;
  /** True when this evaluation changed the output. */
  changed: boolean;
  reason: HeaterReason;
  mode: HeaterMode;
  /** Surplus of this hour the load may still draw, kWh (see the module notes). */
  budgetKwh: number;
  /** The hour's net at its end by the projection, kWh. */
  projectedNetKwh: number;
  /** This hour so far, kWh. */
  netKwh: number;
  ecp: number;
  eco: number;
  /** The trend of the net without the load, kW (null before it is known). */
  houseRateKw: number | null;
  /** The load's power used in the projection, kW. */
  loadKw: number;
  /** Minutes the budget covers the load. */
  runMinutes: number;
  hourStart: string | null;
  hourEnd: string | null;
  minutesLeft: number;
  at: string;
  override: { mode: 'on' | 'off'; until: string | null; minutesLeft: number | null } | null;
  switchesThisHour: number;
  onMinutesToday: number;
  /** Minutes since the latest input, null before any. */
  inputAgeMinutes: number | null;
}

/** The result of a step. */
export interface HeaterStep {
  state: HeaterState;
  decision: HeaterDecision;
}

/** A fresh state: off. */
export function createHeaterState(): HeaterState {
  return {
    version: 1,
    on: false,
    switchedAt: null,
    hourStartMs: null,
    hourEndMs: null,
    net: 0,
    ecp: 0,
    eco: 0,
    lastInputAt: null,
    lastEvalAt: null,
    houseRateKw: null,
    lastRateKw: null,
    measuredLoadKw: null,
    readySince: null,
    switchesThisHour: 0,
    day: null,
    onMsToday: 0,
    override: null,
    reason: 'start',
  };
}

/** True when `value` looks like a state this module wrote (for restoring from context). */
export function isHeaterState(value: unknown): value is HeaterState {
  const v = value as HeaterState;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    typeof v.on === 'boolean' &&
    typeof v.net === 'number' &&
    typeof v.switchesThisHour === 'number' &&
    typeof v.onMsToday === 'number'
  );
}

const H = 3_600_000;

/** Starts the given clock hour in the state: the hour's sums and switch count start from zero. */
function startHour(s: HeaterState, startMs: number, endMs: number): void {
  s.hourStartMs = startMs;
  s.hourEndMs = endMs;
  s.net = 0;
  s.ecp = 0;
  s.eco = 0;
  s.switchesThisHour = 0;
}

/** Moves the state to the clock hour containing `now` when the current one has ended. */
function enterHour(s: HeaterState, now: number): void {
  if (s.hourEndMs !== null && now < s.hourEndMs) return;
  const h = hourContaining(now);
  startHour(s, h.startMs, h.endMs);
}

/** Adds the time on since the previous evaluation to the Warsaw day's count. */
function countOnTime(s: HeaterState, now: number): void {
  const prev = s.lastEvalAt;
  s.lastEvalAt = prev === null ? now : Math.max(prev, now);
  const day = dayOf(now);
  if (s.day !== day) {
    // a new day: only the part after its midnight counts
    const onPart = s.on && prev !== null ? Math.max(now - Math.max(prev, midnightBefore(now)), 0) : 0;
    s.day = day;
    s.onMsToday = onPart;
    return;
  }
  if (s.on && prev !== null && now > prev) s.onMsToday += now - prev;
}

/** The Warsaw day of the latest lookup: most calls fall in the same day, so it is kept. */
let dayCache: { startMs: number; endMs: number; date: string } | null = null;

function dayOf(now: number): string {
  if (dayCache && now >= dayCache.startMs && now < dayCache.endMs) return dayCache.date;
  const date = localDateOf(now);
  const startMs = startOfLocalDayMs(date);
  dayCache = { startMs, endMs: startOfLocalDayMs(addLocalDays(date, 1)), date };
  return date;
}

function midnightBefore(now: number): number {
  // Warsaw midnight is never skipped; walk back from the clock hour
  let h = hourContaining(now);
  const day = localDateOf(now);
  while (localDateOf(h.startMs - 1) === day) h = hourContaining(h.startMs - 1);
  return h.startMs;
}

function loadOf(s: HeaterState, opts: HeaterOptions): number {
  return s.measuredLoadKw !== null && s.measuredLoadKw > 0 ? s.measuredLoadKw : opts.loadKw;
}

interface Figures {
  budgetKwh: number;
  projectedOn: number;
  projectedOff: number;
  hoursLeft: number;
  rate: number;
  load: number;
}

function figures(s: HeaterState, now: number, opts: HeaterOptions): Figures {
  const end = s.hourEndMs ?? now;
  const hoursLeft = Math.max(end - now, 0) / H;
  const rate = s.houseRateKw ?? 0;
  const load = loadOf(s, opts);
  const reserve = Math.max(-rate, 0) * hoursLeft;
  return {
    budgetKwh: s.net - opts.marginKwh - reserve,
    projectedOn: s.net + (rate - load) * hoursLeft,
    projectedOff: s.net + Math.min(rate, 0) * hoursLeft,
    hoursLeft,
    rate,
    load,
  };
}

/** What the control wants without the anti-flapping rules: on/off and why. */
function wanted(
  s: HeaterState,
  f: Figures,
  opts: HeaterOptions,
): { on: boolean; hard: boolean; reason: HeaterReason } {
  if (opts.mode === 'threshold') {
    if (!s.on)
      return s.net >= opts.onThresholdKwh
        ? { on: true, hard: false, reason: 'threshold' }
        : { on: false, hard: false, reason: 'no-surplus' };
    return s.net <= opts.offThresholdKwh
      ? { on: false, hard: false, reason: 'threshold' }
      : { on: true, hard: false, reason: 'threshold' };
  }
  const covers = (ms: number) => f.budgetKwh >= (f.load * ms) / H;
  // The trend alone may carry the load only while the latest interval agrees (a cloud ends it at once).
  const rateNow = s.lastRateKw === null ? f.rate : Math.min(f.rate, s.lastRateKw);
  const trendCarries = rateNow >= f.load && f.projectedOn >= opts.marginKwh && s.net >= 0;
  if (!s.on) {
    if (covers(Math.max(opts.minRunMs, 1))) return { on: true, hard: false, reason: 'budget' };
    if (trendCarries && s.houseRateKw !== null) return { on: true, hard: false, reason: 'trend' };
    return { on: false, hard: false, reason: 'no-surplus' };
  }
  if (covers(opts.guardMs) && f.budgetKwh > 0) return { on: true, hard: false, reason: 'budget' };
  if (trendCarries) return { on: true, hard: false, reason: 'trend' };
  // Out of budget: the guard is spent too when even the projection with the load off breaks the margin.
  const hard = f.budgetKwh < (f.load * opts.guardMs) / H / 2 || f.projectedOff < opts.marginKwh;
  return { on: false, hard, reason: hard ? 'import-guard' : 'budget-spent' };
}

function setOutput(s: HeaterState, on: boolean, now: number, reason: HeaterReason): boolean {
  s.reason = reason;
  if (s.on === on) return false;
  s.on = on;
  s.switchedAt = now;
  s.switchesThisHour += 1;
  s.readySince = null;
  return true;
}

function decide(s: HeaterState, now: number, opts: HeaterOptions): boolean {
  // override
  if (s.override && s.override.until !== null && now >= s.override.until) s.override = null;
  if (s.override) return setOutput(s, s.override.mode === 'on', now, 'override');

  // fail-safe
  if (opts.failSafeMs > 0 && (s.lastInputAt === null || now - s.lastInputAt >= opts.failSafeMs)) {
    s.readySince = null;
    return setOutput(s, false, now, 'fail-safe');
  }
  // daily limit
  if (opts.maxOnMsPerDay > 0 && s.onMsToday >= opts.maxOnMsPerDay) {
    s.readySince = null;
    return setOutput(s, false, now, 'daily-limit');
  }

  const f = figures(s, now, opts);
  const want = wanted(s, f, opts);
  const since = s.switchedAt === null ? Infinity : now - s.switchedAt;

  if (s.on) {
    if (want.on) return setOutput(s, true, now, want.reason);
    if (since < opts.minOnMs && !want.hard) return setOutput(s, true, now, 'min-on');
    return setOutput(s, false, now, want.reason);
  }
  if (!want.on) {
    s.readySince = null;
    return setOutput(s, false, now, want.reason);
  }
  if (s.readySince === null) s.readySince = now;
  if (since < opts.minOffMs) return setOutput(s, false, now, 'min-off');
  if (now - s.readySince < opts.onDelayMs) return setOutput(s, false, now, 'on-delay');
  if (opts.maxSwitchesPerHour > 0 && s.switchesThisHour + 2 > opts.maxSwitchesPerHour) {
    return setOutput(s, false, now, 'switch-cap');
  }
  return setOutput(s, true, now, want.reason);
}

function round(x: number, digits = 3): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

/** The decision for the current state at `now`. */
export function heaterDecision(
  s: HeaterState,
  now: number,
  opts: HeaterOptions,
  changed = false,
): HeaterDecision {
  const f = figures(s, now, opts);
  const hoursLeft = s.hourEndMs === null ? 0 : f.hoursLeft;
  return {
    state: s.on ? 'on' : 'off',
    on: s.on,
    changed,
    reason: s.reason,
    mode: opts.mode,
    budgetKwh: round(Math.max(f.budgetKwh, 0)),
    projectedNetKwh: round(s.on ? f.projectedOn : f.projectedOff),
    netKwh: round(s.net),
    ecp: round(s.ecp),
    eco: round(s.eco),
    houseRateKw: s.houseRateKw === null ? null : round(s.houseRateKw),
    loadKw: round(f.load),
    runMinutes: f.load > 0 ? Math.max(Math.floor((Math.max(f.budgetKwh, 0) / f.load) * 60), 0) : 0,
    hourStart: s.hourStartMs === null ? null : toLocalIso(s.hourStartMs),
    hourEnd: s.hourEndMs === null ? null : toLocalIso(s.hourEndMs),
    minutesLeft: Math.ceil((hoursLeft * H) / 60_000),
    at: toLocalIso(now),
    override: s.override
      ? {
          mode: s.override.mode,
          until: s.override.until === null ? null : toLocalIso(s.override.until),
          minutesLeft:
            s.override.until === null ? null : Math.ceil(Math.max(s.override.until - now, 0) / 60_000),
        }
      : null,
    switchesThisHour: s.switchesThisHour,
    onMinutesToday: Math.floor(s.onMsToday / 60_000),
    inputAgeMinutes: s.lastInputAt === null ? null : Math.floor(Math.max(now - s.lastInputAt, 0) / 60_000),
  };
}

function copy(s: HeaterState): HeaterState {
  return { ...s, lastRateKw: s.lastRateKw ?? null, override: s.override ? { ...s.override } : null };
}

/**
 * Feeds the running balance of the hour and decides.
 * @throws BadInputError when the input has no finite net or a time that is not a number.
 */
export function heaterInput(state: HeaterState, input: HeaterInput, opts: HeaterOptions): HeaterStep {
  if (!Number.isFinite(input.net)) throw new BadInputError('The input has no net (ECO − ECP) of the hour');
  if (!Number.isFinite(input.at)) throw new BadInputError('The input has no valid time');
  let hour: { startMs: number; endMs: number };
  if (input.hourStartMs !== undefined && input.hourEndMs !== undefined) {
    hour = { startMs: input.hourStartMs, endMs: input.hourEndMs };
  } else if (
    state.hourStartMs !== null &&
    state.hourEndMs !== null &&
    input.at >= state.hourStartMs &&
    input.at < state.hourEndMs
  ) {
    hour = { startMs: state.hourStartMs, endMs: state.hourEndMs };
  } else {
    hour = hourContaining(input.at);
  }
  if (state.hourStartMs !== null && hour.startMs < state.hourStartMs) {
    // a reading from an hour that has already closed: nothing to add to this hour
    return heaterEvaluate(state, Math.max(state.lastEvalAt ?? input.at, input.at), opts);
  }
  const s = copy(state);
  const at = input.at;
  countOnTime(s, at);
  const sameHour = state.hourStartMs === hour.startMs;
  if (!sameHour) startHour(s, hour.startMs, hour.endMs);
  if (input.loadKw !== undefined && Number.isFinite(input.loadKw) && s.on && input.loadKw > 0) {
    s.measuredLoadKw = input.loadKw;
  }
  return finishInput(s, state, input, sameHour, opts);
}

function finishInput(
  s: HeaterState,
  prev: HeaterState,
  input: HeaterInput,
  sameHour: boolean,
  opts: HeaterOptions,
): HeaterStep {
  const at = input.at;
  if (sameHour && prev.lastInputAt !== null && at > prev.lastInputAt) {
    const dtH = (at - prev.lastInputAt) / H;
    const loadBefore = prev.on ? loadOf(prev, opts) : 0;
    const raw = (input.net - prev.net) / dtH + loadBefore;
    const alpha = 1 - Math.exp(-(at - prev.lastInputAt) / Math.max(opts.trendMs, 1));
    s.houseRateKw = s.houseRateKw === null ? raw : s.houseRateKw + alpha * (raw - s.houseRateKw);
    s.lastRateKw = raw;
  }
  s.net = input.net;
  s.ecp = input.ecp ?? Math.max(-input.net, 0);
  s.eco = input.eco ?? Math.max(input.net, 0);
  if (prev.lastInputAt === null || at >= prev.lastInputAt) s.lastInputAt = at;
  const changed = decide(s, at, opts);
  return { state: s, decision: heaterDecision(s, at, opts, changed) };
}

/** Re-evaluates at `now` without input (timer): hour end, fail-safe, minimum times, override end. */
export function heaterEvaluate(state: HeaterState, now: number, opts: HeaterOptions): HeaterStep {
  const s = copy(state);
  countOnTime(s, now);
  enterHour(s, now);
  const changed = decide(s, now, opts);
  return { state: s, decision: heaterDecision(s, now, opts, changed) };
}

/**
 * Sets or clears the manual override and decides at `now`.
 * @param mode `on`/`off` force the output; `auto` hands it back to the control
 * @param durationMs how long the override lasts; absent or 0 = until `auto`
 */
export function heaterOverride(
  state: HeaterState,
  mode: 'on' | 'off' | 'auto',
  now: number,
  opts: HeaterOptions,
  durationMs?: number,
): HeaterStep {
  if (mode !== 'on' && mode !== 'off' && mode !== 'auto') {
    throw new BadInputError(`The override must be "on", "off" or "auto", not ${JSON.stringify(mode)}`);
  }
  if (durationMs !== undefined && (!Number.isFinite(durationMs) || durationMs < 0)) {
    throw new BadInputError(`The override duration must be a number of minutes ≥ 0`);
  }
  const s = copy(state);
  countOnTime(s, now);
  enterHour(s, now);
  s.override = mode === 'auto' ? null : { mode, until: durationMs ? now + durationMs : null };
  const changed = decide(s, now, opts);
  return { state: s, decision: heaterDecision(s, now, opts, changed) };
}

/** Setting names a flow may change (editor units: minutes, kW, kWh) and the option each sets. */
const SETTINGS: Record<string, { key: keyof HeaterOptions; scale: number; min: number; integer?: boolean }> =
  {
    loadKw: { key: 'loadKw', scale: 1, min: 0.001 },
    minRun: { key: 'minRunMs', scale: 60_000, min: 0 },
    margin: { key: 'marginKwh', scale: 1, min: -Infinity },
    guard: { key: 'guardMs', scale: 60_000, min: 0 },
    trend: { key: 'trendMs', scale: 60_000, min: 0.1 },
    onThreshold: { key: 'onThresholdKwh', scale: 1, min: -Infinity },
    offThreshold: { key: 'offThresholdKwh', scale: 1, min: -Infinity },
    minOn: { key: 'minOnMs', scale: 60_000, min: 0 },
    minOff: { key: 'minOffMs', scale: 60_000, min: 0 },
    onDelay: { key: 'onDelayMs', scale: 60_000, min: 0 },
    maxSwitches: { key: 'maxSwitchesPerHour', scale: 1, min: 0, integer: true },
    failSafe: { key: 'failSafeMs', scale: 60_000, min: 0 },
    maxOnPerDay: { key: 'maxOnMsPerDay', scale: 60_000, min: 0 },
  };

/** The names {@link heaterOptionsWith} accepts, besides `mode`. */
export const HEATER_SETTING_NAMES: readonly string[] = ['mode', ...Object.keys(SETTINGS)];

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value.replace(',', '.'));
  return NaN;
}

/**
 * Options with named settings changed, in editor units: `mode` (`budget`/`threshold`), `loadKw`,
 * `margin`, `onThreshold`, `offThreshold` (kWh), `minRun`, `guard`, `trend`, `minOn`, `minOff`,
 * `onDelay`, `failSafe`, `maxOnPerDay` (minutes; 0 turns fail-safe and daily limit off),
 * `maxSwitches` (per clock hour, 0 = no cap). Values may be numbers or numeric strings; empty
 * strings and undefined keep the current value.
 * @throws BadInputError naming every unknown key or bad value; nothing is changed then.
 */
export function heaterOptionsWith(base: HeaterOptions, settings: Record<string, unknown>): HeaterOptions {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new BadInputError('The settings must be an object of named values');
  }
  const unknown = Object.keys(settings).filter((k) => !HEATER_SETTING_NAMES.includes(k));
  if (unknown.length) {
    throw new BadInputError(
      `Unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; known: ${HEATER_SETTING_NAMES.join(', ')}`,
    );
  }
  const out: HeaterOptions = { ...base };
  const bad: string[] = [];
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined || value === '') continue;
    if (name === 'mode') {
      if (value === 'budget' || value === 'threshold') out.mode = value;
      else bad.push(`mode must be "budget" or "threshold", not ${JSON.stringify(value)}`);
      continue;
    }
    const spec = SETTINGS[name];
    const n = numberOf(value);
    if (!Number.isFinite(n) || n < spec.min || (spec.integer && !Number.isInteger(n))) {
      const what = spec.integer ? 'a whole number' : 'a number';
      bad.push(
        `${name} must be ${what}${spec.min > -Infinity ? ` ≥ ${spec.min}` : ''}, not ${JSON.stringify(value)}`,
      );
      continue;
    }
    (out[spec.key] as number) = n * spec.scale;
  }
  if (out.offThresholdKwh > out.onThresholdKwh) {
    bad.push(`offThreshold (${out.offThresholdKwh} kWh) is above onThreshold (${out.onThresholdKwh} kWh)`);
  }
  if (bad.length) throw new BadInputError(`Bad setting: ${bad.join('; ')}`);
  return out;
}

function parseTime(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const t = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(t)) throw new BadInputError(`${what} is not a time: ${JSON.stringify(value)}`);
  return t;
}

/**
 * Reads the running balance from a message value: the `LiveSignal` of `elicznik-balance` or any
 * object with `net` or `ecp`/`eco` (kWh, numbers or numeric strings), and optionally `at`,
 * `hourStart`, `hourEnd` (epoch ms or ISO text) and `loadKw` (measured power of the load).
 * Without `at` the arrival time is used; without `hourStart` the clock hour of `at`.
 * @throws BadInputError when neither net nor ECP/ECO is given, or a value is not a number.
 */
export function heaterInputOf(value: unknown, arrival: number): HeaterInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadInputError('Expected the running balance of the hour: an object with net or ecp/eco (kWh)');
  }
  const v = value as Record<string, unknown>;
  const opt = (key: string): number | undefined => {
    const x = v[key];
    if (x === undefined || x === null || x === '') return undefined;
    const n = numberOf(x);
    if (!Number.isFinite(n)) throw new BadInputError(`${key} is not a number: ${JSON.stringify(x)}`);
    return n;
  };
  const ecp = opt('ecp');
  const eco = opt('eco');
  let net = opt('net');
  if (net === undefined) {
    if (ecp === undefined && eco === undefined) {
      throw new BadInputError('The input has neither net nor ecp/eco of the hour');
    }
    net = (eco ?? 0) - (ecp ?? 0);
  }
  const at = parseTime(v.at, 'at') ?? arrival;
  const hourStartMs = parseTime(v.hourStart, 'hourStart');
  const hourEndMs = parseTime(v.hourEnd, 'hourEnd');
  const input: HeaterInput = { at, net };
  if (ecp !== undefined) input.ecp = ecp;
  if (eco !== undefined) input.eco = eco;
  if (hourStartMs !== undefined) {
    input.hourStartMs = hourStartMs;
    input.hourEndMs = hourEndMs ?? hourContaining(hourStartMs).endMs;
  }
  const load = opt('loadKw');
  if (load !== undefined) input.loadKw = load;
  return input;
}
