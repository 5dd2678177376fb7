/**
 * Heater control on the hour's surplus: decides, reading by reading, how much of one or more
 * controlled loads (heater, boiler, EV charger; relays with 1-3 stages or a percentage output for an
 * SSR/thyristor controller) may run so that they spend what this Europe/Warsaw clock hour exports
 * without making the hour end in net import.
 *
 * Under hourly balancing only the hour's net counts: energy the loads use early in an hour is free
 * as long as the hour still ends in net export. The input is the running balance of the current
 * hour (ECP, ECO, net = ECO − ECP so far, as `elicznik-balance` sends it in live mode).
 *
 * The hour is a bank (budget mode):
 * - **Banked**: the hour's net so far. The loads' energy this hour is counted too (power × time
 *   on, from the instant of each change, also of one made without a reading: the timer's fail-safe,
 *   daily limit or override end, or an override), so the house's own net (`net + used`) is known
 *   at every whole minute of the hour. After a gap in the readings (the previous one before the
 *   previous clock hour began) the loads' energy since it is not put into the hour.
 * - **Reserve**: what the rest of the hour may still need. Learned from the latest `reserveHours`
 *   hours that ended in net export (kept in the state): for windows of 1, 2, 3, 5, 10, 15, 20, 30,
 *   45 and 60 minutes, the largest net draw of the house from the grid over any such window of
 *   those hours (a kettle, an oven, a cloud, the evening). The same clock hour of recent days adds
 *   its own largest draws, export or not (the evening's cooking comes at the same time every day),
 *   fading by a tenth a day. The reserve for `t` minutes left is the larger of the two (interpolated),
 *   plus the import the trend would still take when it is negative, plus the margin. Until twelve
 *   hours are learned a prior (2 kW for up to 10 minutes) stands in.
 * - **Target**: the power the loads may draw now: the house's spare rate (what the meter would
 *   export with the loads off) plus the bank above the reserve spread over 70 % of the rest of the
 *   hour; a bank below its reserve is refilled within 10 minutes instead. Following the spare
 *   costs the bank nothing; the spreading spends what earlier minutes banked by the hour's end,
 *   with the reserve still held. Relays step up on the conservative rate (the lowest one-minute
 *   rate of the last three minutes and the latest reading), step down on the trend.
 * - The loads are steps in priority order (the stages of the first load, then the next load's,
 *   …). A relay step switches on when the target covers all steps up to it and the bank covers its
 *   minimum run at the conservative rate (above the reserve when the rate alone does not carry
 *   it), held for the on-delay, after the load's minimum off time, within its switch cap. The last
 *   step goes off after its minimum on time when the target falls 0.3 of a step below the steps on,
 *   or when the bank is below its reserve and the latest rate no longer carries them; before its
 *   minimum on time only when the hour is overdrawn and would end in import (`import-guard`). A
 *   percentage step follows the latest rate plus the spread bank, between 0 and 100 %, keeping 4
 *   minutes of its full power above the reserve as well; later steps wait until it is full.
 * - Within a reading interval of the hour's end the next interval belongs to the next hour, so the
 *   decision is made for that hour's start (nothing banked, the whole hour's reserve).
 * - Each hour's net starts from zero; the trend, the reserve and the loads carry over.
 *
 * The threshold mode is the plain hysteresis on the running net: one more step at `onThresholdKwh`,
 * one less at `offThresholdKwh`, with the same safety rules.
 *
 * Safety rules in both modes: minimum on and off times per load, on-delay, a cap on each relay's
 * switches per clock hour (switching off is always allowed), a fail-safe (no input for
 * `failSafeMs` → all off; normal control resumes with the next input), an optional maximum on
 * time per Warsaw day, and a manual override on/off/auto with an optional end, for all loads or
 * one. The fail-safe and the daily limit beat an override "on", of all loads or one alike: it
 * stays set and holds again when readings return or the next day begins, until its end. An
 * evaluation long after the latest (the first after Node-RED was stopped) counts the loads' time
 * on and energy only up to the fail-safe's instant, as the timer would have. The state
 * is a plain JSON object; every function takes the time explicitly.
 */
import { BadInputError } from '../errors';
import { messageTime } from './balance';
import { addLocalDays, hourContaining, localDateOf, startOfLocalDayMs, toLocalIso } from './time';

/** `budget`: spend the hour's bank; `threshold`: hysteresis on the running net. */
export type HeaterMode = 'budget' | 'threshold';

/** A relay (1-3 stages of equal power) or a percentage output (0-100 % of the power). */
export type HeaterLoadKind = 'relay' | 'percent';

/** One controlled load. Loads are spent in the order given: the first has priority. */
export interface HeaterLoad {
  /** Shown in the decision and the status. */
  name: string;
  /** Power with every stage on or at 100 %, kW. */
  kw: number;
  /** Relay stages of equal power (1-3); 1 for a percentage output. */
  stages: number;
  kind: HeaterLoadKind;
}

/** Settings of the heater control. Times in ms, power in kW, energy in kWh. */
export interface HeaterOptions {
  mode: HeaterMode;
  /** The loads in priority order (at least one). */
  loads: HeaterLoad[];
  /** A relay step switches on when the bank and the conservative rate cover it for this long (ms). */
  minRunMs: number;
  /** Kept on top of the learned reserve at the hour's end, kWh. */
  marginKwh: number;
  /** Reaction time, added to a step's minimum run (reading interval plus relay delay), ms. */
  guardMs: number;
  /** Time constant of the trend of the house's spare rate (ms). */
  trendMs: number;
  /** How many recent hours that ended in net export the reserve learns from. */
  reserveHours: number;
  /** Threshold mode: one step more when the hour's net reaches this (kWh). */
  onThresholdKwh: number;
  /** Threshold mode: one step less when the hour's net falls to or below this (kWh). */
  offThresholdKwh: number;
  /** Minimum on and off times of each load (ms). */
  minOnMs: number;
  minOffMs: number;
  /** A step-up condition must hold this long (ms). */
  onDelayMs: number;
  /** At most this many changes of one relay (a stage, or a percentage output's on/off) per clock hour, 0 = no cap. Switching off is always allowed. */
  maxSwitchesPerHour: number;
  /** No input for this long → all off (ms), 0 = never. */
  failSafeMs: number;
  /** At most this long with any load on per Warsaw day (ms), 0 = no limit. */
  maxOnMsPerDay: number;
}

/** The load of the defaults: one 2 kW relay. */
export const DEFAULT_HEATER_LOAD: HeaterLoad = { name: 'heater', kw: 2, stages: 1, kind: 'relay' };

/** Defaults: one 2 kW relay, 5 min minimum run and on/off times, fail-safe after 5 min. */
export const DEFAULT_HEATER_OPTIONS: HeaterOptions = {
  mode: 'budget',
  loads: [DEFAULT_HEATER_LOAD],
  minRunMs: 5 * 60_000,
  marginKwh: 0.04,
  guardMs: 60_000,
  trendMs: 5 * 60_000,
  reserveHours: 24,
  onThresholdKwh: 0.2,
  offThresholdKwh: 0.02,
  minOnMs: 5 * 60_000,
  minOffMs: 5 * 60_000,
  onDelayMs: 60_000,
  maxSwitchesPerHour: 6,
  failSafeMs: 5 * 60_000,
  maxOnMsPerDay: 0,
};

/** A manual override of all loads (`load` null) or of one. */
export interface HeaterOverride {
  mode: 'on' | 'off';
  /** End of the override (epoch ms), null = until `auto`. */
  until: number | null;
  /** Index of the load it applies to, null = all. */
  load: number | null;
}

