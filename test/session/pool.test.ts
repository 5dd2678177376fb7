import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import sinon from 'sinon';
import { startProxy } from '../client/proxy';
import { SessionPool, type AccountOptions } from '../../src/session/pool';
import {
  DEFAULT_KEEP_ALIVE_MS,
  KEEP_ALIVE_DAILY_LIMIT,
  type AccountSession,
  type AccountState,
  type HoursQuery,
} from '../../src/session/account-session';
import { credentialsPosted } from '../support/simulator';

const [G11, G12W] = DEMO_ACCOUNT.meterPoints;
const TODAY = '2026-11-23';
const START = Date.parse('2026-11-23T10:00:00+01:00');
const MINUTE = 60_000;

function totalRequests(sim: SimulatorHandle): number {
  return Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
}

function dataRequests(sim: SimulatorHandle): number {
  return sim.stats.dataRequests + sim.stats.csvRequests;
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => (e as { code?: string }).code === code);
}

describe('session/pool: against the simulator', function () {
  this.timeout(20_000);
  let sim: SimulatorHandle;
  let now: number;
  let pool: SessionPool;
  let account: AccountOptions;

  before(async () => {
    sim = await startSimulator({ today: TODAY, now: () => now });
  });
  after(() => sim.close());

  beforeEach(() => {
    now = START;
    sim.resetFaults();
    sim.unblockAccounts();
    sim.expireSessions();
    sim.expireSsoSessions();
    sim.stats.reset();
    pool = new SessionPool({ now: () => now });
    account = {
      serviceUrl: sim.serviceUrl,
      loginUrl: sim.loginUrl,
      username: DEMO_ACCOUNT.username,
      password: DEMO_ACCOUNT.password,
      timeoutMs: 5000,
      minLoginIntervalMs: 5 * MINUTE,
    };
  });
  afterEach(() => pool.clear());

  it('shares one client per account and password, and closes it with the last release', async () => {
    const a = pool.acquire(account);
    const b = pool.acquire({ ...account, username: DEMO_ACCOUNT.username.toUpperCase() });
    assert.equal(a.session, b.session);
    assert.equal(pool.openCount, 1);
    await Promise.all([
      a.session.hours(
        { meterPoint: G11.id, from: '2026-11-20', to: '2026-11-20', series: ['ecp', 'eco'] },
        TODAY,
      ),
      b.session.hours(
        { meterPoint: G12W.id, from: '2026-11-20', to: '2026-11-20', series: ['ecp', 'eco'] },
        TODAY,
      ),
    ]);
    assert.equal(sim.stats.logins, 1);
    await a.release();
    await a.release();
    assert.equal(pool.openCount, 1, 'a second release of one lease does not count');
    await b.release();
    assert.equal(pool.openCount, 0);
    await rejectsWithCode(
      a.session.hours({ meterPoint: G11.id, from: '2026-11-19', to: '2026-11-19', series: ['ecp'] }, TODAY),
      'SERVICE_UNAVAILABLE',
    );
  });

  it('restores the session for the next client instead of logging in again', async () => {
    const first = pool.acquire(account);
    await first.session.meterPoints();
    await first.release();
    const second = pool.acquire(account);
    assert.notEqual(second.session, first.session);
    const points = await second.session.meterPoints();
    assert.equal(points.length, 3);
    assert.equal(sim.stats.logins, 1);
    assert.equal(sim.stats.sessionsCreated, 1);
    await second.release();
  });

  it('lists meter points with PPE, type and tariff, asking for each tariff once', async () => {
    const lease = pool.acquire(account);
    const points = await lease.session.meterPoints();
    assert.deepEqual(
      points.map((p) => [p.id, p.ppe, p.type, p.tariff]),
      DEMO_ACCOUNT.meterPoints.map((p) => [p.id, p.ppe, p.type, p.tariff]),
    );
    assert.match(points[0].name, /Słoneczna/);
    const before = totalRequests(sim);
    await lease.session.meterPoints();
    assert.equal(totalRequests(sim), before);
    await lease.release();
  });

  it('serves complete past days from the cache, also to the next client', async () => {
    const q = { meterPoint: G11.id, from: '2026-11-20', to: '2026-11-22', series: ['ecp', 'eco'] as const };
    const lease = pool.acquire(account);
    const first = await lease.session.hours({ ...q, series: [...q.series] }, TODAY);
    assert.equal(first.records.length, 72);
    assert.deepEqual(first.fetchedDays, ['2026-11-20', '2026-11-21', '2026-11-22']);
    const fetches = dataRequests(sim);
    assert.ok(fetches >= 1);
    await lease.release();

    const again = pool.acquire(account);
    const second = await again.session.hours({ ...q, series: ['eco', 'ecp'] }, TODAY);
    assert.equal(dataRequests(sim), fetches, 'no data request for cached days');
    assert.deepEqual(second.cachedDays, ['2026-11-20', '2026-11-21', '2026-11-22']);
    assert.deepEqual(second.records, first.records);
    await again.release();
  });

  it('fetches incomplete days again, and only the span of days not cached', async () => {
    const lease = pool.acquire(account);
    const s = lease.session;
    await s.hours(
      { meterPoint: G11.id, from: '2026-11-20', to: '2026-11-20', series: ['ecp', 'eco'] },
      TODAY,
    );
    sim.faults.nullFromHour = 20;
    const partial = await s.hours(
      { meterPoint: G11.id, from: '2026-11-20', to: '2026-11-22', series: ['ecp', 'eco'] },
      TODAY,
    );
    assert.deepEqual(partial.cachedDays, ['2026-11-20']);
    assert.deepEqual(partial.fetchedDays, ['2026-11-21', '2026-11-22']);
    assert.equal(partial.records.find((r) => r.date === '2026-11-22' && r.hour === 21)?.ecp, null);
    sim.faults.nullFromHour = null;
    const full = await s.hours(
      { meterPoint: G11.id, from: '2026-11-20', to: '2026-11-22', series: ['ecp', 'eco'] },
      TODAY,
    );
    assert.deepEqual(full.fetchedDays, ['2026-11-22']);
    assert.ok(full.records.every((r) => r.ecp !== null && r.dayComplete));
    await lease.release();
  });

  it('joins an identical call in flight and gives each caller its own records', async () => {
    const lease = pool.acquire(account);
    // The first hourly call of a point also reads its zone names once; keep that out of the count.
    await lease.session.hours(
      { meterPoint: G11.id, from: '2026-11-19', to: '2026-11-19', series: ['ecp'] },
      TODAY,
    );
    const before = dataRequests(sim);
    const q = { meterPoint: G11.id, from: '2026-11-21', to: '2026-11-22', series: ['ecp', 'eco'] as const };
    const [a, b] = await Promise.all([
      lease.session.hours({ ...q, series: [...q.series] }, TODAY),
      lease.session.hours({ ...q, series: [...q.series] }, TODAY),
    ]);
    assert.equal(dataRequests(sim) - before, 1);
    assert.deepEqual(a.records, b.records);
    assert.notEqual(a.records[0], b.records[0]);
    await lease.release();
  });

  it('tells the progress of the days not cached to the caller and to a joined caller', async () => {
    const lease = pool.acquire(account);
    const s = lease.session;
    await s.hours({ meterPoint: G11.id, from: '2026-11-22', to: '2026-11-22', series: ['ecp'] }, TODAY);
    // 400 days, the last one cached: two CSV requests (366 days at most each) for 399 days.
    const q: HoursQuery = { meterPoint: G11.id, from: '2025-10-19', to: '2026-11-22', series: ['ecp'] };
    const first: string[] = [];
    const joined: string[] = [];
    const [a, b] = await Promise.all([
      s.hours(q, TODAY, (p) => first.push(`${p.doneDays}/${p.totalDays} ${p.source}`)),
      s.hours({ ...q }, TODAY, (p) => joined.push(`${p.doneDays}/${p.totalDays}`)),
    ]);
    assert.deepEqual(first, ['366/399 csv', '399/399 csv']);
    assert.deepEqual(joined, ['366/399', '399/399']);
    assert.equal(a.records.length, b.records.length);
    const quiet: string[] = [];
    await s.hours(q, TODAY, (p) => quiet.push(`${p.doneDays}`));
    assert.deepEqual(quiet, [], 'every day came from the cache');
    await lease.release();
  });

  it('gives a different password its own client and does not retry a rejected one', async () => {
    const good = pool.acquire(account);
    assert.equal((await good.session.meterPoints()).length, 3);
    now += 5 * MINUTE;
    const bad = pool.acquire({ ...account, password: 'wrong' });
    assert.notEqual(good.session, bad.session);
    await rejectsWithCode(bad.session.meterPoints(), 'WRONG_CREDENTIALS');
    assert.equal(sim.stats.loginAttempts, 2);
    await bad.release();
    now += 5 * MINUTE;

    const badAgain = pool.acquire({ ...account, password: 'wrong' });
    await rejectsWithCode(badAgain.session.meterPoints(), 'WRONG_CREDENTIALS');
    assert.equal(sim.stats.loginAttempts, 2, 'the rejected password is not sent again');
    await badAgain.release();

    const retried = pool.acquire({ ...account, password: 'wrong', retryRejectedPassword: true });
    await rejectsWithCode(retried.session.meterPoints(), 'WRONG_CREDENTIALS');
    assert.equal(sim.stats.loginAttempts, 3, 'an explicit retry sends it once');
    await retried.release();

    assert.equal((await good.session.meterPoints()).length, 3, 'the working client goes on');
    await good.release();
  });

  it('does not send a rejected password again after a login with the right one', async () => {
    const wrong = { ...account, password: 'wrong' };
    const bad = pool.acquire(wrong);
    await rejectsWithCode(bad.session.meterPoints(), 'WRONG_CREDENTIALS');
    await bad.release();
    now += 10 * MINUTE;
    const good = pool.acquire(account);
    assert.equal((await good.session.meterPoints()).length, 3);
    assert.equal(sim.stats.loginAttempts, 2);
    now += 10 * MINUTE;
    const badAgain = pool.acquire(wrong);
    await rejectsWithCode(badAgain.session.meterPoints(), 'WRONG_CREDENTIALS');
    assert.equal(sim.stats.loginAttempts, 2, 'the rejected password is not sent again');
    await badAgain.release();
    await good.release();
  });

  it('remembers each rejected password of the account, not only the last one', async () => {
    const first = pool.acquire({ ...account, password: 'wrong one' });
    await rejectsWithCode(first.session.meterPoints(), 'WRONG_CREDENTIALS');
    await first.release();
    now += 10 * MINUTE;
    const second = pool.acquire({ ...account, password: 'wrong two' });
    await rejectsWithCode(second.session.meterPoints(), 'WRONG_CREDENTIALS');
    await second.release();
    assert.equal(sim.stats.loginAttempts, 2);
    now += 10 * MINUTE;
    const firstAgain = pool.acquire({ ...account, password: 'wrong one' });
    await rejectsWithCode(firstAgain.session.meterPoints(), 'WRONG_CREDENTIALS');
    assert.equal(sim.stats.loginAttempts, 2, 'the first rejected password is not sent again');
    await firstAgain.release();
  });

  it('drops what it remembers for unused passwords of the account when another is used', async () => {
    const bad = pool.acquire({ ...account, password: 'wrong' });
    await rejectsWithCode(bad.session.meterPoints(), 'WRONG_CREDENTIALS');
    await bad.release();
    assert.equal(pool.size, 1);
    const good = pool.acquire(account);
    assert.equal(pool.size, 1);
    await good.release();
  });

  it('keeps the shortest interval between logins across clients and passwords of the account', async () => {
    const first = pool.acquire(account);
    await first.session.meterPoints();
    await first.release();
    sim.expireSessions();
    sim.expireSsoSessions();
    now += MINUTE;
    const second = pool.acquire(account);
    await rejectsWithCode(second.session.meterPoints(), 'LOGIN_BUDGET');
    const other = pool.acquire({ ...account, password: 'another' });
    await rejectsWithCode(other.session.meterPoints(), 'LOGIN_BUDGET');
    assert.equal(sim.stats.loginAttempts, 1);
    await other.release();
    await second.release();
    now += 5 * MINUTE;
    const third = pool.acquire(account);
    assert.equal((await third.session.meterPoints()).length, 3);
    assert.equal(sim.stats.logins, 2);
    await third.release();
  });

  it('remembers an account block for the next client, also with another password', async () => {
    sim.faults.blocked = true;
    const first = pool.acquire(account);
    await rejectsWithCode(first.session.meterPoints(), 'ACCOUNT_BLOCKED');
    await first.release();
    const attempts = sim.stats.loginAttempts;
    now += 10 * MINUTE;
    const second = pool.acquire({ ...account, password: 'new password' });
    await rejectsWithCode(second.session.meterPoints(), 'ACCOUNT_BLOCKED');
    assert.equal(sim.stats.loginAttempts, attempts, 'no attempt that would extend the block');
    await second.release();
  });

  it('asks eLicznik nothing for an hour after /blokada, in no client of the account', async () => {
    const first = pool.acquire(account);
    await first.session.meterPoints();
    sim.faults.rateLimited = true;
    await rejectsWithCode(
      first.session.hours(
        { meterPoint: G11.id, from: '2026-11-20', to: '2026-11-20', series: ['ecp'] },
        TODAY,
      ),
      'RATE_LIMITED',
    );
    await first.release();
    sim.faults.rateLimited = false;
    const before = totalRequests(sim);
    now += 30 * MINUTE;
    for (const password of [account.password, 'another password']) {
      const lease = pool.acquire({ ...account, password });
      await assert.rejects(
        lease.session.meterPoints(),
        (err: Error & { code?: string; retryAfter?: Date }) => {
          assert.equal(err.code, 'RATE_LIMITED');
          assert.equal(err.retryAfter?.getTime(), START + 60 * MINUTE);
          assert.match(err.message, /no request is sent to eLicznik before 2026-11-23T11:00:00\+01:00/);
          return true;
        },
      );
      await lease.release();
    }
    assert.equal(totalRequests(sim), before, 'no request during the pause');
    now += 30 * MINUTE;
    const later = pool.acquire(account);
    assert.equal((await later.session.meterPoints()).length, 3);
    await later.release();
  });

  describe('with a state folder (restarts)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-pool-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    /** A pool as a new process would have it: nothing in memory, the same folder. */
    const restarted = () => new SessionPool({ now: () => now, stateDir: dir });

    it('restores a still valid session after a restart without logging in', async () => {
      const before = restarted();
      const first = before.acquire(account);
      await first.session.meterPoints();
      await before.clear();
      now += MINUTE;
      const after = restarted();
      const lease = after.acquire(account);
      assert.equal((await lease.session.meterPoints()).length, 3);
      assert.equal(sim.stats.logins, 1, 'the kept session was used');
      assert.equal(sim.stats.sessionsCreated, 1);
      await after.clear();
    });

    it('logs in once after a restart when the kept session has expired', async () => {
      const before = restarted();
      await before.acquire(account).session.meterPoints();
      await before.clear();
      sim.expireSessions();
      sim.expireSsoSessions();
      now += 10 * MINUTE;
      const after = restarted();
      const lease = after.acquire(account);
      assert.equal((await lease.session.meterPoints()).length, 3);
      assert.equal((await lease.session.meterPoints()).length, 3);
      assert.equal(sim.stats.logins, 2);
      await after.clear();
    });

    it('sends a rejected password no more after restarts, and tries a changed one', async () => {
      const wrong = { ...account, password: 'wrong' };
      const first = restarted();
      await rejectsWithCode(first.acquire(wrong).session.meterPoints(), 'WRONG_CREDENTIALS');
      await first.clear();
      for (let i = 0; i < 3; i += 1) {
        now += 10 * MINUTE;
        const again = restarted();
        await rejectsWithCode(again.acquire(wrong).session.meterPoints(), 'WRONG_CREDENTIALS');
        await again.clear();
      }
      assert.equal(sim.stats.loginAttempts, 1);
      now += 10 * MINUTE;
      const fixed = restarted();
      assert.equal((await fixed.acquire(account).session.meterPoints()).length, 3);
      assert.equal(sim.stats.loginAttempts, 2);
      await fixed.clear();
    });

    it('records a block the keep-alive sees, so that no login is tried before it ends, also after a restart', async () => {
      const proxy = await startProxy(sim);
      try {
        const viaProxy = { ...account, serviceUrl: proxy.serviceUrl, loginUrl: proxy.loginUrl };
        const before = restarted();
        const lease = before.acquire({ ...viaProxy, keepAliveMs: 50 });
        await lease.session.meterPoints();
        const startPages = () => proxy.requests.filter((r) => r.host === 'service' && r.path === '/').length;
        const seen = startPages();
        sim.faults.blocked = true;
        proxy.rewriteHtml = (r, html) =>
          r.host === 'service' && r.path === '/'
            ? html.replace('</body>', '<p>Przekroczono maksymalną liczbę logowań.</p></body>')
            : html;
        while (startPages() === seen || lease.session.pending > 0)
          await new Promise((r) => setTimeout(r, 10));
        await before.clear();
        proxy.rewriteHtml = undefined;
        sim.expireSessions();
        sim.expireSsoSessions();
        const attempts = sim.stats.loginAttempts;

        now += 10 * MINUTE;
        const after = restarted();
        await rejectsWithCode(after.acquire(viaProxy).session.meterPoints(), 'ACCOUNT_BLOCKED');
        assert.equal(sim.stats.loginAttempts, attempts, 'no attempt that would extend the block');
        await after.clear();

        now += 8 * 60 * MINUTE;
        sim.faults.blocked = false;
        sim.unblockAccounts();
        const later = restarted();
        assert.equal((await later.acquire(viaProxy).session.meterPoints()).length, 3);
        assert.equal(sim.stats.loginAttempts, attempts + 1, 'the block has ended');
        await later.clear();
      } finally {
        await proxy.close();
      }
    });

    it('keeps the pause after /blokada across a restart', async () => {
      const before = restarted();
      sim.faults.rateLimited = true;
      await rejectsWithCode(before.acquire(account).session.meterPoints(), 'RATE_LIMITED');
      await before.clear();
      sim.faults.rateLimited = false;
      const requests = totalRequests(sim);
      now += 10 * MINUTE;
      const after = restarted();
      await rejectsWithCode(after.acquire(account).session.meterPoints(), 'RATE_LIMITED');
      assert.equal(totalRequests(sim), requests, 'no request during the pause');
      await after.clear();
      now += 50 * MINUTE;
      const later = restarted();
      assert.equal((await later.acquire(account).session.meterPoints()).length, 3);
      await later.clear();
    });

    it('records a password rejected while the client closes during the credentials POST', async () => {
      const wrong = { ...account, password: 'wrong' };
      const first = restarted();
      const lease = first.acquire(wrong);
      sim.faults.latencyMs = 100;
      const call = lease.session.meterPoints().then(
        () => 'logged in',
        (err: { code?: string }) => err.code,
      );
      await credentialsPosted(sim);
      await lease.release();
      assert.equal(await call, 'WRONG_CREDENTIALS', 'the answer came after the release');
      await first.clear();
      sim.faults.latencyMs = 0;
      assert.equal(sim.stats.loginAttempts, 1);

      now += 10 * MINUTE;
      const after = restarted();
      await rejectsWithCode(after.acquire(wrong).session.meterPoints(), 'WRONG_CREDENTIALS');
      assert.equal(sim.stats.loginAttempts, 1, 'the rejected password is not sent again');
      await after.clear();
    });

    it('keeps the login budget across restarts and reports it', async () => {
      const limited = { ...account, loginBudget: 2, minLoginIntervalMs: 0 };
      for (let i = 0; i < 2; i += 1) {
        const p = restarted();
        await p.acquire(limited).session.meterPoints();
        await p.clear();
        sim.expireSessions();
        sim.expireSsoSessions();
        now += MINUTE;
      }
      const p = restarted();
      await assert.rejects(p.acquire(limited).session.meterPoints(), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'LOGIN_BUDGET');
        assert.match(err.message, /next login is allowed at/);
        return true;
      });
      const report = await p.loginReport(limited);
      assert.equal(report.used, 2);
      assert.equal(report.remaining, 0);
      assert.equal(report.nextLoginAt, new Date(START + 24 * 60 * MINUTE).toISOString());
      assert.equal(sim.stats.loginAttempts, 2);
      await p.clear();
    });
  });

  it('tells listeners how each call of the account ended', async () => {
    const lease = pool.acquire({ ...account, password: 'wrong' });
    const states: AccountState[] = [];
    const stop = lease.session.onState((s) => states.push(s));
    await rejectsWithCode(lease.session.meterPoints(), 'WRONG_CREDENTIALS');
    stop();
    await rejectsWithCode(lease.session.meterPoints(), 'WRONG_CREDENTIALS');
    assert.equal(states.length, 1);
    assert.equal(states[0].ok, false);
    assert.equal(!states[0].ok && states[0].error.code, 'WRONG_CREDENTIALS');
    await lease.release();
    now += 5 * MINUTE;

    const good = pool.acquire(account);
    const okStates: AccountState[] = [];
    good.session.onState((s) => okStates.push(s));
    await good.session.meterPoints();
    assert.deepEqual(okStates, [{ ok: true }]);
    await good.release();
  });

  it('reads register readings', async () => {
    const lease = pool.acquire(account);
    const readings = await lease.session.registers({
      meterPoint: G11.id,
      from: '2026-11-21',
      to: '2026-11-22',
    });
    assert.deepEqual(
      readings.map((r) => r.date),
      ['2026-11-21', '2026-11-22'],
    );
    assert.ok((readings[1].import?.total ?? 0) > (readings[0].import?.total ?? 0));
    await lease.release();
  });
});

