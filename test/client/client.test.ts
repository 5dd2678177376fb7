import assert from 'node:assert/strict';
import { ElicznikClient, type ElicznikClientOptions } from '../../src/client';
import type { HourRecord } from '../../src/energy/hour';
import { localDatesInRange } from '../../src/energy/time';
import { totalsFromHours } from '../../src/energy/totals';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { startProxy, type ProxyHandle } from './proxy';
import { credentialsPosted } from '../support/simulator';

const USER = DEMO_ACCOUNT.username;
const PASS = DEMO_ACCOUNT.password;
const [G11, G12W, WO] = DEMO_ACCOUNT.meterPoints;
const START = Date.parse('2026-06-16T10:30:00+02:00');
const MINUTE = 60_000;

function total(sim: SimulatorHandle): number {
  return Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
}

/** Asserts that records equal what the simulator serves, hour by hour. */
function assertMatchesSim(
  sim: SimulatorHandle,
  records: HourRecord[],
  pointId: string,
  from: string,
  to: string,
) {
  let i = 0;
  for (const date of localDatesInRange(from, to)) {
    const truth = sim.hourly(pointId, date);
    const day = records.slice(i, i + truth.length);
    i += truth.length;
    assert.deepEqual(
      day.map((r) => [r.date, r.hour, r.repeated, r.ecp, r.eco]),
      truth.map((h) => [date, h.hour, h.repeated, h.ecp, h.eco]),
      `hours of ${date}`,
    );
    const complete = truth.every((h) => h.ecp !== null && h.eco !== null);
    assert.ok(
      day.every((r) => r.dayComplete === complete && r.meterPoint === pointId),
      `dayComplete of ${date}`,
    );
  }
  assert.equal(i, records.length);
}

/** A session store in memory: what the client saved is `stored`. */
function memorySessionStore(): {
  stored: string | undefined;
  load(): Promise<string | undefined>;
  save(cookie: string | undefined): Promise<void>;
} {
  return {
    stored: undefined,
    async load() {
      return this.stored;
    },
    async save(cookie) {
      this.stored = cookie;
    },
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => {
    caught = e;
    return (e as { code?: string }).code === code;
  });
  return caught as Record<string, unknown>;
}