/** What one load is doing. */
export interface HeaterLoadState {
  /** Relay: stages on (0..stages); percentage: the fraction 0..1. */
  level: number;
  /** When its level last changed (epoch ms). */
  switchedAt: number | null;
  /** True when the last change raised the level. */
  lastUp: boolean;
  /** Changes of each stage's relay in the current clock hour (a percentage output: its on/off in the first). */
  relaySwitches?: number[];
}

/** The serialisable state. */
export interface HeaterState {
  version: 2;
  /** True while any load is on. */
  on: boolean;
  loads: HeaterLoadState[];
  /** When any output last changed (epoch ms). */
  switchedAt: number | null;
  /** The clock hour of the latest input or evaluation (epoch ms). */
  hourStartMs: number | null;
  hourEndMs: number | null;
  /** This hour so far, kWh. */
  net: number;
  ecp: number;
  eco: number;
  /** Energy the loads used this hour, kWh. */
  usedKwh: number;
  /**
   * The loads' energy since the latest input, counted by evaluations without input up to
   * `usedUntil` at the levels the loads had until each changed them, kWh; the next input adds it.
   */
  usedPendingKwh?: number;
  /** Up to when the loads' energy is counted (epoch ms); null: up to the latest input. */
  usedUntil?: number | null;
  /** The house's own net (net + used) at each whole minute of this hour reached so far, kWh. */
  minuteMarks: number[];
  /** True when this hour's readings started in its first two minutes (its tail can be learned). */
  hourComplete: boolean;
  /** The house's rate over the latest whole minutes, kW, newest last (up to UP_MINUTES). */
  minuteRates: number[];
  /** Recent hours that ended in net export: the house's largest net draw over W minutes (TAIL_MINUTES), kWh. */
  tails: number[][];
  /** The largest of `tails` per window length, kWh. */
  reserveCurve: number[];
  /** Per Warsaw clock hour (0-23): the house's largest draws per TAIL_MINUTES on recent days, kWh, or null. */
  hourDraws?: (number[] | null)[];
  /** When each of `hourDraws` was last learned (hour start, epoch ms). */
  hourDrawsAt?: (number | null)[];
  /** The latest interval between two inputs of one hour (ms). */
  inputStepMs?: number | null;
  /** Warsaw day of `surplusUsedKwh`: the loads' energy its finished hours covered from their own surplus. */
  surplusDay?: string | null;
  surplusUsedKwh?: number;
  /** Time of the latest input (epoch ms). */
  lastInputAt: number | null;
  /** Time of the latest evaluation (epoch ms). */
  lastEvalAt: number | null;
  /** Smoothed net rate without the loads, kW; null before two readings of one hour. */
  houseRateKw: number | null;
  /** The net rate without the loads between the two latest readings, kW (unsmoothed). */
  lastRateKw: number | null;
  /** Last measured power of the loads while on, kW. */
  measuredLoadKw: number | null;
  /** Since when the step-up condition holds (on-delay), epoch ms. */
  readySince: number | null;
  /** Changes of any load in the current clock hour. */
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
  /** Measured power of the loads together, kW, when known. */
  loadKw?: number;
}

/** One load in a decision. */
export interface HeaterLoadDecision {
  name: string;
  kind: HeaterLoadKind;
  on: boolean;
  /** True when this evaluation switched it on/off or changed its stages (relay). */
  changed: boolean;
  /** Relay: stages on; percentage: 0 or 1 (on). */
  stagesOn: number;
  stages: number;
  /** Its full power, kW. */
  kw: number;
  /** Share of its power, 0-100. */
  percent: number;
  /** Power it draws by its setting, kW. */
  powerKw: number;
}

