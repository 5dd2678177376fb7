import assert from 'node:assert/strict';
import {
  createHeaterState,
  DEFAULT_HEATER_OPTIONS,
  heaterDueAt,
  heaterEvaluate,
  heaterInput,
  heaterInputOf,
  heaterOptionsWith,
  heaterOverride,
  isHeaterState,
  type HeaterDecision,
  type HeaterOptions,
  type HeaterState,
  type HeaterStep,
} from '../../src/energy/heater';
import { BadInputError } from '../../src/errors';
import { hourContaining } from '../../src/energy/time';

const MIN = 60_000;
const H = 3_600_000;

interface SimResult {
  decisions: HeaterDecision[];
  /** Per clock hour: net with the load, net the hour would have had without it, load energy. */
  hours: { hourStart: number; net: number; baseNet: number; loadKwh: number; switches: number }[];
  state: HeaterState;
}

/**
 * A meter on simulated time: every `stepMs` the house draws `houseKw(t)`, the panels give
 * `pvKw(t)` and the load `loadKw` while the control says on; the running balance of the clock
 * hour is fed to the control as `elicznik-balance` would send it.
 */
function simulate(
  opts: HeaterOptions,
  from: number,
  to: number,
  pvKw: (t: number) => number,
  houseKw: (t: number) => number,
  stepMs = 10_000,
): SimResult {
  let state = createHeaterState();
  const decisions: HeaterDecision[] = [];
  const hours: SimResult['hours'] = [];
  let hour = hourContaining(from);
  let cur = { hourStart: hour.startMs, net: 0, baseNet: 0, loadKwh: 0, switches: 0, ecp: 0, eco: 0 };
  for (let t = from + stepMs; t <= to; t += stepMs) {
    const mid = t - stepMs / 2;
    if (mid >= hour.endMs) {
      hours.push(cur);
      hour = hourContaining(mid);
      cur = { hourStart: hour.startMs, net: 0, baseNet: 0, loadKwh: 0, switches: 0, ecp: 0, eco: 0 };
    }
    const dtH = stepMs / H;
    const load = powerOf(state, opts);
    const grid = (pvKw(mid) - houseKw(mid) - load) * dtH;
    cur.net += grid;
    cur.baseNet += (pvKw(mid) - houseKw(mid)) * dtH;
    cur.loadKwh += load * dtH;
    if (grid > 0) cur.eco += grid;
    else cur.ecp -= grid;
    const step = heaterInput(
      state,
      { at: t, net: cur.net, ecp: cur.ecp, eco: cur.eco, hourStartMs: hour.startMs, hourEndMs: hour.endMs },
      opts,
    );
    state = step.state;
    if (step.decision.changed) cur.switches += 1;
    decisions.push(step.decision);
  }
  hours.push(cur);
  return { decisions, hours, state };
}

const NOON = Date.parse('2026-06-15T10:00:00Z'); // 12:00 in Warsaw

/** Nominal power of the loads at their levels, kW. */
function powerOf(state: HeaterState, opts: HeaterOptions): number {
  return opts.loads.reduce((a, l, i) => {
    const level = state.loads[i]?.level ?? 0;
    return a + (l.kind === 'percent' ? l.kw * level : (l.kw / l.stages) * level);
  }, 0);
}

/** On and off periods (ms) between changes, with the reason that ended each. */
function periods(decisions: HeaterDecision[]): { on: boolean; ms: number; endReason: string }[] {
  const out: { on: boolean; ms: number; endReason: string }[] = [];
  let lastAt: number | null = null;
  let lastOn = false;
  for (const d of decisions) {
    if (!d.changed) continue;
    const at = Date.parse(d.at);
    if (lastAt !== null) out.push({ on: lastOn, ms: at - lastAt, endReason: d.reason });
    lastAt = at;
    lastOn = d.on;
  }
  return out;
}

