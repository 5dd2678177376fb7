import assert from 'node:assert/strict';
import {
  createLiveState,
  DEFAULT_LIVE_OPTIONS,
  liveEvaluate,
  liveReading,
  liveTick,
  msToHourEnd,
  type LiveOptions,
  type LiveState,
} from '../../src/energy/live';

const T0 = Date.parse('2026-06-10T10:00:00Z'); // 12:00 Warsaw (CEST)
const MIN = 60_000;

function feed(state: LiveState, readings: { ecp?: unknown; eco?: unknown; at: number }[], opts: LiveOptions) {
  const closed = [];
  const signals = [];
  for (const r of readings) {
    const step = liveReading(state, r, opts);
    state = step.state;
    closed.push(...step.closed);
    signals.push(step.signal);
  }
  return { state, closed, signals };
}

describe('energy/live', () => {
  const inc: LiveOptions = { ...DEFAULT_LIVE_OPTIONS, kind: 'increment' };

  it('keeps the running net of the clock hour and closes it with the next hour reading', () => {
    const { closed, signals } = feed(
      createLiveState(),
      [
        { ecp: 0.2, eco: 0, at: T0 + 1 * MIN },
        { ecp: 0, eco: 0.5, at: T0 + 30 * MIN },
        { ecp: 0.1, eco: 0.3, at: T0 + 59 * MIN },
        { ecp: 0.4, eco: 0, at: T0 + 61 * MIN },
      ],
      inc,
    );
    assert.deepEqual(
      signals.map((s) => s.net),
      [-0.2, 0.3, 0.5, -0.4],
    );
    assert.equal(closed.length, 1);
    const h = closed[0];
    assert.equal(h.hourStart, '2026-06-10T12:00:00+02:00');
    assert.equal(h.ecp, 0.3);
    assert.equal(h.eco, 0.8);
    assert.equal(h.ecbo, 0.5);
    assert.equal(h.ecbp, 0);
    assert.equal(h.autoconsumption, 0.3);
    assert.equal(signals[3].hourStart, '2026-06-10T13:00:00+02:00');
    assert.equal(signals[0].minutesLeft, 59);
  });

  it('takes differences of cumulative counters, per phase, and treats a drop as a reset', () => {
    const opts: LiveOptions = { ...inc, kind: 'cumulative' };
    const { signals } = feed(
      createLiveState(),
      [
        { ecp: [100, 200, 300], eco: 50, at: T0 }, // baseline
        { ecp: [100.1, 200.1, 300.1], eco: 50.5, at: T0 + MIN },
        { ecp: [0.05, 200.2, 300.1], eco: 50.5, at: T0 + 2 * MIN }, // phase 1 counter reset
        { ecp: [0.15, 200.2, 300.1], eco: 51, at: T0 + 3 * MIN },
      ],
      opts,
    );
    assert.deepEqual(
      signals.map((s) => [s.ecp, s.eco]),
      [
        [0, 0],
        [0.3, 0.5],
        [0.4, 0.5], // only phase 2 added; the reset phase adds nothing
        [0.5, 1],
      ],
    );
  });

  it('adds only the growth when a counter read 0 for a while and comes back', () => {
    const opts: LiveOptions = { ...inc, kind: 'cumulative' };
    const { signals } = feed(
      createLiveState(),
      [
        { ecp: 300, eco: 50, at: T0 },
        { ecp: 0, eco: 50.1, at: T0 + MIN }, // a read error gives 0
        { ecp: 0, eco: 50.2, at: T0 + 2 * MIN },
        { ecp: 300.2, eco: 50.3, at: T0 + 3 * MIN }, // back: 0.2 kWh since 12:00, not 300.2
        { ecp: 300.3, eco: 50.4, at: T0 + 4 * MIN },
        // a reset for real (meter replaced): counted from the new counter as before
        { ecp: 1, eco: 50.5, at: T0 + 5 * MIN },
        { ecp: 1.5, eco: 50.6, at: T0 + 6 * MIN },
      ],
      opts,
    );
    assert.deepEqual(
      signals.map((s) => [s.ecp, s.eco]),
      [
        [0, 0],
        [0, 0.1],
        [0, 0.2],
        [0.2, 0.3],
        [0.3, 0.4],
        [0.3, 0.5],
        [0.8, 0.6],
      ],
    );
  });

  it('keeps the baseline of a counter phase that comes without a value (null, empty)', () => {
    const opts: LiveOptions = { ...inc, kind: 'cumulative' };
    const { signals } = feed(
      createLiveState(),
      [
        { ecp: [100, 200, 300], eco: { l1: 50, l2: 60 }, at: T0 },
        { ecp: [100.1, null, 300.1], eco: { l1: 50.1, l2: '' }, at: T0 + MIN },
        { ecp: [100.2, 200.2, 300.2], eco: { l1: 50.2, l2: 60.2 }, at: T0 + 2 * MIN },
      ],
      opts,
    );
    // phase 2 read nothing at 12:01; at 12:02 it adds its 0.2 kWh since 12:00, not its whole counter
    assert.deepEqual(
      signals.map((s) => [s.ecp, s.eco]),
      [
        [0, 0],
        [0.2, 0.1],
        [0.6, 0.4],
      ],
    );
  });

  it('counts the growth of counters once when readings come out of order or again late', () => {
    const opts: LiveOptions = { ...inc, kind: 'cumulative' };
    const { signals, closed } = feed(
      createLiveState(),
      [
        { ecp: 100, eco: 50, at: T0 + 50 * MIN }, // baseline, 12:50
        { ecp: 100.3, eco: 50.1, at: T0 + 52 * MIN },
        { ecp: 100.1, eco: 50, at: T0 + 51 * MIN }, // 12:51 comes after 12:52
        { ecp: 100.4, eco: 50.2, at: T0 + 53 * MIN },
        { ecp: 100.6, eco: 50.3, at: T0 + 61 * MIN }, // 13:01
        { ecp: 100.3, eco: 50.1, at: T0 + 52 * MIN }, // 12:52 sent again
        // a reading from hours before: the latest reading's time stays, so no gap follows
        { ecp: 90, eco: 40, at: T0 - 180 * MIN },
        { ecp: 100.7, eco: 50.5, at: T0 + 62 * MIN },
      ],
      opts,
    );
    assert.deepEqual(
      signals.map((s) => [s.ecp, s.eco]),
      [
        [0, 0],
        [0.3, 0.1],
        [0.3, 0.1],
        [0.4, 0.2],
        [0.2, 0.1],
        [0.2, 0.1],
        [0.2, 0.1],
        [0.3, 0.3],
      ],
    );
    assert.deepEqual(
      closed.map((h) => [h.hourStart.slice(11, 16), h.ecp, h.eco]),
      [['12:00', 0.4, 0.2]],
    );
  });

  it("does not put the counters' growth over a gap of a whole clock hour into the current hour", () => {
    const opts: LiveOptions = { ...inc, kind: 'cumulative' };
    const { closed, signals } = feed(
      createLiveState(),
      [
        { ecp: 100, eco: 50, at: T0 + 5 * MIN }, // baseline, 12:05
        { ecp: 100.1, eco: 50.2, at: T0 + 10 * MIN },
        // nothing from 12:10 to 14:20 (the flow or the meter was stopped): 3 kWh exported meanwhile
        { ecp: 100.5, eco: 53.2, at: T0 + 140 * MIN },
        { ecp: 100.6, eco: 53.5, at: T0 + 141 * MIN },
        // a gap within the hour before still counts, as every interval over an hour boundary does
        { ecp: 100.7, eco: 53.9, at: T0 + 190 * MIN },
      ],
      opts,
    );
    assert.deepEqual(
      signals.map((s) => [s.hourStart.slice(11, 16), s.ecp, s.eco, s.surplus]),
      [
        ['12:00', 0, 0, false],
        ['12:00', 0.1, 0.2, true],
        ['14:00', 0, 0, false],
        ['14:00', 0.1, 0.3, true],
        ['15:00', 0.1, 0.4, true],
      ],
    );
    assert.deepEqual(
      closed.map((h) => [h.hourStart.slice(11, 16), h.ecp, h.eco]),
      [
        ['12:00', 0.1, 0.2],
        ['14:00', 0.1, 0.3],
      ],
    );
  });

  it('switches the surplus signal with hysteresis and minimum on/off times', () => {
    const opts: LiveOptions = {
      kind: 'increment',
      onThresholdKwh: 0.2,
      offThresholdKwh: 0.05,
      minOnMs: 10 * MIN,
      minOffMs: 5 * MIN,
    };
    const { signals } = feed(
      createLiveState(),
      [
        { eco: 0.15, at: T0 + 1 * MIN }, // net 0.15: below on threshold
        { eco: 0.1, at: T0 + 2 * MIN }, // 0.25: on
        { ecp: 0.15, at: T0 + 3 * MIN }, // 0.10: in the band, stays on
        { ecp: 0.1, at: T0 + 4 * MIN }, // 0.00: below off, but min on time (10 min) not over
        { ecp: 0, at: T0 + 12 * MIN }, // min on time over: off
        { eco: 0.5, at: T0 + 14 * MIN }, // 0.5: above on, but min off (5 min) not over
        { eco: 0, at: T0 + 17 * MIN }, // on again
      ],
      opts,
    );
    assert.deepEqual(
      signals.map((s) => s.surplus),
      [false, true, true, true, false, false, true],
    );
    assert.deepEqual(
      signals.map((s) => s.changed),
      [false, true, false, false, true, false, true],
    );
  });

  it('closes hours on a tick across the autumn DST boundary, the repeated hour apart', () => {
    // 2026-10-25 00:30 UTC = 02:30 CEST (first label 3); 01:30 UTC = 02:30 CET (repeated label 3)
    let state = feed(
      createLiveState(),
      [{ ecp: 1, eco: 0, at: Date.parse('2026-10-25T00:30:00Z') }],
      inc,
    ).state;
    let step = liveTick(state, Date.parse('2026-10-25T01:10:00Z'));
    assert.equal(step.closed.length, 1);
    assert.equal(step.closed[0].hourStart, '2026-10-25T02:00:00+02:00');
    assert.equal(step.closed[0].repeated, false);
    state = feed(step.state, [{ ecp: 0, eco: 2, at: Date.parse('2026-10-25T01:20:00Z') }], inc).state;
    step = liveTick(state, Date.parse('2026-10-25T02:00:00Z'));
    assert.equal(step.closed[0].hourStart, '2026-10-25T02:00:00+01:00');
    assert.equal(step.closed[0].repeated, true);
    assert.equal(step.closed[0].ecbo, 2);
  });

  it('knows the spring DST hour ends at 03:00 CEST', () => {
    const at = Date.parse('2026-03-29T00:30:00Z'); // 01:30 CET, hour ends 03:00 CEST = 01:00 UTC
    assert.equal(msToHourEnd(at), 30 * MIN);
    const state = feed(createLiveState(), [{ ecp: 1, at }], inc).state;
    const step = liveTick(state, Date.parse('2026-03-29T01:00:00Z'));
    assert.equal(step.closed[0].hourEnd, '2026-03-29T03:00:00+02:00');
  });

  it('does not emit hours in which no reading arrived', () => {
    let state = feed(createLiveState(), [{ ecp: 1, at: T0 }], inc).state;
    let step = liveTick(state, T0 + 61 * MIN);
    assert.equal(step.closed.length, 1);
    step = liveTick(step.state, T0 + 121 * MIN);
    assert.equal(step.closed.length, 0);
    state = step.state;
    assert.equal(state.readings, 0);
  });

  it('switches the signal off in a new hour once the net starts from zero', () => {
    const opts: LiveOptions = { ...inc, onThresholdKwh: 0.1, offThresholdKwh: 0 };
    const { state } = feed(createLiveState(), [{ eco: 1, at: T0 + 50 * MIN }], opts);
    assert.equal(state.surplus, true);
    const step = liveEvaluate(state, T0 + 60 * MIN, opts);
    assert.equal(step.closed.length, 1);
    assert.equal(step.signal.surplus, false);
    assert.equal(step.signal.changed, true);
  });

  it('rejects bad readings with BAD_INPUT', () => {
    assert.throws(
      () => liveReading(createLiveState(), { ecp: -1, at: T0 }, inc),
      (e: any) => e.code === 'BAD_INPUT',
    );
    assert.throws(() => liveReading(createLiveState(), { at: T0 }, inc), /Neither ECP nor ECO/);
    assert.throws(() => liveReading(createLiveState(), { eco: 'x', at: T0 }, inc), /ECO is not a number/);
  });

  it('state survives JSON round trips', () => {
    const { state } = feed(createLiveState(), [{ ecp: 0.25, eco: 0.5, at: T0 }], {
      ...inc,
      kind: 'increment',
    });
    const copy = JSON.parse(JSON.stringify(state));
    const a = liveReading(state, { eco: 0.1, at: T0 + MIN }, inc).signal;
    const b = liveReading(copy, { eco: 0.1, at: T0 + MIN }, inc).signal;
    assert.deepEqual(a, b);
  });
});