describe('client: against the simulator', function () {
  this.timeout(30_000);
  let sim: SimulatorHandle;
  let now: number;
  let sleeps: number[];
  let logs: string[];
  const clients: ElicznikClient[] = [];

  function client(options: ElicznikClientOptions = {}): ElicznikClient {
    const c = new ElicznikClient({
      serviceUrl: sim.serviceUrl,
      loginUrl: sim.loginUrl,
      username: USER,
      password: PASS,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      minLoginIntervalMs: 0,
      log: (line) => logs.push(line),
      ...options,
    });
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    now = START;
    sleeps = [];
    logs = [];
    sim = await startSimulator({ now: () => now });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim.close();
  });

  describe('login', () => {
    it('logs in once and lists the meter points from the page after login, including the WO point', async () => {
      const c = client();
      const points = await c.getMeterPoints();
      assert.deepEqual(
        points.map((p) => [p.id, p.ppe, p.type, p.isBusiness]),
        DEMO_ACCOUNT.meterPoints.map((p) => [p.id, p.ppe, p.type, p.type === 'WO']),
      );
      assert.equal(sim.stats.logins, 1);
      assert.equal(sim.stats.loginAttempts, 1);
      const before = total(sim);
      await c.getMeterPoints();
      assert.equal(total(sim), before, 'the list is known; no request');
      assert.equal(c.getStatus().loggedIn, true);
    });

    it('accepts the e-mail in another letter case', async () => {
      const c = client({ username: USER.toUpperCase() });
      assert.equal((await c.getMeterPoints()).length, 3);
    });

    it('makes exactly one login attempt for a wrong password, and none on the next call', async () => {
      const c = client({ password: 'not-the-password' });
      const err = await rejectsWith(c.getMeterPoints(), 'WRONG_CREDENTIALS');
      assert.equal(sim.stats.loginAttempts, 1);
      const before = total(sim);
      const again = await rejectsWith(
        c.getHourly({ from: '2026-06-01', to: '2026-06-01' }),
        'WRONG_CREDENTIALS',
      );
      assert.equal(again, err);
      assert.equal(total(sim), before, 'no request at all');
      assert.equal(sim.stats.loginAttempts, 1);
      assert.equal(c.getStatus().stoppedBy?.code, 'WRONG_CREDENTIALS');
      c.setCredentials(USER, PASS);
      assert.equal((await c.getMeterPoints()).length, 3);
      assert.equal(sim.stats.loginAttempts, 2);
    });

    it('stops for 8 h when the account is blocked, making no request until then', async () => {
      sim.faults.blocked = true;
      const c = client();
      const err = await rejectsWith(c.getMeterPoints(), 'ACCOUNT_BLOCKED');
      assert.equal((err.blockedUntil as Date).getTime(), START + 8 * 60 * MINUTE);
      assert.equal(sim.stats.loginAttempts, 1);
      const before = total(sim);
      now += 7 * 60 * MINUTE;
      await rejectsWith(c.getMeterPoints(), 'ACCOUNT_BLOCKED');
      assert.equal(total(sim), before);
      sim.faults.blocked = false;
      sim.unblockAccounts();
      now += 61 * MINUTE;
      assert.equal((await c.getMeterPoints()).length, 3);
      assert.equal(sim.stats.loginAttempts, 2);
    });

    it('sees the block text on the answer to the wrong password that blocks the account', async () => {
      sim.faults.blockAfterFailures = 1;
      const c = client({ password: 'bad' });
      await rejectsWith(c.getMeterPoints(), 'ACCOUNT_BLOCKED');
      assert.ok(sim.blockedUntil(USER));
    });

    it('reports /blokada at login and on a data call as RATE_LIMITED, then asks nothing for an hour', async () => {
      sim.faults.rateLimited = true;
      const c = client();
      const err = await rejectsWith(c.getMeterPoints(), 'RATE_LIMITED');
      assert.equal((err.retryAfter as Date).getTime(), START + 60 * MINUTE);
      assert.match(String(err.message), /no request is sent to eLicznik before 2026-06-16T11:30:00\+02:00/);
      sim.faults.rateLimited = false;
      const before = total(sim);
      now += 59 * MINUTE;
      assert.equal(await rejectsWith(c.getMeterPoints(), 'RATE_LIMITED'), err);
      c.setCredentials(USER.toUpperCase(), PASS);
      await rejectsWith(c.getMeterPoints(), 'RATE_LIMITED');
      assert.equal(total(sim), before, 'no request during the pause, also with other credentials');
      assert.equal(c.getStatus().stoppedBy, err);
      assert.equal(c.getStatus().blockedUntil, undefined, 'not an account block');
      now += MINUTE;
      assert.equal((await c.getMeterPoints()).length, 3);

      sim.faults.rateLimited = true;
      const data = await rejectsWith(c.getHourly({ from: '2026-06-01', to: '2026-06-01' }), 'RATE_LIMITED');
      assert.equal((data.retryAfter as Date).getTime(), now + 60 * MINUTE);
      const after = total(sim);
      await rejectsWith(c.getHourly({ from: '2026-06-02', to: '2026-06-02' }), 'RATE_LIMITED');
      assert.equal(await c.keepAlive(), false);
      assert.equal(total(sim), after, 'no request, not even a keep-alive');
    });

    it('reports a maintenance page instead of the login form as SERVICE_UNAVAILABLE', async () => {
      sim.faults.maintenanceLogin = true;
      const err = await rejectsWith(client().getMeterPoints(), 'SERVICE_UNAVAILABLE');
      assert.equal(err.step, 'login-page');
    });

    it('needs credentials before it logs in', async () => {
      const c = client({ username: '', password: '' });
      await rejectsWith(c.getMeterPoints(), 'BAD_INPUT');
      assert.equal(total(sim), 0);
    });

    it('refuses a login sooner than minLoginIntervalMs with LOGIN_BUDGET saying when', async () => {
      const c = client({ minLoginIntervalMs: 60_000 });
      await c.getMeterPoints();
      sim.expireSessions();
      now += 10_000;
      const err = await rejectsWith(c.getHourly({ from: '2026-06-01', to: '2026-06-01' }), 'LOGIN_BUDGET');
      assert.equal((err.retryAfter as Date).getTime(), START + 60_000);
      assert.equal(sim.stats.sessionsCreated, 1);
      now = START + 60_000;
      await c.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      assert.equal(sim.stats.sessionsCreated, 2);
    });

    it('asks the login gate before every login; a refusal stops the login', async () => {
      const seen: string[] = [];
      let allow = true;
      const c = client({
        loginGate: async (ctx) => {
          seen.push(`${ctx.reason}:${ctx.username}:${ctx.lastLoginAt ? 'again' : 'first'}`);
          if (!allow) throw new Error('budget used up');
        },
      });
      await c.getMeterPoints();
      sim.expireSessions();
      allow = false;
      await assert.rejects(c.getHourly({ from: '2026-06-01', to: '2026-06-01' }), /budget used up/);
      assert.deepEqual(seen, [`first:${USER}:first`, `session-expired:${USER}:again`]);
      assert.equal(sim.stats.sessionsCreated, 1);
    });

    it('reuses a stored session without logging in, and replaces a stale one', async () => {
      const store = memorySessionStore();
      await client({ sessionStore: store }).getMeterPoints();
      assert.match(store.stored ?? '', /^PHPSESSID=/);
      const second = client({ sessionStore: store });
      const records = await second.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      assert.equal(records.length, 24);
      assert.equal(sim.stats.sessionsCreated, 1, 'the stored session was used');
      sim.expireSessions();
      sim.expireSsoSessions();
      const third = client({ sessionStore: store });
      const before = store.stored;
      await third.getMeterPoints();
      assert.equal(sim.stats.logins, 2);
      assert.notEqual(store.stored, before);
    });

    it('logs in with a new username after setCredentials, not by the old single sign-on', async () => {
      const c = client();
      await c.getMeterPoints();
      c.setCredentials('someone@example.com', 'x');
      await rejectsWith(c.getMeterPoints(), 'WRONG_CREDENTIALS');
      assert.equal(sim.stats.loginAttempts, 2);
    });
  });

  describe('session', () => {
    it('logs in again exactly once, transparently, when the eLicznik session expired (single sign-on)', async () => {
      const c = client();
      await c.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      sim.expireSessions();
      now += 2 * MINUTE;
      const records = await c.getHourly({ from: '2026-06-02', to: '2026-06-02' });
      assertMatchesSim(sim, records, G11.id, '2026-06-02', '2026-06-02');
      assert.equal(sim.stats.sessionsCreated, 2);
      assert.equal(sim.stats.loginAttempts, 1, 'Keycloak single sign-on, no password again');
    });

    it('posts the password again when the Keycloak session is gone too, still once', async () => {
      const c = client();
      await c.getMeterPoints();
      sim.expireSessions();
      sim.expireSsoSessions();
      now += 2 * MINUTE;
      await c.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' });
      assert.equal(sim.stats.loginAttempts, 2);
      assert.equal(sim.stats.sessionsCreated, 2);
    });

    it('re-logs in after the idle time-out of the session', async () => {
      const c = client();
      await c.getMeterPoints();
      now += 20 * MINUTE;
      await c.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      assert.equal(sim.stats.sessionsCreated, 2);
    });

    it('selects a meter point once per session and again after a new login', async () => {
      const c = client();
      await c.getHourly({ meterPoint: G12W.id, from: '2026-06-01', to: '2026-06-01' });
      await c.getHourly({ meterPoint: G12W.id, from: '2026-06-02', to: '2026-06-02' });
      assert.equal(sim.stats.requests['/ustaw_punkt'], 1);
      sim.expireSessions();
      now += 2 * MINUTE;
      await c.getHourly({ meterPoint: G12W.id, from: '2026-06-03', to: '2026-06-03' });
      assert.equal(sim.stats.requests['/ustaw_punkt'], 2);
    });
  });

  describe('errors and retries', () => {
    it('retries 5xx answers with capped exponential backoff', async () => {
      const c = client({ retryBaseMs: 1000, retryMaxMs: 1500 });
      await c.getMeterPoints();
      sim.faults.serverErrors = 2;
      const records = await c.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      assert.equal(records.length, 24);
      assert.deepEqual(sleeps, [1000, 1500]);
    });

    it('gives up with SERVICE_UNAVAILABLE after the retries', async () => {
      const c = client({ retries: 1 });
      await c.getMeterPoints();
      sim.faults.serverErrors = 5;
      const err = await rejectsWith(
        c.getHourly({ from: '2026-06-01', to: '2026-06-01' }),
        'SERVICE_UNAVAILABLE',
      );
      assert.equal(err.httpStatus, 502);
      assert.equal(sleeps.length, 1);
    });

    it('times out a slow answer and retries it', async () => {
      const c = client({ timeoutMs: 50, retries: 1 });
      sim.faults.latencyMs = 400;
      const err = await rejectsWith(c.getMeterPoints(), 'SERVICE_UNAVAILABLE');
      assert.match(String(err.message), /did not answer within/);
      assert.equal(sleeps.length, 1);
    });

    it('reports a connection error as SERVICE_UNAVAILABLE', async () => {
      const c = client({ serviceUrl: 'http://127.0.0.1:9', loginUrl: 'http://127.0.0.1:9', retries: 0 });
      const err = await rejectsWith(c.getMeterPoints(), 'SERVICE_UNAVAILABLE');
      assert.match(String(err.message), /ECONNREFUSED/);
    });

    describe('a short maintenance: one maintenance page, then the answer', () => {
      const cases: {
        name: string;
        path: string;
        /** Requests of the path the call makes without a maintenance. */
        requests: number;
        call: (c: ElicznikClient) => Promise<unknown>;
      }[] = [
        {
          name: 'the CSV export',
          path: '/energia/do/dane',
          requests: 1,
          call: (c) => c.getHourly({ from: '2026-06-01', to: '2026-06-01' }),
        },
        {
          name: 'the JSON energy data',
          path: '/energia/api',
          requests: 2,
          call: (c) => c.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' }),
        },
        {
          name: 'the register readings',
          path: '/odczyty/api',
          requests: 2,
          call: (c) => c.getRegisters({ from: '2026-06-01', to: '2026-06-01' }),
        },
        {
          name: 'the meter point selection',
          path: '/ustaw_punkt',
          requests: 1,
          call: (c) => c.getHourly({ meterPoint: G12W.id, from: '2026-06-01', to: '2026-06-01' }),
        },
      ];
      for (const t of cases) {
        it(`retries ${t.name} like a 5xx, without a new login`, async () => {
          const c = client({ retryBaseMs: 500 });
          await c.getMeterPoints();
          const requests = sim.stats.requests[t.path] ?? 0;
          sim.faults.maintenancePages = 1;
          sim.faults.maintenancePaths = [t.path];
          await t.call(c);
          assert.equal(sim.faults.maintenancePages, 0, 'the maintenance page was served');
          assert.equal(
            (sim.stats.requests[t.path] ?? 0) - requests,
            t.requests + 1,
            'the request was sent again once',
          );
          assert.deepEqual(sleeps, [500], 'after a short back-off');
          assert.equal(sim.stats.loginAttempts, 1);
          assert.equal(sim.stats.sessionsCreated, 1);
        });
      }

      it('retries the start page when a stored session is checked', async () => {
        const store = memorySessionStore();
        await client({ sessionStore: store }).getMeterPoints();
        const requests = sim.stats.requests['/'] ?? 0;
        sim.faults.maintenancePages = 1;
        sim.faults.maintenancePaths = ['/'];
        assert.equal((await client({ sessionStore: store }).getMeterPoints()).length, 3);
        assert.equal((sim.stats.requests['/'] ?? 0) - requests, 2);
        assert.deepEqual(sleeps, [1000]);
        assert.equal(sim.stats.loginAttempts, 1, 'the stored session was used, no login');
      });

      it('keeps a stored session whose check failed for a network reason, and uses it on the next call', async () => {
        const store = memorySessionStore();
        await client({ sessionStore: store }).getMeterPoints();
        const kept = store.stored;
        const second = client({ sessionStore: store, retries: 0 });
        sim.faults.serverErrors = 1;
        await rejectsWith(second.getMeterPoints(), 'SERVICE_UNAVAILABLE');
        assert.equal(store.stored, kept, 'the stored session is not dropped');
        assert.equal((await second.getMeterPoints()).length, 3);
        assert.equal(sim.stats.loginAttempts, 1, 'the stored session was used, no login');
        assert.equal(sim.stats.sessionsCreated, 1);
      });
    });

    it('gives up on a maintenance page that stays after the retries: SERVICE_UNAVAILABLE, bounded, no login', async () => {
      const c = client();
      await c.getMeterPoints();
      sim.stats.reset();
      sim.faults.htmlInsteadOfJson = true;
      const err = await rejectsWith(
        c.getHourly({ from: '2026-06-01', to: '2026-06-01' }),
        'SERVICE_UNAVAILABLE',
      );
      assert.equal(err.step, 'csv');
      assert.match(String(err.message), /maintenance page 3 times/);
      assert.equal(sim.stats.csvRequests, 3, 'the first request and 2 retries');
      assert.equal(sim.stats.dataRequests, 0, 'no JSON fallback for a maintenance');
      assert.deepEqual(sleeps, [1000, 2000]);
      assert.equal(sim.stats.loginAttempts, 0);
      sim.faults.htmlInsteadOfJson = false;

      sleeps = [];
      const selections = sim.stats.requests['/ustaw_punkt'] ?? 0;
      sim.faults.maintenancePages = 100;
      sim.faults.maintenancePaths = ['/ustaw_punkt'];
      const select = await rejectsWith(c.selectMeterPoint(G12W.id), 'SERVICE_UNAVAILABLE');
      assert.equal(select.step, 'select-meter-point');
      assert.equal((sim.stats.requests['/ustaw_punkt'] ?? 0) - selections, 3);
      assert.deepEqual(sleeps, [1000, 2000]);
      assert.equal(sim.stats.loginAttempts, 0);

      sleeps = [];
      const once = client({ retries: 0 });
      await once.getMeterPoints();
      sim.stats.reset();
      sim.faults.maintenancePaths = ['/energia/do/dane'];
      await rejectsWith(once.getHourly({ from: '2026-06-01', to: '2026-06-01' }), 'SERVICE_UNAVAILABLE');
      assert.equal(sim.stats.csvRequests, 1, 'retries: 0 sends it once');
      assert.deepEqual(sleeps, []);
    });

    it('reports a maintenance page instead of JSON as SERVICE_UNAVAILABLE without logging in again', async () => {
      const c = client();
      await c.getMeterPoints();
      sim.faults.htmlInsteadOfJson = true;
      await rejectsWith(
        c.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' }),
        'SERVICE_UNAVAILABLE',
      );
      await rejectsWith(c.getHourly({ from: '2026-06-01', to: '2026-06-01' }), 'SERVICE_UNAVAILABLE');
      await rejectsWith(c.getRegisters({ from: '2026-06-01', to: '2026-06-01' }), 'SERVICE_UNAVAILABLE');
      assert.equal(sim.stats.sessionsCreated, 1);
    });

    it('reports {"success":false} as SERVICE_CHANGED', async () => {
      const c = client();
      await c.getMeterPoints();
      sim.faults.successFalse = true;
      const err = await rejectsWith(
        c.getTotals({ period: 'day', from: '2026-06-01', to: '2026-06-02' }),
        'SERVICE_CHANGED',
      );
      assert.equal(err.step, 'energy-totals');
      assert.match(String(err.message), /success/);
    });

    it('rejects bad arguments with BAD_INPUT before any request', async () => {
      const c = client();
      await rejectsWith(c.getHourly({ from: '2026-02-30', to: '2026-03-01' }), 'BAD_INPUT');
      await rejectsWith(c.getHourly({ from: '2026-03-02', to: '2026-03-01' }), 'BAD_INPUT');
      await rejectsWith(c.getHourly({ from: '2026-03-01', to: '2026-03-01', series: [] }), 'BAD_INPUT');
      await rejectsWith(
        c.getHourly({ from: '2026-03-01', to: '2026-03-01', series: ['ecp', 'x' as 'ecp'] }),
        'BAD_INPUT',
      );
      await rejectsWith(
        c.getTotals({ period: 'week' as 'day', from: '2026-03-01', to: '2026-03-01' }),
        'BAD_INPUT',
      );
      assert.equal(total(sim), 0);
      assert.throws(() => client({ serviceUrl: 'not a url' }), /serviceUrl/);
      assert.throws(() => client({ timeoutMs: 0 }), /timeoutMs/);
      await c.getMeterPoints();
      await rejectsWith(
        c.getHourly({ meterPoint: '1_2_3', from: '2026-03-01', to: '2026-03-01' }),
        'BAD_INPUT',
      );
    });
  });

  describe('hourly data', () => {
    it('fetches a full year through the CSV export in a handful of requests, equal to the simulator', async () => {
      const c = client();
      const from = '2025-06-16';
      const to = '2026-06-15';
      const progress: number[] = [];
      const records = await c.getHourly({ from, to, onProgress: (p) => progress.push(p.doneDays) });
      assert.equal(sim.stats.csvRequests, 1);
      assert.ok(sim.stats.dataRequests <= 1, 'at most one JSON request, for the zone names');
      assert.ok(total(sim) <= 10, `${total(sim)} requests`);
      assert.equal(records.length, 365 * 24);
      assertMatchesSim(sim, records, G11.id, from, to);
      assert.deepEqual(progress, [365]);
      assert.ok(records.every((r) => r.zone === 'T1' && r.zoneName === 'Cała doba' && r.tariff === 'G11'));
    });

    it('splits a longer range into CSV requests of at most 366 days', async () => {
      const c = client();
      const records = await c.getHourly({ from: '2024-06-01', to: '2026-06-15', series: ['ecp'] });
      assert.equal(sim.stats.csvRequests, 3);
      assert.equal(records[0].hourStart, '2024-06-01T00:00:00+02:00');
      assert.equal(records[records.length - 1].date, '2026-06-15');
    });

    it('fetches a year of a G11 point from a cold client in 7 requests: the login chain, the selection, one CSV', async () => {
      const point = DEMO_ACCOUNT.meterPoints.find((p) => p.tariff === 'G11')!;
      const c = client();
      const year = await c.getHourly({ meterPoint: point.id, from: '2025-06-16', to: '2026-06-15' });
      const total = Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
      assert.equal(total, 7, JSON.stringify(sim.stats.requests));
      assert.equal(sim.stats.requests['/energia/api'] ?? 0, 0);
      // The documented G11 name is the one the service's JSON gives.
      const json = await c.getHourly({
        meterPoint: point.id,
        from: '2026-06-10',
        to: '2026-06-10',
        source: 'json',
      });
      assert.ok(json.every((r) => r.zone === 'T1' && r.zoneName === 'Cała doba'));
      assert.ok(year.every((r) => r.zone === 'T1' && r.zoneName === 'Cała doba'));
    });

    it('asks one JSON day for the zone names of a tariff whose names are not documented (C11)', async () => {
      const point = DEMO_ACCOUNT.meterPoints.find((p) => p.tariff === 'C11')!;
      const c = client();
      const hours = await c.getHourly({ meterPoint: point.id, from: '2026-06-01', to: '2026-06-02' });
      assert.equal(sim.stats.requests['/energia/do/dane'], 1, 'one CSV');
      assert.equal(sim.stats.requests['/energia/wo/api'], 1, 'one JSON day for the names');
      assert.ok(hours.every((r) => r.zone === 'T1' && r.zoneName === 'Cała doba'));
    });

    it('fetches all four series through the CSV and the JSON endpoint alike', async () => {
      const c = client();
      const series = ['ecp', 'eco', 'tauronEcbp', 'tauronEcbo'] as const;
      const csv = await c.getHourly({
        meterPoint: G12W.id,
        from: '2026-06-01',
        to: '2026-06-02',
        series: [...series],
      });
      const json = await c.getHourly({
        meterPoint: G12W.id,
        from: '2026-06-01',
        to: '2026-06-02',
        series: [...series],
        source: 'json',
      });
      assert.deepEqual(csv, json);
      // Two CSV exports and four JSON days each way; no JSON day for zone names: G12W's are documented.
      assert.equal(sim.stats.dataRequests, 2 * 4);
      for (const r of csv) {
        assert.equal(r.tauronEcbp, Math.max(Math.round(((r.ecp ?? 0) - (r.eco ?? 0)) * 1000), 0) / 1000);
        assert.equal(r.tauronEcbo, Math.max(Math.round(((r.eco ?? 0) - (r.ecp ?? 0)) * 1000), 0) / 1000);
        assert.ok(r.zone === 'T1' || r.zone === 'T2');
        assert.equal(r.zoneName, r.zone === 'T1' ? 'Szczyt' : 'Poza szczytem');
        assert.equal(r.tariff, 'G12W');
      }
    });

    it('serves both DST days with 23 and 25 hours, via the CSV and via JSON', async () => {
      const c = client();
      for (const source of ['csv', 'json'] as const) {
        for (const date of ['2026-03-29', '2025-10-26']) {
          const records = await c.getHourly({ from: date, to: date, source });
          assert.equal(records.length, date === '2026-03-29' ? 23 : 25, `${source} ${date}`);
          assertMatchesSim(sim, records, G11.id, date, date);
        }
      }
      const autumn = await c.getHourly({ from: '2025-10-26', to: '2025-10-26' });
      assert.deepEqual(
        autumn.filter((r) => r.hour === 3).map((r) => r.hourStart),
        ['2025-10-26T02:00:00+02:00', '2025-10-26T02:00:00+01:00'],
      );
    });

    it('keeps null hours null (never 0) and marks their day incomplete, via CSV and JSON', async () => {
      sim.faults.nullFromHour = 18;
      sim.faults.missingDays = ['2026-06-10'];
      const c = client();
      for (const source of ['csv', 'json'] as const) {
        const records = await c.getHourly({ from: '2026-06-09', to: '2026-06-16', source });
        assertMatchesSim(sim, records, G11.id, '2026-06-09', '2026-06-16');
        const day = (d: string) => records.filter((r) => r.date === d);
        assert.ok(day('2026-06-09').every((r) => r.dayComplete && r.ecp !== null));
        assert.ok(day('2026-06-10').every((r) => r.ecp === null && r.eco === null && !r.dayComplete));
        const yesterday = day('2026-06-15');
        assert.ok(yesterday.slice(0, 17).every((r) => r.ecp !== null));
        assert.ok(yesterday.slice(17).every((r) => r.ecp === null && r.eco === null));
        assert.ok(day('2026-06-16').every((r) => r.ecp === null));
      }
    });

    it('does not request days after today', async () => {
      const c = client();
      const records = await c.getHourly({ from: '2026-06-20', to: '2026-06-21', source: 'json' });
      assert.equal(records.length, 48);
      assert.ok(records.every((r) => r.ecp === null && !r.dayComplete));
      assert.equal(sim.stats.dataRequests, 0);
    });

    it('reads EC: null as no value through JSON', async () => {
      sim.faults.ecNull = true;
      const c = client();
      const records = await c.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' });
      assert.deepEqual(
        records.filter((r) => r.ecp === null).map((r) => r.hour),
        [5, 6, 7],
      );
      assert.ok(records.every((r) => !r.dayComplete));
    });

    it('rebuilds hours from values when allData is missing', async () => {
      sim.faults.missingAllData = true;
      const c = client();
      const records = await c.getHourly({
        meterPoint: G12W.id,
        from: '2026-06-01',
        to: '2026-06-02',
        source: 'json',
      });
      assertMatchesSim(sim, records, G12W.id, '2026-06-01', '2026-06-02');
      const truth = sim.hourly(G12W.id, '2026-06-01');
      assert.deepEqual(
        records.slice(0, 24).map((r) => r.zone),
        truth.map((h) => h.zone),
      );
    });

    it('reads every CSV header variant, with and without a BOM', async () => {
      const c = client();
      for (const header of ['2023', '2025', '2026'] as const) {
        sim.faults.csvHeader = header;
        sim.faults.csvBom = header !== '2025';
        const records = await c.getHourly({ meterPoint: G12W.id, from: '2026-06-01', to: '2026-06-01' });
        assertMatchesSim(sim, records, G12W.id, '2026-06-01', '2026-06-01');
        if (header === '2023') assert.ok(records.every((r) => r.zone === null));
        else assert.ok(records.every((r) => r.zone !== null));
      }
    });

    it('serves several meter points, each its own data; a PPE number works as the id', async () => {
      const c = client();
      for (const point of [G11, G12W, WO]) {
        const records = await c.getHourly({ meterPoint: point.id, from: '2026-06-01', to: '2026-06-02' });
        assertMatchesSim(sim, records, point.id, '2026-06-01', '2026-06-02');
      }
      const byPpe = await c.getHourly({ meterPoint: G12W.ppe, from: '2026-06-01', to: '2026-06-01' });
      assert.equal(byPpe[0].meterPoint, G12W.id);
      const defaultPoint = client({ meterPoint: G12W.id });
      assert.equal(
        (await defaultPoint.getHourly({ from: '2026-06-01', to: '2026-06-01' }))[0].meterPoint,
        G12W.id,
      );
    });

    it('uses /energia/wo/api for the WO point', async () => {
      const c = client();
      const records = await c.getHourly({
        meterPoint: WO.id,
        from: '2026-06-01',
        to: '2026-06-01',
        source: 'json',
      });
      assertMatchesSim(sim, records, WO.id, '2026-06-01', '2026-06-01');
      assert.equal(sim.stats.requests['/energia/wo/api'], 2);
      assert.equal(sim.stats.requests['/energia/api'] ?? 0, 0);
      assert.ok(records.every((r) => r.tariff === 'C11'));
    });

    it('runs calls one at a time, so concurrent calls for different points do not mix', async () => {
      const c = client();
      const [a, b, d] = await Promise.all([
        c.getHourly({ meterPoint: G11.id, from: '2026-06-01', to: '2026-06-01', source: 'json' }),
        c.getHourly({ meterPoint: G12W.id, from: '2026-06-01', to: '2026-06-01', source: 'json' }),
        c.getHourly({ meterPoint: G11.id, from: '2026-06-01', to: '2026-06-01' }),
      ]);
      assertMatchesSim(sim, a, G11.id, '2026-06-01', '2026-06-01');
      assertMatchesSim(sim, b, G12W.id, '2026-06-01', '2026-06-01');
      assertMatchesSim(sim, d, G11.id, '2026-06-01', '2026-06-01');
      assert.equal(sim.stats.logins, 1);
    });

    it('reports progress per JSON day', async () => {
      const c = client();
      const seen: string[] = [];
      await c.getHourly({
        from: '2026-06-01',
        to: '2026-06-03',
        source: 'json',
        onProgress: (p) => seen.push(`${p.source}:${p.doneDays}/${p.totalDays}`),
      });
      assert.deepEqual(seen, ['json:1/3', 'json:2/3', 'json:3/3']);
    });
  });

  describe('totals and registers', () => {
    it('gives daily totals from profile=month equal to the sums of the hours', async () => {
      const c = client();
      const from = '2026-04-28';
      const to = '2026-05-03';
      const api = await c.getTotals({ meterPoint: G12W.id, period: 'day', from, to });
      const hours = await c.getHourly({ meterPoint: G12W.id, from, to });
      const derived = totalsFromHours(hours, 'day');
      assert.deepEqual(
        api.map((t) => [t.label, t.ecp, t.eco]),
        derived.map((t) => [t.label, t.ecp, t.eco]),
      );
      // Two JSON totals, and no JSON day for the zone names of the CSV: G12W's are documented.
      assert.equal(sim.stats.requests['/energia/api'], 2 * 2);
      assert.ok(api.every((t) => t.tariff === 'G12W' && t.meterPoint === G12W.id && t.zones === undefined));
    });

    it('gives monthly and yearly totals from profile=year, with zones when one request covered the period', async () => {
      const c = client();
      const months = await c.getTotals({
        meterPoint: G12W.id,
        period: 'month',
        from: '2026-01-01',
        to: '2026-05-31',
      });
      const hours = await c.getHourly({ meterPoint: G12W.id, from: '2026-01-01', to: '2026-05-31' });
      const derived = totalsFromHours(hours, 'month');
      assert.deepEqual(
        months.map((t) => [t.label, t.ecp, t.eco]),
        derived.map((t) => [t.label, t.ecp, t.eco]),
      );
      const [year] = await c.getTotals({
        meterPoint: G12W.id,
        period: 'year',
        from: '2026-01-01',
        to: '2026-05-31',
      });
      const [derivedYear] = totalsFromHours(hours, 'year');
      assert.equal(year.ecp, derivedYear.ecp);
      assert.deepEqual(year.zones, derivedYear.zones);
      assert.deepEqual(year.zoneNames, { T1: 'Szczyt', T2: 'Poza szczytem' });
      const [may] = await c.getTotals({
        meterPoint: G12W.id,
        period: 'month',
        from: '2026-05-01',
        to: '2026-05-31',
      });
      assert.deepEqual(may.zones, derived[4].zones);
    });

    it('leaves periods after today null without asking', async () => {
      const c = client();
      const totals = await c.getTotals({ period: 'month', from: '2026-12-01', to: '2027-01-31' });
      assert.deepEqual(
        totals.map((t) => [t.label, t.ecp, t.eco]),
        [
          ['2026-12', null, null],
          ['2027-01', null, null],
        ],
      );
      assert.equal(sim.stats.dataRequests, 0);
    });

    it('reads the import and export registers per day, consistent with the hourly data', async () => {
      const c = client();
      const readings = await c.getRegisters({ meterPoint: G12W.id, from: '2026-06-01', to: '2026-06-03' });
      assert.deepEqual(
        readings.map((r) => [r.date, r.time]),
        [
          ['2026-06-01', '23:59:59'],
          ['2026-06-02', '23:59:59'],
          ['2026-06-03', '23:59:59'],
        ],
      );
      const day2 = sim.hourly(G12W.id, '2026-06-02');
      const sum = (f: (h: (typeof day2)[number]) => number | null) =>
        day2.reduce((a, h) => a + Math.round((f(h) ?? 0) * 1000), 0);
      const diff = (a: number | null | undefined, b: number | null | undefined) =>
        Math.round(((a ?? 0) - (b ?? 0)) * 1000);
      assert.equal(
        diff(readings[1].import?.total, readings[0].import?.total),
        sum((h) => h.ecp),
      );
      assert.equal(
        diff(readings[1].export?.total, readings[0].export?.total),
        sum((h) => h.eco),
      );
      assert.equal(
        diff(readings[1].import?.zones.S1, readings[0].import?.zones.S1),
        day2.filter((h) => h.zone === 'T1').reduce((a, h) => a + Math.round((h.ecp ?? 0) * 1000), 0),
      );
      assert.equal(readings[0].import?.zones.S3, null);
    });
  });

  describe('close', () => {
    it('aborts a request in flight and leaves no timers or sockets', async () => {
      const count = (kind: string) => process.getActiveResourcesInfo().filter((r) => r === kind).length;
      // closed handles leave the list on a later turn of the event loop
      const settle = () => new Promise((r) => setTimeout(r, 30));
      await settle();
      const sockets = count('TCPSocketWrap');
      const timers = count('Timeout');
      const c = client({ sleep: undefined });
      await c.getMeterPoints();
      sim.faults.latencyMs = 5000;
      const pending = c.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      await new Promise((r) => setTimeout(r, 50));
      assert.ok(count('TCPSocketWrap') > sockets, 'keep-alive sockets are open');
      await c.close();
      const err = await rejectsWith(pending, 'SERVICE_UNAVAILABLE');
      assert.equal(err.step, 'closed');
      await rejectsWith(c.getMeterPoints(), 'SERVICE_UNAVAILABLE');
      await settle();
      assert.equal(count('TCPSocketWrap'), sockets, String(process.getActiveResourcesInfo()));
      await sim.close();
      await settle();
      assert.ok(count('Timeout') <= timers, String(process.getActiveResourcesInfo()));
    });

    it('lets a credentials POST already sent finish when closed, and passes its answer on first', async () => {
      const told: string[] = [];
      const c = client({
        password: 'wrong',
        onAccountStop: async (err) => {
          await new Promise((r) => setTimeout(r, 20));
          told.push(err.code);
        },
      });
      sim.faults.latencyMs = 100;
      const call = c.getMeterPoints().then(
        () => 'logged in',
        (err: { code?: string }) => err.code,
      );
      await credentialsPosted(sim);
      await c.close();
      assert.deepEqual(told, ['WRONG_CREDENTIALS'], 'passed on before close() ends');
      assert.equal(await call, 'WRONG_CREDENTIALS');
      assert.equal(sim.stats.loginAttempts, 1);
      await rejectsWith(c.getMeterPoints(), 'SERVICE_UNAVAILABLE');
    });
  });

  describe('privacy', () => {
    it('puts no password, cookie or session id into logs and errors', async () => {
      let stored: string | undefined;
      const c = client({
        sessionStore: {
          load: async () => undefined,
          save: async (v) => {
            stored = v;
          },
        },
      });
      await c.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      sim.faults.successFalse = true;
      const errors: unknown[] = [];
      await c.getTotals({ period: 'day', from: '2026-06-01', to: '2026-06-01' }).catch((e) => errors.push(e));
      const bad = client({ password: 'Sekretne-Haslo-123' });
      await bad.getMeterPoints().catch((e) => errors.push(e));
      const cookie = (stored ?? '').split('=')[1];
      assert.ok(cookie && cookie.length > 8);
      const text = [...logs, ...errors.map((e) => `${String(e)} ${JSON.stringify(e)}`)].join('\n');
      assert.equal(errors.length, 2);
      for (const secret of ['Sekretne-Haslo-123', cookie, 'PHPSESSID']) {
        assert.ok(!text.includes(secret), `"${secret}" leaked`);
      }
    });
  });
});