describe('session/pool: keep-alive (real clock)', function () {
  this.timeout(20_000);
  let sim: SimulatorHandle;
  let pool: SessionPool;
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeEach(async () => {
    // eLicznik forgets a session after 1 s without a request, the login host after 1 s too
    sim = await startSimulator({ sessionTtlMs: 1000, ssoTtlMs: 1000 });
    pool = new SessionPool();
  });
  afterEach(async () => {
    await pool.clear();
    await sim.close();
  });

  const options = (keepAliveMs: number): AccountOptions => ({
    serviceUrl: sim.serviceUrl,
    loginUrl: sim.loginUrl,
    username: DEMO_ACCOUNT.username,
    password: DEMO_ACCOUNT.password,
    minLoginIntervalMs: 0,
    keepAliveMs,
  });
  const day = (date: string): HoursQuery => ({
    meterPoint: G11.id,
    from: date,
    to: date,
    series: ['ecp', 'eco'],
  });

  it('keeps an idle session alive without logging in', async () => {
    const lease = pool.acquire(options(500));
    await lease.session.hours(day('2026-11-01'), '2026-11-30');
    await wait(1200);
    await lease.session.hours(day('2026-11-02'), '2026-11-30');
    assert.equal(sim.stats.loginAttempts, 1);
    assert.equal(sim.stats.requests['/'], 2, 'after the login, the start page was asked once while idle');
    await lease.release();
    const after = totalRequests(sim);
    await wait(700);
    assert.equal(totalRequests(sim), after, 'no request after the last release');
  });

  it('needs a new login after the idle time without it', async () => {
    const lease = pool.acquire(options(0));
    await lease.session.hours(day('2026-11-01'), '2026-11-30');
    await wait(1500);
    await lease.session.hours(day('2026-11-02'), '2026-11-30');
    assert.equal(sim.stats.loginAttempts, 2);
    await lease.release();
  });

  it('never logs in to keep a session alive', async () => {
    const lease = pool.acquire(options(100));
    await lease.session.meterPoints();
    sim.expireSessions();
    sim.expireSsoSessions();
    await wait(600);
    assert.equal(sim.stats.loginAttempts, 1, 'the lost session is dropped, not replaced');
    await lease.session.meterPoints();
    assert.equal(sim.stats.loginAttempts, 2, 'the next call logs in as usual');
    await lease.release();
  });
});

