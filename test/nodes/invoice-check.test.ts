import assert from 'node:assert/strict';
import path from 'node:path';
import { localDatesInRange } from '../../src/energy/time';
import type { SimHourTruth, SimulatorHandle } from '../../src/simulator';
import { nodeRedPath } from '../support/node-red';
import {
  G11,
  G12W,
  PASS,
  USER,
  configNode,
  credentials,
  fetchFlow,
  fetchNode,
  helper,
  lastStatus,
  nextMessage,
  setUpNodeTests,
  type Flow,
} from './elicznik-config.support';
import balanceNode = require('../../nodes/elicznik-balance/elicznik-balance');

type AnyNode = Record<string, unknown> & { id: string; type: string };

/** A core node module of the Node-RED under test. */
function coreNode(file: string) {
  const base = path.dirname(
    require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(nodeRedPath())] }),
  );
  return require(path.join(base, 'core', file));
}

const wh = (kwh: number | null | undefined) =>
  kwh === null || kwh === undefined ? null : Math.round(kwh * 1000);

/** The simulator's hours of a range. */
function truth(sim: SimulatorHandle, id: string, from: string, to: string): SimHourTruth[] {
  return localDatesInRange(from, to).flatMap((date) => sim.hourly(id, date));
}

/** Fetch (every series) → balance → h1, errors → h2. */
function checkFlow(sim: SimulatorHandle, meterPoint: string, series = 'ecp,eco,tauronEcbp,tauronEcbo'): Flow {
  const nodes = fetchFlow(
    sim,
    {
      range: 'range',
      ecp: series.includes('ecp'),
      eco: series.includes('eco'),
      tauronEcbp: series.includes('tauronEcbp'),
      tauronEcbo: series.includes('tauronEcbo'),
      wires: [['b1']],
    },
    { meterPoint },
  ) as unknown as AnyNode[];
  nodes.push({
    id: 'b1',
    type: 'elicznik-balance',
    z: 'f1',
    mode: 'history',
    property: 'payload',
    wires: [['h1']],
  });
  return nodes as unknown as Flow;
}

