import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import sinon from 'sinon';
import { nodeRedPath } from '../support/node-red';
import { commandOf, heaterStatus, outputValue, type Translate } from '../../nodes/elicznik-heater/adapter';
import {
  createHeaterState,
  DEFAULT_HEATER_OPTIONS,
  heaterEvaluate,
  heaterInput,
  heaterOverride,
} from '../../src/energy/heater';
import { hourContaining, toLocalIso } from '../../src/energy/time';
import { HEATER_BENCH_MONTHS, householdMonth } from '../../src/simulator/household-meter';
import os from 'node:os';
import { mkdtemp, rm } from 'node:fs/promises';
import type { HeaterDecision, HeaterOptions, HeaterState } from '../../src/energy/heater';
import { heaterOptionsWith } from '../../src/energy/heater';

/** The runtime's flows and context modules behind the helper (to restart flows like Node-RED does). */
interface HelperInternals {
  _redNodes: { stopFlows(): Promise<void>; startFlows(): Promise<void> };
  _context: { init(settings: unknown): void; load(): Promise<void>; close(): Promise<void> };
  _settings: unknown;
}
const internals = helper as unknown as HelperInternals;

const heaterNode = require('../../nodes/elicznik-heater/elicznik-heater');

helper.init(nodeRedPath());

const MIN = 60_000;
const H = 3_600_000;
const NOON = Date.parse('2026-06-15T10:00:00Z'); // 12:00 in Warsaw

type Flow = Record<string, unknown>[];

function flow(props: Record<string, unknown>): Flow {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'n1',
      type: 'elicznik-heater',
      z: 'f1',
      name: 'boiler',
      ...props,
      wires: [['on'], ['off'], ['dec']],
    },
    { id: 'on', type: 'helper', z: 'f1' },
    { id: 'off', type: 'helper', z: 'f1' },
    { id: 'dec', type: 'helper', z: 'f1' },
    { id: 'c1', type: 'catch', z: 'f1', scope: null, wires: [['err']] },
    { id: 'err', type: 'helper', z: 'f1' },
  ];
}

interface Out {
  at: number;
  on: boolean;
  payload: unknown;
}

/** Every on/off message in order, with the fake time it came at. */
function switches(): Out[] {
  const out: Out[] = [];
  helper.getNode('on').on('input', (m: any) => out.push({ at: Date.now(), on: true, payload: m.payload }));
  helper.getNode('off').on('input', (m: any) => out.push({ at: Date.now(), on: false, payload: m.payload }));
  return out;
}

function collect(id: string): any[] {
  const out: any[] = [];
  helper.getNode(id).on('input', (m: any) => out.push(m));
  return out;
}

function next(id: string): Promise<any> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/**
 * A meter with the load behind it, fed to the node every 10 s as `elicznik-balance` sends its live
 * output; the load draws power while the last switch message said on.
 */
async function runMeter(
  clock: sinon.SinonFakeTimers,
  out: Out[],
  to: number,
  pvKw: (t: number) => number,
  houseKw: number,
  loadKw: number,
  hours: Map<number, { net: number; base: number; load: number }>,
  feed: (t: number) => boolean = () => true,
): Promise<void> {
  const node = helper.getNode('n1');
  while (Date.now() < to) {
    const before = Date.now();
    await clock.tickAsync(10_000);
    const t = Date.now();
    const mid = (before + t) / 2;
    const hour = hourContaining(mid);
    const h = hours.get(hour.startMs) ?? { net: 0, base: 0, load: 0 };
    hours.set(hour.startMs, h);
    const on = out.length > 0 && out[out.length - 1].on;
    const dt = (t - before) / H;
    h.net += (pvKw(mid) - houseKw - (on ? loadKw : 0)) * dt;
    h.base += (pvKw(mid) - houseKw) * dt;
    h.load += (on ? loadKw : 0) * dt;
    if (!feed(t)) continue;
    node.receive({
      payload: h.net >= 0,
      live: {
        surplus: h.net >= 0,
        changed: false,
        net: Math.round(h.net * 1000) / 1000,
        ecp: 0,
        eco: 0,
        hourStart: toLocalIso(hour.startMs),
        hourEnd: toLocalIso(hour.endMs),
        at: toLocalIso(t),
        msLeft: hour.endMs - t,
        minutesLeft: Math.ceil((hour.endMs - t) / MIN),
        readings: 1,
      },
    });
    await settle();
  }
}