/** What the flow learns on every evaluation. */
export interface HeaterDecision {
  state: 'on' | 'off';
  /** True while any load is on. */
  on: boolean;
  /** True when this evaluation switched a relay stage or a load on or off. */
  changed: boolean;
  reason: HeaterReason;
  mode: HeaterMode;
  loads: HeaterLoadDecision[];
  /** The hour's net so far: what it has banked, kWh (negative: overdrawn). */
  bankedKwh: number;
  /** Energy the loads used this hour, kWh. */
  usedKwh: number;
  /** Energy the loads took from surplus today (Warsaw day): what each hour's own surplus covered, kWh. */
  fromSurplusTodayKwh: number;
  /** Kept for the rest of the hour (learned reserve, trend, margin), kWh. */
  reserveKwh: number;
  /** The conservative spare rate over the rest of the hour, kWh (what following the spare expects). */
  projectionKwh: number;
  /** banked − reserve: what the loads may spend from the bank on top of the spare, kWh (≥ 0). */
  budgetKwh: number;
  /** The power the loads may draw now: the conservative spare rate plus the spread bank, kW (≥ 0). */
  targetKw: number;
  /** The hour's net at its end if the loads stayed as they are and the trend held, kWh. */
  projectedNetKwh: number;
  /** Same as `bankedKwh`. */
  netKwh: number;
  ecp: number;
  eco: number;
  /** The trend of the net without the loads, kW (null before it is known). */
  houseRateKw: number | null;
  /** Power the loads draw now, kW (measured when given). */
  loadKw: number;
  /** Minutes the bank above the reserve covers the loads now on (or the first step when all are off). */
  runMinutes: number;
  hourStart: string | null;
  hourEnd: string | null;
  minutesLeft: number;
  at: string;
  override: {
    mode: 'on' | 'off';
    until: string | null;
    minutesLeft: number | null;
    load: string | null;
  } | null;
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

const MIN = 60_000;
const H = 3_600_000;
/** Window lengths (minutes) of the learned reserve, up to the whole hour. */
export const TAIL_MINUTES: readonly number[] = [1, 2, 3, 5, 10, 15, 20, 30, 45, 60];
/** Until this many hours that ended in export are learned, the prior reserve is a floor. */
const PRIOR_HOURS = 12;
/** The prior: a 2 kW draw for up to 10 minutes. */
const PRIOR_KW = 2;
const PRIOR_MAX_MIN = 10;
/** A relay steps up on the lowest rate of this many recent whole minutes (and the latest reading); as many are kept. */
const UP_MINUTES = 3;
/** The bank above the reserve is spread over this share of the rest of the hour… */
const SPREAD_SHARE = 0.7;
/** …but over no less than this (ms). */
const MIN_SPREAD_MS = 2 * MIN;
/** A bank below its reserve is refilled within this (ms). */
const FILL_MS = 10 * MIN;
/**
 * A percentage output keeps this long of its full power above the reserve as well. A relay stops a
 * step short of the reserve (it starts only when the bank covers its minimum run); a percentage
 * output follows the reserve to the watt, so without this it ends many more hours at the reserve's
 * edge, where one draw larger than any learned tips them (measured on the benchmark months: 10
 * tipped hours without it, 1 with 4 minutes and the 0.04 kWh margin, for 0.05-0.10 of the oracle).
 */
const PERCENT_HOLD_MS = 4 * MIN;
/** A relay step goes off when the target falls this share of a step below the steps on (measured: 0.3 tips fewer hours than 0.5 at 0.01 of the oracle). */
const STEP_HYSTERESIS = 0.3;
/** The same clock hour of earlier days counts this much more… */
const HOUR_DRAW_FACTOR = 1.2;
/** …fading by this factor a day. */
const HOUR_DRAW_FADE = 0.9;
const DAY = 24 * H;

function freshLoad(): HeaterLoadState {
  return { level: 0, switchedAt: null, lastUp: false, relaySwitches: [] };
}

/** A fresh state: everything off, nothing learned. */
export function createHeaterState(loads = 1): HeaterState {
  return {
    version: 2,
    on: false,
    loads: Array.from({ length: Math.max(loads, 1) }, freshLoad),
    switchedAt: null,
    hourStartMs: null,
    hourEndMs: null,
    net: 0,
    ecp: 0,
    eco: 0,
    usedKwh: 0,
    usedPendingKwh: 0,
    usedUntil: null,
    minuteMarks: [],
    hourComplete: false,
    minuteRates: [],
    tails: [],
    reserveCurve: [],
    hourDraws: [],
    hourDrawsAt: [],
    inputStepMs: null,
    surplusDay: null,
    surplusUsedKwh: 0,
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
    v.version === 2 &&
    typeof v.on === 'boolean' &&
    typeof v.net === 'number' &&
    typeof v.usedKwh === 'number' &&
    Array.isArray(v.loads) &&
    v.loads.every((l) => typeof l === 'object' && l !== null && typeof l.level === 'number') &&
    Array.isArray(v.minuteMarks) &&
    Array.isArray(v.minuteRates) &&
    Array.isArray(v.tails) &&
    Array.isArray(v.reserveCurve) &&
    typeof v.switchesThisHour === 'number' &&
    typeof v.onMsToday === 'number'
  );
}

/* ---------- steps and power ---------- */

function stepKw(load: HeaterLoad): number {
  return load.kind === 'percent' ? load.kw : load.kw / load.stages;
}

/** Power of one load at a level, kW. */
function loadPower(load: HeaterLoad, level: number): number {
  return load.kind === 'percent' ? load.kw * level : stepKw(load) * level;
}

/** Nominal power of all loads at their levels, kW. */
function nominalPower(s: HeaterState, opts: HeaterOptions): number {
  let p = 0;
  for (let i = 0; i < opts.loads.length; i++) p += loadPower(opts.loads[i], s.loads[i]?.level ?? 0);
  return p;
}

/** Power the loads draw now: the measured value while on, else the nominal one. */
function powerOf(s: HeaterState, opts: HeaterOptions): number {
  const nominal = nominalPower(s, opts);
  if (nominal <= 0) return 0;
  return s.measuredLoadKw !== null && s.measuredLoadKw > 0 ? s.measuredLoadKw : nominal;
}

function isFull(load: HeaterLoad, level: number): boolean {
  return load.kind === 'percent' ? level >= 0.99 : level >= load.stages;
}

/** Makes the state's loads match the options (after a config change). */
function fitLoads(s: HeaterState, opts: HeaterOptions): void {
  if (s.loads.length !== opts.loads.length) {
    s.loads = opts.loads.map((_, i) => (s.loads[i] ? { ...s.loads[i] } : freshLoad()));
  }
  // an override kept for a load that is no longer configured holds nothing
  if (s.override && s.override.load !== null && !(s.override.load < opts.loads.length)) s.override = null;
  for (let i = 0; i < opts.loads.length; i++) {
    const l = opts.loads[i];
    const ls = s.loads[i];
    const max = l.kind === 'percent' ? 1 : l.stages;
    if (ls.level > max) s.loads[i] = { ...ls, level: max };
    if (l.kind === 'relay' && !Number.isInteger(ls.level))
      s.loads[i] = { ...ls, level: Math.round(ls.level) };
  }
}

/* ---------- the hour, the minute marks and the learned reserve ---------- */

/** The house's own net (the hour's net with the loads' energy added back), kWh. */
function houseNet(s: HeaterState): number {
  return s.net + s.usedKwh;
}

/**
 * The house's largest net draw from the grid over any W-minute window of a finished hour, per
 * TAIL_MINUTES, as a non-decreasing curve (a longer rest of the hour can hold a shorter draw).
 */
function drawCurve(marks: number[], end: number): number[] {
  const all = marks.slice(0, 60);
  while (all.length < 60) all.push(all[all.length - 1] ?? 0);
  all.push(end);
  let run = 0;
  return TAIL_MINUTES.map((w) => {
    for (let k = 0; k + w <= 60; k++) run = Math.max(run, all[k] - all[k + w]);
    return run;
  });
}

/** Closes the state's hour: learns its draws when it ended in net export. */
function closeHour(s: HeaterState, opts: HeaterOptions): void {
  if (s.hourStartMs === null || s.lastInputAt === null || s.lastInputAt < s.hourStartMs) return;
  const end = houseNet(s);
  const marks = s.minuteMarks;
  if (marks.length > 0) {
    const lastMinute = marks.length - 1;
    const rest = Math.max(60 - lastMinute, 1);
    pushRate(s, ((end - marks[lastMinute]) * 60) / rest);
  }
  // the loads' energy the hour's own surplus covered, per Warsaw day
  const day = dayOf(s.hourStartMs);
  if (s.surplusDay !== day) {
    s.surplusDay = day;
    s.surplusUsedKwh = 0;
  }
  s.surplusUsedKwh = (s.surplusUsedKwh ?? 0) + Math.max(Math.min(s.usedKwh, end), 0);
  if (s.hourComplete && marks.length >= 50) learnHourDraws(s, drawCurve(marks, end));
  if (s.hourComplete && end > 0 && marks.length >= 50) {
    const keep = Math.max(Math.floor(opts.reserveHours), 1);
    s.tails = [...s.tails, drawCurve(marks, end)].slice(-keep);
    s.reserveCurve = TAIL_MINUTES.map((_, i) => s.tails.reduce((m, t) => Math.max(m, t[i]), 0));
  }
}

/** The Warsaw clock hour (0-23) of an hour start. */
function clockHourOf(hourStartMs: number): number {
  const iso = hourIso(hourStartMs);
  return (iso.charCodeAt(11) - 48) * 10 + (iso.charCodeAt(12) - 48);
}

/** How much of a clock hour's draws learned at `since` still counts at `at` (fading by a tenth a day). */
function fadeSince(since: number, at: number): number {
  return Math.pow(HOUR_DRAW_FADE, Math.max(at - since, 0) / DAY);
}

/** Keeps an hour's draws as its clock hour's: the larger of them and the faded earlier ones. */
function learnHourDraws(s: HeaterState, curve: number[]): void {
  if (s.hourStartMs === null) return;
  const k = clockHourOf(s.hourStartMs);
  const draws = (s.hourDraws ?? []).slice();
  const at = (s.hourDrawsAt ?? []).slice();
  while (draws.length < 24) draws.push(null);
  while (at.length < 24) at.push(null);
  const prev = draws[k];
  const since = at[k];
  const fade = prev && since !== null ? fadeSince(since, s.hourStartMs) : 0;
  draws[k] = curve.map((v, i) => Math.max(v, prev ? prev[i] * fade : 0));
  at[k] = s.hourStartMs;
  s.hourDraws = draws;
  s.hourDrawsAt = at;
}

/** The draw the same clock hour of recent days had over `minutes`, faded and weighted, kWh. */
function hourDraw(s: HeaterState, minutes: number): number {
  if (s.hourStartMs === null || !s.hourDraws || !s.hourDrawsAt) return 0;
  const k = clockHourOf(s.hourStartMs);
  const curve = s.hourDraws[k];
  const since = s.hourDrawsAt[k];
  if (!curve || curve.length !== TAIL_MINUTES.length || since === null || since === undefined) return 0;
  const fade = fadeSince(since, s.hourStartMs);
  return HOUR_DRAW_FACTOR * fade * tailAt(curve, minutes);
}

function pushRate(s: HeaterState, kw: number): void {
  s.minuteRates = [...s.minuteRates, kw].slice(-UP_MINUTES);
}

/** Starts the given clock hour: the hour's sums, marks and switch counts start from zero. */
function startHour(s: HeaterState, startMs: number, endMs: number, opts: HeaterOptions): void {
  closeHour(s, opts);
  s.hourStartMs = startMs;
  s.hourEndMs = endMs;
  s.net = 0;
  s.ecp = 0;
  s.eco = 0;
  s.usedKwh = 0;
  s.minuteMarks = [];
  s.hourComplete = false;
  s.switchesThisHour = 0;
  s.loads = s.loads.map((l) => ({
    level: l.level,
    switchedAt: l.switchedAt,
    lastUp: l.lastUp,
    relaySwitches: [],
  }));
}

/** Moves the state to the clock hour containing `now` when the current one has ended. */
function enterHour(s: HeaterState, now: number, opts: HeaterOptions): void {
  if (s.hourEndMs !== null && now < s.hourEndMs) return;
  const h = hourContaining(now);
  startHour(s, h.startMs, h.endMs, opts);
}

/** Records the house's net at the whole minutes reached by a reading at `at`. */
function markMinutes(s: HeaterState, at: number): void {
  if (s.hourStartMs === null) return;
  const minute = Math.min(Math.floor((at - s.hourStartMs) / MIN), 59);
  const marks = s.minuteMarks;
  if (marks.length > minute) return;
  const value = houseNet(s);
  const next = marks.slice();
  if (next.length === 0) {
    next.push(0); // the hour starts from zero
    s.hourComplete = minute <= 1;
  }
  while (next.length <= minute) {
    const k = next.length;
    next.push(value);
    pushRate(s, (value - next[k - 1]) * 60);
  }
  s.minuteMarks = next;
}

/** Interpolates a tail (per TAIL_MINUTES) at `minutes`. */
function tailAt(tail: readonly number[], minutes: number): number {
  if (minutes <= 0) return 0;
  if (minutes <= TAIL_MINUTES[0]) return (tail[0] * minutes) / TAIL_MINUTES[0];
  for (let i = 1; i < TAIL_MINUTES.length; i++) {
    if (minutes <= TAIL_MINUTES[i]) {
      const a = TAIL_MINUTES[i - 1];
      const b = TAIL_MINUTES[i];
      return tail[i - 1] + ((tail[i] - tail[i - 1]) * (minutes - a)) / (b - a);
    }
  }
  return tail[tail.length - 1];
}

/** The learned draw for `minutes` left, kWh (the prior until enough hours are known). */
function learnedDraw(s: HeaterState, minutes: number): number {
  const recent = s.reserveCurve.length === TAIL_MINUTES.length ? tailAt(s.reserveCurve, minutes) : 0;
  const r = Math.max(recent, hourDraw(s, minutes));
  if (s.tails.length >= PRIOR_HOURS) return r;
  return Math.max(r, (PRIOR_KW * Math.min(minutes, PRIOR_MAX_MIN)) / 60);
}

/** The house's conservative rate, kW (≥ 0): the lowest of the latest reading and the recent whole minutes. */
function conservativeRate(s: HeaterState): number {
  let r = s.lastRateKw ?? s.houseRateKw ?? 0;
  const n = s.minuteRates.length;
  for (let i = Math.max(n - UP_MINUTES, 0); i < n; i++) r = Math.min(r, s.minuteRates[i]);
  return Math.max(r, 0);
}

interface Figures {
  /** Time left in the hour the decision is for, ms. */
  msLeft: number;
  /** What the hour has banked (0 when deciding for the next hour's start), kWh. */
  banked: number;
  reserve: number;
  /** The bank above the reserve, kWh (negative: below it). */
  free: number;
  /** The conservative spare rate, kW (≥ 0). */
  upRate: number;
  /** The trend of the spare rate, kW. */
  stayRate: number;
  /** The latest spare rate, kW. */
  lastRate: number;
  /** The power the loads may draw now on the conservative rate, kW. */
  target: number;
  /** The same on the trend, kW. */
  stayTarget: number;
  power: number;
}

function figures(s: HeaterState, now: number, opts: HeaterOptions): Figures {
  let msLeft = Math.max((s.hourEndMs ?? now) - now, 0);
  let banked = s.net;
  const stepMs = s.inputStepMs ?? 10_000;
  if (s.hourEndMs !== null && msLeft <= stepMs) {
    // the next interval belongs to the next hour: decide for its start
    msLeft = H;
    banked = 0;
  }
  const trend = s.houseRateKw ?? 0;
  const reserve = learnedDraw(s, msLeft / MIN) + (Math.max(-trend, 0) * msLeft) / H + opts.marginKwh;
  const free = banked - reserve;
  const spend = spendRate(free, msLeft);
  const upRate = conservativeRate(s);
  return {
    msLeft,
    banked,
    reserve,
    free,
    upRate,
    stayRate: trend,
    lastRate: s.lastRateKw ?? trend,
    target: upRate + spend,
    stayTarget: trend + spend,
    power: powerOf(s, opts),
  };
}

/**
 * The rate that spends a bank `free` above the reserve (kWh) over 70 % of the rest of the hour, or
 * refills one below it within 10 minutes, kW.
 */
function spendRate(free: number, msLeft: number): number {
  const spreadMs = Math.max(msLeft * SPREAD_SHARE, MIN_SPREAD_MS);
  const overMs = free < 0 ? Math.min(FILL_MS, spreadMs) : spreadMs;
  return (free * H) / overMs;
}

/* ---------- decisions ---------- */

/**
 * Until when the loads on at `now` count as on: the fail-safe switches them off at its instant
 * (the latest input's time plus `failSafeMs`), so an evaluation that comes later than that (the
 * first after Node-RED was stopped) counts neither their time on nor their energy after it.
 */
function onUntil(s: HeaterState, now: number, opts: HeaterOptions): number {
  if (opts.failSafeMs <= 0 || s.lastInputAt === null) return now;
  return Math.min(now, s.lastInputAt + opts.failSafeMs);
}

/** Adds the time on since the previous evaluation to the Warsaw day's count. */
function countOnTime(s: HeaterState, now: number, opts: HeaterOptions): void {
  const prev = s.lastEvalAt;
  const end = onUntil(s, now, opts);
  s.lastEvalAt = prev === null ? now : Math.max(prev, now);
  const day = dayOf(now);
  if (s.day !== day) {
    // a new day: only the part after its midnight counts
    const onPart = s.on && prev !== null ? Math.max(end - Math.max(prev, midnightBefore(now)), 0) : 0;
    s.day = day;
    s.onMsToday = onPart;
    return;
  }
  if (s.on && prev !== null && end > prev) s.onMsToday += end - prev;
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
  dayOf(now);
  return dayCache!.startMs;
}

/** Changes this clock hour of the relay that switches a load's `stage` (0-based; a percentage output: 0). */
function relaySwitchesOf(ls: HeaterLoadState, stage: number): number {
  return ls.relaySwitches?.[stage] ?? 0;
}

/** Sets a load's level; true when a relay stage or the on/off state changed. */
function setLevel(s: HeaterState, i: number, level: number, now: number, opts: HeaterOptions): boolean {
  const ls = s.loads[i];
  if (ls.level === level) return false;
  const load = opts.loads[i];
  const wasOn = ls.level > 0;
  const isOn = level > 0;
  const switched = load.kind === 'relay' || wasOn !== isOn;
  const up = level > ls.level;
  const relaySwitches = (ls.relaySwitches ?? []).slice();
  if (switched) {
    // the relays toggled: stages between the two levels (a percentage output's on/off: the first)
    const from = load.kind === 'relay' ? Math.min(ls.level, level) : 0;
    const to = load.kind === 'relay' ? Math.max(ls.level, level) : 1;
    for (let k = from; k < to; k++) relaySwitches[k] = (relaySwitches[k] ?? 0) + 1;
  }
  s.loads[i] = {
    level,
    switchedAt: switched ? now : ls.switchedAt,
    lastUp: switched ? up : ls.lastUp,
    relaySwitches,
  };
  if (switched) {
    s.switchesThisHour += 1;
    s.switchedAt = now;
  }
  return switched;
}

function allOff(s: HeaterState, now: number, opts: HeaterOptions): boolean {
  let changed = false;
  for (let i = 0; i < s.loads.length; i++) changed = setLevel(s, i, 0, now, opts) || changed;
  return changed;
}

function sinceSwitch(ls: HeaterLoadState, now: number): number {
  return ls.switchedAt === null ? Infinity : now - ls.switchedAt;
}

/** The next relay step to add: its load and level, or null when all are full or a percentage step comes first. */
function nextStep(
  s: HeaterState,
  opts: HeaterOptions,
): { load: number; level: number; kwAfter: number } | null {
  let kw = 0;
  for (let i = 0; i < opts.loads.length; i++) {
    const load = opts.loads[i];
    const level = s.loads[i].level;
    if (s.override?.load === i) {
      // an overridden load is out of the queue, but what it draws counts
      kw += loadPower(load, level);
      continue;
    }
    if (isFull(load, level)) {
      kw += load.kw;
      continue;
    }
    if (load.kind === 'percent') return null;
    return { load: i, level: level + 1, kwAfter: kw + loadPower(load, level + 1) };
  }
  return null;
}

/** Nominal power of the relay loads, kW. */
function relayNominal(s: HeaterState, opts: HeaterOptions): number {
  let p = 0;
  for (let i = 0; i < opts.loads.length; i++) {
    if (opts.loads[i].kind === 'relay') p += loadPower(opts.loads[i], s.loads[i].level);
  }
  return p;
}

/** True when a one-load override holds load `i`: the control leaves it as the override set it. */
function overridden(s: HeaterState, i: number): boolean {
  return s.override !== null && s.override.load === i;
}

/** The last relay load that is on (lowest priority) and not overridden, or -1. */
function lastRelayOn(s: HeaterState, opts: HeaterOptions): number {
  for (let i = s.loads.length - 1; i >= 0; i--) {
    if (opts.loads[i].kind === 'relay' && s.loads[i].level > 0 && !overridden(s, i)) return i;
  }
  return -1;
}

/** The last load that is on (lowest priority) and not overridden, or -1. */
function lastOn(s: HeaterState): number {
  for (let i = s.loads.length - 1; i >= 0; i--) if (s.loads[i].level > 0 && !overridden(s, i)) return i;
  return -1;
}

interface Outcome {
  changed: boolean;
  reason: HeaterReason;
}

/** Budget mode: steps down what the target no longer carries, sets percentage outputs, then maybe one relay step up. */
function decideBudget(s: HeaterState, now: number, opts: HeaterOptions): Outcome {
  const f = figures(s, now, opts);
  const hoursLeft = f.msLeft / H;
  let changed = false;
  let reason: HeaterReason | null = null;
  // relay steps down from the lowest priority
  const nominal = nominalPower(s, opts);
  const scale = nominal > 0 ? f.power / nominal : 1; // measured vs nominal
  let relayPower = relayNominal(s, opts) * scale;
  while (relayPower > 0) {
    const i = lastRelayOn(s, opts);
    if (i < 0) break;
    const ls = s.loads[i];
    const step = stepKw(opts.loads[i]) * scale;
    // overdrawn, and the hour would end in import if the steps stayed on
    const hard = f.banked < 0 && f.banked + (f.stayRate - relayPower) * hoursLeft < 0;
    const soft =
      f.stayTarget < relayPower - step * STEP_HYSTERESIS || (f.free < 0 && f.lastRate < relayPower);
    if (!hard && !soft) break;
    if (!hard && ls.lastUp && sinceSwitch(ls, now) < opts.minOnMs) {
      reason ??= 'min-on';
      break;
    }
    changed = setLevel(s, i, ls.level - 1, now, opts) || changed;
    reason = hard ? 'import-guard' : 'budget-spent';
    relayPower = relayNominal(s, opts) * scale;
  }
  // percentage steps: the latest rate plus the spread bank
  let relayKw = 0;
  for (let i = 0; i < opts.loads.length; i++) {
    const load = opts.loads[i];
    if (load.kind !== 'percent' || overridden(s, i)) {
      relayKw += loadPower(load, s.loads[i].level);
      continue;
    }
    const earlierFull = opts.loads
      .slice(0, i)
      .every((l, j) => s.override?.load === j || isFull(l, s.loads[j].level));
    const ls = s.loads[i];
    let target = 0;
    if (earlierFull) {
      // the latest rate plus the bank above the reserve and its own hold, spread
      const hold = (load.kw * PERCENT_HOLD_MS) / H;
      const kw = f.lastRate + spendRate(f.free - hold, f.msLeft) - relayKw;
      target = Math.min(Math.max(kw / load.kw, 0), 1);
      if (target < 0.01) target = 0;
      // switching a percentage output on or off keeps the minimum times
      if (ls.level === 0 && target > 0 && sinceSwitch(ls, now) < opts.minOffMs) target = 0;
      if (ls.level > 0 && target === 0 && f.banked >= 0 && ls.lastUp && sinceSwitch(ls, now) < opts.minOnMs) {
        target = 0.01;
      }
    }
    target = Math.round(target * 1000) / 1000;
    if (target !== ls.level) {
      const up = target > ls.level;
      changed = setLevel(s, i, target, now, opts) || changed;
      if (ls.level === 0 || target === 0)
        reason = up ? 'budget' : f.banked < 0 ? 'import-guard' : 'budget-spent';
    }
    relayKw += loadPower(load, target);
  }
  if (changed) {
    s.readySince = null;
    return { changed, reason: reason ?? 'budget' };
  }
  // one relay step up when the target covers all steps up to it and the bank their minimum run
  const next = nextStep(s, opts);
  const anyOn = () => nominalPower(s, opts) > 0;
  if (next === null) {
    s.readySince = null;
    return { changed, reason: reason ?? (anyOn() ? 'budget' : 'no-surplus') };
  }
  const runH = (Math.min(opts.minRunMs, f.msLeft) + opts.guardMs) / H;
  // the bank covers the minimum run at the conservative rate: above the reserve unless the rate alone carries it
  const cover = f.upRate >= next.kwAfter ? f.banked : f.free;
  const wants = f.target >= next.kwAfter && cover + (f.upRate - next.kwAfter) * runH >= 0;
  if (!wants) {
    s.readySince = null;
    return { changed, reason: reason ?? (anyOn() ? 'budget' : 'no-surplus') };
  }
  if (s.readySince === null) s.readySince = now;
  const ls = s.loads[next.load];
  if (!ls.lastUp && sinceSwitch(ls, now) < opts.minOffMs) return { changed, reason: 'min-off' };
  if (now - s.readySince < opts.onDelayMs) return { changed, reason: reason ?? 'on-delay' };
  if (opts.maxSwitchesPerHour > 0 && relaySwitchesOf(ls, next.level - 1) + 2 > opts.maxSwitchesPerHour) {
    return { changed, reason: 'switch-cap' };
  }
  changed = setLevel(s, next.load, next.level, now, opts) || changed;
  s.readySince = null;
  return { changed, reason: 'budget' };
}

/** Threshold mode: one step more at the on threshold, one less at the off threshold. */
function decideThreshold(s: HeaterState, now: number, opts: HeaterOptions): Outcome {
  const i = lastOn(s);
  if (s.net <= opts.offThresholdKwh && i >= 0) {
    s.readySince = null;
    const ls = s.loads[i];
    if (ls.lastUp && sinceSwitch(ls, now) < opts.minOnMs) return { changed: false, reason: 'min-on' };
    const load = opts.loads[i];
    const level = load.kind === 'percent' ? 0 : ls.level - 1;
    return { changed: setLevel(s, i, level, now, opts), reason: 'threshold' };
  }
  if (s.net < opts.onThresholdKwh) {
    s.readySince = null;
    return { changed: false, reason: i >= 0 ? 'threshold' : 'no-surplus' };
  }
  // one more step: the first load not full
  const j = opts.loads.findIndex((l, k) => !overridden(s, k) && !isFull(l, s.loads[k].level));
  if (j < 0) return { changed: false, reason: 'threshold' };
  if (s.readySince === null) s.readySince = now;
  const ls = s.loads[j];
  if (!ls.lastUp && sinceSwitch(ls, now) < opts.minOffMs) return { changed: false, reason: 'min-off' };
  if (now - s.readySince < opts.onDelayMs) return { changed: false, reason: 'on-delay' };
  const stage = opts.loads[j].kind === 'relay' ? ls.level : 0;
  if (opts.maxSwitchesPerHour > 0 && relaySwitchesOf(ls, stage) + 2 > opts.maxSwitchesPerHour) {
    return { changed: false, reason: 'switch-cap' };
  }
  const load = opts.loads[j];
  const level = load.kind === 'percent' ? 1 : ls.level + 1;
  s.readySince = null;
  return { changed: setLevel(s, j, level, now, opts), reason: 'threshold' };
}

function decide(s: HeaterState, now: number, opts: HeaterOptions): boolean {
  fitLoads(s, opts);
  const out = decideOutcome(s, now, opts);
  s.reason = out.reason;
  s.on = s.loads.some((l) => l.level > 0);
  if (!s.on) s.measuredLoadKw = null;
  return out.changed;
}

function decideOutcome(s: HeaterState, now: number, opts: HeaterOptions): Outcome {
  if (s.override && s.override.until !== null && now >= s.override.until) s.override = null;
  const o = s.override;
  // the fail-safe and the daily limit switch every load off, an override "on" too (of all loads or
  // one): it stays set and holds again when readings return or the next day begins, until its end
  if (opts.failSafeMs > 0 && (s.lastInputAt === null || now - s.lastInputAt >= opts.failSafeMs)) {
    s.readySince = null;
    return { changed: allOff(s, now, opts), reason: 'fail-safe' };
  }
  if (opts.maxOnMsPerDay > 0 && s.onMsToday >= opts.maxOnMsPerDay) {
    s.readySince = null;
    return { changed: allOff(s, now, opts), reason: 'daily-limit' };
  }
  // all loads overridden
  if (o && o.load === null) {
    let changed = false;
    for (let i = 0; i < opts.loads.length; i++) {
      const full = opts.loads[i].kind === 'percent' ? 1 : opts.loads[i].stages;
      changed = setLevel(s, i, o.mode === 'on' ? full : 0, now, opts) || changed;
    }
    s.readySince = null;
    return { changed, reason: 'override' };
  }
  // one load overridden: it is set, the others share what is left
  let changedByOverride = false;
  if (o && o.load !== null && o.load < opts.loads.length) {
    const load = opts.loads[o.load];
    const full = load.kind === 'percent' ? 1 : load.stages;
    changedByOverride = setLevel(s, o.load, o.mode === 'on' ? full : 0, now, opts);
  }
  const out = opts.mode === 'threshold' ? decideThreshold(s, now, opts) : decideBudget(s, now, opts);
  if (o && o.load !== null && o.load < opts.loads.length) {
    // the control never moves an overridden load
    const load = opts.loads[o.load];
    const full = load.kind === 'percent' ? 1 : load.stages;
    setLevel(s, o.load, o.mode === 'on' ? full : 0, now, opts);
  }
  return { changed: out.changed || changedByOverride, reason: out.reason };
}

/** ISO text of recent hour starts and ends (the decision of every reading names its hour). */
const isoCache = new Map<number, string>();

function hourIso(ms: number): string {
  let iso = isoCache.get(ms);
  if (iso === undefined) {
    if (isoCache.size > 16) isoCache.clear();
    iso = toLocalIso(ms);
    isoCache.set(ms, iso);
  }
  return iso;
}

/** ISO text of an instant inside a clock hour: the hour's UTC offset holds for all of it. */
function isoIn(now: number, hourStartMs: number | null): string {
  if (hourStartMs === null || now < hourStartMs || now >= hourStartMs + H) return toLocalIso(now);
  const start = hourIso(hourStartMs);
  const offset = start.slice(-6);
  const minutes =
    (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(now + minutes * MIN).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ in local time
  return `${local.slice(0, 19)}${offset}`;
}

/** The loads' energy covered by surplus today: finished hours of today and this hour so far. */
function fromSurplusToday(s: HeaterState, now: number): number {
  const today = dayOf(now);
  let kwh = s.surplusDay === today ? (s.surplusUsedKwh ?? 0) : 0;
  if (s.hourStartMs !== null && now >= s.hourStartMs && dayOf(s.hourStartMs) === today) {
    kwh += Math.max(Math.min(s.usedKwh, houseNet(s)), 0);
  }
  return kwh;
}

function round(x: number, digits = 3): number {
  const p = 10 ** digits;
  return Math.round(x * p) / p;
}

/** The decision for the current state at `now`; `before` tells which loads changed. */
export function heaterDecision(
  s: HeaterState,
  now: number,
  opts: HeaterOptions,
  changed = false,
  before?: HeaterState,
): HeaterDecision {
  const f = figures(s, now, opts);
  const hoursLeft = s.hourEndMs === null ? 0 : Math.max(s.hourEndMs - now, 0) / H;
  const loads = opts.loads.map((load, i): HeaterLoadDecision => {
    const level = s.loads[i]?.level ?? 0;
    const prev = before?.loads[i]?.level ?? level;
    const relayChanged = load.kind === 'relay' ? prev !== level : prev > 0 !== level > 0;
    return {
      name: load.name,
      kind: load.kind,
      on: level > 0,
      changed: changed && relayChanged,
      stagesOn: load.kind === 'percent' ? (level > 0 ? 1 : 0) : level,
      stages: load.stages,
      kw: load.kw,
      percent: Math.round((load.kind === 'percent' ? level : level / load.stages) * 100),
      powerKw: round(loadPower(load, level)),
    };
  });
  const firstStep = opts.loads.length ? stepKw(opts.loads[0]) : 0;
  const runKw = f.power > 0 ? f.power : firstStep;
  const trend = s.houseRateKw ?? 0;
  return {
    state: s.on ? 'on' : 'off',
    on: s.on,
    changed,
    reason: s.reason,
    mode: opts.mode,
    loads,
    bankedKwh: round(s.net),
    usedKwh: round(s.usedKwh),
    fromSurplusTodayKwh: round(fromSurplusToday(s, now)),
    reserveKwh: round(f.reserve),
    projectionKwh: round(f.upRate * hoursLeft),
    budgetKwh: round(Math.max(f.free, 0)),
    targetKw: round(Math.max(f.target, 0)),
    projectedNetKwh: round(s.net + (trend - f.power) * hoursLeft),
    netKwh: round(s.net),
    ecp: round(s.ecp),
    eco: round(s.eco),
    houseRateKw: s.houseRateKw === null ? null : round(s.houseRateKw),
    loadKw: round(f.power),
    runMinutes: runKw > 0 ? Math.max(Math.floor((Math.max(f.free, 0) / runKw) * 60), 0) : 0,
    hourStart: s.hourStartMs === null ? null : hourIso(s.hourStartMs),
    hourEnd: s.hourEndMs === null ? null : hourIso(s.hourEndMs),
    minutesLeft: Math.ceil((hoursLeft * H) / MIN),
    at: isoIn(now, s.hourStartMs),
    override: s.override
      ? {
          mode: s.override.mode,
          until: s.override.until === null ? null : toLocalIso(s.override.until),
          minutesLeft:
            s.override.until === null ? null : Math.ceil(Math.max(s.override.until - now, 0) / MIN),
          load: s.override.load === null ? null : (opts.loads[s.override.load]?.name ?? null),
        }
      : null,
    switchesThisHour: s.switchesThisHour,
    onMinutesToday: Math.floor(s.onMsToday / MIN),
    inputAgeMinutes: s.lastInputAt === null ? null : Math.floor(Math.max(now - s.lastInputAt, 0) / MIN),
  };
}

function copy(s: HeaterState): HeaterState {
  return { ...s, loads: s.loads.slice(), override: s.override ? { ...s.override } : null };
}

/** The state's power while on, for counting the loads' energy between two times. */
function energyBetween(s: HeaterState, from: number, to: number, opts: HeaterOptions): number {
  return to > from ? (powerOf(s, opts) * (to - from)) / H : 0;
}

/**
 * The loads' energy since the latest input up to `now`, kWh: what evaluations without input counted
 * up to their changes, then the present levels (up to the fail-safe); 0 before any input.
 */
function usedSinceInput(s: HeaterState, now: number, opts: HeaterOptions): number {
  const from = s.usedUntil ?? s.lastInputAt;
  if (from === null) return 0;
  return (s.usedPendingKwh ?? 0) + energyBetween(s, from, onUntil(s, now, opts), opts);
}

/**
 * Counts the loads' energy up to `now` at the levels they have, before an evaluation without input
 * may change them, so that the next input counts each change from its instant.
 */
function countUsed(s: HeaterState, now: number, opts: HeaterOptions): void {
  const from = s.usedUntil ?? s.lastInputAt;
  if (from === null || now <= from) return;
  s.usedPendingKwh = usedSinceInput(s, now, opts);
  s.usedUntil = now;
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
  if (
    state.hourStartMs !== null &&
    (hour.startMs < state.hourStartMs ||
      (hour.startMs === state.hourStartMs && state.lastInputAt !== null && input.at < state.lastInputAt))
  ) {
    // a reading from an hour that has already closed, or older than the latest one of this hour
    // (it came late): nothing to add, and the newer net stays
    return heaterEvaluate(state, Math.max(state.lastEvalAt ?? input.at, input.at), opts);
  }
  const s = copy(state);
  fitLoads(s, opts);
  const at = input.at;
  countOnTime(s, at, opts);
  const sameHour = state.hourStartMs === hour.startMs;
  // the loads' energy since the previous input belongs to the hour the reading arrives in: what
  // evaluations without input counted up to their changes, then the present levels; but not after
  // a gap, when the previous input came before the previous clock hour began: that energy was used
  // in hours already closed, and the hour's net has none of it (the live balance takes counters
  // read after such a gap as a new baseline)
  const usedFrom = state.usedUntil ?? state.lastInputAt;
  const gap = state.lastInputAt !== null && state.lastInputAt < hour.startMs - H;
  const used = gap ? 0 : usedSinceInput(state, at, opts);
  if (!sameHour) startHour(s, hour.startMs, hour.endMs, opts);
  if (input.loadKw !== undefined && Number.isFinite(input.loadKw) && s.on && input.loadKw > 0) {
    s.measuredLoadKw = input.loadKw;
  }
  if (sameHour && state.lastInputAt !== null && at > state.lastInputAt) {
    const dtH = (at - state.lastInputAt) / H;
    // the house's own net (net + used) over the interval: the loads at their level, or what they
    // used when an evaluation without input changed them
    const raw =
      (input.net - state.net) / dtH + (usedFrom === state.lastInputAt ? powerOf(state, opts) : used / dtH);
    const alpha = 1 - Math.exp(-(at - state.lastInputAt) / Math.max(opts.trendMs, 1));
    s.houseRateKw = s.houseRateKw === null ? raw : s.houseRateKw + alpha * (raw - s.houseRateKw);
    s.lastRateKw = raw;
    s.inputStepMs = at - state.lastInputAt;
  }
  s.usedKwh += used;
  s.usedPendingKwh = 0;
  s.usedUntil = usedFrom !== null && usedFrom > at ? usedFrom : null;
  s.net = input.net;
  s.ecp = input.ecp ?? Math.max(-input.net, 0);
  s.eco = input.eco ?? Math.max(input.net, 0);
  markMinutes(s, at);
  if (state.lastInputAt === null || at >= state.lastInputAt) s.lastInputAt = at;
  const changed = decide(s, at, opts);
  return { state: s, decision: heaterDecision(s, at, opts, changed, state) };
}

/** Re-evaluates at `now` without input (timer): hour end, fail-safe, minimum times, override end. */
export function heaterEvaluate(state: HeaterState, now: number, opts: HeaterOptions): HeaterStep {
  const s = copy(state);
  fitLoads(s, opts);
  countOnTime(s, now, opts);
  countUsed(s, now, opts);
  enterHour(s, now, opts);
  const changed = decide(s, now, opts);
  return { state: s, decision: heaterDecision(s, now, opts, changed, state) };
}

/**
 * The next instant at which an evaluation without input changes something by itself: the
 * fail-safe, the end of the override, or the daily limit while a load is on (epoch ms); null when
 * none is ahead. Each lies after the latest evaluation, so a timer set to it makes them happen at
 * their time, and one evaluation at or after it moves the next instant on.
 */
export function heaterDueAt(s: HeaterState, opts: HeaterOptions): number | null {
  const after = s.lastEvalAt ?? -Infinity;
  let due = Infinity;
  if (opts.failSafeMs > 0 && s.lastInputAt !== null && s.lastInputAt + opts.failSafeMs > after) {
    due = s.lastInputAt + opts.failSafeMs;
  }
  const until = s.override?.until ?? null;
  if (until !== null && until > after) due = Math.min(due, until);
  if (s.on && opts.maxOnMsPerDay > 0 && s.lastEvalAt !== null && s.onMsToday < opts.maxOnMsPerDay) {
    due = Math.min(due, s.lastEvalAt + opts.maxOnMsPerDay - s.onMsToday);
  }
  return due === Infinity ? null : due;
}

/**
 * Sets or clears the manual override and decides at `now`.
 * @param mode `on`/`off` force the output; `auto` hands it back to the control
 * @param durationMs how long the override lasts; absent or 0 = until `auto`
 * @param load index of the one load it applies to; absent = all
 */
export function heaterOverride(
  state: HeaterState,
  mode: 'on' | 'off' | 'auto',
  now: number,
  opts: HeaterOptions,
  durationMs?: number,
  load?: number,
): HeaterStep {
  if (mode !== 'on' && mode !== 'off' && mode !== 'auto') {
    throw new BadInputError(`The override must be "on", "off" or "auto", not ${JSON.stringify(mode)}`);
  }
  if (durationMs !== undefined && (!Number.isFinite(durationMs) || durationMs < 0)) {
    throw new BadInputError(`The override duration must be a number of minutes ≥ 0`);
  }
  if (load !== undefined && (!Number.isInteger(load) || load < 0 || load >= opts.loads.length)) {
    throw new BadInputError(`There is no load ${JSON.stringify(load)}`);
  }
  const s = copy(state);
  fitLoads(s, opts);
  countOnTime(s, now, opts);
  countUsed(s, now, opts);
  enterHour(s, now, opts);
  s.override =
    mode === 'auto' ? null : { mode, until: durationMs ? now + durationMs : null, load: load ?? null };
  const changed = decide(s, now, opts);
  return { state: s, decision: heaterDecision(s, now, opts, changed, state) };
}

/** Setting names a flow may change (editor units: minutes, kW, kWh) and the option each sets. */
const SETTINGS: Record<
  string,
  { key: keyof HeaterOptions; scale: number; min: number; integer?: boolean; atLeastOne?: boolean }
> = {
  minRun: { key: 'minRunMs', scale: MIN, min: 0 },
  margin: { key: 'marginKwh', scale: 1, min: -Infinity },
  guard: { key: 'guardMs', scale: MIN, min: 0 },
  trend: { key: 'trendMs', scale: MIN, min: 0.1 },
  reserveHours: { key: 'reserveHours', scale: 1, min: 1, integer: true },
  onThreshold: { key: 'onThresholdKwh', scale: 1, min: -Infinity },
  offThreshold: { key: 'offThresholdKwh', scale: 1, min: -Infinity },
  minOn: { key: 'minOnMs', scale: MIN, min: 0 },
  minOff: { key: 'minOffMs', scale: MIN, min: 0 },
  onDelay: { key: 'onDelayMs', scale: MIN, min: 0 },
  maxSwitches: { key: 'maxSwitchesPerHour', scale: 1, min: 0, integer: true },
  failSafe: { key: 'failSafeMs', scale: MIN, min: 0 },
  maxOnPerDay: { key: 'maxOnMsPerDay', scale: MIN, min: 0 },
};

/** The names {@link heaterOptionsWith} accepts. */
export const HEATER_SETTING_NAMES: readonly string[] = [
  'mode',
  'loads',
  'loadKw',
  'stages',
  'output',
  ...Object.keys(SETTINGS),
];

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value.replace(',', '.'));
  return NaN;
}