describe('fetch → balance: the invoice check in Node-RED', function () {
  this.timeout(30_000);
  const ctx = setUpNodeTests();

  it('compares a G12W point with TAURON’s balanced series over the autumn DST days, per zone', async () => {
    const sim = ctx.sim;
    sim.faults.balancedDifferences = [
      { date: '2026-10-25', hour: 3, repeated: true, ecbp: 0.2 },
      { date: '2026-10-26', hour: 12, ecbo: 0.15 },
    ];
    await helper.load([configNode, fetchNode, balanceNode], checkFlow(sim, G12W.id), credentials());
    const out = nextMessage('h1');
    helper.getNode('n1').receive({ range: { from: '2026-10-24', to: '2026-10-26' } });
    const { payload } = await out;
    assert.equal(payload.hours.length, 24 + 25 + 24);
    const check = payload.check;
    assert.deepEqual(
      check.differences.map((d: any) => [d.hourStart, d.zone, d.difference]),
      [
        ['2026-10-25T02:00:00+01:00', 'T2', { ecbp: 0.2, ecbo: 0 }],
        ['2026-10-26T11:00:00+01:00', 'T1', { ecbp: 0, ecbo: 0.15 }],
      ],
    );
    const served = truth(sim, G12W.id, '2026-10-24', '2026-10-26');
    const sum = (pick: (h: SimHourTruth) => number, zone?: string) =>
      served.filter((h) => zone === undefined || h.zone === zone).reduce((a, h) => a + pick(h), 0);
    const ours = (h: SimHourTruth) => Math.max(wh(h.ecp)! - wh(h.eco)!, 0);
    assert.equal(wh(check.ours.ecbp), sum(ours));
    assert.equal(wh(payload.total.ecbp), sum(ours));
    assert.equal(
      wh(check.tauron.ecbp),
      sum((h) => wh(h.tauronEcbp)!),
    );
    assert.equal(
      wh(check.tauron.ecbo),
      sum((h) => wh(h.tauronEcbo)!),
    );
    assert.equal(wh(check.difference.ecbp), 200);
    assert.equal(wh(check.difference.ecbo), 150);
    assert.deepEqual(Object.keys(check.zones), ['T1', 'T2']);
    for (const zone of ['T1', 'T2']) {
      assert.equal(
        wh(check.zones[zone].tauron.ecbo),
        sum((h) => wh(h.tauronEcbo)!, zone),
        zone,
      );
      assert.equal(check.zones[zone].hoursDiffering, 1, zone);
    }
    assert.equal(check.zones.T1.hoursCompared + check.zones.T2.hoursCompared, 73);
    assert.deepEqual(lastStatus(helper.getNode('b1')), {
      fill: 'yellow',
      shape: 'dot',
      text: 'elicznik-balance.status.doneDiffers',
    });
  });

  it('lists the hours of a late day as missing on our side, not as 0, and compares the rest', async () => {
    const sim = ctx.sim;
    sim.faults.nullFromHour = 15; // yesterday, the newest day, has nothing from 14:00 on
    await helper.load([configNode, fetchNode, balanceNode], checkFlow(sim, G11.id), credentials());
    const out = nextMessage('h1');
    helper.getNode('n1').receive({ range: { from: '2026-11-21', to: '2026-11-22' } });
    const { payload } = await out;
    assert.equal(payload.total.missingHours, 10);
    assert.equal(payload.check.hoursCompared, 38);
    assert.deepEqual(payload.check.missing.ours, payload.missing);
    assert.equal(payload.check.missing.ours[0], '2026-11-22T14:00:00+01:00');
    assert.equal(payload.check.matches, true);
    const served = truth(sim, G11.id, '2026-11-21', '2026-11-22').filter((h) => h.ecp !== null);
    assert.equal(served.length, 38);
    assert.equal(
      wh(payload.check.tauron.ecbo),
      served.reduce((a, h) => a + wh(h.tauronEcbo)!, 0),
    );
    assert.equal(lastStatus(helper.getNode('b1'))?.text, 'elicznik-balance.status.partial');
  });

  it('adds no check when the fetch node did not bring TAURON’s series', async () => {
    await helper.load(
      [configNode, fetchNode, balanceNode],
      checkFlow(ctx.sim, G11.id, 'ecp,eco'),
      credentials(),
    );
    const out = nextMessage('h1');
    helper.getNode('n1').receive({ range: { from: '2026-11-20', to: '2026-11-20' } });
    const { payload } = await out;
    assert.equal(payload.hours.length, 24);
    assert.equal(payload.check, undefined);
    assert.equal(lastStatus(helper.getNode('b1'))?.fill, 'green');
  });
});

