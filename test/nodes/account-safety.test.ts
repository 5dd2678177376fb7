/**
 * Account safety in a running Node-RED (the test helper's runtime) against the simulator over HTTP:
 * redeploys reuse the session, config nodes of one account share it, a rejected password is not
 * sent again, the login budget reports and holds, and a runaway flow never gets the account blocked.
 * Restarts of Node-RED are in test/restart.test.ts (a real Node-RED process).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { sessionPool } from '../../src/session/pool';
import { nodeRedPath } from '../support/node-red';
import {
  G11,
  G12W,
  PASS,
  USER,
  configDef,
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

const injectNode = require(
  require.resolve('@node-red/nodes/core/common/20-inject.js', { paths: [path.dirname(nodeRedPath())] }),
);

async function fetchOnce(id = 'n1', msg: Record<string, unknown> = { payload: 'go' }): Promise<any> {
  const out = nextMessage('h1');
  helper.getNode(id).receive(msg);
  return out;
}

async function failOnce(id = 'n1', msg: Record<string, unknown> = { payload: 'go' }): Promise<any> {
  const out = nextMessage('h2');
  helper.getNode(id).receive(msg);
  return out;
}

describe('account safety in Node-RED', function () {
  this.timeout(30_000);
  const ctx = setUpNodeTests();

  it('logs in once over 20 redeploys, each followed by a fetch', async () => {
    await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials());
    for (let i = 0; i < 20; i += 1) {
      if (i > 0) await helper.setFlows(fetchFlow(ctx.sim), 'full', credentials());
      // a day not cached yet each time, so every new client uses the session
      const msg = await fetchOnce('n1', { payload: 'go', day: `2026-11-${String(i + 1).padStart(2, '0')}` });
      assert.equal(msg.payload.meterPoint, G11.id);
    }
    assert.equal(ctx.sim.stats.loginAttempts, 1);
    assert.equal(ctx.sim.stats.logins, 1);
  });

  it('serves two config nodes of one account, triggered together, with one login and each its own data', async () => {
    const flow = fetchFlow(ctx.sim) as unknown as Record<string, unknown>[];
    flow.push(configDef(ctx.sim, { id: 'c2', meterPoint: G12W.id }), {
      id: 'n2',
      type: 'elicznik-fetch',
      z: 'f1',
      account: 'c2',
      output: 'hours',
      wires: [['h1']],
    });
    await helper.load([configNode, fetchNode], flow as unknown as Flow, {
      ...credentials(),
      c2: { username: USER, password: PASS },
    });
    const got: any[] = [];
    const both = new Promise<void>((resolve) => {
      helper.getNode('h1').on('input', (msg: any) => {
        got.push(msg);
        if (got.length === 2) resolve();
      });
    });
    helper.getNode('n1').receive({ payload: 'go' });
    helper.getNode('n2').receive({ payload: 'go' });
    await both;
    const byPoint = new Map(got.map((m) => [m.payload.meterPoint, m.payload]));
    assert.deepEqual([...byPoint.keys()].sort(), [G11.id, G12W.id].sort());
    assert.equal(byPoint.get(G12W.id).tariff, 'G12W');
    assert.notDeepEqual(
      byPoint.get(G11.id).hours.map((h: any) => h.ecp),
      byPoint.get(G12W.id).hours.map((h: any) => h.ecp),
      'each meter point has its own readings',
    );
    assert.equal(ctx.sim.stats.loginAttempts, 1);
    assert.equal(sessionPool.openCount, 1, 'one client for the account');
    // after n2's meter point, n1's is selected again: its readings are G11's
    const again = await fetchOnce('n1', { payload: 'go', day: '2026-11-05' });
    assert.deepEqual(
      again.payload.hours.map((h: any) => h.ecp),
      ctx.sim.hourly(G11.id, '2026-11-05').map((h) => h.ecp),
    );
  });

  it('sends a rejected password no more across redeploys, until it is changed', async () => {
    await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), credentials('wrong'));
    assert.equal((await failOnce()).error.code, 'WRONG_CREDENTIALS');
    for (let i = 0; i < 5; i += 1) {
      ctx.clock.tick(10 * 60_000);
      await helper.setFlows(fetchFlow(ctx.sim), 'full', credentials('wrong'));
      const err = await failOnce();
      assert.equal(err.error.code, 'WRONG_CREDENTIALS');
      assert.match(err.error.message, /Change the password/);
    }
    assert.equal(ctx.sim.stats.loginAttempts, 1);
    ctx.clock.tick(10 * 60_000);
    await helper.setFlows(fetchFlow(ctx.sim), 'full', credentials());
    assert.equal((await fetchOnce()).payload.meterPoint, G11.id);
    assert.equal(ctx.sim.stats.loginAttempts, 2);
  });

  it('answers a login-budget control message without logging in', async () => {
    await helper.load([configNode, fetchNode], fetchFlow(ctx.sim, {}, { loginBudget: '3' }), credentials());
    const before = await fetchOnce('n1', { command: 'login-budget' });
    assert.equal(before.topic, 'login-budget');
    assert.deepEqual(
      { used: before.payload.used, remaining: before.payload.remaining, next: before.payload.nextLoginAt },
      { used: 0, remaining: 3, next: null },
    );
    assert.equal(ctx.sim.stats.loginAttempts, 0);
    assert.equal(JSON.stringify(before.payload).includes(PASS), false);
    await fetchOnce();
    const after = await fetchOnce('n1', { command: 'login-budget' });
    assert.equal(after.payload.used, 1);
    assert.equal(after.payload.remaining, 2);
    assert.equal(after.payload.sessionKept, true);
    assert.equal(after.payload.passwordRejected, false);
    assert.equal(
      after.payload.nextLoginAt,
      new Date(Date.now() + 60_000).toISOString(),
      'the shortest interval',
    );
    assert.equal(ctx.sim.stats.loginAttempts, 1);
  });

  it('shows the logins left when they run low, and when the next login is allowed when none are', async () => {
    await helper.load(
      [configNode, fetchNode],
      fetchFlow(ctx.sim, {}, { loginBudget: '2', minLoginMinutes: '0' }),
      credentials(),
    );
    const n1 = helper.getNode('n1');
    await fetchOnce();
    assert.match(String(lastStatus(n1)?.text), /elicznik-fetch\.status\.loginsLeft/);
    ctx.sim.expireSessions();
    ctx.sim.expireSsoSessions();
    await fetchOnce('n1', { payload: 'go', day: '2026-11-10' });
    ctx.sim.expireSessions();
    ctx.sim.expireSsoSessions();
    const err = await failOnce('n1', { payload: 'go', day: '2026-11-09' });
    assert.equal(err.error.code, 'LOGIN_BUDGET');
    assert.match(err.error.message, /used its 2 logins of the last 24 hours/);
    assert.match(err.error.message, /next login is allowed at 2026-11-24T12:05:00\+01:00/);
    assert.deepEqual(lastStatus(n1), {
      fill: 'red',
      shape: 'ring',
      text: 'elicznik-fetch.status.loginsPaused',
    });
    assert.equal(ctx.sim.stats.loginAttempts, 2);
  });
});

describe('a runaway flow in Node-RED', function () {
  this.timeout(120_000);
  let sim: SimulatorHandle;

  before(async () => {
    helper.init(nodeRedPath());
    // sessions that end after 1.5 s idle: every trigger of the flow (every 2 s) needs a new login,
    // and a busy machine still uses a session well within its life after logging in
    sim = await startSimulator({
      sessionTtlMs: 1500,
      ssoTtlMs: 1500,
      dailyLoginLimit: 8,
      accounts: [DEMO_ACCOUNT, { ...DEMO_ACCOUNT, username: 'other@example.com', password: 'other-pw' }],
    });
    await sessionPool.clear();
  });
  after(async () => {
    await helper.unload();
    await sessionPool.clear();
    await sim.close();
  });

  it('triggering every 2 seconds for a minute never gets the account blocked, and says when the next login is allowed', async () => {
    // register readings are never cached, so every trigger needs the service
    const flow = fetchFlow(sim, { output: 'registers' }, { loginBudget: '6', minLoginMinutes: '0' });
    (flow as unknown as Record<string, unknown>[]).push({
      id: 'i1',
      type: 'inject',
      z: 'f1',
      repeat: '2',
      once: true,
      onceDelay: 0.1,
      topic: '',
      payload: '',
      payloadType: 'date',
      wires: [['n1']],
    });
    const ok: any[] = [];
    const errors: any[] = [];
    await helper.load([injectNode, configNode, fetchNode], flow, {
      c1: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
    });
    helper.getNode('h1').on('input', (m: any) => ok.push(m));
    helper.getNode('h2').on('input', (m: any) => errors.push(m));
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    await helper.unload();

    assert.ok(ok.length + errors.length >= 28, `about 30 triggers (${ok.length + errors.length})`);
    assert.equal(sim.stats.loginAttempts, 6, 'exactly the budget of logins');
    assert.equal(sim.blockedUntil(DEMO_ACCOUNT.username), null, 'the account is not blocked');
    assert.equal(sim.stats.dailyLimitBlocks, 0);
    assert.ok(errors.length >= 20, `${errors.length} refused`);
    for (const e of errors) {
      assert.equal(e.error.code, 'LOGIN_BUDGET');
      assert.match(
        e.error.message,
        /The next login is allowed at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d/,
      );
    }
  });

  it('is what the simulator blocks without the budget: a bare client logging in every time', async () => {
    const { ElicznikClient } = await import('../../src/client');
    sim.stats.reset();
    let blocked = false;
    for (let i = 0; i < 12 && !blocked; i += 1) {
      const client = new ElicznikClient({
        serviceUrl: sim.serviceUrl,
        loginUrl: sim.loginUrl,
        username: 'other@example.com',
        password: 'other-pw',
        timeoutMs: 5000,
        minLoginIntervalMs: 0,
      });
      try {
        await client.getMeterPoints();
      } catch (err) {
        blocked = (err as { code?: string }).code === 'ACCOUNT_BLOCKED';
      } finally {
        await client.close();
      }
    }
    assert.equal(blocked, true, 'the simulator does block an account that logs in too often');
    assert.equal(sim.stats.logins, 8);
    assert.equal(sim.stats.dailyLimitBlocks, 1);
  });
});

describe('dumps of a failing fetch in Node-RED', function () {
  this.timeout(30_000);
  const planted = {
    username: 'anna.nowak.planted@example.org',
    password: 'Pl@nted-Node-S3cret',
    ppe: '590243859876543210',
    id: '600777666_60777666_7777666',
    address: 'ul. Ukryta 5, 31-001 Kraków',
  };
  let sim: SimulatorHandle;
  let dir: string;

  before(async () => {
    helper.init(nodeRedPath());
    sim = await startSimulator({
      accounts: [
        {
          username: planted.username,
          password: planted.password,
          meterPoints: [
            { id: planted.id, ppe: planted.ppe, type: '', tariff: 'G11', pvKw: 4, name: planted.address },
          ],
        },
      ],
    });
  });
  after(async () => {
    await helper.unload();
    await sessionPool.clear();
    await sim.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-node-dump-'));
    await sessionPool.clear();
  });
  afterEach(async () => {
    await helper.unload();
    await rm(dir, { recursive: true, force: true });
  });

  async function load(dumpDir: string) {
    const flow = fetchFlow(sim, {}, { meterPoint: planted.id, dumpDir });
    await helper.load([configNode, fetchNode], flow, {
      c1: { username: planted.username, password: planted.password },
    });
  }

  it('writes the failed request to the dump folder with every secret removed', async () => {
    await load(dir);
    assert.equal(
      (await fetchOnce('n1', { payload: 'go', day: '2026-11-01' })).payload.meterPoint,
      planted.id,
    );
    // JSON and CSV answer an HTML page: the fetch fails after both
    sim.faults.htmlInsteadOfJson = true;
    const failed = await failOnce('n1', { payload: 'go', day: '2026-11-02' });
    assert.equal(failed.error.code, 'SERVICE_UNAVAILABLE');
    const folders = await readdir(dir);
    assert.equal(folders.length, 1);
    const files = await readdir(path.join(dir, folders[0]));
    assert.ok(files.includes('error.txt') && files.length >= 2, files.join(', '));
    const texts = await Promise.all(files.map((f) => readFile(path.join(dir, folders[0], f), 'utf8')));
    assert.ok(
      texts.some((t) => t.includes('/energia/')),
      'the data requests are in the dump',
    );
    assert.ok(
      texts.some((t) => /<html/i.test(t)),
      'with the HTML the service answered',
    );
    const cookie =
      (await sessionPool
        .ledgerOf({ serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl, username: planted.username })
        .loadCookie(planted.password)) ?? '';
    const cookieValues = cookie
      .split(';')
      .map((p) => p.split('=')[1] ?? '')
      .filter((v) => v.length >= 6);
    assert.ok(cookieValues.length > 0);
    for (const secret of [
      planted.username,
      planted.password,
      planted.ppe,
      planted.id,
      'Ukryta',
      ...cookieValues,
    ]) {
      for (const t of texts) assert.equal(t.includes(secret), false, 'a secret is in the dump');
    }
    sim.resetFaults();
  });

  it('writes nothing without a dump folder', async () => {
    await load('');
    sim.faults.htmlInsteadOfJson = true;
    assert.equal(
      (await failOnce('n1', { payload: 'go', day: '2026-11-03' })).error.code,
      'SERVICE_UNAVAILABLE',
    );
    assert.deepEqual(await readdir(dir), []);
    sim.resetFaults();
  });
});