/**
 * Reads a list of loads: `[{name, kw, stages, output}]` (`output` `relay` or `percent`, `stages`
 * 1-3 for a relay). Pushes what is wrong to `bad`.
 */
export function heaterLoadsOf(value: unknown, bad: string[]): HeaterLoad[] {
  if (!Array.isArray(value) || value.length === 0) {
    bad.push('loads must be a list of at least one load');
    return [];
  }
  return value.map((v, i): HeaterLoad => {
    const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
    const where = `load ${i + 1}`;
    const kw = numberOf(o.kw);
    const kind = o.output === undefined || o.output === '' ? 'relay' : o.output;
    const stages = o.stages === undefined || o.stages === '' ? 1 : numberOf(o.stages);
    if (!Number.isFinite(kw) || kw <= 0)
      bad.push(`${where}: kw must be a number > 0, not ${JSON.stringify(o.kw)}`);
    if (kind !== 'relay' && kind !== 'percent') {
      bad.push(`${where}: output must be "relay" or "percent", not ${JSON.stringify(o.output)}`);
    }
    if (!Number.isInteger(stages) || stages < 1 || stages > 3) {
      bad.push(`${where}: stages must be 1, 2 or 3, not ${JSON.stringify(o.stages)}`);
    }
    const name = typeof o.name === 'string' && o.name.trim() !== '' ? o.name.trim() : `load ${i + 1}`;
    return {
      name,
      kw,
      stages: kind === 'percent' ? 1 : stages,
      kind: kind === 'percent' ? 'percent' : 'relay',
    };
  });
}