function assertAlternating(out: Out[]): void {
  for (let i = 1; i < out.length; i++) {
    assert.notEqual(
      out[i].on,
      out[i - 1].on,
      `duplicate ${out[i].on ? 'on' : 'off'} at ${new Date(out[i].at).toISOString()}`,
    );
  }
}

describe('elicznik-heater node', function () {
  this.timeout(20_000);
  let clock: sinon.SinonFakeTimers | undefined;

  afterEach(async () => {
    await helper.unload();
    clock?.restore();
    clock = undefined;
  });

  const fake = (now: number) =>
    sinon.useFakeTimers({
      now,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });

  it('sends the safe "off" after a deploy, then runs the load on surplus over whole hours without net import', async () => {
    clock = fake(NOON);
    await helper.load(heaterNode, flow({ loadKw: '2', onDelay: '1', minOn: '5', minOff: '5' }) as any);
    const out = switches();
    const decisions = collect('dec');
    await clock.tickAsync(100);
    await settle();
    assert.deepEqual(
      out.map((o) => [o.on, o.payload]),
      [[false, false]],
    );
    assert.equal(decisions[0].payload.reason, 'fail-safe');
    const hours = new Map<number, { net: number; base: number; load: number }>();
    await runMeter(clock, out, NOON + 3 * H, () => 2.6, 1, 2, hours);
    assertAlternating(out);
    assert.ok(out.length >= 4, `${out.length} switch messages`);
    for (const [start, h] of hours) {
      if (start + H > Date.now()) continue;
      assert.ok(h.net >= 0, `hour ${toLocalIso(start)} ended at ${h.net.toFixed(3)} kWh`);
      assert.ok(h.load / h.base > 0.7, `the load used ${h.load.toFixed(2)} of ${h.base.toFixed(2)} kWh`);
    }
    const last = decisions.at(-1).payload;
    assert.ok(
      ['budget', 'trend', 'no-surplus', 'budget-spent', 'min-off', 'on-delay', 'min-on'].includes(
        last.reason,
      ),
    );
    assert.equal(typeof last.budgetKwh, 'number');
    assert.equal(typeof last.projectedNetKwh, 'number');
    assert.equal(last.hourStart, toLocalIso(hourContaining(Date.parse(last.at) - 1000).startMs));
  });

  it('keeps minimum times, the on-delay and the switch cap under passing clouds', async () => {
    clock = fake(NOON);
    await helper.load(
      heaterNode,
      flow({ loadKw: '2', onDelay: '2', minOn: '6', minOff: '4', maxSwitches: '4' }) as any,
    );
    const out = switches();
    const decisions = collect('dec');
    await clock.tickAsync(100);
    const cloudy = (t: number) => (Math.floor(t / (4 * MIN)) % 2 === 0 ? 4.5 : 0.3);
    const hours = new Map<number, { net: number; base: number; load: number }>();
    await runMeter(clock, out, NOON + 3 * H, cloudy, 1, 2, hours);
    assertAlternating(out);
    const changes = out.slice(1);
    assert.ok(changes.length > 3);
    for (let i = 1; i < changes.length; i++) {
      const gap = changes[i].at - changes[i - 1].at;
      const endedBy = decisions.find(
        (d) => Math.abs(Date.parse(d.payload.at) - changes[i].at) < 1000 && d.payload.changed,
      )?.payload.reason;
      if (changes[i - 1].on && endedBy !== 'import-guard')
        assert.ok(gap >= 6 * MIN, `on for ${gap / MIN} min`);
      if (!changes[i - 1].on) assert.ok(gap >= 4 * MIN, `off for ${gap / MIN} min`);
    }
    const perHour = new Map<string, number>();
    for (const c of changes) {
      const k = toLocalIso(hourContaining(c.at).startMs);
      perHour.set(k, (perHour.get(k) ?? 0) + 1);
    }
    for (const [k, n] of perHour) assert.ok(n <= 4, `${n} switches in ${k}`);
    // every switch-on came after the condition held for 2 minutes
    for (const d of decisions.map((m) => m.payload).filter((p) => p.changed && p.on)) {
      const at = Date.parse(d.at);
      const waiting = decisions.filter((m) => {
        const t = Date.parse(m.payload.at);
        return t >= at - 2 * MIN && t < at;
      });
      assert.ok(waiting.every((m) => !m.payload.on && m.payload.reason !== 'no-surplus'));
    }
    for (const [start, h] of hours) if (start + H <= Date.now()) assert.ok(h.net >= 0);
  });

  it('turns off on the fail-safe when input stops and resumes when it returns', async () => {
    clock = fake(NOON + 40 * MIN); // late in the hour: the bank alone carries the heater to its end
    await helper.load(heaterNode, flow({ loadKw: '2', onDelay: '0', minOff: '0', failSafe: '5' }) as any);
    const out = switches();
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    node.receive({ payload: { net: 1 } });
    await settle();
    assert.equal(out.at(-1)!.on, true);
    await clock.tickAsync(4 * MIN);
    assert.equal(out.at(-1)!.on, true);
    await clock.tickAsync(75_000);
    assert.equal(out.at(-1)!.on, false);
    const decision = next('dec');
    node.receive({ payload: { net: 1.2 } });
    const d = (await decision).payload;
    assert.equal(d.on, true);
    assert.equal(d.reason, 'budget');
    assertAlternating(out);
    sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, { fill: 'red', shape: 'ring' });
  });

  it('carries the text of its status with every decision, for a dashboard to show', async () => {
    clock = fake(NOON + 40 * MIN);
    await helper.load(heaterNode, flow({ loadKw: '2', onDelay: '0', minOff: '0' }) as any);
    const node = helper.getNode('n1');
    const status = node.status as sinon.SinonSpy;
    // each decision with the status the node shows when it arrives
    const seen: { reason: string; statusText: unknown; status: string }[] = [];
    helper.getNode('dec').on('input', (m: any) =>
      seen.push({
        reason: m.payload.reason,
        statusText: m.payload.statusText,
        status: status.lastCall?.args[0].text,
      }),
    );
    await clock.tickAsync(100);
    node.receive({ payload: { net: 1 } });
    await settle();
    node.receive({ payload: { override: 'off', minutes: 30 } });
    await settle();
    assert.deepEqual(
      seen.map((d) => d.reason),
      ['fail-safe', 'budget', 'override'],
    );
    for (const d of seen) {
      assert.equal(typeof d.statusText, 'string', d.reason);
      assert.equal(d.statusText, d.status, d.reason);
    }
    assert.notEqual(seen[1].statusText, seen[2].statusText);
  });

  it('turns off on the fail-safe when the readings keep coming with the same old time', async () => {
    clock = fake(NOON + 40 * MIN);
    await helper.load(heaterNode, flow({ loadKw: '2', onDelay: '0', minOff: '0', failSafe: '5' }) as any);
    const out = switches();
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    const at = Date.now();
    node.receive({ payload: { net: 1, at } });
    await settle();
    assert.equal(out.at(-1)!.on, true);
    // a source stuck on its last reading repeats it every 10 s
    const decisions = collect('dec');
    for (let k = 0; k < 60; k++) {
      await clock.tickAsync(10_000);
      node.receive({ payload: { net: 1, at } });
      await settle();
    }
    assert.deepEqual(
      out.map((o) => o.on),
      [false, true, false],
    );
    const off = out.at(-1)!.at - at;
    assert.ok(off >= 5 * MIN && off <= 5 * MIN + 15_000, `off after ${off / 1000} s`);
    assert.equal(decisions.at(-1).payload.reason, 'fail-safe');
  });

  it('turns off on the fail-safe at its instant, also when the reading is stamped before it came', async () => {
    clock = fake(NOON + 40 * MIN);
    await helper.load(heaterNode, flow({ loadKw: '2', onDelay: '0', minOff: '0', failSafe: '5' }) as any);
    const out = switches();
    await clock.tickAsync(100);
    const at = Date.now() - 7_000;
    helper.getNode('n1').receive({ payload: { net: 1, at } });
    await settle();
    assert.equal(out.at(-1)!.on, true);
    await clock.tickAsync(5 * MIN);
    assert.deepEqual(
      out.map((o) => [o.on, o.at]),
      [
        [false, NOON + 40 * MIN + 100],
        [true, NOON + 40 * MIN + 100],
        [false, at + 5 * MIN],
      ],
    );
  });

  it('ends an override at its instant between readings', async () => {
    clock = fake(NOON);
    await helper.load(heaterNode, flow({ failSafe: '0' }) as any);
    const out = switches();
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    const from = Date.now();
    node.receive({ payload: { override: 'on', minutes: 30 } });
    await settle();
    // a reading 7 s later restarts the timer: its ticks no longer fall on the override's end
    await clock.tickAsync(7_000);
    node.receive({ payload: { net: 0 } });
    await settle();
    await clock.tickAsync(30 * MIN);
    assert.deepEqual(
      out.map((o) => [o.on, o.at]),
      [
        [false, from],
        [true, from],
        [false, from + 30 * MIN],
      ],
    );
  });

  it('follows an override with and without a duration and sends numbers or strings as chosen', async () => {
    clock = fake(NOON);
    await helper.load(
      heaterNode,
      // no readings: the fail-safe, which beats an override "on", is off
      flow({ onValue: '1', onValueType: 'num', offValue: 'OFF', offValueType: 'str', failSafe: '0' }) as any,
    );
    const out = switches();
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    node.receive({ payload: { override: 'on', minutes: 30 } });
    await settle();
    assert.deepEqual(out.at(-1), { at: NOON + 100, on: true, payload: 1 });
    sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, { fill: 'yellow' });
    await clock.tickAsync(29 * MIN);
    assert.equal(out.at(-1)!.on, true);
    await clock.tickAsync(MIN + 15_000);
    assert.deepEqual(out.at(-1)!.payload, 'OFF');
    node.receive({ payload: { override: { mode: 'on' } } });
    await settle();
    await clock.tickAsync(5 * H);
    assert.equal(out.at(-1)!.on, true);
    node.receive({ payload: { override: 'auto' } });
    await settle();
    assert.equal(out.at(-1)!.on, false);
    assertAlternating(out);
    assert.equal(out.length, 5);
  });

  it('sends "on" once for a one-load override, also while the hour runs into import', async () => {
    clock = fake(NOON);
    await helper.load(heaterNode, flow({ onDelay: '0', failSafe: '0' }) as any);
    const out = switches();
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    node.receive({ payload: { override: 'on', load: 1 } });
    await settle();
    let net = 0;
    for (let k = 0; k < 60; k++) {
      await clock.tickAsync(10_000);
      net -= (2 * 10_000) / H;
      node.receive({ payload: { net } });
      await settle();
    }
    assert.deepEqual(
      out.map((o) => o.on),
      [false, true],
    );
  });

  it('changes named settings by a config message and rejects unknown keys with a clear error', async () => {
    clock = fake(NOON);
    await helper.load(heaterNode, flow({ loadKw: '2' }) as any);
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    let dec = next('dec');
    node.receive({ payload: { config: { loadKw: 3.5, minOn: 1 } } });
    assert.equal((await dec).payload.loads[0].kw, 3.5);
    // a config for another node by name is ignored
    dec = next('dec');
    node.receive({ payload: { config: { loadKw: 1 }, name: 'other' } });
    assert.equal((await dec).payload.loads[0].kw, 3.5);
    const err = next('err');
    node.receive({ payload: { config: { lodKw: 3 } } });
    assert.match((await err).error.message, /Unknown setting "lodKw"; known: mode, loads, loadKw/);
    dec = next('dec');
    node.receive({ payload: { net: 0 } });
    assert.equal((await dec).payload.loads[0].kw, 3.5, 'a rejected config changes nothing');
    // a config with an override of a load that does not exist: refused as a whole
    const err2 = next('err');
    node.receive({ payload: { config: { loadKw: 1 }, override: 'on', load: 'kettle' } });
    assert.match((await err2).error.message, /No load "kettle"/);
    dec = next('dec');
    node.receive({ payload: { net: 0 } });
    assert.equal((await dec).payload.loads[0].kw, 3.5, 'the config of a refused message changes nothing');
  });

  it('refuses a config message that would give its outputs other meanings, and keeps sending as before', async () => {
    clock = fake(NOON + 40 * MIN);
    await helper.load(heaterNode, flow({ onDelay: '0', minOff: '0', failSafe: '10' }) as any);
    const out = switches();
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    // one relay has on, off and decision outputs; two stages would make them stage 1, stage 2, decision
    const errors = collect('err');
    node.receive({ payload: { config: { stages: 2 } } });
    await settle();
    assert.equal(errors.length, 1, 'the config message is refused');
    assert.match(errors[0].error.message, /cannot change the number of outputs/);
    node.receive({ payload: { net: 1 } });
    await settle();
    assert.deepEqual(
      out.map((o) => [o.on, o.payload]),
      [
        [false, false],
        [true, true],
      ],
    );
  });

  it('re-sends its current state after a redeploy with a kept context store', async () => {
    clock = fake(NOON + 40 * MIN);
    helper.settings({ contextStorage: { default: { module: 'memory' }, keep: { module: 'memory' } } });
    try {
      const f = flow({ store: 'keep', onDelay: '0', failSafe: '10' });
      await helper.load(heaterNode, f as any);
      await (helper as any)._context.load();
      let out = switches();
      await clock.tickAsync(100);
      helper.getNode('n1').receive({ payload: { net: 1 } });
      await settle();
      assert.equal(out.at(-1)!.on, true);
      await helper.setFlows(f as any, 'full');
      out = switches();
      await clock.tickAsync(100);
      await settle();
      assert.deepEqual(
        out.map((o) => o.on),
        [true],
      );
      // no duplicate: the timer does not send it again while nothing changes
      await clock.tickAsync(MIN);
      assert.equal(out.length, 1);
    } finally {
      helper.settings({ contextStorage: undefined });
    }
  });

  it('does not count the hours Node-RED was stopped as time on against the daily limit', async () => {
    clock = fake(NOON);
    helper.settings({ contextStorage: { default: { module: 'memory' }, keep: { module: 'memory' } } });
    try {
      const f = flow({ store: 'keep', onDelay: '0', failSafe: '5', maxOnPerDay: '60' });
      await helper.load(heaterNode, f as any);
      await (helper as any)._context.load();
      await clock.tickAsync(100);
      const node = helper.getNode('n1');
      node.receive({ payload: { net: 0 } });
      node.receive({ payload: { override: 'on' } });
      for (let k = 1; k <= 20; k++) {
        await clock.tickAsync(MIN);
        node.receive({ payload: { net: 0 } });
      }
      await settle();
      // stopped at 12:20 with the heater on; started again at 15:00, readings come back
      clock.setSystemTime(NOON + 3 * H);
      await helper.setFlows(f as any, 'full');
      const decisions = collect('dec');
      await clock.tickAsync(100);
      await settle();
      assert.equal(decisions.at(-1).payload.reason, 'fail-safe');
      helper.getNode('n1').receive({ payload: { net: 0 } });
      await settle();
      const d = decisions.at(-1).payload;
      assert.equal(d.reason, 'override');
      assert.equal(d.on, true);
      assert.equal(d.onMinutesToday, 25);
    } finally {
      helper.settings({ contextStorage: undefined });
    }
  });

  it('decides like the library on the same readings for a day, with stages and a percentage load', async function () {
    this.timeout(60_000);
    // 15 June of the bench's June: the library drives the meter, the node gets the same readings
    const month = householdMonth({ ...HEATER_BENCH_MONTHS[0], from: '2026-06-15', days: 1 }, 20_000);
    const loads = [
      { name: 'boiler', kw: '3', stages: 3 },
      { name: 'ssr', kw: '2', output: 'percent' },
    ];
    const opts: HeaterOptions = heaterOptionsWith(DEFAULT_HEATER_OPTIONS, { loads });
    let state: HeaterState = createHeaterState(2);
    const expected: HeaterDecision[] = [];
    const inputs: Record<string, unknown>[] = [];
    let hourStart = -1;
    let net = 0;
    let power = 0;
    for (let i = 0; i < month.at.length; i++) {
      const h = hourContaining(month.at[i] - month.stepMs);
      if (h.startMs !== hourStart) {
        hourStart = h.startMs;
        net = 0;
      }
      net += ((month.pv[i] - month.house[i] - power) * month.stepMs) / H;
      const input = { at: month.at[i], net, hourStartMs: h.startMs, hourEndMs: h.endMs };
      const step = heaterInput(state, input, opts);
      state = step.state;
      expected.push(step.decision);
      power = step.decision.loads.reduce((a, l) => a + l.powerKw, 0);
      inputs.push({
        net,
        at: toLocalIso(month.at[i]),
        hourStart: toLocalIso(h.startMs),
        hourEnd: toLocalIso(h.endMs),
      });
    }
    clock = fake(month.at[0]);
    await helper.load(heaterNode, [
      { id: 'f1', type: 'tab' },
      {
        id: 'n1',
        type: 'elicznik-heater',
        z: 'f1',
        name: 'x',
        loads,
        outputs: 5,
        wires: [['s1'], ['s2'], ['s3'], ['p'], ['dec']],
      },
      ...['s1', 's2', 's3', 'p', 'dec'].map((id) => ({ id, type: 'helper', z: 'f1' })),
    ] as any);
    await clock.tickAsync(100);
    const decisions = collect('dec');
    const stage3 = collect('s3');
    const percent = collect('p');
    const node = helper.getNode('n1');
    for (const live of inputs) node.receive({ live } as any);
    await clock.tickAsync(0);
    for (let k = 0; k < 50 && decisions.length < inputs.length + 1; k++) await settle();
    const got = decisions.slice(-inputs.length).map((m) => m.payload);
    assert.equal(got.length, inputs.length);
    const pick = (d: HeaterDecision) => [
      d.at,
      d.on,
      d.reason,
      d.loads.map((l) => l.percent),
      d.reserveKwh,
      d.usedKwh,
    ];
    assert.deepEqual(got.map(pick), expected.map(pick));
    assert.ok(
      expected.some((d) => d.loads[0].stagesOn === 3),
      'all three stages ran',
    );
    assert.ok(
      expected.some((d) => d.loads[1].percent > 0 && d.loads[1].percent < 100),
      'the percentage load ran',
    );
    // the third stage's output says on/off exactly when its stage changed, the percent output sends numbers
    const changes3 = expected.filter(
      (d, i) => i > 0 && d.loads[0].stagesOn >= 3 !== expected[i - 1].loads[0].stagesOn >= 3,
    );
    assert.ok(changes3.length > 1);
    assert.deepEqual(
      stage3.map((m) => m.payload),
      changes3.map((d) => d.loads[0].stagesOn >= 3),
    );
    assert.equal(stage3[0].topic, 'boiler/3');
    assert.ok(percent.every((m) => typeof m.payload === 'number' && m.topic === 'ssr'));
  });

  it('overrides one load by name while the control keeps the others', async () => {
    clock = fake(NOON);
    const loads = [
      { name: 'boiler', kw: '2' },
      { name: 'heater', kw: '1.5' },
    ];
    await helper.load(heaterNode, [
      { id: 'f1', type: 'tab' },
      {
        id: 'n1',
        type: 'elicznik-heater',
        z: 'f1',
        loads,
        outputs: 3,
        onDelay: '0',
        wires: [['b'], ['h'], ['dec']],
      },
      ...['b', 'h', 'dec', 'err'].map((id) => ({ id, type: 'helper', z: 'f1' })),
      { id: 'c1', type: 'catch', z: 'f1', scope: null, wires: [['err']] },
    ] as any);
    await clock.tickAsync(100);
    const node = helper.getNode('n1');
    let dec = next('dec');
    node.receive({ payload: { override: { mode: 'off', load: 'boiler', minutes: 30 } } });
    assert.equal((await dec).payload.override.load, 'boiler');
    dec = next('dec');
    node.receive({ payload: { net: 1.5 } });
    const d = (await dec).payload;
    assert.deepEqual(
      d.loads.map((l: any) => l.on),
      [false, true],
    );
    const statuses = (node.status as sinon.SinonSpy).getCalls().map((c) => c.args[0]);
    assert.ok(
      statuses.some((st) => st.fill === 'yellow' && /^boiler: /.test(st.text)),
      JSON.stringify(statuses),
    );
    const err = next('err');
    node.receive({ payload: { override: 'on', load: 'kettle' } });
    assert.match((await err).error.message, /No load "kettle"; the loads are 1 "boiler", 2 "heater"/);
  });

  it("keeps the hour's bank, what the load used and the learned reserve through a redeploy and a restart (file store)", async function () {
    this.timeout(60_000);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-heater-'));
    try {
      clock = fake(NOON);
      helper.settings({
        contextStorage: {
          default: { module: 'memory' },
          file: { module: 'localfilesystem', config: { dir } },
        },
      } as Record<string, unknown>);
      const f = flow({ store: 'file', onDelay: '0', failSafe: '10' });
      await helper.load(heaterNode, f as any);
      internals._context.init(internals._settings);
      await internals._context.load();
      await internals._redNodes.stopFlows();
      await internals._redNodes.startFlows();
      await clock.tickAsync(100);
      const out = switches();
      const hours = new Map<number, { net: number; base: number; load: number }>();
      await runMeter(clock, out, NOON + H + 20 * MIN, () => 3, 1, 2, hours);
      let dec = next('dec');
      helper.getNode('n1').receive({ payload: { net: 0.4, at: Date.now() } });
      const before = (await dec).payload;
      assert.ok(before.usedKwh > 0.1, `used ${before.usedKwh}`);
      // a restart: flows stop, the stores write their caches and close, open again from their files, flows start
      await internals._redNodes.stopFlows();
      await internals._context.close();
      internals._context.init(internals._settings);
      await internals._context.load();
      await internals._redNodes.startFlows();
      await clock.tickAsync(100);
      dec = next('dec');
      helper.getNode('n1').receive({ payload: { net: 0.4, at: Date.now() } });
      const after = (await dec).payload;
      assert.equal(after.hourStart, before.hourStart);
      assert.ok(after.usedKwh >= before.usedKwh, `used ${after.usedKwh} after, ${before.usedKwh} before`);
      assert.equal(after.reserveKwh, before.reserveKwh);
    } finally {
      // the file store closes on real timers
      clock?.restore();
      clock = undefined;
      await helper.unload();
      helper.settings({ contextStorage: undefined });
      await rm(dir, { recursive: true, force: true, maxRetries: 10 });
    }
  });

  it('repeats the current value every N minutes when asked', async () => {
    clock = fake(NOON);
    await helper.load(heaterNode, flow({ repeat: '5', failSafe: '0' }) as any);
    const out = switches();
    await clock.tickAsync(100);
    await clock.tickAsync(16 * MIN);
    assert.deepEqual(
      out.map((o) => [o.on, Math.round(((o.at - NOON) / MIN) * 10) / 10]),
      [
        [false, 0],
        [false, 5],
        [false, 10],
        [false, 15],
      ],
    );
  });

  for (const [label, start, hourStart] of [
    ['2026-03-29 (spring, 02:00 CET never happens)', '2026-03-29T00:50:00Z', '2026-03-29T03:00:00+02:00'],
    ['2026-10-25 (autumn, 02:00 twice)', '2026-10-25T00:50:00Z', '2026-10-25T02:00:00+01:00'],
  ]) {
    it(`switches off at the DST hour boundary of ${label} when the new hour has no budget`, async () => {
      clock = fake(Date.parse(start));
      await helper.load(heaterNode, flow({ onDelay: '0', failSafe: '0', minOn: '5' }) as any);
      const out = switches();
      const decisions = collect('dec');
      await clock.tickAsync(100);
      helper.getNode('n1').receive({ payload: { net: 0.7 } });
      await settle();
      assert.equal(out.at(-1)!.on, true);
      assert.equal(decisions.at(-1).payload.minutesLeft, 10);
      await clock.tickAsync(10 * 60_000 + 20_000);
      assertAlternating(out);
      assert.equal(out.at(-1)!.on, false);
      const off = decisions.at(-1).payload;
      assert.equal(off.hourStart, hourStart);
      assert.equal(off.netKwh, 0);
      assert.equal(off.minutesLeft > 59, true);
      assert.equal(off.switchesThisHour, 1);
    });
  }

  it('leaves no timer behind after close', async () => {
    clock = fake(NOON);
    const before = clock.countTimers();
    await helper.load(heaterNode, flow({}) as any);
    await clock.tickAsync(100);
    assert.ok(clock.countTimers() > before);
    await helper.unload();
    assert.equal(clock.countTimers(), before);
  });

  it('reports bad input to a catch node', async () => {
    await helper.load(heaterNode, flow({}) as any);
    const err = next('err');
    helper.getNode('n1').receive({ payload: 'hot' });
    assert.match((await err).error.message, /running balance of the hour/);
  });
});