describe('client: through a proxy in front of the simulator', function () {
  this.timeout(30_000);
  let sim: SimulatorHandle;
  let proxy: ProxyHandle;
  let client: ElicznikClient;
  const now = Date.parse('2026-06-16T10:30:00+02:00');

  beforeEach(async () => {
    sim = await startSimulator({ now: () => now });
    proxy = await startProxy(sim);
    client = new ElicznikClient({
      serviceUrl: proxy.serviceUrl,
      loginUrl: proxy.loginUrl,
      username: USER,
      password: PASS,
      now: () => now,
      sleep: async () => undefined,
      minLoginIntervalMs: 0,
    });
  });

  afterEach(async () => {
    await client.close();
    await proxy.close();
    await sim.close();
  });

  it('sends the user agent, no-cache and identity encoding, and the cookies of each host only', async () => {
    await client.getHourly({ from: '2026-06-01', to: '2026-06-01' });
    for (const r of proxy.requests) {
      assert.match(String(r.headers['user-agent']), /^@prosument\/node-red-elicznik\/\d+\.\d+\.\d+/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.equal(r.headers['accept-encoding'], 'identity');
      const cookie = String(r.headers.cookie ?? '');
      if (r.host === 'login') assert.doesNotMatch(cookie, /PHPSESSID/);
      else assert.doesNotMatch(cookie, /KEYCLOAK|AUTH_SESSION_ID/);
    }
    const csv = proxy.requests.find((r) => r.path === '/energia/do/dane');
    assert.ok(csv);
    assert.match(String(csv.headers.cookie), /PHPSESSID=/);
    assert.equal(csv.url.searchParams.get('form[from]'), '01.06.2026');
    assert.equal(csv.url.searchParams.get('form[energy][consum]'), '1');
    assert.equal(csv.url.searchParams.get('form[energy][oze]'), '1');
    assert.equal(csv.url.searchParams.get('form[energy][netto]'), null);
    const post = proxy.requests.find((r) => r.method === 'POST' && r.host === 'login');
    assert.ok(post);
    const form = new URLSearchParams(post.body);
    assert.deepEqual([...form.keys()].sort(), ['credentialId', 'password', 'username']);
  });

  it('never retries the credentials POST', async () => {
    proxy.intercept = (r) =>
      r.method === 'POST' && r.host === 'login' ? { status: 503, body: 'busy' } : undefined;
    await rejectsWith(client.getMeterPoints(), 'SERVICE_UNAVAILABLE');
    assert.equal(proxy.requests.filter((r) => r.method === 'POST' && r.host === 'login').length, 1);
  });

  it('falls back to day-by-day JSON when the CSV has an unknown header', async () => {
    proxy.intercept = (r) =>
      r.path === '/energia/do/dane'
        ? { status: 200, headers: { 'content-type': 'text/csv' }, body: 'Datum;Wert;\n2026-06-01 1:00;1;\n' }
        : undefined;
    const records = await client.getHourly({ from: '2026-06-01', to: '2026-06-02' });
    assertMatchesSim(sim, records, G11.id, '2026-06-01', '2026-06-02');
    assert.equal(sim.stats.requests['/energia/api'], 4);
    await rejectsWith(
      client.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'csv' }),
      'SERVICE_CHANGED',
    );
  });

  it('falls back to JSON when the CSV answers an HTML page of the logged-in user', async () => {
    proxy.intercept = (r) =>
      r.path === '/energia/do/dane'
        ? {
            status: 200,
            headers: { 'content-type': 'text/html' },
            body: `<html><body>${USER}<p>Brak danych</p></body></html>`,
          }
        : undefined;
    const records = await client.getHourly({ from: '2026-06-01', to: '2026-06-01' });
    assertMatchesSim(sim, records, G11.id, '2026-06-01', '2026-06-01');
    assert.equal(sim.stats.sessionsCreated, 1);
  });

  it('checks the session when JSON turns into a foreign HTML page, then reports SERVICE_CHANGED', async () => {
    proxy.intercept = (r) =>
      r.path === '/energia/api'
        ? { status: 200, body: '<!DOCTYPE html><html><body>Ups</body></html>' }
        : undefined;
    const err = await rejectsWith(
      client.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' }),
      'SERVICE_CHANGED',
    );
    assert.equal(err.step, 'energy-json');
    assert.equal(sim.stats.sessionsCreated, 1, 'the session was fine, so no new login');
    assert.equal(proxy.requests.filter((r) => r.path === '/' && r.host === 'service').length, 2);
  });

  it('logs in again once when JSON answers the login page, and fails when it keeps doing so', async () => {
    let loginPages = 1;
    proxy.intercept = (r) => {
      if (r.path !== '/energia/api' || loginPages <= 0) return undefined;
      loginPages -= 1;
      return { status: 200, body: '<html><form id="kc-form-login" action="/x"></form></html>' };
    };
    const records = await client.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' });
    assertMatchesSim(sim, records, G11.id, '2026-06-01', '2026-06-01');
    assert.equal(sim.stats.sessionsCreated, 2);
    loginPages = 10;
    const err = await rejectsWith(
      client.getHourly({ from: '2026-06-02', to: '2026-06-02', source: 'json' }),
      'SERVICE_CHANGED',
    );
    assert.match(String(err.message), /log/);
    assert.equal(sim.stats.sessionsCreated, 3);
  });

  it('sees the block text in a data answer and stops', async () => {
    await client.getMeterPoints();
    proxy.intercept = (r) =>
      r.path === '/energia/api'
        ? { status: 200, body: '{"success":false,"message":"Przekroczono maksymalną liczbę logowań."}' }
        : undefined;
    await rejectsWith(
      client.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' }),
      'ACCOUNT_BLOCKED',
    );
    const count = proxy.requests.length;
    await rejectsWith(client.getMeterPoints(), 'ACCOUNT_BLOCKED');
    assert.equal(proxy.requests.length, count);
  });

  it('tells onAccountStop of a block that a data call or the keep-alive sees, before the call ends', async () => {
    const cases: [string, string, (c: ElicznikClient) => Promise<unknown>][] = [
      [
        'a data call',
        '/energia/api',
        (c) =>
          rejectsWith(
            c.getHourly({ from: '2026-06-01', to: '2026-06-01', source: 'json' }),
            'ACCOUNT_BLOCKED',
          ),
      ],
      ['the keep-alive', '/', async (c) => assert.equal(await c.keepAlive(), false)],
    ];
    for (const [what, path, call] of cases) {
      const told: string[] = [];
      const c = new ElicznikClient({
        serviceUrl: proxy.serviceUrl,
        loginUrl: proxy.loginUrl,
        username: USER,
        password: PASS,
        now: () => now,
        minLoginIntervalMs: 0,
        onAccountStop: async (err) => {
          await new Promise((r) => setTimeout(r, 20));
          told.push(`${err.code} ${(err.blockedUntil as Date).getTime() - now}`);
        },
      });
      try {
        await c.getMeterPoints();
        proxy.intercept = (r) =>
          r.host === 'service' && r.path === path
            ? { status: 200, body: '<html><body>Przekroczono maksymalną liczbę logowań.</body></html>' }
            : undefined;
        await call(c);
        assert.deepEqual(told, [`ACCOUNT_BLOCKED ${8 * 60 * MINUTE}`], what);
        await rejectsWith(c.getMeterPoints(), 'ACCOUNT_BLOCKED');
        assert.equal(told.length, 1, `${what}: told once`);
      } finally {
        proxy.intercept = undefined;
        await c.close();
      }
    }
  });

  it('does not let the bogus Content-Encoding of the CSV break decoding, and decodes Windows-1250', async () => {
    const bytes = Buffer.from(
      'Data; Strefa; Warto\u009c\u00e6 kWh;Rodzaj;\n2026-06-01 1:00;T1;0,5;pob\u00f3r;\n2026-06-01 1:00;T1;0,25;oddanie;\n',
      'latin1',
    );
    proxy.intercept = (r) =>
      r.path === '/energia/do/dane'
        ? {
            status: 200,
            headers: { 'content-type': 'text/csv', 'content-encoding': 'UTF-8' },
            body: bytes,
          }
        : undefined;
    const records = await client.getHourly({ from: '2026-06-01', to: '2026-06-01' });
    assert.equal(records[0].ecp, 0.5);
    assert.equal(records[0].eco, 0.25);
    assert.equal(records[1].ecp, null);
  });

  it('tries the business endpoint once when a point not marked WO gets success false', async () => {
    proxy.rewriteHtml = (_, html) =>
      html.split(`data-data='{"type": "WO"}'`).join(`data-data='{"type": ""}'`);
    const points = await client.getMeterPoints();
    assert.ok(points.every((p) => !p.isBusiness));
    const records = await client.getHourly({
      meterPoint: WO.id,
      from: '2026-06-01',
      to: '2026-06-02',
      source: 'json',
    });
    assertMatchesSim(sim, records, WO.id, '2026-06-01', '2026-06-02');
    assert.equal(sim.stats.requests['/energia/api'], 1);
    assert.equal(sim.stats.requests['/energia/wo/api'], 4);
  });

  it('answers 429 with RATE_LIMITED and the Retry-After time, and asks nothing before it', async () => {
    let at = now;
    const c = new ElicznikClient({
      serviceUrl: proxy.serviceUrl,
      loginUrl: proxy.loginUrl,
      username: USER,
      password: PASS,
      now: () => at,
      sleep: async () => undefined,
    });
    try {
      await c.getMeterPoints();
      proxy.intercept = (r) =>
        r.path === '/energia/api' ? { status: 429, headers: { 'retry-after': '120' } } : undefined;
      const json = { from: '2026-06-01', to: '2026-06-01', source: 'json' } as const;
      const err = await rejectsWith(c.getHourly(json), 'RATE_LIMITED');
      assert.equal((err.retryAfter as Date).getTime(), now + 120_000);
      const sent = proxy.requests.length;
      at += 119_000;
      await rejectsWith(c.getHourly(json), 'RATE_LIMITED');
      assert.equal(proxy.requests.length, sent);
      at += 1000;
      proxy.intercept = undefined;
      assert.equal((await c.getHourly(json)).length, 24);
    } finally {
      await c.close();
    }
  });
});
