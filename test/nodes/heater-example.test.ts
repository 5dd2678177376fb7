import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import sinon from 'sinon';
import { nodeRedPath } from '../support/node-red';

const heaterNode = require('../../nodes/elicznik-heater/elicznik-heater');
const balanceNode = require('../../nodes/elicznik-balance/elicznik-balance');

helper.init(nodeRedPath());

/** The core nodes the example uses, from the Node-RED under test. */
const core = [
  'common/20-inject.js',
  'common/90-comment.js',
  'common/60-link.js',
  'function/10-function.js',
  'function/15-change.js',
].map((f) => require(require.resolve(`@node-red/nodes/core/${f}`, { paths: [path.dirname(nodeRedPath())] })));

const NOON = Date.parse('2026-06-15T10:00:00Z'); // 12:00 in Warsaw

/**
 * An example's nodes as the tests load them: each debug node becomes a helper so the test can read
 * what reaches it, and the night inject's cron is left out (it would follow this machine's clock;
 * the test presses the inject itself).
 */
function flowUnderTest<T extends Record<string, unknown>>(nodes: T[]): T[] {
  return nodes.map((n) =>
    n.type === 'debug'
      ? ({ id: n.id, z: n.z, type: 'helper' } as unknown as T)
      : n.id === 'ht-night'
        ? { ...n, crontab: '' }
        : n,
  );
}