describe('elicznik-heater adapter', () => {
  const catalog = JSON.parse(
    fs.readFileSync(
      path.join(__dirname, '../../../nodes/elicznik-heater/locales/en-US/elicznik-heater.json'),
      'utf8',
    ),
  );
  const t: Translate = (key, params) => {
    let v: any = catalog;
    for (const part of key.split('.')) v = v?.[part];
    assert.equal(typeof v, 'string', `missing catalog key ${key}`);
    return (v as string).replace(/__(\w+)__/g, (_, k) => String(params?.[k]));
  };

  it('writes the status with the figures and the reason', () => {
    const o = { ...DEFAULT_HEATER_OPTIONS, onDelayMs: 0 };
    const on = heaterInput(createHeaterState(), { at: NOON + 42 * MIN, net: 0.9 }, o);
    assert.deepEqual(heaterStatus(t, on.decision), {
      fill: 'green',
      shape: 'dot',
      text: 'on 2.0 kW: bank 0.90, used 0.00, keep 0.37 kWh',
    });
    const fs5 = heaterEvaluate(on.state, NOON + 47 * MIN, o);
    assert.deepEqual(heaterStatus(t, fs5.decision), {
      fill: 'red',
      shape: 'ring',
      text: 'off: fail-safe, no data 5 min',
    });
  });

  it('shows the fail-safe and the daily limit, not the override, when they switched an override "on" off (all loads or one)', () => {
    const o = { ...DEFAULT_HEATER_OPTIONS, onDelayMs: 0, maxOnMsPerDay: 20 * MIN };
    for (const load of [undefined, 0]) {
      const first = heaterInput(createHeaterState(), { at: NOON, net: 0 }, o);
      const held = heaterOverride(first.state, 'on', NOON, o, undefined, load);
      assert.equal(held.decision.on, true);
      assert.equal(heaterStatus(t, held.decision).fill, 'yellow');
      const stale = heaterEvaluate(held.state, NOON + 6 * MIN, o);
      assert.equal(stale.decision.on, false);
      assert.deepEqual(heaterStatus(t, stale.decision), {
        fill: 'red',
        shape: 'ring',
        text: 'off: fail-safe, no data 6 min',
      });
      let d = heaterInput(held.state, { at: NOON + MIN, net: 0.5 }, o);
      for (let k = 2; k <= 21; k++) d = heaterInput(d.state, { at: NOON + k * MIN, net: 0.5 }, o);
      assert.equal(d.decision.on, false);
      assert.equal(d.decision.reason, 'daily-limit');
      assert.deepEqual(heaterStatus(t, d.decision), {
        fill: 'grey',
        shape: 'ring',
        text: 'off: daily limit reached',
      });
    }
  });

  it('has a status text for every reason in both languages', () => {
    const pl = JSON.parse(
      fs.readFileSync(
        path.join(__dirname, '../../../nodes/elicznik-heater/locales/pl/elicznik-heater.json'),
        'utf8',
      ),
    );
    const keys = (o: any, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]));
    assert.deepEqual(keys(pl).sort(), keys(catalog).sort());
  });

  it('reads commands and output values', () => {
    assert.equal(commandOf({ net: 1 }, 'x'), null);
    assert.deepEqual(commandOf({ override: 'ON', minutes: '30' }, 'x'), {
      override: { mode: 'on', durationMs: 30 * MIN },
    });
    assert.throws(() => commandOf({ override: 'later' }, 'x'), /override must be "on", "off" or "auto"/);
    assert.throws(() => commandOf({ override: 'on', minutes: -3 }, 'x'), /minutes must be a number > 0/);
    assert.throws(() => commandOf({ config: [1] }, 'x'), /config must be an object/);
    assert.equal(outputValue('', 'bool', true), true);
    assert.equal(outputValue('2,5', 'num', true), 2.5);
    assert.throws(() => outputValue('x', 'num', true), /Not a number/);
  });
});
