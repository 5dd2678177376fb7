/**
 * A year of history into a real InfluxDB 1.x through real Node-RED: the simulator's account →
 * eLicznik fetch → hourly balance (InfluxDB points) → node-red-contrib-influxdb's `influxdb batch`
 * node, and InfluxQL queries on what was written. Needs Debian's `influxd` (package `influxdb`);
 * as root it is installed when missing, otherwise the suite is skipped with a message.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { balanceWh } from '../src/energy/balance';
import { makeHourRecord } from '../src/energy/hour';
import {
  addLocalDays,
  hoursInLocalDay,
  hoursOfLocalDay,
  localDatesInRange,
  startOfLocalDayMs,
  todayLocal,
} from '../src/energy/time';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../src/simulator';
import { sessionPool } from '../src/session/pool';
import { influxdExecutable, startInfluxd, type InfluxServer } from './support/influxdb';
import { nodeRedPath } from './support/node-red';

const ROOT = path.resolve(__dirname, '../..');
const ours = ['elicznik-config', 'elicznik-fetch', 'elicznik-balance'].map((type) =>
  require(path.join(ROOT, `dist/nodes/${type}/${type}.js`)),
);
const influxNodes = require(require.resolve('node-red-contrib-influxdb/influxdb.js'));

/** A core node module of the Node-RED under test. */
function coreNode(file: string) {
  const base = path.dirname(
    require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(nodeRedPath())] }),
  );
  return require(path.join(base, 'core', file));
}

const [G11, G12W] = DEMO_ACCOUNT.meterPoints;
const EXAMPLE = 'history-to-influxdb-needs-node-red-contrib-influxdb.json';
const YEAR = { from: '2025-01-01', to: '2025-12-31' };
const LATE_DAY = '2025-06-16';
const DATABASE = 'energy';

type Row = [number, number, number, number, number, number, string, string];

/** What the simulator serves for the year, as rows of `SELECT * FROM elicznik` (time order). */
function expectedRows(sim: SimulatorHandle): Row[] {
  const rows: Row[] = [];
  for (const date of localDatesInRange(YEAR.from, YEAR.to)) {
    const truth = sim.hourly(G12W.id, date);
    assert.equal(truth.length, hoursOfLocalDay(date).length);
    for (const h of truth) {
      const ecp = Math.round(h.ecp! * 1000);
      const eco = Math.round(h.eco! * 1000);
      const b = balanceWh(ecp, eco);
      rows.push([
        Date.parse(makeHourRecord(date, h.hour, h.repeated).hourStart),
        b.autoconsumption / 1000,
        b.ecbo / 1000,
        b.ecbp / 1000,
        h.eco!,
        h.ecp!,
        G12W.id,
        h.zone,
      ]);
    }
  }
  return rows;
}

/**
 * Records the messages the helper nodes `ids` receive until `stop()`. (Node-RED calls a node's
 * input listeners in a loop that a `once` listener removing itself would upset, so tests listen
 * with `on` and stop after.)
 */
function recordInputs<T extends string>(ids: T[]): Record<T, any[]> & { stop(): void } {
  const got = {} as Record<T, any[]>;
  const listeners = ids.map((id) => {
    got[id] = [];
    const listener = (msg: any) => got[id].push(msg);
    helper.getNode(id).on('input', listener);
    return () => helper.getNode(id).removeListener('input', listener);
  });
  return Object.assign(got, { stop: () => listeners.forEach((off) => off()) });
}

/** Waits until `done()` is true (checked every 50 ms), at most 90 s. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail('nothing was written within 90 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** 3 decimals: InfluxDB sums floating point kWh, the balance node whole Wh. */
const kwh = (v: unknown) => Math.round(Number(v) * 1000) / 1000;