/**
 * Options with named settings changed, in editor units: `mode` (`budget`/`threshold`), `loads`
 * (a list, see {@link heaterLoadsOf}), or for the first load `loadKw` (kW), `stages` (1-3) and
 * `output` (`relay`/`percent`); `margin`, `onThreshold`, `offThreshold` (kWh), `minRun`, `guard`,
 * `trend`, `minOn`, `minOff`, `onDelay`, `failSafe`, `maxOnPerDay` (minutes; 0 turns
 * fail-safe and daily limit off), `reserveHours` (hours learned from), `maxSwitches` (per relay and
 * clock hour, 0 = no cap). Values may be numbers or numeric strings; empty strings and undefined
 * keep the current value.
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
  const out: HeaterOptions = { ...base, loads: base.loads.map((l) => ({ ...l })) };
  const bad: string[] = [];
  const has = (k: string) => settings[k] !== undefined && settings[k] !== '';
  if (has('loads')) out.loads = heaterLoadsOf(settings.loads, bad);
  for (const [name, value] of Object.entries(settings)) {
    if (value === undefined || value === '' || name === 'loads') continue;
    if (name === 'mode') {
      if (value === 'budget' || value === 'threshold') out.mode = value;
      else bad.push(`mode must be "budget" or "threshold", not ${JSON.stringify(value)}`);
      continue;
    }
    if (name === 'loadKw' || name === 'stages' || name === 'output') continue;
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
  if (out.loads.length && (has('loadKw') || has('stages') || has('output'))) {
    const first = out.loads[0];
    const [load] = heaterLoadsOf(
      [
        {
          name: first.name,
          kw: has('loadKw') ? settings.loadKw : first.kw,
          stages: has('stages') ? settings.stages : first.stages,
          output: has('output') ? settings.output : first.kind,
        },
      ],
      bad,
    );
    out.loads[0] = load;
  }
  if (out.offThresholdKwh > out.onThresholdKwh) {
    bad.push(`offThreshold (${out.offThresholdKwh} kWh) is above onThreshold (${out.onThresholdKwh} kWh)`);
  }
  if (bad.length) throw new BadInputError(`Bad setting: ${bad.join('; ')}`);
  return out;
}

/**
 * Reads the running balance from a message value: the `LiveSignal` of `elicznik-balance` or any
 * object with `net` or `ecp`/`eco` (kWh, numbers or numeric strings), and optionally `at`,
 * `hourStart`, `hourEnd` (epoch ms or ISO text with its UTC offset, see `messageTime`) and
 * `loadKw` (measured power of the loads). Without `at` the arrival time is used; without
 * `hourStart` the clock hour of `at`.
 * @throws BadInputError when neither net nor ECP/ECO is given, or a value is not a number or time.
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
    if (!Number.isFinite(n)) {
      // JSON.stringify writes NaN and Infinity as null
      const shown = typeof x === 'number' ? String(x) : JSON.stringify(x);
      throw new BadInputError(`${key} is not a number: ${shown}`);
    }
    return n;
  };
  // ECP and ECO count energy taken and given this hour: a negative one (a signed meter value) would
  // turn import into surplus in net = ECO − ECP
  const energy = (key: string): number | undefined => {
    const n = opt(key);
    if (n !== undefined && n < 0) {
      throw new BadInputError(
        `${key} is negative (${n}); ECP and ECO are never below 0, a signed balance goes in net`,
      );
    }
    return n;
  };
  const ecp = energy('ecp');
  const eco = energy('eco');
  let net = opt('net');
  if (net === undefined) {
    if (ecp === undefined && eco === undefined) {
      throw new BadInputError('The input has neither net nor ecp/eco of the hour');
    }
    net = (eco ?? 0) - (ecp ?? 0);
  }
  const at = messageTime(v.at, 'at') ?? arrival;
  const hourStartMs = messageTime(v.hourStart, 'hourStart');
  const hourEndMs = messageTime(v.hourEnd, 'hourEnd');
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
