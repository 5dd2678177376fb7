import assert from 'node:assert/strict';
import { WrongCredentialsError } from '../../src/errors';
import type { MeterPointInfo } from '../../src/session/account-session';
import type { AccountOptions, SessionLease } from '../../src/session/pool';
import {
  DEFAULT_LOGIN_URL,
  DEFAULT_SERVICE_URL,
  accountOptions,
  httpStatusOf,
  withoutSecrets,
} from '../../nodes/elicznik-config/account';
import { meterPointsAnswer, type DeployedAccount } from '../../nodes/elicznik-config/meter-points';

const POINT: MeterPointInfo = { id: '1_2_3', ppe: '590300000000000001', name: 'x', type: '', tariff: 'G11' };

function fakeDeps(outcome: () => Promise<MeterPointInfo[]>, deployed?: DeployedAccount) {
  const acquired: AccountOptions[] = [];
  let released = 0;
  return {
    acquired,
    released: () => released,
    deps: {
      acquire(options: AccountOptions): SessionLease {
        acquired.push(options);
        return {
          session: { meterPoints: outcome } as unknown as SessionLease['session'],
          release: async () => {
            released += 1;
          },
        };
      },
      deployed: (id: string) => (id === 'c1' ? deployed : undefined),
      env: (name: string) => (name === 'ELICZNIK_PW' ? 'from-env' : undefined),
    },
  };
}