describe('history in a real InfluxDB (node-red-contrib-influxdb batch node)', function () {
  this.timeout(120_000);
  let influx: InfluxServer | undefined;
  let sim: SimulatorHandle;

  before(async function () {
    const found = influxdExecutable();
    if ('missing' in found) {
      console.warn(`      skipped: ${found.missing}`);
      this.skip();
    }
    influx = await startInfluxd(found.path);
    await influx.query(`CREATE DATABASE ${DATABASE}`);
    sim = await startSimulator({ today: '2026-03-01' });
    helper.init(nodeRedPath());
  });

  after(async () => {
    await helper.unload();
    await sessionPool.clear();
    await sim?.close();
    await influx?.stop();
  });

  /**
   * Loads the flow: fetch → balance (InfluxDB points) → batch node, a second balance node's sums to
   * `sums`, the batch node's completion to `written`, every error to `failed`.
   */
  async function load() {
    const flow = [
      { id: 'f1', type: 'tab', label: 'history' },
      {
        id: 'c1',
        type: 'elicznik-config',
        name: 'home',
        meterPoint: G12W.id,
        meterPointLabel: '',
        serviceUrl: sim.serviceUrl,
        loginUrl: sim.loginUrl,
        timeout: '30',
        minLoginMinutes: '0',
      },
      {
        id: 'n1',
        type: 'elicznik-fetch',
        z: 'f1',
        account: 'c1',
        range: 'range',
        output: 'hours',
        ecp: true,
        eco: true,
        wires: [['b1', 'b2']],
      },
      { id: 'b1', type: 'elicznik-balance', z: 'f1', mode: 'history', output: 'influx', wires: [['w1']] },
      { id: 'w1', type: 'influxdb batch', z: 'f1', influxdb: 'db1', precision: '', retentionPolicy: '' },
      {
        id: 'db1',
        type: 'influxdb',
        hostname: influx!.host,
        port: String(influx!.port),
        protocol: 'http',
        database: DATABASE,
        name: 'test',
        usetls: false,
        tls: '',
        influxdbVersion: '1.x',
      },
      { id: 'b2', type: 'elicznik-balance', z: 'f1', mode: 'history', output: 'range', wires: [['sums']] },
      { id: 'sums', type: 'helper', z: 'f1' },
      { id: 'k0', type: 'complete', z: 'f1', scope: ['w1'], uncaught: false, wires: [['written']] },
      { id: 'written', type: 'helper', z: 'f1' },
      { id: 'k1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['failed']] },
      { id: 'failed', type: 'helper', z: 'f1' },
    ];
    await helper.load([...ours, influxNodes], flow as never, {
      c1: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
      db1: { username: '', password: '' },
    });
  }

  /** Sends the year in, waits until the points are written; the balance node's payload. */
  async function runYear(): Promise<any> {
    const got = recordInputs(['sums', 'written', 'failed']);
    helper.getNode('n1').receive({ payload: 'go', range: { ...YEAR } });
    await until(() => (got.sums.length > 0 && got.written.length > 0) || got.failed.length > 0);
    got.stop();
    assert.deepEqual(
      got.failed.map((m) => m.error),
      [],
    );
    return got.sums[0].payload;
  }

  const count = async (where = '') =>
    (await influx!.query(`SELECT COUNT(ecp) FROM elicznik ${where}`, DATABASE))[0]?.values[0][1] ?? 0;

  /** Points of one local day. */
  const dayCount = (date: string) =>
    count(
      `WHERE time >= ${startOfLocalDayMs(date)}ms AND time < ${startOfLocalDayMs(addLocalDays(date, 1))}ms`,
    );

  it('writes the simulator’s hours once: a late day later, the same points on every run, sums as balanced', async () => {
    await load();
    const expected = expectedRows(sim);
    assert.equal(expected.length, 8760);

    // First run: one day is not there yet. Its hours write nothing (never 0).
    sim.faults.missingDays = [LATE_DAY];
    await runYear();
    assert.equal(await count(), 8760 - 24);
    assert.equal(await dayCount(LATE_DAY), 0);

    // The day arrives; the next run completes it without doubling the others.
    sim.resetFaults();
    const balance = await runYear();
    assert.equal(balance.total.hours, 8760);
    assert.equal(balance.total.complete, true);

    const [series] = await influx!.query('SELECT * FROM elicznik', DATABASE);
    assert.deepEqual(series.columns, [
      'time',
      'autoconsumption',
      'ecbo',
      'ecbp',
      'eco',
      'ecp',
      'meterPoint',
      'zone',
    ]);
    assert.equal(series.values.length, 8760);
    assert.deepEqual(series.values, expected);

    assert.equal(await dayCount('2025-03-30'), 23, 'spring DST day');
    assert.equal(await dayCount('2025-10-26'), 25, 'autumn DST day, the repeated hour apart');
    assert.equal(await dayCount(LATE_DAY), 24);

    const sumQuery =
      'SELECT SUM(ecp), SUM(eco), SUM(ecbp), SUM(ecbo), SUM(autoconsumption) FROM elicznik WHERE meterPoint = ' +
      `'${G12W.id}'`;
    const [total] = await influx!.query(sumQuery, DATABASE);
    const sums = (values: unknown[]) => values.slice(1).map(kwh);
    const ofBalance = (s: any) => [s.ecp, s.eco, s.ecbp, s.ecbo, s.autoconsumption];
    assert.deepEqual(sums(total.values[0]), ofBalance(balance.total));
    const perZone = await influx!.query(`${sumQuery} GROUP BY zone`, DATABASE);
    assert.deepEqual(perZone.map((s) => s.tags?.zone).sort(), Object.keys(balance.zones).sort());
    assert.deepEqual(perZone.map((s) => s.tags?.zone).sort(), ['T1', 'T2']);
    for (const s of perZone) assert.deepEqual(sums(s.values[0]), ofBalance(balance.zones[s.tags!.zone]));

    // A second run of the same year adds no point and no series.
    const seriesBefore = await influx!.query('SHOW SERIES', DATABASE);
    await runYear();
    assert.equal(await count(), 8760);
    assert.deepEqual(await influx!.query('SHOW SERIES', DATABASE), seriesBefore);
    assert.deepEqual((await influx!.query('SELECT * FROM elicznik', DATABASE))[0].values, expected);
  });

  it(`examples/${EXAMPLE}: the backfill writes the last 365 days, the daily run adds nothing new`, async () => {
    await helper.unload();
    await influx!.query(`DROP DATABASE ${DATABASE}`);
    await influx!.query(`CREATE DATABASE ${DATABASE}`);
    const today = todayLocal(Date.now());
    sim.setToday(today);
    const example = require(path.join(ROOT, 'examples', EXAMPLE)) as Record<string, any>[];
    const db = example.find((n) => n.type === 'influxdb');
    assert.equal(db?.database, DATABASE);
    const flow = example
      .filter((n) => n.type !== 'comment')
      .map((n) => {
        if (n.type === 'debug') return { id: n.id, type: 'helper', z: n.z };
        if (n.type === 'elicznik-config') return { ...n, serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl };
        if (n.type === 'influxdb') return { ...n, hostname: influx!.host, port: String(influx!.port) };
        return { ...n };
      });
    await helper.load([...ours, influxNodes, coreNode('common/20-inject.js')], flow as never, {
      'hi-acc': { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
    });
    const press = async (inject: string) => {
      const got = recordInputs(['hi-d1', 'hi-d2']);
      helper.getNode(inject).receive({});
      await until(() => got['hi-d1'].length > 0 || got['hi-d2'].length > 0);
      got.stop();
      assert.deepEqual(
        got['hi-d2'].map((m) => m.error),
        [],
      );
      return got['hi-d1'][0];
    };
    const days = localDatesInRange(addLocalDays(today, -365), addLocalDays(today, -1));
    const hours = days.reduce((n, d) => n + hoursInLocalDay(d), 0);

    const backfill = await press('hi-i1');
    assert.equal(backfill.payload.length, hours);
    assert.equal(await count(`WHERE meterPoint = '${G11.id}'`), hours);

    const daily = await press('hi-i2');
    assert.equal(
      daily.payload.length,
      days.slice(-3).reduce((n, d) => n + hoursInLocalDay(d), 0),
    );
    assert.equal(await count(), hours);
  });
});