describe('session/pool: keep-alive requests over a day (fake clock)', function () {
  this.timeout(60_000);
  const HOUR = 60 * MINUTE;
  const DAY_START = Date.parse('2026-11-23T00:00:00+01:00');
  let clock: sinon.SinonFakeTimers;
  let sim: SimulatorHandle;
  let pool: SessionPool;

  beforeEach(async () => {
    clock = sinon.useFakeTimers({
      now: DAY_START,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    // eLicznik keeps an idle session for 55 min here (the real limit is not known)
    sim = await startSimulator({ sessionTtlMs: 55 * MINUTE, ssoTtlMs: 55 * MINUTE });
    pool = new SessionPool();
  });
  afterEach(async () => {
    await pool.clear();
    await sim.close();
    clock.restore();
  });

  const acquire = (keepAliveMs: number) =>
    pool.acquire({
      serviceUrl: sim.serviceUrl,
      loginUrl: sim.loginUrl,
      username: DEMO_ACCOUNT.username,
      password: DEMO_ACCOUNT.password,
      minLoginIntervalMs: 0,
      keepAliveMs,
    });

  /** Lets the clock run to `at`, waiting for every keep-alive request it starts to be answered. */
  async function runUntil(session: AccountSession, at: number): Promise<void> {
    while (Date.now() < at) {
      await clock.tickAsync(Math.min(10_000, at - Date.now()));
      while (session.pending > 0) await new Promise((r) => setImmediate(r));
    }
  }

  /** GETs of the start page that were not the end of a login: the keep-alive requests. */
  const keepAlives = () => (sim.stats.requests['/'] ?? 0) - sim.stats.sessionsCreated;

  /** A flow asking for today's hours (never complete, so never from the cache) at the given hours. */
  async function day(keepAliveMs: number, fetchHours: number[]): Promise<void> {
    const lease = acquire(keepAliveMs);
    const today = '2026-11-23';
    for (const hour of fetchHours) {
      await runUntil(lease.session, DAY_START + hour * HOUR);
      await lease.session.hours({ meterPoint: G11.id, from: today, to: today, series: ['ecp'] }, today);
    }
    await runUntil(lease.session, DAY_START + 24 * HOUR - 1);
  }

  it('a quiet day (one fetch at 10:00): 2 keep-alives within 2 hours, then the session lapses', async () => {
    await day(DEFAULT_KEEP_ALIVE_MS, [10]);
    assert.equal(sim.stats.loginAttempts, 1);
    assert.equal(keepAlives(), 2, '10:30 and 11:30');
  });

  it('an hourly-polling day: one keep-alive between fetches, 24 in the day, one login', async () => {
    await day(
      DEFAULT_KEEP_ALIVE_MS,
      Array.from({ length: 24 }, (_, h) => h),
    );
    assert.equal(sim.stats.csvRequests, 24);
    assert.equal(keepAlives(), 24, 'at half past every hour');
    assert.equal(sim.stats.loginAttempts, 1, 'the session lasted the whole day');
  });

  it('never more than 24 keep-alives a day, also with a short interval', async () => {
    await day(
      10 * MINUTE,
      Array.from({ length: 24 }, (_, h) => h),
    );
    assert.equal(keepAlives(), KEEP_ALIVE_DAILY_LIMIT, 'one an hour, at 10 past');
    assert.equal(sim.stats.loginAttempts, 1);
  });
});