describe('example flow heater-on-surplus.json', function () {
  this.timeout(20_000);
  let clock: sinon.SinonFakeTimers | undefined;

  afterEach(async () => {
    await helper.unload();
    clock?.restore();
  });

  it('runs the simulated boiler on the surplus for an hour without ending it in net import', async () => {
    clock = sinon.useFakeTimers({
      now: NOON,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    const file = path.join(__dirname, '../../../examples/heater-on-surplus.json');
    const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
    assert.ok(nodes.some((n) => n.type === 'link out' && n.name === 'replace with your MQTT/HTTP relay'));
    const flow = flowUnderTest(nodes);
    await helper.load([...core, balanceNode, heaterNode], flow as any);
    const decisions: any[] = [];
    helper.getNode('hx-decision').on('input', (m: any) => decisions.push(m.payload));
    for (let i = 0; i < 6 * 61; i++) {
      await clock.tickAsync(10_000);
      for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
    }
    const inHour = decisions.filter((d) => d.hourStart === '2026-06-15T12:00:00+02:00');
    assert.ok(inHour.length > 300, `${inHour.length} decisions`);
    const ons = inHour.filter((d) => d.changed && d.on);
    assert.ok(ons.length >= 1, 'the boiler ran');
    assert.ok(inHour.at(-1).netKwh >= 0, `the hour ended at ${inHour.at(-1).netKwh} kWh`);
    // with 2.2 kW spare and a 2 kW boiler the surplus alone carries it once it runs
    assert.ok(inHour.filter((d) => d.on).length > inHour.length / 2);
  });
});

describe('example flow heater-stages-and-loads.json', function () {
  this.timeout(60_000);
  let clock: sinon.SinonFakeTimers | undefined;

  afterEach(async () => {
    await helper.unload();
    clock?.restore();
  });

  it('spends the boiler stages first, then the heater percentage, and never ends an hour in net import', async () => {
    clock = sinon.useFakeTimers({
      now: NOON,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    const file = path.join(__dirname, '../../../examples/heater-stages-and-loads.json');
    const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
    const flow = flowUnderTest(nodes);
    await helper.load([...core, balanceNode, heaterNode], flow as any);
    const decisions: any[] = [];
    helper.getNode('hl-decision').on('input', (m: any) => decisions.push(m.payload));
    for (let i = 0; i < 6 * 60 * 3; i++) {
      await clock.tickAsync(10_000);
      for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
    }
    const hours = new Map<string, any>();
    for (const d of decisions) if (d.hourStart) hours.set(d.hourStart, d);
    const closed = [...hours.values()].slice(0, -1);
    assert.ok(closed.length >= 2);
    for (const last of closed) assert.ok(last.netKwh >= 0, `${last.hourStart} ended at ${last.netKwh} kWh`);
    assert.ok(
      decisions.some((d) => d.loads[0].stagesOn === 3),
      'all boiler stages ran',
    );
    assert.ok(
      decisions.some((d) => d.loads[1].percent > 0),
      'the heater ran',
    );
    for (const d of decisions) if (d.loads[1].on) assert.equal(d.loads[0].stagesOn, 3, d.at);
  });
});

describe('example flow heater-top-up-at-night.json', function () {
  this.timeout(60_000);
  let clock: sinon.SinonFakeTimers | undefined;

  afterEach(async () => {
    await helper.unload();
    clock?.restore();
  });

  /**
   * Loads the example 10 minutes before the inject fires (`press`, default 22:00 Warsaw time) with
   * `fromSurplusKwh` taken from surplus on 15 June; runs to 40 minutes after it.
   */
  async function runNight(
    fromSurplusKwh: number,
    press = Date.parse('2026-06-15T20:00:00Z'),
  ): Promise<{ decisions: any[]; topUps: any[] }> {
    const start = press - 10 * 60_000;
    clock = sinon.useFakeTimers({
      now: start,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    const file = path.join(__dirname, '../../../examples/heater-top-up-at-night.json');
    const nodes = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>[];
    // the cron inject fires at 22:00 server time; here the test presses it at 22:00 Warsaw time
    assert.equal(nodes.find((n) => n.id === 'ht-night')!.crontab, '00 22 * * *');
    const flow = flowUnderTest(nodes);
    flow.push({ id: 'ht-topups', z: 'ht-tab', type: 'helper' });
    flow.find((n) => n.id === 'ht-topup')!.wires = [['ht-heater', 'ht-topups']];
    await helper.load([...core, balanceNode, heaterNode], flow as any);
    const decisions: any[] = [];
    const topUps: any[] = [];
    helper.getNode('ht-decision').on('input', (m: any) => decisions.push(m.payload));
    helper.getNode('ht-topups').on('input', (m: any) => topUps.push(m.payload));
    // what the day's decisions reported before the node was loaded
    helper
      .getNode('ht-remember')
      .receive({ payload: { at: '2026-06-15T21:49:50+02:00', fromSurplusTodayKwh: fromSurplusKwh } });
    for (let t = start; t < start + 50 * 60_000; t += 10_000) {
      if (t === start + 10 * 60_000) helper.getNode('ht-night').receive({ payload: t });
      await clock.tickAsync(10_000);
      for (let k = 0; k < 3; k++) await new Promise((r) => setImmediate(r));
    }
    return { decisions, topUps };
  }

  it('runs the boiler at 22:00 for the energy the day did not give, then hands it back to the control', async () => {
    const { decisions, topUps } = await runNight(3);
    // 4 kWh a day, 3 from surplus: 1 kWh at 2 kW is 30 minutes
    assert.deepEqual(JSON.parse(JSON.stringify(topUps)), [{ override: 'on', minutes: 30 }]);
    const on = decisions.filter((d) => d.on);
    assert.ok(on.length > 0, 'the boiler ran');
    assert.ok(on[0].at >= '2026-06-15T22:00:00' && on[0].at < '2026-06-15T22:00:30', on[0].at);
    assert.ok(on.at(-1).at >= '2026-06-15T22:29:30' && on.at(-1).at < '2026-06-15T22:30:30', on.at(-1).at);
    for (const d of on) assert.equal(d.reason, 'override');
    // no sun at night: back under the control the boiler stays off
    const after = decisions.filter((d) => d.at >= '2026-06-15T22:31');
    assert.ok(after.length > 0 && after.every((d) => !d.on && d.override === null));
  });

  it('counts the day that just ended when the inject fires after midnight (22:00 on a server in UTC, in summer)', async () => {
    // 22:00 UTC is 00:00 in Warsaw in June: the heater's decisions already report the new day
    const { decisions, topUps } = await runNight(4.2, Date.parse('2026-06-15T22:00:00Z'));
    assert.ok(decisions.some((d) => d.at >= '2026-06-16T00:00:00' && d.fromSurplusTodayKwh === 0));
    assert.deepEqual(topUps, []);
    assert.ok(decisions.every((d) => !d.on));
  });

  it('leaves the boiler off when the surplus gave the day its energy', async () => {
    const { decisions, topUps } = await runNight(4.2);
    assert.deepEqual(topUps, []);
    assert.ok(decisions.length > 200);
    assert.ok(decisions.every((d) => !d.on));
  });
});