describe('examples/check-invoice-needs-flowfuse-dashboard.json', function () {
  this.timeout(30_000);
  const ctx = setUpNodeTests();
  const example = require('../../../examples/check-invoice-needs-flowfuse-dashboard.json') as AnyNode[];

  /** The example as shipped, pointed at the simulator, with dashboard and debug nodes as test sinks. */
  async function loadExample() {
    const flow = example
      .filter((n) => n.type !== 'comment' && !['ui-base', 'ui-page', 'ui-group', 'ui-theme'].includes(n.type))
      .map((n) => {
        if (n.type === 'debug' || n.type.startsWith('ui-')) return { id: n.id, type: 'helper', z: n.z };
        if (n.type === 'elicznik-config')
          return { ...n, serviceUrl: ctx.sim.serviceUrl, loginUrl: ctx.sim.loginUrl };
        return { ...n };
      });
    const modules = [
      configNode,
      fetchNode,
      balanceNode,
      coreNode('common/20-inject.js'),
      coreNode('common/25-catch.js'),
      coreNode('function/10-function.js'),
    ];
    await helper.load(modules, flow as unknown as Flow, { 'ci-acc': { username: USER, password: PASS } });
  }

  it('fetches the period with TAURON’s series and fills the tables and texts', async () => {
    const types = new Set(example.map((n) => n.type));
    for (const t of ['inject', 'elicznik-fetch', 'elicznik-balance', 'ui-table', 'ui-text'])
      assert.ok(types.has(t), t);
    const fetch = example.find((n) => n.type === 'elicznik-fetch')!;
    assert.deepEqual([fetch.ecp, fetch.eco, fetch.tauronEcbp, fetch.tauronEcbo], [true, true, true, true]);
    const inject = example.find((n) => n.type === 'inject')!;
    const period = JSON.parse((inject.props as { v: string }[])[0].v) as { from: string; to: string };

    ctx.sim.faults.balancedDifferences = [{ date: '2026-10-25', hour: 3, repeated: true, ecbp: 0.2 }];
    await loadExample();
    const got = Promise.all(['ci-tz', 'ci-tc', 'ci-td', 'ci-tm'].map((id) => nextMessage(id)));
    helper.getNode(inject.id).receive({});
    // (the function node's objects come from another realm: compare them as JSON)
    const [totals, check, differences, missing] = (await got).map((m) =>
      JSON.parse(JSON.stringify(m.payload)),
    );

    const served = truth(ctx.sim, G11.id, period.from, period.to);
    const hours = served.length;
    assert.equal(hours, 31 * 24 + 1, 'October with the 25-hour day');
    const ecbp = served.reduce((a, h) => a + Math.max(wh(h.ecp)! - wh(h.eco)!, 0), 0);
    const ecbo = served.reduce((a, h) => a + Math.max(wh(h.eco)! - wh(h.ecp)!, 0), 0);
    assert.deepEqual(
      totals.map((r: any) => r.zone),
      ['T1 Cała doba', `all zones, ${period.from} - ${period.to}`],
    );
    const all = totals[1];
    assert.equal(all['ECBP kWh'], (ecbp / 1000).toFixed(3));
    assert.equal(all['ECBO kWh'], (ecbo / 1000).toFixed(3));
    assert.equal(all.hours, hours);
    assert.equal(all['missing h'], 0);
    assert.equal(
      check,
      `ECBP ours ${(ecbp / 1000).toFixed(3)}, TAURON ${((ecbp + 200) / 1000).toFixed(3)} kWh (+0.200) · ` +
        `ECBO ours ${(ecbo / 1000).toFixed(3)}, TAURON ${(ecbo / 1000).toFixed(3)} kWh (0.000) · ` +
        `different in 1 of ${hours} h`,
    );
    assert.equal(differences.length, 1);
    assert.equal(differences[0].hour, '2026-10-25 02:00-03:00 (repeated)');
    assert.equal(differences[0]['ECBP difference'], '+0.200');
    assert.equal(missing, 'none');
  });

  it('lists the hours without data on the dashboard', async () => {
    ctx.sim.faults.nullFromHour = 20;
    await loadExample();
    const got = Promise.all(['ci-tz', 'ci-tc', 'ci-tm'].map((id) => nextMessage(id)));
    helper.getNode('ci-f1').receive({ range: { from: '2026-11-22', to: '2026-11-22' } });
    const [totals, check, missing] = (await got).map((m) => JSON.parse(JSON.stringify(m.payload)));
    assert.equal(missing, '5 h, left out of the sums: 2026-11-22 19:00-20:00 ... 2026-11-22 23:00-24:00');
    assert.equal(totals[totals.length - 1]['missing h'], 5);
    assert.match(check, /the same in all 19 h$/);
  });

  it('says when the period has no data at all, and shows no sum of it as 0', async () => {
    ctx.sim.faults.missingDays = ['2026-11-20', '2026-11-21'];
    await loadExample();
    const got = Promise.all(['ci-tz', 'ci-tc', 'ci-tm'].map((id) => nextMessage(id)));
    helper.getNode('ci-f1').receive({ range: { from: '2026-11-20', to: '2026-11-21' } });
    const [totals, check, missing] = (await got).map((m) => JSON.parse(JSON.stringify(m.payload)));
    assert.equal(
      missing,
      'eLicznik has no data for the period yet (48 h): nothing to compare with the invoice',
    );
    assert.deepEqual(totals, [
      {
        zone: 'all zones, 2026-11-20 - 2026-11-21',
        'ECP kWh': '',
        'ECO kWh': '',
        'ECBP kWh': '',
        'ECBO kWh': '',
        'autoconsumption kWh': '',
        hours: 48,
        'missing h': 48,
      },
    ]);
    assert.equal(check, "no hour to compare with TAURON's balanced series");
  });
});
