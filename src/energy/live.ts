/**
 * Live hourly balance: the running ECP and ECO of the current Europe/Warsaw clock hour, fed by a
 * local meter or inverter as energy flows, and a surplus signal for driving a heater or boiler.
 *
 * Under hourly balancing, energy exported and taken back within the same clock hour is free, so
 * what matters at any moment is this hour's net so far (ECO − ECP). The state is a plain JSON
 * object so it can live in Node-RED context storage; every function takes the time explicitly.
 *
 * Conventions:
 * - A reading's energy belongs to the hour it arrives in (the meter reports what flowed since the
 *   previous reading; with readings every few seconds the error at an hour boundary is one interval).
 * - Cumulative counters: the first reading only sets the baseline. A counter that goes down was
 *   reset or replaced: the new value becomes the baseline and that interval adds nothing, so a
 *   reset never creates negative or invented energy. Its value before the drop is kept: when the
 *   counter comes back to it (a meter or gateway that read 0 for a moment), the low values were
 *   misread, and only the growth beyond that value is added, not the whole counter. Likewise after a gap: when the previous
 *   reading came before the previous clock hour began, the counters grew over at least one whole
 *   hour without readings (a restart hours later, a meter offline), and that growth is not put
 *   into the current hour; the reading only sets the baseline. A counter reading older than the
 *   latest one (readings out of order, or one sent again late) moves no baseline and adds nothing:
 *   the next newer reading brings the growth, counted once.
 * - Per-phase readings (arrays or `{l1, l2, l3}`) are summed; with counters each phase keeps its
 *   own baseline, also through a reading that has no value for it (null or empty).
 * - An hour is closed (emitted) when a reading or a tick arrives after its end; an hour in which no
 *   reading arrived is not emitted (there is nothing to say about it).
 */
import { balanceHour, readEnergy, type BalancedHour } from './balance';
import { hourTimeFields, whToKwh } from './hour';
import { BadInputError } from '../errors';
import { MS_PER_HOUR, hourContaining, toLocalIso } from './time';

/** How the readings count energy. */
export type ReadingKind = 'increment' | 'cumulative';

/** Settings of the live balance and its surplus signal. */
export interface LiveOptions {
  /** `increment`: kWh since the previous reading; `cumulative`: kWh register counters. */
  kind: ReadingKind;
  /** The signal switches on when this hour's net (ECO − ECP) reaches this many kWh. */
  onThresholdKwh: number;
  /** The signal switches off when this hour's net falls to or below this many kWh. */
  offThresholdKwh: number;
  /** Once on, the signal stays on at least this long (ms). */
  minOnMs: number;
  /** Once off, the signal stays off at least this long (ms). */
  minOffMs: number;
}

/** Default settings: increments, on at 0.1 kWh net export, off at 0, no minimum times. */
export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  kind: 'increment',
  onThresholdKwh: 0.1,
  offThresholdKwh: 0,
  minOnMs: 0,
  minOffMs: 0,
};

/** The serialisable state. Energy is kept in integer milliwatt-hours so sums never drift. */
export interface LiveState {
  version: 1;
  /** Start of the current clock hour (epoch ms), null before the first reading. */
  hourStartMs: number | null;
  /** Running import and export of the current hour, mWh. */
  ecpMwh: number;
  ecoMwh: number;
  /** Readings received in the current hour. */
  readings: number;
  /** Last counter value per series and phase (`ecp.0`, `eco.l2`, …), kWh; cumulative mode only. */
  counters: Record<string, number>;
  /**
   * A counter's value before it went down, per key of `counters`, until the counter is back at it:
   * a counter that comes back was misread for a while (a 0 after a read error), not reset.
   */
  dropped?: Record<string, number>;
  /** Time of the latest reading (epoch ms): an older one coming later does not move it back. */
  lastAt: number | null;
  /** The surplus signal and when it last changed. */
  surplus: boolean;
  switchedAt: number | null;
}

/** A reading from a local meter. */
export interface LiveReading {
  /** Import: a number or numeric string (kWh), or per-phase values. */
  ecp?: unknown;
  /** Export: likewise. */
  eco?: unknown;
  /** When it was taken (epoch ms). */
  at: number;
}

/** What the flow learns on every reading: this hour so far and the surplus signal. */
export interface LiveSignal {
  /** The signal (hysteresis and minimum times applied). */
  surplus: boolean;
  /** True when this reading changed the signal. */
  changed: boolean;
  /** This hour's net so far, ECO − ECP, kWh (positive = surplus). */
  net: number;
  /** This hour's import and export so far, kWh. */
  ecp: number;
  eco: number;
  /** The current clock hour, ISO with the Warsaw offset. */
  hourStart: string;
  hourEnd: string;
  /** Time of the reading, ISO with the Warsaw offset. */
  at: string;
  /** Milliseconds and whole minutes left in the hour. */
  msLeft: number;
  minutesLeft: number;
  /** Readings received in this hour. */
  readings: number;
}