describe('heater control (pure logic)', () => {
  const opts: HeaterOptions = { ...DEFAULT_HEATER_OPTIONS };

  describe('budget mode on a steady feed', () => {
    it('runs the load on a surplus smaller than the load and never ends an hour in net import', () => {
      // 1.5 kW spare all the time, a 2 kW heater: it can run about 3/4 of each hour; the first
      // the prior reserve (2 kW for 10 minutes) is kept until twelve hours are learned; the first
      // three hours wait for it to be banked, the later ones start earlier
      const r = simulate(
        opts,
        NOON,
        NOON + 6 * H,
        () => 2.5,
        () => 1,
      );
      assert.equal(r.hours.length, 6);
      r.hours.forEach((h, i) => {
        assert.ok(h.net >= 0, `hour ${new Date(h.hourStart).toISOString()} ends at ${h.net} kWh`);
        assert.ok(h.loadKwh > (i < 3 ? 0.75 : 1.0), `load used only ${h.loadKwh} kWh of 1.5`);
      });
      const used = r.hours.reduce((a, h) => a + h.loadKwh, 0);
      const surplus = r.hours.reduce((a, h) => a + h.baseNet, 0);
      assert.ok(used / surplus > 0.7, `share ${used / surplus}`);
    });

    it('keeps the load on across hours when the surplus alone covers it', () => {
      const r = simulate(
        opts,
        NOON,
        NOON + 15 * H,
        () => 4,
        () => 1,
      );
      for (const h of r.hours) assert.ok(h.net >= 0);
      // once twelve hours are learned (by the boundary at 01:00) it stays on through the hour boundaries
      const changes = r.decisions.filter((d) => d.changed && Date.parse(d.at) >= NOON + 13 * H - 30_000);
      assert.deepEqual(changes, []);
      assert.equal(r.state.on, true);
      assert.equal(r.state.reason, 'budget');
    });

    it('stays off without surplus', () => {
      const r = simulate(
        opts,
        NOON,
        NOON + 2 * H,
        () => 0.8,
        () => 1,
      );
      assert.ok(r.decisions.every((d) => !d.on));
      assert.equal(r.decisions.at(-1)!.reason, 'no-surplus');
    });

    it('starts from zero budget each hour', () => {
      let s = createHeaterState();
      s = heaterInput(s, { at: NOON + 50 * MIN, net: 0.8 }, { ...opts, onDelayMs: 0 }).state;
      assert.equal(s.on, true);
      const next = heaterEvaluate(s, NOON + H + 1000, { ...opts, onDelayMs: 0, minOnMs: 0 });
      assert.equal(next.decision.netKwh, 0);
      assert.equal(next.decision.budgetKwh, 0);
      assert.equal(next.decision.on, false);
      assert.equal(next.decision.hourStart, '2026-06-15T13:00:00+02:00');
    });
  });

  describe('anti-flapping', () => {
    // a passing cloud every few minutes
    const cloudy = (t: number) => (Math.floor(t / (3 * MIN)) % 2 === 0 ? 4 : 0.5);

    it('keeps minimum on and off times (switch-off before the minimum only as import guard)', () => {
      const o = { ...opts, minOnMs: 10 * MIN, minOffMs: 7 * MIN, maxSwitchesPerHour: 0, onDelayMs: 0 };
      const r = simulate(o, NOON, NOON + 6 * H, cloudy, () => 1);
      const p = periods(r.decisions);
      assert.ok(p.length > 4, 'the clouds make it switch');
      for (const x of p) {
        if (x.on && x.endReason !== 'import-guard') assert.ok(x.ms >= o.minOnMs, `on for ${x.ms / MIN} min`);
        if (!x.on) assert.ok(x.ms >= o.minOffMs, `off for ${x.ms / MIN} min`);
      }
      for (const h of r.hours) assert.ok(h.net >= 0, `net ${h.net}`);
    });

    it('switches on only after the condition held for the on-delay', () => {
      // late in the hour, where the bank alone carries the heater to the hour's end
      const o = { ...opts, onDelayMs: 3 * MIN };
      const at = NOON + 50 * MIN;
      let s = createHeaterState();
      let d = heaterInput(s, { at, net: 0.8 }, o);
      s = d.state;
      assert.equal(d.decision.reason, 'on-delay');
      d = heaterInput(s, { at: at + 2 * MIN, net: 0.85 }, o);
      s = d.state;
      assert.equal(d.decision.on, false);
      // the surplus is gone for a moment: the delay starts again
      d = heaterInput(s, { at: at + 2.5 * MIN, net: 0.0 }, o);
      s = d.state;
      d = heaterInput(s, { at: at + 3.5 * MIN, net: 0.9 }, o);
      s = d.state;
      assert.equal(d.decision.on, false);
      d = heaterInput(s, { at: at + 6.4 * MIN, net: 1.0 }, o);
      assert.equal(d.decision.on, false);
      d = heaterInput(d.state, { at: at + 6.6 * MIN, net: 1.0 }, o);
      assert.equal(d.decision.on, true);
      assert.equal(d.decision.changed, true);
    });

    it('caps the changes per clock hour, switching off always allowed', () => {
      const o = { ...opts, minOnMs: 0, minOffMs: 0, onDelayMs: 0, maxSwitchesPerHour: 3 };
      const r = simulate(o, NOON, NOON + 5 * H, cloudy, () => 1);
      for (const h of r.hours) assert.ok(h.switches <= 3, `${h.switches} switches`);
      assert.ok(r.decisions.some((d) => d.reason === 'switch-cap'));
      for (const h of r.hours) assert.ok(h.net >= 0);
    });
  });

  describe('fail-safe', () => {
    it('switches off when input stops and resumes when it returns', () => {
      const o = { ...opts, onDelayMs: 0, minOffMs: 0, failSafeMs: 5 * MIN };
      const at = NOON + 40 * MIN;
      let s = heaterInput(createHeaterState(), { at, net: 1 }, o).state;
      assert.equal(s.on, true);
      let d = heaterEvaluate(s, at + 4 * MIN, o);
      assert.equal(d.decision.on, true);
      d = heaterEvaluate(d.state, at + 5 * MIN, o);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.reason, 'fail-safe');
      assert.equal(d.decision.changed, true);
      assert.equal(d.decision.inputAgeMinutes, 5);
      s = d.state;
      d = heaterInput(s, { at: at + 9 * MIN, net: 1.1 }, o);
      assert.equal(d.decision.on, true);
      assert.equal(d.decision.reason, 'budget');
    });

    it('is off before any input', () => {
      const d = heaterEvaluate(createHeaterState(), NOON, opts);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.reason, 'fail-safe');
      assert.equal(d.decision.changed, false);
    });
  });

  describe('DST hour boundaries', () => {
    it('2026-03-29: the hour after 01:00 CET starts at 03:00 CEST with an empty budget', () => {
      const o = { ...opts, onDelayMs: 0, minOnMs: 0 };
      let d = heaterInput(createHeaterState(), { at: Date.parse('2026-03-29T00:50:00Z'), net: 0.7 }, o);
      assert.equal(d.decision.hourStart, '2026-03-29T01:00:00+01:00');
      assert.equal(d.decision.hourEnd, '2026-03-29T03:00:00+02:00');
      assert.equal(d.decision.minutesLeft, 10);
      assert.equal(d.decision.on, true);
      d = heaterInput(d.state, { at: Date.parse('2026-03-29T01:00:30Z'), net: 0 }, o);
      assert.equal(d.decision.hourStart, '2026-03-29T03:00:00+02:00');
      assert.equal(d.decision.minutesLeft, 60);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.switchesThisHour, 1);
    });

    it('2026-10-25: the repeated 02:00 hour is a new hour with its own budget and switch count', () => {
      const o = { ...opts, onDelayMs: 0, minOnMs: 0, minOffMs: 0 };
      let d = heaterInput(createHeaterState(), { at: Date.parse('2026-10-25T00:40:00Z'), net: 1 }, o);
      assert.equal(d.decision.hourStart, '2026-10-25T02:00:00+02:00');
      assert.equal(d.decision.switchesThisHour, 1);
      d = heaterEvaluate(d.state, Date.parse('2026-10-25T01:00:05Z'), o);
      assert.equal(d.decision.hourStart, '2026-10-25T02:00:00+01:00');
      assert.equal(d.decision.hourEnd, '2026-10-25T03:00:00+01:00');
      assert.equal(d.decision.netKwh, 0);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.switchesThisHour, 1);
      // a reading still labelled with the closed hour adds nothing to the new one
      const late = heaterInput(
        d.state,
        heaterInputOf(
          { net: 0.9, at: '2026-10-25T02:59:59+02:00', hourStart: '2026-10-25T02:00:00+02:00' },
          0,
        ),
        o,
      );
      assert.equal(late.decision.netKwh, 0);
      assert.equal(late.decision.on, false);
    });
  });

  describe('override', () => {
    // without readings: the fail-safe, which beats an override "on", is off
    const noFailSafe = { ...opts, failSafeMs: 0 };

    it('forces on without duration until auto', () => {
      let d = heaterOverride(createHeaterState(), 'on', NOON, noFailSafe);
      assert.equal(d.decision.on, true);
      assert.equal(d.decision.reason, 'override');
      assert.deepEqual(d.decision.override, { mode: 'on', until: null, minutesLeft: null, load: null });
      d = heaterEvaluate(d.state, NOON + 10 * H, noFailSafe);
      assert.equal(d.decision.on, true);
      d = heaterOverride(d.state, 'auto', NOON + 10 * H, noFailSafe);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.override, null);
    });

    it('forces on for a duration and hands back to the control after it', () => {
      let d = heaterOverride(createHeaterState(), 'on', NOON, noFailSafe, 30 * MIN);
      assert.equal(d.decision.override!.until, '2026-06-15T12:30:00+02:00');
      assert.equal(d.decision.override!.minutesLeft, 30);
      d = heaterEvaluate(d.state, NOON + 29 * MIN, noFailSafe);
      assert.equal(d.decision.on, true);
      d = heaterEvaluate(d.state, NOON + 30 * MIN, noFailSafe);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.override, null);
      assert.equal(d.decision.changed, true);
    });

    it('gives way to the fail-safe and the daily limit, for all loads and one alike, and holds again after them', () => {
      const two = {
        ...opts,
        onDelayMs: 0,
        failSafeMs: 5 * MIN,
        maxOnMsPerDay: 60 * MIN,
        loads: [
          { name: 'boiler', kw: 2, stages: 1, kind: 'relay' as const },
          { name: 'heater', kw: 1.5, stages: 1, kind: 'relay' as const },
        ],
      };
      for (const load of [undefined, 0]) {
        const which = load === undefined ? 'all loads' : 'one load';
        // no reading yet: the fail-safe holds the override "on" off
        let d = heaterOverride(createHeaterState(2), 'on', NOON, two, 2 * H, load);
        assert.equal(d.decision.loads[0].on, false, which);
        assert.equal(d.decision.reason, 'fail-safe', which);
        assert.equal(d.decision.override!.mode, 'on', which);
        // a reading: the override holds
        d = heaterInput(d.state, { at: NOON + MIN, net: 0 }, two);
        assert.equal(d.decision.loads[0].on, true, which);
        // no reading for the fail-safe time: off, the override kept
        d = heaterEvaluate(d.state, NOON + 6 * MIN, two);
        assert.deepEqual(
          [d.decision.on, d.decision.reason, d.decision.override?.mode],
          [false, 'fail-safe', 'on'],
          which,
        );
        // readings again: on again until the day's hour of on time is used up (5 min before the
        // fail-safe, 55 from 12:07)
        let t = NOON + 7 * MIN;
        for (; t < NOON + 62 * MIN; t += 10_000) {
          d = heaterInput(d.state, { at: t, net: 0 }, two);
          assert.equal(d.decision.loads[0].on, true, `${which} at ${d.decision.at}`);
        }
        d = heaterInput(d.state, { at: t, net: 0 }, two);
        assert.deepEqual(
          [d.decision.on, d.decision.reason, d.decision.override?.mode, d.decision.onMinutesToday],
          [false, 'daily-limit', 'on', 60],
          which,
        );
      }
      // an override "off" holds through both
      let d = heaterOverride(createHeaterState(2), 'off', NOON, two);
      d = heaterInput(d.state, { at: NOON + MIN, net: 3 }, two);
      assert.deepEqual([d.decision.on, d.decision.reason], [false, 'override']);
    });

    it('forces off against a surplus', () => {
      const o = { ...opts, onDelayMs: 0 };
      let d = heaterOverride(createHeaterState(), 'off', NOON, o);
      d = heaterInput(d.state, { at: NOON + MIN, net: 1.5 }, o);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.reason, 'override');
    });

    it('rejects unknown modes', () => {
      assert.throws(() => heaterOverride(createHeaterState(), 'maybe' as 'on', NOON, opts), BadInputError);
    });
  });

  describe('daily limit', () => {
    it('switches off after the maximum on time of the Warsaw day and counts from midnight again', () => {
      const o = { ...opts, onDelayMs: 0, maxOnMsPerDay: 30 * MIN, failSafeMs: 0 };
      const evening = Date.parse('2026-06-15T21:00:00Z'); // 23:00 Warsaw
      let d = heaterOverride(createHeaterState(), 'on', evening - 31 * MIN, o, 31 * MIN);
      d = heaterInput(d.state, { at: evening, net: 1 }, o);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.reason, 'daily-limit');
      assert.equal(d.decision.onMinutesToday, 31);
      d = heaterInput(d.state, { at: evening + H + 45 * MIN, net: 1 }, o);
      assert.equal(d.decision.on, true);
      assert.equal(d.decision.onMinutesToday, 0);
    });
  });

  describe('after Node-RED was stopped or the readings stopped', () => {
    const o = { ...opts, onDelayMs: 0, failSafeMs: 5 * MIN, maxOnMsPerDay: 60 * MIN };

    /** A 2 kW heater forced on from `from` for 30 minutes of readings, then no evaluation until `restart`. */
    function stoppedAt(from: number, restart: number): HeaterStep {
      let d = heaterInput(createHeaterState(), { at: from, net: 0.3 }, o);
      d = heaterOverride(d.state, 'on', from, o);
      for (let t = from + MIN; t <= from + 30 * MIN; t += MIN) {
        d = heaterInput(d.state, { at: t, net: 0.3 + ((t - from) / H) * 1 }, o);
      }
      assert.equal(d.decision.on, true);
      assert.equal(d.decision.onMinutesToday, 30);
      return heaterEvaluate(JSON.parse(JSON.stringify(d.state)), restart, o);
    }

    it('counts the time on and the energy only up to the fail-safe', () => {
      // on from 12:00 to 12:30, stopped until 15:10
      let d = stoppedAt(NOON, NOON + 3 * H + 10 * MIN);
      assert.equal(d.decision.reason, 'fail-safe');
      assert.equal(d.decision.onMinutesToday, 35);
      assert.equal(d.state.usedPendingKwh!.toFixed(6), ((2 * 5 * MIN) / H).toFixed(6));
      // the day's hour of heating is not used up by the time Node-RED was stopped
      d = heaterInput(d.state, { at: NOON + 3 * H + 11 * MIN, net: 0.5 }, o);
      assert.notEqual(d.decision.reason, 'daily-limit');
      // stopped within the hour: the hour's energy counts the 5 minutes, not the 30 stopped
      d = stoppedAt(NOON, NOON + 1 * H - MIN);
      d = heaterInput(d.state, { at: NOON + H - 50_000, net: 0.5 }, o);
      assert.equal(d.decision.usedKwh.toFixed(3), ((2 * 35 * MIN) / H).toFixed(3));
    });

    it('puts no energy of hours already closed into the hour after a gap in the readings', () => {
      // no fail-safe: the heater forced on stays on while the readings stop from 12:30 to 15:10
      const f = { ...o, failSafeMs: 0, maxOnMsPerDay: 0 };
      let d = heaterInput(createHeaterState(), { at: NOON, net: 0.3 }, f);
      d = heaterOverride(d.state, 'on', NOON, f);
      d = heaterInput(d.state, { at: NOON + 30 * MIN, net: 0.5 }, f);
      for (let t = NOON + 30 * MIN; t < NOON + 3 * H + 10 * MIN; t += 15_000)
        d = heaterEvaluate(d.state, t, f);
      d = heaterInput(d.state, { at: NOON + 3 * H + 10 * MIN, net: 0.2 }, f);
      assert.equal(d.decision.hourStart, '2026-06-15T15:00:00+02:00');
      assert.equal(d.decision.usedKwh, 0);
      d = heaterInput(d.state, { at: NOON + 3 * H + 11 * MIN, net: 0.2 }, f);
      assert.equal(d.decision.usedKwh.toFixed(3), ((2 * MIN) / H).toFixed(3));
      // today's energy from surplus: the 12:00 hour's 1 kWh and this minute's, not the 5 hours between
      assert.equal(d.decision.fromSurplusTodayKwh, 1.033);
    });

    it('counts no time on for a day that began after the fail-safe', () => {
      const evening = Date.parse('2026-06-15T21:00:00Z'); // 23:00 in Warsaw
      let d = stoppedAt(evening, evening + 8 * H); // restarted at 07:00
      assert.equal(d.decision.onMinutesToday, 0);
      d = heaterInput(d.state, { at: evening + 8 * H + 10_000, net: 0.5 }, o);
      assert.notEqual(d.decision.reason, 'daily-limit');
      assert.equal(d.decision.onMinutesToday, 0);
    });
  });

  describe('changes between readings', () => {
    it("counts the loads' energy and the house's rate from the instant a change without a reading switched them", () => {
      // 1 kW spare; the 2 kW heater is switched off by the timer 2 s after a reading (daily limit),
      // and on by an override 2 s before a reading
      const o = { ...opts, onDelayMs: 0, minOnMs: 0, minOffMs: 0, failSafeMs: 0, maxOnMsPerDay: 2000 };
      const at = NOON + 40 * MIN;
      let net = 1;
      let d = heaterInput(createHeaterState(), { at, net }, o);
      assert.equal(d.decision.on, true);
      d = heaterEvaluate(d.state, at + 2000, o);
      assert.equal(d.decision.reason, 'daily-limit');
      assert.equal(d.decision.on, false);
      net += (1 * MIN - 2 * 2000) / H;
      d = heaterInput(d.state, { at: at + MIN, net }, o);
      assert.equal(d.state.usedKwh.toFixed(9), ((2 * 2000) / H).toFixed(9));
      assert.equal(d.state.lastRateKw!.toFixed(9), (1).toFixed(9));
      const used = d.state.usedKwh;
      d = heaterOverride(d.state, 'on', at + 2 * MIN - 2000, { ...o, maxOnMsPerDay: 0 });
      assert.equal(d.decision.on, true);
      net += (1 * MIN - 2 * 2000) / H;
      d = heaterInput(d.state, { at: at + 2 * MIN, net }, { ...o, maxOnMsPerDay: 0 });
      assert.equal((d.state.usedKwh - used).toFixed(9), ((2 * 2000) / H).toFixed(9));
      assert.equal(d.state.lastRateKw!.toFixed(9), (1).toFixed(9));
    });

    it('names the next instant the fail-safe, an override end or the daily limit is due, each once', () => {
      const o = { ...opts, onDelayMs: 0, minOnMs: 0, failSafeMs: 5 * MIN, maxOnMsPerDay: 0 };
      const at = NOON + 40 * MIN;
      assert.equal(heaterDueAt(createHeaterState(), o), null);
      let d = heaterInput(createHeaterState(), { at, net: 1 }, o);
      assert.equal(heaterDueAt(d.state, o), at + 5 * MIN);
      assert.equal(heaterDueAt(d.state, { ...o, failSafeMs: 0 }), null);
      // the daily limit while on: switched on at the reading, 3 minutes a day
      assert.equal(heaterDueAt(d.state, { ...o, maxOnMsPerDay: 3 * MIN }), at + 3 * MIN);
      d = heaterOverride(d.state, 'off', at + 10_000, o, 2 * MIN);
      assert.equal(heaterDueAt(d.state, o), at + 10_000 + 2 * MIN);
      // once evaluated at or after it, an instant is not due again
      d = heaterEvaluate(d.state, at + 10_000 + 2 * MIN, o);
      assert.equal(d.decision.override, null);
      assert.equal(heaterDueAt(d.state, o), at + 5 * MIN);
      d = heaterEvaluate(d.state, at + 5 * MIN, o);
      assert.equal(d.decision.reason, 'fail-safe');
      assert.equal(heaterDueAt(d.state, o), null);
    });

    it('counts what was already counted once when the next reading is stamped before the change', () => {
      // the reading's own time lags the node's clock: the timer counted up to 15 s, the reading says 10 s
      const o = { ...opts, onDelayMs: 0, minOnMs: 0, failSafeMs: 0 };
      const at = NOON + 40 * MIN;
      let d = heaterInput(createHeaterState(), { at, net: 1 }, o);
      assert.equal(d.decision.on, true);
      d = heaterEvaluate(d.state, at + 15_000, o);
      d = heaterInput(d.state, { at: at + 10_000, net: 1 }, o);
      d = heaterInput(d.state, { at: at + 20_000, net: 1 }, o);
      assert.equal(d.decision.on, true);
      assert.equal(d.state.usedKwh.toFixed(9), ((2 * 20_000) / H).toFixed(9));
    });
  });

  describe('threshold mode', () => {
    it('switches with hysteresis on the running net', () => {
      const o = heaterOptionsWith(
        { ...opts, onDelayMs: 0, minOnMs: 0, minOffMs: 0 },
        { mode: 'threshold', onThreshold: 0.3, offThreshold: 0.1 },
      );
      let d = heaterInput(createHeaterState(), { at: NOON, net: 0.29 }, o);
      assert.equal(d.decision.on, false);
      d = heaterInput(d.state, { at: NOON + MIN, net: 0.3 }, o);
      assert.equal(d.decision.on, true);
      d = heaterInput(d.state, { at: NOON + 2 * MIN, net: 0.11 }, o);
      assert.equal(d.decision.on, true);
      d = heaterInput(d.state, { at: NOON + 3 * MIN, net: 0.1 }, o);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.reason, 'threshold');
    });
  });

  describe("the help's worked hour", () => {
    it('switches at the times and with the figures the help gives (2 kW heater, 1.5 kW spare, defaults)', () => {
      const start = Date.parse('2026-06-15T14:00:00Z'); // 16:00 in Warsaw
      // fourteen steady hours before it: learned, and nothing drawn, so the reserve is the margin
      const r = simulate(
        opts,
        start - 14 * H,
        start + H + 20_000,
        () => 2.5,
        () => 1,
      );
      const changes = r.decisions
        .filter((d) => d.changed && Date.parse(d.at) > start && Date.parse(d.at) < start + H)
        .map((d) => ({
          at: Date.parse(d.at) - start,
          on: d.on,
          banked: d.bankedKwh,
          reserve: d.reserveKwh,
          target: d.targetKw,
          reason: d.reason,
        }));
      const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.006, `${what} ${a}`);
      assert.equal(changes.length, 3, JSON.stringify(changes));
      const [on, off, again] = changes;
      // 16:13:40 on: bank 0.34, the 0.30 above the 0.04 reserve spread over 70 % of 46 min
      assert.deepEqual([on.at, on.on, on.reason], [13 * MIN + 40_000, true, 'budget']);
      near(on.banked, 0.34, 'bank');
      near(on.reserve, 0.04, 'reserve');
      near(on.target, 2.06, 'target');
      // 16:50:00 off: down to the reserve, the spare alone does not carry the heater
      assert.deepEqual([off.at, off.on, off.reason], [50 * MIN, false, 'budget-spent']);
      near(off.banked, 0.04, 'bank');
      // 16:55:00 on again after the minimum off time for the rest of the hour
      assert.deepEqual([again.at, again.on], [55 * MIN, true]);
      near(again.banked, 0.16, 'bank');
      near(again.target, 3.62, 'target');
      // 17:00: the hour ends with 0.12 kWh exported; the heater used 1.38 of its 1.5 kWh
      const hour = r.hours.find((h) => h.hourStart === start)!;
      near(hour.net, 0.12, 'net');
      near(hour.loadKwh, 1.38, 'used');
      // the first reading of the next hour has nothing banked: off
      const next = r.decisions.find((d) => Date.parse(d.at) === start + H)!;
      assert.equal(next.on, false);
    });
  });

  describe('the learned reserve', () => {
    it('keeps what the house drew in recent hours that ended in export, less as the hour runs out', () => {
      // 3 kW spare, but a 4 kW kettle-and-oven draw in minutes 50-55 of every hour
      const house = (t: number) => (((t - NOON) % H) / MIN >= 50 && ((t - NOON) % H) / MIN < 55 ? 5 : 1);
      const r = simulate({ ...opts, failSafeMs: 0 }, NOON, NOON + 5 * H, () => 4, house);
      // the house drew 1 kW net for 5 min: 0.083 kWh
      const at = (minute: number) =>
        r.decisions.find((d) => Date.parse(d.at) === NOON + 4 * H + minute * MIN)!;
      assert.ok(at(30).reserveKwh >= 0.083 + 0.02 - 1e-9, `reserve ${at(30).reserveKwh}`);
      assert.ok(at(59).reserveKwh < at(30).reserveKwh, 'the reserve shrinks towards the end');
      for (const h of r.hours) assert.ok(h.net >= 0, `net ${h.net}`);
    });

    it('is learned only from hours that ended in net export and survives JSON', () => {
      const r = simulate(
        opts,
        NOON,
        NOON + 3 * H,
        () => 0.5,
        () => 1,
      );
      assert.deepEqual(r.state.tails, []);
      const r2 = simulate(
        opts,
        NOON,
        NOON + 3 * H,
        () => 2,
        () => 1,
      );
      assert.equal(r2.state.tails.length, 2);
      assert.ok(isHeaterState(JSON.parse(JSON.stringify(r2.state))));
    });

    it("counts today's energy the loads took from each hour's own surplus, from zero at Warsaw midnight", () => {
      const evening = Date.parse('2026-06-15T19:00:00Z'); // 21:00 in Warsaw
      const r = simulate(
        opts,
        evening,
        evening + 4 * H,
        () => 2.5,
        () => 1,
      );
      const at = (t: number) => r.decisions.find((d) => Date.parse(d.at) === t)!;
      const today = r.hours.slice(0, 3).reduce((a, h) => a + Math.min(h.loadKwh, h.baseNet), 0);
      assert.ok(today > 2, `${today} kWh`);
      assert.ok(Math.abs(at(evening + 3 * H - 10_000).fromSurplusTodayKwh - today) < 0.02);
      // after midnight only the new day's hour counts
      const next = at(evening + 3 * H + 30 * MIN);
      assert.ok(next.fromSurplusTodayKwh < 0.75, `${next.fromSurplusTodayKwh}`);
      assert.ok(at(evening + 3 * H + 10_000).fromSurplusTodayKwh < 0.01);
    });

    it('spends what the hour banked by its end: a 2 kW heater on 1 kW of spare runs in the second half', () => {
      const r = simulate(
        opts,
        NOON,
        NOON + 15 * H,
        () => 2,
        () => 1,
      );
      for (const h of r.hours.slice(12)) {
        assert.ok(h.net >= 0, `net ${h.net}`);
        // nothing drawn in the learned hours: the hour ends with little more than the margin and
        // the last minutes' spare left
        assert.ok(h.net < 0.15, `left ${h.net} kWh of ${h.baseNet}`);
      }
      // it starts when the bank and the spare carry it through most of the rest of the hour, not as
      // soon as a minimum run is banked: one long run a learned hour (and a short one at its end)
      const starts = r.decisions.filter(
        (d) => d.changed && d.on && Date.parse(d.at) > NOON + 12 * H && d.minutesLeft > 10,
      );
      assert.ok(starts.length >= 2);
      for (const d of starts) assert.ok(d.minutesLeft <= 40 && d.minutesLeft >= 25, `on at ${d.at}`);
    });

    it('follows a spare larger than the load at once, before the reserve is banked again', () => {
      // three learned hours where the house draws 1 kW net for the first 20 minutes, then 3.5 kW spare
      const start = NOON + 3 * H;
      const pv = (t: number) => (((t - NOON) % H) / MIN < 20 ? 0.5 : 5);
      const r = simulate({ ...opts, failSafeMs: 0 }, NOON, NOON + 5 * H, pv, () => 1.5);
      const on = r.decisions.find((d) => d.on && Date.parse(d.at) > start + 20 * MIN)!;
      // the bank below its reserve is refilled over 10 minutes, not first: on within 10 minutes of
      // the spare appearing (plus the on-delay), while the bank is still below the reserve
      assert.ok(Date.parse(on.at) <= start + 31 * MIN, `on at ${on.at}`);
      assert.ok(on.bankedKwh < on.reserveKwh, `banked ${on.bankedKwh}, reserve ${on.reserveKwh}`);
      for (const h of r.hours) assert.ok(h.net >= 0, `net ${h.net}`);
    });
  });

  describe('stages, percentage output and several loads', () => {
    const boiler = { name: 'boiler', kw: 3, stages: 3, kind: 'relay' as const };
    const heater = { name: 'heater', kw: 1.5, stages: 1, kind: 'relay' as const };

    it("caps the changes of each stage's relay per clock hour, not of the load as a whole", () => {
      const o = { ...opts, loads: [boiler], minOnMs: 0, minOffMs: 0, onDelayMs: 0, maxSwitchesPerHour: 4 };
      // clouds every 3 minutes over 4 kW of panels: the spare swings between 3 and 1 kW
      const cloudy = (t: number) => (Math.floor(t / (3 * MIN)) % 2 === 0 ? 4 : 2);
      const r = simulate(o, NOON, NOON + 6 * H, cloudy, () => 1);
      const perHour = new Map<number, { relay: number[]; load: number }>();
      let prev = 0;
      for (const d of r.decisions) {
        const level = d.loads[0].stagesOn;
        if (level !== prev) {
          const hour = Date.parse(d.hourStart!);
          const h = perHour.get(hour) ?? { relay: [0, 0, 0], load: 0 };
          for (let k = Math.min(level, prev); k < Math.max(level, prev); k++) h.relay[k] += 1;
          h.load += 1;
          perHour.set(hour, h);
          prev = level;
        }
      }
      for (const h of perHour.values())
        for (const n of h.relay) assert.ok(n <= 4, `${n} changes of one relay`);
      assert.ok(
        [...perHour.values()].some((h) => h.load > 4),
        `the stages together change more often than one relay may: ${JSON.stringify([...perHour.values()])}`,
      );
      for (const h of r.hours) assert.ok(h.net >= 0, `net ${h.net}`);
    });

    it('steps a 3-stage boiler up one stage at a time and down from the last', () => {
      const o = { ...opts, loads: [boiler], onDelayMs: 0 };
      const r = simulate(
        o,
        NOON,
        NOON + 5 * H,
        () => 3.2,
        () => 1,
      );
      const levels = r.decisions.filter((d) => d.changed).map((d) => d.loads[0].stagesOn);
      assert.ok(levels.length > 3);
      // one stage at a time up; down as far as the budget needs
      for (let i = 1; i < levels.length; i++) assert.ok(levels[i] - levels[i - 1] <= 1);
      assert.ok(levels.includes(2), 'it runs two stages on 2.2 kW spare');
      for (const h of r.hours) assert.ok(h.net >= 0);
      const used = r.hours.slice(3).reduce((a, h) => a + h.loadKwh, 0);
      assert.ok(used / (2.2 * 2) > 0.8, `used ${used} of 4.4 kWh`);
    });

    it('runs the second load only while the first is fully on, and takes it off first', () => {
      const o = { ...opts, loads: [{ ...boiler, stages: 1, kw: 2 }, heater], onDelayMs: 0 };
      const r = simulate(
        o,
        NOON,
        NOON + 6 * H,
        () => 5,
        () => 1,
      );
      for (const d of r.decisions) if (d.loads[1].on) assert.equal(d.loads[0].on, true, d.at);
      assert.ok(
        r.decisions.some((d) => d.loads[1].on),
        'the heater ran',
      );
      for (const h of r.hours) assert.ok(h.net >= 0);
      const cloudy = simulate(
        o,
        NOON,
        NOON + 6 * H,
        (t) => (Math.floor(t / (20 * MIN)) % 2 ? 5 : 2.2),
        () => 1,
      );
      for (const d of cloudy.decisions) if (d.loads[1].on) assert.equal(d.loads[0].on, true, d.at);
      for (const h of cloudy.hours) assert.ok(h.net >= 0, `net ${h.net}`);
    });

    it('follows the surplus with a percentage output and stays at 0 below the reserve', () => {
      const o = { ...opts, loads: [{ name: 'ssr', kw: 2, stages: 1, kind: 'percent' as const }] };
      const r = simulate(
        o,
        NOON,
        NOON + 14 * H,
        () => 2.2,
        () => 1,
      );
      for (const h of r.hours) assert.ok(h.net >= 0, `net ${h.net}`);
      // while the prior reserve stands (2 kW for 10 min), then with twelve steady hours learned:
      // all but the margin and the output's own hold (4 min at 2 kW)
      for (const h of r.hours.slice(0, 12)) assert.ok(h.loadKwh > 0.75, `used ${h.loadKwh} of 1.2 kWh`);
      for (const h of r.hours.slice(12)) {
        assert.ok(h.loadKwh > 1.0, `used ${h.loadKwh} of 1.2 kWh`);
        assert.ok(h.net > 0.04 + 0.13 - 0.02, `left ${h.net} kWh`);
      }
      const percents = new Set(r.decisions.map((d) => d.loads[0].percent));
      assert.ok(
        [...percents].some((p) => p > 0 && p < 100),
        'it runs part of its power',
      );
      const none = simulate(
        o,
        NOON,
        NOON + 2 * H,
        () => 0.9,
        () => 1,
      );
      assert.ok(none.decisions.every((d) => d.loads[0].percent === 0));
    });

    it('overrides one load while the others share what is left', () => {
      const o = { ...opts, loads: [{ ...boiler, stages: 1, kw: 2 }, heater], onDelayMs: 0, failSafeMs: 0 };
      let d = heaterOverride(createHeaterState(2), 'off', NOON, o, undefined, 0);
      d = heaterInput(d.state, { at: NOON + MIN, net: 2 }, o);
      assert.deepEqual(
        d.decision.loads.map((l) => l.on),
        [false, true],
      );
      assert.equal(d.decision.override!.load, 'boiler');
      assert.throws(() => heaterOverride(d.state, 'on', NOON, o, undefined, 5), /no load 5/);
    });

    it('never moves an overridden load itself: no change reported, no relay switches counted', () => {
      // one relay forced on by a one-load override while the hour runs into import
      const one = { ...opts, onDelayMs: 0, failSafeMs: 0 };
      let d = heaterOverride(createHeaterState(), 'on', NOON, one, undefined, 0);
      assert.equal(d.decision.changed, true);
      let net = 0;
      for (let t = NOON + 10_000; t <= NOON + 12 * MIN; t += 10_000) {
        net -= (2 * 10_000) / H;
        d = heaterInput(d.state, { at: t, net }, one);
        assert.equal(d.decision.on, true);
        assert.equal(d.decision.changed, false, `changed at ${d.decision.at} (${d.decision.reason})`);
      }
      assert.equal(d.state.switchesThisHour, 1);
      assert.deepEqual(d.state.loads[0].relaySwitches, [1]);
      // a percentage load forced off ahead of a relay: the relay steps up once, the percentage stays off
      const o = {
        ...opts,
        onDelayMs: 0,
        failSafeMs: 0,
        loads: [{ name: 'ssr', kw: 2, stages: 1, kind: 'percent' as const }, heater],
      };
      d = heaterOverride(createHeaterState(2), 'off', NOON, o, undefined, 0);
      net = 0;
      let changes = 0;
      for (let t = NOON + 10_000; t <= NOON + 40 * MIN; t += 10_000) {
        net += ((4 - d.decision.loads.reduce((a, l) => a + l.powerKw, 0)) * 10_000) / H;
        d = heaterInput(d.state, { at: t, net }, o);
        assert.equal(d.decision.loads[0].percent, 0);
        if (d.decision.changed) changes += 1;
      }
      assert.equal(d.decision.loads[1].on, true);
      assert.equal(changes, 1);
      assert.deepEqual(d.state.loads[0].relaySwitches, []);
    });

    it('counts a load held on by a one-load override before stepping up the next one', () => {
      // boiler 2 kW forced on, a 1.5 kW heater after it, 2.5 kW spare: the heater may only spend
      // what the hour banked above the boiler (0.5 kW), late in the hour, not run on the spare
      const o = {
        ...opts,
        onDelayMs: 0,
        failSafeMs: 0,
        loads: [{ name: 'boiler', kw: 2, stages: 1, kind: 'relay' as const }, heater],
      };
      let d = heaterOverride(createHeaterState(2), 'on', NOON, o, undefined, 0);
      let net = 0;
      let ecp = 0;
      let eco = 0;
      for (let t = NOON + 10_000; t < NOON + H; t += 10_000) {
        const grid = ((2.5 - d.decision.loads.reduce((a, l) => a + l.powerKw, 0)) * 10_000) / H;
        net += grid;
        if (grid > 0) eco += grid;
        else ecp -= grid;
        d = heaterInput(d.state, { at: t, net, ecp, eco, hourStartMs: NOON, hourEndMs: NOON + H }, o);
        assert.equal(d.decision.loads[0].on, true);
        if (t < NOON + 45 * MIN) assert.equal(d.decision.loads[1].on, false, `heater on at ${d.decision.at}`);
      }
      assert.ok(net > 0, `the hour ends in export: net ${net}`);
    });

    it('keeps the newer net when a reading of the same hour comes late', () => {
      let d = heaterInput(createHeaterState(), { at: NOON + 10_000, net: 0.1 }, opts);
      d = heaterInput(d.state, { at: NOON + 20_000, net: 0.2 }, opts);
      const late = heaterInput(d.state, { at: NOON + 15_000, net: -0.5 }, opts);
      assert.equal(late.state.net, 0.2);
      assert.equal(late.state.lastInputAt, NOON + 20_000);
      assert.equal(late.decision.changed, false);
    });

    it('drops an override kept for a load the options no longer have', () => {
      const two = { ...opts, loads: [{ name: 'boiler', kw: 2, stages: 1, kind: 'relay' as const }, heater] };
      const kept = heaterOverride(createHeaterState(2), 'on', NOON, two, undefined, 1).state;
      assert.equal(kept.override?.load, 1);
      const d = heaterEvaluate(kept, NOON + MIN, { ...opts, loads: [two.loads[0]] });
      assert.equal(d.state.override, null);
      assert.equal(d.decision.override, null);
      assert.equal(d.decision.loads.length, 1);
    });

    it('reads loads from settings and names what is wrong', () => {
      const o = heaterOptionsWith(opts, {
        loads: [
          { name: 'boiler', kw: '3', stages: 3 },
          { name: 'ssr', kw: 2, output: 'percent' },
        ],
      });
      assert.deepEqual(o.loads, [
        { name: 'boiler', kw: 3, stages: 3, kind: 'relay' },
        { name: 'ssr', kw: 2, stages: 1, kind: 'percent' },
      ]);
      assert.throws(
        () => heaterOptionsWith(opts, { loads: [{ kw: 0, stages: 4, output: 'dimmer' }] }),
        /load 1: kw must be a number > 0.*load 1: output must be "relay" or "percent".*load 1: stages must be 1, 2 or 3/,
      );
      assert.throws(() => heaterOptionsWith(opts, { loads: [] }), /at least one load/);
      assert.equal(heaterOptionsWith(opts, { stages: 2 }).loads[0].stages, 2);
    });
  });

  describe('settings and input', () => {
    it('changes named settings in editor units', () => {
      const o = heaterOptionsWith(opts, { loadKw: '3,5', minOn: 10, failSafe: 0, maxSwitches: 4 });
      assert.equal(o.loads[0].kw, 3.5);
      assert.equal(o.minOnMs, 10 * MIN);
      assert.equal(o.failSafeMs, 0);
      assert.equal(o.maxSwitchesPerHour, 4);
      assert.equal(opts.loads[0].kw, 2, 'the base is not changed');
    });

    it('names unknown keys and bad values', () => {
      assert.throws(
        () => heaterOptionsWith(opts, { loadkw: 3, minOn: 1 }),
        /Unknown setting "loadkw"; known: mode, loads, loadKw/,
      );
      assert.throws(() => heaterOptionsWith(opts, { minOn: -1 }), /minOn must be a number ≥ 0, not -1/);
      assert.throws(() => heaterOptionsWith(opts, { maxSwitches: 2.5 }), /whole number/);
      assert.throws(() => heaterOptionsWith(opts, { mode: 'fast' }), /mode must be "budget" or "threshold"/);
      assert.throws(
        () => heaterOptionsWith(opts, { onThreshold: 0, offThreshold: 0.5 }),
        /above onThreshold/,
      );
    });

    it('reads the live signal of elicznik-balance and plain objects', () => {
      const live = {
        surplus: true,
        changed: false,
        net: 0.42,
        ecp: 0.1,
        eco: 0.52,
        hourStart: '2026-06-15T12:00:00+02:00',
        hourEnd: '2026-06-15T13:00:00+02:00',
        at: '2026-06-15T12:41:00+02:00',
        msLeft: 19 * MIN,
        minutesLeft: 19,
        readings: 240,
      };
      const i = heaterInputOf(live, 0);
      assert.equal(i.net, 0.42);
      assert.equal(i.at, NOON + 41 * MIN);
      assert.equal(i.hourStartMs, NOON);
      assert.equal(i.hourEndMs, NOON + H);
      assert.deepEqual(heaterInputOf({ ecp: '0,2', eco: 0.5 }, 123), {
        at: 123,
        net: 0.3,
        ecp: 0.2,
        eco: 0.5,
      });
      assert.throws(() => heaterInputOf({ foo: 1 }, 0), /neither net nor ecp\/eco/);
      assert.throws(() => heaterInputOf({ net: 'x' }, 0), /net is not a number/);
      assert.throws(() => heaterInputOf({ net: NaN }, 0), /net is not a number: NaN/);
      // a signed import would be taken for surplus: net = 0 − (−0.5) = +0.5
      assert.throws(() => heaterInputOf({ ecp: -0.5, eco: 0 }, 0), /ecp is negative \(-0.5\)/);
      assert.throws(() => heaterInputOf({ eco: '-0,2' }, 0), /eco is negative/);
      assert.equal(heaterInputOf({ net: -0.5 }, 0).net, -0.5);
      assert.throws(() => heaterInputOf(5, 0), BadInputError);
      // a time without its UTC offset would be read in the server's time zone; seconds are not ms
      assert.throws(() => heaterInputOf({ net: 1, at: '2026-06-15T12:41:00' }, 0), /at .* has no UTC offset/);
      assert.throws(
        () => heaterInputOf({ net: 1, hourStart: '2026-06-15 12:00' }, 0),
        /hourStart .* has no UTC offset/,
      );
      assert.throws(() => heaterInputOf({ net: 1, at: (NOON + 41 * MIN) / 1000 }, 0), /not in milliseconds/);
      assert.equal(heaterInputOf({ net: 1, at: '2026-06-15T10:41:00Z' }, 0).at, NOON + 41 * MIN);
    });

    it('keeps a serialisable state', () => {
      const d = heaterInput(createHeaterState(), { at: NOON, net: 1 }, opts);
      const copy = JSON.parse(JSON.stringify(d.state));
      assert.ok(isHeaterState(copy));
      assert.deepEqual(copy, d.state);
      assert.equal(isHeaterState({ version: 1 }), false);
    });
  });
});
