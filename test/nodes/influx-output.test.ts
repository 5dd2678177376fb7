/**
 * The `influx` output of the fetch and balance nodes in Node-RED, against the simulator: points in
 * the shape of node-red-contrib-influxdb's batch node, the measurement setting and its message
 * override, missing values left out, and the fetch node's progress in the status.
 */
import assert from 'node:assert/strict';
import { INFLUX_PRECISION } from '../../src/energy/influx';
import { startProxy } from '../client/proxy';
import {
  G11,
  G12W,
  configNode,
  credentials,
  fetchFlow,
  fetchNode,
  helper,
  lastStatus,
  nextMessage,
  setUpNodeTests,
  statuses,
  type Flow,
} from './elicznik-config.support';
import balanceNode = require('../../nodes/elicznik-balance/elicznik-balance');

const YESTERDAY = '2026-11-22';
/** A Friday: the G12W point has both zones. */
const WEEKDAY = '2026-11-20';

describe('InfluxDB points from the fetch and balance nodes', function () {
  this.timeout(20_000);
  const ctx = setUpNodeTests();

  async function load(fetch: Record<string, unknown> = {}, config: Record<string, unknown> = {}) {
    await helper.load([configNode, fetchNode], fetchFlow(ctx.sim, fetch, config), credentials());
    return helper.getNode('n1');
  }

  async function fetchOnce(n1: any, msg: Record<string, unknown> = {}): Promise<any> {
    const out = nextMessage('h1');
    n1.receive({ payload: 'go', ...msg });
    return out;
  }

  it('fetch: one point per hour with the meter point and zone, ECP and ECO in kWh, the start in ms', async () => {
    const n1 = await load({ output: 'influx' }, { meterPoint: G12W.id });
    const msg = await fetchOnce(n1, { topic: 'kept', day: WEEKDAY });
    assert.equal(msg.precision, 'ms');
    assert.equal(msg.precision, INFLUX_PRECISION);
    assert.equal(msg.topic, 'kept');
    const truth = ctx.sim.hourly(G12W.id, WEEKDAY);
    assert.equal(msg.payload.length, 24);
    assert.deepEqual(msg.payload[0], {
      measurement: 'elicznik',
      tags: { meterPoint: G12W.id, zone: truth[0].zone },
      fields: { ecp: truth[0].ecp, eco: truth[0].eco },
      timestamp: Date.parse(`${WEEKDAY}T00:00:00+01:00`),
    });
    assert.deepEqual(
      msg.payload.map((p: any) => [p.tags.zone, p.fields.ecp, p.fields.eco]),
      truth.map((h) => [h.zone, h.ecp, h.eco]),
    );
    assert.deepEqual(new Set(msg.payload.map((p: any) => p.tags.zone)), new Set(['T1', 'T2']));
    assert.deepEqual(
      msg.payload.map((p: any) => p.timestamp),
      Array.from({ length: 24 }, (_, i) => Date.parse(`${WEEKDAY}T00:00:00+01:00`) + i * 3_600_000),
    );
    assert.equal(lastStatus(n1)?.fill, 'green');
  });

  it('fetch: the measurement setting, msg.output and msg.measurement', async () => {
    const n1 = await load({ measurement: ' house ' });
    const hours = await fetchOnce(n1, { measurement: 5 });
    assert.ok(Array.isArray(hours.payload.hours), 'msg.measurement is read only for the influx shape');
    const own = await fetchOnce(n1, { output: 'influx' });
    assert.ok(own.payload.every((p: any) => p.measurement === 'house'));
    const other = await fetchOnce(n1, { output: 'influx', measurement: 'energy' });
    assert.ok(other.payload.every((p: any) => p.measurement === 'energy'));
    const err = nextMessage('h2');
    n1.receive({ payload: 'go', output: 'influx', measurement: ['x'] });
    const caught = await err;
    assert.equal(caught.error.code, 'BAD_INPUT');
    assert.match(caught.error.message, /msg\.measurement must be a measurement name/);
  });

  it('fetch: refuses a measurement with a space or a comma, which the 1.x batch node writes unescaped', async () => {
    const outcome = (n1: any, msg: Record<string, unknown>) => {
      const sent = nextMessage('h1').then((m) => ({ sent: m }));
      const caught = nextMessage('h2');
      n1.receive({ payload: 'go', ...msg });
      return Promise.race([sent, caught]) as Promise<any>;
    };
    const n1 = await load({ output: 'influx', measurement: 'my home' });
    const fromSetting = await outcome(n1, {});
    assert.equal(fromSetting.error?.code, 'BAD_INPUT');
    assert.match(fromSetting.error.message, /The measurement setting must be .* without spaces or commas/);
    const fromMsg = await outcome(n1, { measurement: 'energy,pv' });
    assert.equal(fromMsg.error?.code, 'BAD_INPUT');
    assert.match(fromMsg.error.message, /msg\.measurement must be .* got "energy,pv"/);
    assert.equal(ctx.sim.stats.loginAttempts, 0);
    const fine = await outcome(n1, { measurement: 'my_home' });
    assert.ok(fine.sent.payload.every((p: any) => p.measurement === 'my_home'));
  });

  it('fetch: an hour without values writes nothing and a missing value is never 0', async () => {
    ctx.sim.faults.nullFromHour = 21;
    const n1 = await load({ output: 'influx' });
    const msg = await fetchOnce(n1);
    assert.equal(msg.payload.length, 20, 'hours labelled 21..24 have no data yet');
    assert.equal(msg.payload[19].timestamp, Date.parse(`${YESTERDAY}T19:00:00+01:00`));
    assert.ok(msg.payload.every((p: any) => typeof p.fields.ecp === 'number'));
    assert.equal(lastStatus(n1)?.fill, 'yellow');
  });

  it('fetch: the autumn DST day gives 25 points, the repeated hour its own', async () => {
    const n1 = await load({ output: 'influx' });
    const msg = await fetchOnce(n1, { day: '2026-10-25' });
    assert.equal(msg.payload.length, 25);
    const stamps = msg.payload.map((p: any) => p.timestamp);
    assert.equal(new Set(stamps).size, 25);
    assert.ok(stamps.includes(Date.parse('2026-10-25T02:00:00+02:00')));
    assert.ok(stamps.includes(Date.parse('2026-10-25T02:00:00+01:00')));
  });

  it('fetch: counts the days done in the status while a long fetch runs', async () => {
    // An unreadable CSV makes the client fall back to JSON, one request per day and series.
    const proxy = await startProxy(ctx.sim, (r) =>
      r.path === '/energia/do/dane'
        ? { status: 200, headers: { 'content-type': 'text/csv' }, body: 'Datum;Wert;\n' }
        : undefined,
    );
    try {
      const n1 = await load(
        { output: 'influx', range: 'lastDays', days: '4', daysType: 'num' },
        { serviceUrl: proxy.serviceUrl, loginUrl: proxy.loginUrl },
      );
      const msg = await fetchOnce(n1);
      assert.equal(msg.payload.length, 96);
      const seen = statuses(n1).map((s) => s.text);
      assert.deepEqual(seen.slice(0, 4), [
        'elicznik-fetch.status.fetching',
        'elicznik-fetch.status.progress',
        'elicznik-fetch.status.progress',
        'elicznik-fetch.status.progress',
      ]);
      assert.equal(seen.length, 5);
      assert.equal(lastStatus(n1)?.fill, 'green');
    } finally {
      await proxy.close();
    }
  });

  it('balance: ECP, ECO, ECBP, ECBO and autoconsumption per hour, with the meter point of the fetch', async () => {
    const flow = fetchFlow(ctx.sim, { wires: [['b1']] }) as unknown as Record<string, unknown>[];
    flow.push(
      {
        id: 'b1',
        type: 'elicznik-balance',
        z: 'f1',
        mode: 'history',
        output: 'influx',
        measurement: 'energy',
        wires: [['h1']],
      },
      { id: 'b2', type: 'elicznik-balance', z: 'f1', mode: 'history', output: 'influx', wires: [['h3']] },
      { id: 'h3', type: 'helper', z: 'f1' },
    );
    await helper.load([configNode, fetchNode, balanceNode], flow as unknown as Flow, credentials());
    const msg = await fetchOnce(helper.getNode('n1'), { day: '2026-10-25' });
    assert.equal(msg.precision, 'ms');
    const truth = ctx.sim.hourly(G11.id, '2026-10-25');
    assert.equal(msg.payload.length, 25);
    for (const [i, p] of msg.payload.entries()) {
      const ecpWh = Math.round(truth[i].ecp! * 1000);
      const ecoWh = Math.round(truth[i].eco! * 1000);
      assert.equal(p.measurement, 'energy');
      assert.deepEqual(p.tags, { meterPoint: G11.id, zone: truth[i].zone });
      assert.deepEqual(p.fields, {
        ecp: truth[i].ecp,
        eco: truth[i].eco,
        ecbp: Math.max(ecpWh - ecoWh, 0) / 1000,
        ecbo: Math.max(ecoWh - ecpWh, 0) / 1000,
        autoconsumption: Math.min(ecpWh, ecoWh) / 1000,
      });
    }
    // Hours without a meter point of their own take the one of the payload.
    const bare = nextMessage('h3');
    helper.getNode('b2').receive({
      payload: { meterPoint: 'mp', hours: [{ hourStart: '2026-06-01T12:00:00+02:00', ecp: 1, eco: null }] },
    });
    assert.deepEqual((await bare).payload, [
      { measurement: 'elicznik', tags: { meterPoint: 'mp' }, fields: { ecp: 1 }, timestamp: 1780308000000 },
    ]);
  });

  it('balance: refuses a measurement with a space or a comma, which the 1.x batch node writes unescaped', async () => {
    const flow = [
      { id: 'f1', type: 'tab' },
      {
        id: 'b1',
        type: 'elicznik-balance',
        z: 'f1',
        mode: 'history',
        output: 'influx',
        measurement: 'my home',
        wires: [['h1']],
      },
      { id: 'h1', type: 'helper', z: 'f1' },
      { id: 'k1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['h2']] },
      { id: 'h2', type: 'helper', z: 'f1' },
    ];
    await helper.load([balanceNode], flow as unknown as Flow);
    const caught = nextMessage('h2');
    helper.getNode('b1').receive({ payload: [{ hourStart: '2026-06-01T12:00:00+02:00', ecp: 1, eco: 0 }] });
    const m = await caught;
    assert.equal(m.error.code, 'BAD_INPUT');
    assert.match(
      m.error.message,
      /The measurement setting must be .* without spaces or commas\), got "my home"/,
    );
  });
});