/** The result of feeding a reading or a tick. */
export interface LiveStep {
  state: LiveState;
  /** Hours that ended since the previous step, balanced, in time order. */
  closed: BalancedHour[];
}

/** A fresh state. */
export function createLiveState(): LiveState {
  return {
    version: 1,
    hourStartMs: null,
    ecpMwh: 0,
    ecoMwh: 0,
    readings: 0,
    counters: {},
    dropped: {},
    lastAt: null,
    surplus: false,
    switchedAt: null,
  };
}

/** True when `value` looks like a state this module wrote (for restoring from context). */
export function isLiveState(value: unknown): value is LiveState {
  const v = value as LiveState;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    typeof v.ecpMwh === 'number' &&
    typeof v.ecoMwh === 'number' &&
    typeof v.counters === 'object'
  );
}

function closeHour(state: LiveState): BalancedHour | null {
  if (state.hourStartMs === null || state.readings === 0) return null;
  const record = {
    ...hourTimeFields(hourContaining(state.hourStartMs)),
    zone: null,
    zoneName: null,
    // whole Wh, as the service reports them
    ecp: whToKwh(Math.round(state.ecpMwh / 1000)),
    eco: whToKwh(Math.round(state.ecoMwh / 1000)),
    dayComplete: false,
  };
  return balanceHour(record);
}

/**
 * Closes the current hour if `now` is past its end (DST-correct), and moves the state to the hour
 * containing `now`. Counters and the surplus signal carry over; the running sums start from zero.
 */
export function liveTick(state: LiveState, now: number): LiveStep {
  if (state.hourStartMs === null) return { state, closed: [] }; // no reading yet: no hour to close
  const hour = hourContaining(now);
  if (state.hourStartMs === hour.startMs) return { state, closed: [] };
  if (now < state.hourStartMs) {
    // A reading from before the current hour (clock skew, replay): keep it in the current hour.
    return { state, closed: [] };
  }
  const closed = closeHour(state);
  const next: LiveState = { ...state, hourStartMs: hour.startMs, ecpMwh: 0, ecoMwh: 0, readings: 0 };
  return { state: next, closed: closed ? [closed] : [] };
}

/**
 * Splits a reading value into phase entries `[phaseKey, kWh]`; null when absent. A phase without a
 * value (null, empty) has kWh null: it adds nothing and keeps its counter's baseline.
 */
function phases(value: unknown, field: string, where: string): [string, number | null][] | null {
  if (value === undefined || value === null || value === '') return null;
  if (Array.isArray(value)) {
    return value.map((v, i) => [String(i), readEnergy(v, `${field} phase ${i + 1}`, where)]);
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k.toLowerCase(),
      readEnergy(v, `${field} ${k}`, where),
    ]);
  }
  const kwh = readEnergy(value, field, where);
  return kwh === null ? null : [['0', kwh]];
}

/**
 * How a reading's counters are taken (see {@link liveReading}): `add` their growth, only set the
 * `baseline` (after a gap), or `ignore` them (a reading older than the latest one).
 */
type CounterUse = 'add' | 'baseline' | 'ignore';

/** mWh of energy a reading adds for one series, updating counter baselines in place. */
function energyOf(
  counters: Record<string, number>,
  dropped: Record<string, number>,
  series: 'ecp' | 'eco',
  value: unknown,
  kind: ReadingKind,
  where: string,
  use: CounterUse,
): number {
  const parts = phases(value, series.toUpperCase(), where);
  if (!parts) return 0;
  let mwh = 0;
  for (const [phase, kwh] of parts) {
    if (kwh === null) continue; // no value for this phase: its counter keeps its baseline
    if (kind === 'increment') {
      mwh += Math.round(kwh * 1_000_000);
      continue;
    }
    if (use === 'ignore') continue;
    const key = `${series}.${phase}`;
    const last = counters[key];
    const before = dropped[key];
    counters[key] = kwh;
    if (use === 'baseline' || last === undefined) {
      delete dropped[key]; // baseline or gap: nothing to add
      continue;
    }
    if (kwh < last) {
      dropped[key] = before ?? last; // reset, or misread: nothing to add
      continue;
    }
    let from = last;
    if (before !== undefined && kwh >= before) {
      // back at its value before it went down: the lower values were misread, it was not reset
      from = before;
      delete dropped[key];
    }
    mwh += Math.round(kwh * 1_000_000) - Math.round(from * 1_000_000);
  }
  return mwh;
}