describe('elicznik-config: settings and meter point answers', () => {
  it('reads the settings with defaults and numbers given as text', () => {
    assert.deepEqual(accountOptions({}, { username: ' a@b.pl ', password: 'p' }), {
      serviceUrl: DEFAULT_SERVICE_URL,
      loginUrl: DEFAULT_LOGIN_URL,
      username: 'a@b.pl',
      password: 'p',
      timeoutMs: 30_000,
      minLoginIntervalMs: 60_000,
      loginBudget: 6,
      keepAliveMs: 1_800_000,
    });
    const o = accountOptions(
      {
        serviceUrl: ' http://127.0.0.1:1 ',
        loginUrl: 'http://localhost:2',
        timeout: '7,5',
        minLoginMinutes: 0,
      },
      { username: 'a', password: 'p' },
    );
    assert.deepEqual(
      [o.serviceUrl, o.loginUrl, o.timeoutMs, o.minLoginIntervalMs],
      ['http://127.0.0.1:1', 'http://localhost:2', 7500, 0],
    );
  });

  it('refuses missing credentials and numbers out of range', () => {
    assert.throws(() => accountOptions({}, { password: 'p' }), /no username/);
    assert.throws(() => accountOptions({}, { username: 'a' }), /no password/);
    assert.throws(
      () => accountOptions({}, { username: '${ELICZNIK_USER}', password: 'p' }),
      /username \(e-mail\) is taken from the environment variable ELICZNIK_USER, which is not set/,
    );
    assert.throws(() => accountOptions({ timeout: 0 }, { username: 'a', password: 'p' }), /request timeout/);
    assert.throws(
      () => accountOptions({ minLoginMinutes: -1 }, { username: 'a', password: 'p' }),
      /between logins/,
    );
    assert.throws(
      () => accountOptions({ timeout: 'x' }, { username: 'a', password: 'p' }),
      (e: any) => e.code === 'BAD_INPUT',
    );
  });

  it('maps codes to HTTP statuses the editor does not take for its own login', () => {
    assert.deepEqual(
      [
        'BAD_INPUT',
        'WRONG_CREDENTIALS',
        'ACCOUNT_BLOCKED',
        'RATE_LIMITED',
        'LOGIN_BUDGET',
        'SERVICE_CHANGED',
        'SERVICE_UNAVAILABLE',
        'X',
      ].map(httpStatusOf),
      [400, 422, 423, 429, 429, 502, 503, 500],
    );
  });

  it('removes secrets from texts', () => {
    assert.equal(withoutSecrets('pass Sekret1 and Sekret1', ['Sekret1', undefined]), 'pass *** and ***');
    assert.equal(withoutSecrets('a b', ['a']), 'a b', 'too short to be told from ordinary text');
  });

  it('answers the meter points of typed credentials and gives the lease back', async () => {
    const f = fakeDeps(async () => [POINT]);
    const answer = await meterPointsAnswer(
      { username: 'a@b.pl', password: 'typed', serviceUrl: 'http://s', loginUrl: 'http://l', timeout: '5' },
      f.deps,
    );
    assert.deepEqual(answer, { status: 200, body: { meterPoints: [POINT] } });
    assert.equal(f.acquired[0].password, 'typed');
    assert.equal(f.acquired[0].serviceUrl, 'http://s');
    assert.equal(f.acquired[0].timeoutMs, 5000);
    assert.equal(f.acquired[0].retryRejectedPassword, true);
    assert.equal(f.released(), 1);
  });

  it("uses a deployed node's stored credentials and addresses for the placeholder", async () => {
    const deployed: DeployedAccount = {
      settings: { serviceUrl: 'http://s/', loginUrl: undefined, timeout: 9 },
      credentials: { username: 'stored@b.pl', password: 'stored' },
    };
    const f = fakeDeps(async () => [POINT], deployed);
    const ok = await meterPointsAnswer(
      {
        id: 'c1',
        username: 'stored@b.pl',
        password: '__PWRD__',
        serviceUrl: 'HTTP://S',
        loginUrl: DEFAULT_LOGIN_URL + '/',
      },
      f.deps,
    );
    assert.equal(ok.status, 200);
    assert.deepEqual(
      [f.acquired[0].username, f.acquired[0].password, f.acquired[0].timeoutMs],
      ['stored@b.pl', 'stored', 9000],
    );
    const typedUser = await meterPointsAnswer(
      { id: 'c1', username: 'other@b.pl', password: '__PWRD__', serviceUrl: 'http://s', loginUrl: '' },
      f.deps,
    );
    assert.equal(typedUser.status, 200);
    assert.equal(f.acquired[1].username, 'other@b.pl');
    const moved = await meterPointsAnswer(
      { id: 'c1', password: '__PWRD__', serviceUrl: 'http://evil' },
      f.deps,
    );
    assert.equal(moved.status, 400);
    assert.equal(f.acquired.length, 2, 'no login with the stored password elsewhere');
  });

  it('reads a ${VAR} password from the environment only for TAURON or the deployed addresses', async () => {
    const deployed: DeployedAccount = {
      settings: { serviceUrl: 'http://s', loginUrl: 'http://l' },
      credentials: { username: 'stored@b.pl', password: 'stored' },
    };
    const f = fakeDeps(async () => [POINT], deployed);
    const typed = { username: 'a@b.pl', password: '${ELICZNIK_PW}' };
    assert.equal((await meterPointsAnswer({ id: 'new', ...typed }, f.deps)).status, 200, 'TAURON');
    assert.equal(
      (await meterPointsAnswer({ id: 'c1', ...typed, serviceUrl: 'http://s', loginUrl: 'http://l' }, f.deps))
        .status,
      200,
      'deployed',
    );
    assert.deepEqual(
      f.acquired.map((o) => o.password),
      ['from-env', 'from-env'],
    );
    const typedHost = await meterPointsAnswer(
      { id: 'c1', ...typed, serviceUrl: 'http://elsewhere', loginUrl: 'http://l' },
      f.deps,
    );
    assert.equal(typedHost.status, 400);
    assert.match((typedHost.body as { message: string }).message, /environment variable ELICZNIK_PW/);
    const unset = await meterPointsAnswer({ ...typed, password: '${NOT_SET}' }, f.deps);
    assert.equal(unset.status, 400);
    assert.match((unset.body as { message: string }).message, /NOT_SET, which is not set/);
    assert.equal(f.acquired.length, 2);
  });

  it('answers errors with their code and status, without the password', async () => {
    const wrong = fakeDeps(async () => {
      throw new WrongCredentialsError('rejected Sekret-9 for a@b.pl');
    });
    const a = await meterPointsAnswer({ username: 'a@b.pl', password: 'Sekret-9' }, wrong.deps);
    assert.equal(a.status, 422);
    assert.deepEqual(a.body, { code: 'WRONG_CREDENTIALS', message: 'rejected *** for a@b.pl' });
    assert.equal(wrong.released(), 1);

    const broken = fakeDeps(async () => {
      throw new TypeError('cannot read Sekret-9');
    });
    const b = await meterPointsAnswer({ username: 'a@b.pl', password: 'Sekret-9' }, broken.deps);
    assert.deepEqual(b, { status: 500, body: { code: 'INTERNAL_ERROR', message: 'cannot read ***' } });

    const none = await meterPointsAnswer(null, broken.deps);
    assert.equal(none.status, 400);
    assert.equal(broken.acquired.length, 1);
  });
});