/** Applies hysteresis and minimum times to the signal (in place); true when it changed. */
function updateSignal(state: LiveState, netKwh: number, now: number, opts: LiveOptions): boolean {
  const since = state.switchedAt === null ? Infinity : now - state.switchedAt;
  if (!state.surplus && netKwh >= opts.onThresholdKwh && since >= opts.minOffMs) {
    state.surplus = true;
    state.switchedAt = now;
    return true;
  }
  if (state.surplus && netKwh <= opts.offThresholdKwh && since >= opts.minOnMs) {
    state.surplus = false;
    state.switchedAt = now;
    return true;
  }
  return false;
}

/** The signal for the current state at `now`. */
export function liveSignal(state: LiveState, now: number, changed = false): LiveSignal {
  const hour = hourContaining(state.hourStartMs ?? now);
  const msLeft = Math.max(hour.endMs - now, 0);
  return {
    surplus: state.surplus,
    changed,
    net: whToKwh(Math.round((state.ecoMwh - state.ecpMwh) / 1000)),
    ecp: whToKwh(Math.round(state.ecpMwh / 1000)),
    eco: whToKwh(Math.round(state.ecoMwh / 1000)),
    hourStart: toLocalIso(hour.startMs),
    hourEnd: toLocalIso(hour.endMs),
    at: toLocalIso(now),
    msLeft,
    minutesLeft: Math.ceil(msLeft / 60_000),
    readings: state.readings,
  };
}

/**
 * Feeds one reading: closes any hour that ended before it, adds its energy to the current hour,
 * and updates the surplus signal.
 * @throws BadInputError for negative or non-numeric values, or a reading with neither ECP nor ECO.
 */
export function liveReading(
  state: LiveState,
  reading: LiveReading,
  opts: LiveOptions,
): LiveStep & { signal: LiveSignal } {
  const where = `reading at ${toLocalIso(reading.at)}`;
  const absent = (v: unknown) => v === undefined || v === null || v === '';
  if (absent(reading.ecp) && absent(reading.eco)) {
    throw new BadInputError(`Neither ECP nor ECO is given (${where})`);
  }
  const ticked =
    state.hourStartMs === null
      ? { state: { ...state, hourStartMs: hourContaining(reading.at).startMs }, closed: [] }
      : liveTick(state, reading.at);
  const next: LiveState = {
    ...ticked.state,
    counters: { ...ticked.state.counters },
    dropped: { ...ticked.state.dropped },
  };
  // Counters read before the previous clock hour began grew over at least one whole hour that had
  // no reading (the flow or the meter was stopped): that growth cannot be put in an hour. Counters
  // of a reading older than the latest one (out of order, or sent again late) are behind the
  // baselines: taken as a reset they would count the growth since them a second time, so they are
  // left out and the next newer reading brings that growth, once.
  let use: CounterUse = 'add';
  if (opts.kind === 'cumulative' && state.lastAt !== null) {
    if (reading.at < state.lastAt) use = 'ignore';
    else if (state.lastAt < hourContaining(reading.at).startMs - MS_PER_HOUR) use = 'baseline';
  }
  next.ecpMwh += energyOf(next.counters, next.dropped!, 'ecp', reading.ecp, opts.kind, where, use);
  next.ecoMwh += energyOf(next.counters, next.dropped!, 'eco', reading.eco, opts.kind, where, use);
  next.readings += 1;
  next.lastAt = state.lastAt === null ? reading.at : Math.max(state.lastAt, reading.at);
  const net = (next.ecoMwh - next.ecpMwh) / 1_000_000;
  const changed = updateSignal(next, net, reading.at, opts);
  return { state: next, closed: ticked.closed, signal: liveSignal(next, reading.at, changed) };
}

/**
 * Re-evaluates the signal at `now` without a reading (after an hour boundary the net starts from
 * zero, so the signal may have to switch off once the minimum on time allows).
 */
export function liveEvaluate(
  state: LiveState,
  now: number,
  opts: LiveOptions,
): LiveStep & { signal: LiveSignal } {
  const ticked = liveTick(state, now);
  const next: LiveState = { ...ticked.state };
  const changed =
    next.hourStartMs === null ? false : updateSignal(next, (next.ecoMwh - next.ecpMwh) / 1e6, now, opts);
  return { state: next, closed: ticked.closed, signal: liveSignal(next, now, changed) };
}

/** Milliseconds from `now` to the end of its clock hour (for a timer closing the hour). */
export function msToHourEnd(now: number): number {
  const h = hourContaining(now);
  return Math.max(h.endMs - now, 1);
}
