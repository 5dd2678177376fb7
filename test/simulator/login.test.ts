import assert from 'node:assert/strict';
import { startSimulator, DEMO_ACCOUNT, BLOCK_MS, type SimulatorHandle } from '../../src/simulator';
import { Browser, formAction, logIn } from './browser';

const USER = DEMO_ACCOUNT.username;
const PASS = DEMO_ACCOUNT.password;
const BLOCK_TEXT = 'Przekroczono maksymalną liczbę logowań.';
const WRONG_TEXT = 'Nieprawidłowa nazwa użytkownika lub hasło.';

describe('simulator: login', () => {
  let sim: SimulatorHandle;
  let nowMs: number;
  let logLines: string[];

  beforeEach(async () => {
    nowMs = Date.parse('2026-06-16T10:30:00+02:00');
    logLines = [];
    sim = await startSimulator({ now: () => nowMs, log: (l) => logLines.push(l) });
  });

  afterEach(async () => {
    await sim.close();
  });

  it('serves the two hosts under different host names', () => {
    assert.match(sim.serviceUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(sim.loginUrl, /^http:\/\/localhost:\d+$/);
  });

  it('redirects the login entry to the Keycloak auth URL, which answers the form and sets its cookies', async () => {
    const b = new Browser();
    const entry = await b.get(`${sim.loginUrl}/login?service=${sim.serviceUrl}`, false);
    assert.equal(entry.status, 302);
    const auth = new URL(entry.headers.get('location')!);
    assert.equal(auth.origin, sim.loginUrl);
    assert.equal(auth.pathname, '/realms/tauron/protocol/openid-connect/auth');
    assert.equal(auth.searchParams.get('response_type'), 'code');
    assert.equal(auth.searchParams.get('redirect_uri'), `${sim.serviceUrl}/sso/callback`);

    const page = await b.get(auth.toString());
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.ok(b.cookie('localhost', 'AUTH_SESSION_ID'));
    assert.ok(b.cookie('localhost', 'KC_RESTART'));
    assert.equal(b.cookie('localhost', 'AUTH_SESSION_ID')!.path, '/realms/tauron/');
    const raw = /<form\b[^>]*id="kc-form-login"[^>]*action="([^"]+)"/s.exec(page.body)![1];
    assert.match(raw, /&amp;execution=/, 'the action is HTML-escaped');
    const action = new URL(formAction(page.body)!);
    assert.equal(action.origin, sim.loginUrl);
    assert.equal(action.pathname, '/realms/tauron/login-actions/authenticate');
    for (const key of ['session_code', 'execution', 'client_id', 'tab_id']) {
      assert.ok(action.searchParams.get(key), key);
    }
    assert.match(page.body, /name="username"/);
    assert.match(page.body, /name="password"/);
    assert.match(page.body, /name="credentialId" value=""/);
    assert.match(page.body, /method="post"/);
  });

  it('lays the form tag out on several lines or on one, with attributes between id and action', async () => {
    const b = new Browser();
    const multi = await b.get(`${sim.loginUrl}/login?service=${sim.serviceUrl}`);
    const tag = /<form\b[^>]*id="kc-form-login"[^>]*>/s.exec(multi.body)![0];
    assert.ok(tag.split('\n').length > 3);
    assert.match(
      tag,
      /id="kc-form-login"\s+class="[^"]+"\s+novalidate="novalidate"\s+onsubmit="[^"]+"\s+action=/,
    );
    sim.faults.loginMarkup = 'single-line';
    const single = await b.get(`${sim.loginUrl}/login?service=${sim.serviceUrl}`);
    const line = single.body.split('\n').find((l) => l.includes('kc-form-login'))!;
    assert.match(line, /<form id="kc-form-login" onsubmit="[^"]+" action="[^"]+" method="post">/);
  });

  it('logs in across both hosts and lands on the start page with the e-mail and the meter points', async () => {
    const b = new Browser();
    const page = await logIn(b, sim, USER, PASS);
    assert.equal(page.status, 200);
    assert.equal(page.url, `${sim.serviceUrl}/`);
    const callback = page.chain.find((u) => u.includes('/sso/callback'))!;
    assert.ok(new URL(callback).searchParams.get('code'));
    assert.ok(new URL(callback).searchParams.get('state'));
    assert.ok(page.body.toLowerCase().includes(USER));

    const php = b.cookie('127.0.0.1', 'PHPSESSID')!;
    assert.ok(php, 'PHPSESSID on the eLicznik host');
    assert.equal(php.httpOnly, true);
    assert.equal(php.path, '/');
    assert.ok(!b.cookie('localhost', 'PHPSESSID'));
    assert.ok(b.cookie('localhost', 'KEYCLOAK_IDENTITY'));
    assert.ok(b.cookie('localhost', 'KEYCLOAK_SESSION'));
    assert.ok(!b.cookie('127.0.0.1', 'KEYCLOAK_IDENTITY'));

    // One option per line, in the exact spacing clients' regular expressions need.
    const options = [
      ...page.body.matchAll(/<option value="(\d+_\d+_\d+)" data-data='\{"type": "(.*?)"\}'>(.*?)<\/option>/g),
    ];
    assert.deepEqual(
      options.map((m) => [m[1], m[2], m[3].split(' ')[0]]),
      DEMO_ACCOUNT.meterPoints.map((p) => [p.id, p.type, p.ppe]),
    );
    for (const line of page.body.split('\n').filter((l) => l.includes('<option'))) {
      assert.match(line, /^<option .*<\/option>$/);
    }
    assert.equal(sim.stats.logins, 1);
    assert.equal(sim.stats.loginAttempts, 1);
    assert.equal(sim.stats.sessionsCreated, 1);
  });

  it('accepts the e-mail in any letter case', async () => {
    const page = await logIn(new Browser(), sim, USER.toUpperCase(), PASS);
    assert.equal(page.url, `${sim.serviceUrl}/`);
  });

  it('answers a wrong password with the form again and the Keycloak error, and no session', async () => {
    const b = new Browser();
    const page = await logIn(b, sim, USER, 'wrong');
    assert.equal(page.status, 200);
    assert.ok(page.url.startsWith(`${sim.loginUrl}/realms/tauron/login-actions/authenticate`));
    assert.ok(page.body.includes('id="kc-form-login"'));
    assert.ok(page.body.includes(WRONG_TEXT));
    assert.ok(!page.body.includes(BLOCK_TEXT));
    assert.ok(!b.cookie('127.0.0.1', 'PHPSESSID'));
    assert.equal(sim.stats.logins, 0);
    assert.equal(sim.stats.loginAttempts, 1);
    // The re-rendered form can be posted again.
    const again = await b.post(formAction(page.body)!, { username: USER, password: PASS, credentialId: '' });
    assert.equal(again.url, `${sim.serviceUrl}/`);
    assert.equal(sim.stats.loginAttempts, 2);
  });

  it('starts again when the form is posted without the Keycloak cookie', async () => {
    const b = new Browser();
    const page = await b.get(`${sim.loginUrl}/login?service=${sim.serviceUrl}`);
    const fresh = new Browser();
    const res = await fresh.post(formAction(page.body)!, {
      username: USER,
      password: PASS,
      credentialId: '',
    });
    assert.ok(res.body.includes('id="kc-form-login"'));
    assert.ok(!fresh.cookie('127.0.0.1', 'PHPSESSID'));
    assert.equal(sim.stats.logins, 0);
  });

  it('blocks the account for 8 h on the N-th wrong password and extends the block on every attempt', async () => {
    sim.faults.blockAfterFailures = 3;
    const b = new Browser();
    for (let i = 1; i <= 2; i++) {
      const page = await logIn(b, sim, USER, `wrong${i}`);
      assert.ok(page.body.includes(WRONG_TEXT));
    }
    const third = await logIn(b, sim, USER, 'wrong3');
    assert.ok(third.body.includes(BLOCK_TEXT));
    assert.ok(third.body.includes('Twoje konto zostało tymczasowo zablokowane'));
    assert.ok(third.body.includes('Prosimy o zalogowanie się za 8h'));
    assert.ok(third.body.includes('id="kc-form-login"'), 'Keycloak keeps the form on the error page');
    assert.equal(sim.blockedUntil(USER), nowMs + BLOCK_MS);

    nowMs += 3_600_000;
    const right = await logIn(b, sim, USER, PASS);
    assert.ok(right.body.includes(BLOCK_TEXT), 'the right password is refused during the block');
    assert.equal(sim.blockedUntil(USER), nowMs + BLOCK_MS, 'extended from the new attempt');
    assert.equal(sim.stats.loginAttempts, 4);
    assert.equal(sim.stats.logins, 0);

    nowMs += BLOCK_MS + 1;
    assert.equal(sim.blockedUntil(USER), null);
    const after = await logIn(b, sim, USER, PASS);
    assert.equal(after.url, `${sim.serviceUrl}/`);
  });

  describe('daily login limit', () => {
    const DAILY_TEXT = 'Przekroczono maksymalną ilość logowań na dobę.';

    it('blocks for 8 h at the attempt after the limit within 24 h, and extends the block on every attempt', async () => {
      sim.faults.dailyLoginLimit = 3;
      for (let i = 0; i < 3; i += 1) {
        // a new browser each time: no single sign-on, a credentials POST every time
        assert.equal((await logIn(new Browser(), sim, USER, PASS)).url, `${sim.serviceUrl}/`);
        nowMs += 60_000;
      }
      assert.equal(sim.loginAttemptsInLastDay(USER), 3);
      const fourth = await logIn(new Browser(), sim, USER, PASS);
      assert.ok(fourth.body.includes(DAILY_TEXT));
      assert.ok(fourth.body.includes('id="kc-form-login"'));
      assert.equal(sim.blockedUntil(USER), nowMs + BLOCK_MS);
      assert.equal(sim.stats.dailyLimitBlocks, 1);
      assert.equal(sim.stats.logins, 3);

      nowMs += 3_600_000;
      const during = await logIn(new Browser(), sim, USER, PASS);
      assert.ok(during.body.includes(BLOCK_TEXT) || during.body.includes(DAILY_TEXT));
      assert.equal(sim.blockedUntil(USER), nowMs + BLOCK_MS, 'extended to 8 h from this attempt');

      // the block ends; the attempts have left the 24 h window by then
      nowMs += 24 * 3_600_000;
      assert.equal(sim.blockedUntil(USER), null);
      assert.equal(sim.loginAttemptsInLastDay(USER), 0);
      assert.equal((await logIn(new Browser(), sim, USER, PASS)).url, `${sim.serviceUrl}/`);
    });

    it('counts wrong passwords too, lets old attempts fall out of the window, and is off at 0', async () => {
      sim.faults.dailyLoginLimit = 2;
      sim.faults.blockAfterFailures = 0;
      assert.ok((await logIn(new Browser(), sim, USER, 'wrong')).body.includes(WRONG_TEXT));
      nowMs += 12 * 3_600_000;
      await logIn(new Browser(), sim, USER, PASS);
      nowMs += 12 * 3_600_000 + 1;
      assert.equal(sim.loginAttemptsInLastDay(USER), 1, 'the first attempt is over 24 h old');
      assert.equal((await logIn(new Browser(), sim, USER, PASS)).url, `${sim.serviceUrl}/`);
      assert.ok((await logIn(new Browser(), sim, USER, PASS)).body.includes(DAILY_TEXT));
      sim.unblockAccounts();
      sim.faults.dailyLoginLimit = 0;
      for (let i = 0; i < 5; i += 1) {
        assert.equal((await logIn(new Browser(), sim, USER, PASS)).url, `${sim.serviceUrl}/`);
      }
    });

    it('does not count single sign-on, and restores the started limit on resetFaults', async () => {
      sim.faults.dailyLoginLimit = 1;
      const b = new Browser();
      await logIn(b, sim, USER, PASS);
      sim.expireSessions();
      assert.equal(
        (await b.get(`${sim.loginUrl}/login?service=${sim.serviceUrl}`)).url,
        `${sim.serviceUrl}/`,
      );
      assert.equal(sim.loginAttemptsInLastDay(USER), 1);
      assert.equal(sim.blockedUntil(USER), null);
      sim.resetFaults();
      assert.equal(sim.faults.dailyLoginLimit, 10);
      const other = await startSimulator({ now: () => nowMs, dailyLoginLimit: 4 });
      other.faults.dailyLoginLimit = 0;
      other.resetFaults();
      assert.equal(other.faults.dailyLoginLimit, 4);
      await other.close();
    });

    it('is reported by the client as ACCOUNT_BLOCKED with the end of the block', async () => {
      const { ElicznikClient } = await import('../../src/client');
      sim.faults.dailyLoginLimit = 1;
      await logIn(new Browser(), sim, USER, PASS);
      const client = new ElicznikClient({
        serviceUrl: sim.serviceUrl,
        loginUrl: sim.loginUrl,
        username: USER,
        password: PASS,
        now: () => nowMs,
      });
      try {
        await assert.rejects(
          client.getMeterPoints(),
          (err: Error & { code?: string; blockedUntil?: Date }) => {
            assert.equal(err.code, 'ACCOUNT_BLOCKED');
            assert.equal(err.blockedUntil?.getTime(), nowMs + BLOCK_MS);
            return true;
          },
        );
      } finally {
        await client.close();
      }
      assert.ok(logLines.some((l) => /within 24 h; account blocked/.test(l)));
      assert.ok(!logLines.some((l) => l.includes(PASS) || l.includes(USER)));
    });
  });

  it('blocks every login while the blocked fault is on, and refuses every password on request', async () => {
    sim.faults.blocked = true;
    const blocked = await logIn(new Browser(), sim, USER, PASS);
    assert.ok(blocked.body.includes(BLOCK_TEXT));
    sim.resetFaults();
    sim.unblockAccounts();
    sim.faults.rejectAllPasswords = true;
    const rejected = await logIn(new Browser(), sim, USER, PASS);
    assert.ok(rejected.body.includes(WRONG_TEXT));
    sim.resetFaults();
    assert.equal((await logIn(new Browser(), sim, USER, PASS)).url, `${sim.serviceUrl}/`);
  });

  it('skips the form while the Keycloak session is valid (single sign-on)', async () => {
    const b = new Browser();
    await logIn(b, sim, USER, PASS);
    const first = b.cookie('127.0.0.1', 'PHPSESSID')!.value;
    sim.expireSessions();
    const page = await b.get(`${sim.serviceUrl}/`);
    assert.equal(page.url, `${sim.serviceUrl}/`);
    assert.ok(page.body.includes(USER));
    assert.ok(
      page.chain.some((u) => u.startsWith(`${sim.loginUrl}/realms/tauron/protocol/openid-connect/auth`)),
    );
    assert.notEqual(b.cookie('127.0.0.1', 'PHPSESSID')!.value, first);
    assert.equal(sim.stats.loginAttempts, 1, 'no credentials posted again');
    assert.equal(sim.stats.logins, 1);
    assert.equal(sim.stats.sessionsCreated, 2);

    sim.expireSessions();
    sim.expireSsoSessions();
    const again = await b.get(`${sim.serviceUrl}/`);
    assert.ok(again.body.includes('id="kc-form-login"'));
  });

  it('forgets an idle eLicznik session after the TTL, and keeps an active one', async () => {
    const b = new Browser();
    await logIn(b, sim, USER, PASS);
    sim.expireSsoSessions();
    for (let i = 0; i < 3; i++) {
      nowMs += 10 * 60_000;
      const page = await b.get(`${sim.serviceUrl}/`);
      assert.equal(page.url, `${sim.serviceUrl}/`, 'still logged in while active');
    }
    nowMs += 15 * 60_000 + 1;
    const data = await b.post(`${sim.serviceUrl}/energia/api`, {
      from: '15.06.2026',
      to: '15.06.2026',
      profile: 'full time',
      type: 'consum',
    });
    assert.equal(data.statuses[0], 302);
    assert.ok(data.body.includes('id="kc-form-login"'), 'an expired session ends on the Keycloak login page');
    assert.ok(new URL(data.url).pathname.startsWith('/realms/tauron/'));
  });

  it('sends requests without a session to the login entry', async () => {
    const page = await new Browser().get(`${sim.serviceUrl}/energia/do/dane?form[from]=01.06.2026`, false);
    assert.equal(page.status, 302);
    const to = new URL(page.headers.get('location')!);
    assert.equal(to.origin, sim.loginUrl);
    assert.equal(to.pathname, '/login');
    assert.equal(to.searchParams.get('service'), sim.serviceUrl);
  });

  it('logs out: /applogout ends both sessions', async () => {
    const b = new Browser();
    await logIn(b, sim, USER, PASS);
    const out = await b.get(`${sim.serviceUrl}/applogout`);
    assert.ok(out.body.includes('id="kc-form-login"'));
    assert.ok(!b.cookie('127.0.0.1', 'PHPSESSID'));
  });

  it('answers a maintenance page without a form when the login fault is on', async () => {
    sim.faults.maintenanceLogin = true;
    const page = await new Browser().get(`${sim.loginUrl}/login?service=${sim.serviceUrl}`);
    assert.equal(page.status, 200);
    assert.ok(!page.body.includes('kc-form-login'));
    assert.ok(page.body.includes('Przerwa techniczna'));
  });

  it('redirects to /blokada while rate limited', async () => {
    const b = new Browser();
    await logIn(b, sim, USER, PASS);
    sim.faults.rateLimited = true;
    const page = await b.get(`${sim.serviceUrl}/`);
    assert.equal(page.url, `${sim.serviceUrl}/blokada`);
    assert.equal(page.statuses[0], 302);
    assert.ok(page.body.includes('Przekroczono dopuszczalną liczbę zapytań'));
    const login = await logIn(new Browser(), sim, USER, PASS);
    assert.equal(login.url, `${sim.serviceUrl}/blokada`, 'the login flow ends on /blokada too');
  });

  it('answers the next N requests with 503 and 502, then serves normally', async () => {
    sim.faults.serverErrors = 2;
    const b = new Browser();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await b.get(`${sim.loginUrl}/login`, false)).status);
    assert.deepEqual(statuses, [503, 502, 302]);
    assert.equal(sim.faults.serverErrors, 0);
  });

  it('delays answers by latencyMs', async () => {
    sim.faults.latencyMs = 150;
    const started = performance.now();
    await new Browser().get(`${sim.loginUrl}/login`, false);
    assert.ok(performance.now() - started >= 140);
  });

  it('counts requests per path and resets the counters', async () => {
    const b = new Browser();
    await logIn(b, sim, USER, PASS);
    await b.get(`${sim.serviceUrl}/`);
    assert.equal(sim.stats.requests['/'], 2);
    assert.equal(sim.stats.requests['/login'], 1);
    assert.equal(sim.stats.requests['/sso/callback'], 1);
    assert.equal(sim.stats.requests['/realms/tauron/login-actions/authenticate'], 1);
    const requests = sim.stats.requests;
    sim.stats.reset();
    assert.equal(sim.stats.logins, 0);
    assert.equal(sim.stats.loginAttempts, 0);
    assert.deepEqual(requests, {});
  });

  it('answers the legacy CAS login POST with 404', async () => {
    const page = await new Browser().post(`${sim.loginUrl}/login`, {
      username: USER,
      password: PASS,
      service: sim.serviceUrl,
    });
    assert.equal(page.status, 404);
    assert.equal(sim.stats.loginAttempts, 0);
  });

  it('serves custom accounts, each with its own meter points', async () => {
    const other = await startSimulator({
      accounts: [
        DEMO_ACCOUNT,
        {
          username: 'jan.kowalski@example.org',
          password: 'x',
          meterPoints: [{ id: '1_2_3', ppe: '590322400100999999', type: '', tariff: 'G13', pvKw: 0 }],
        },
      ],
    });
    try {
      const jan = await logIn(new Browser(), other, 'jan.kowalski@example.org', 'x');
      assert.ok(jan.body.includes('jan.kowalski@example.org'));
      assert.ok(jan.body.includes('value="1_2_3"'));
      assert.ok(!jan.body.includes(DEMO_ACCOUNT.meterPoints[0].id));
      assert.ok(
        !(await logIn(new Browser(), other, 'jan.kowalski@example.org', PASS)).body.includes('value="1_2_3"'),
      );
    } finally {
      await other.close();
    }
  });

  it('logs no passwords, cookies or codes', async () => {
    const b = new Browser();
    const secret = 'Sekretne-Haslo-123';
    await logIn(b, sim, USER, secret);
    await logIn(b, sim, USER, PASS);
    sim.expireSessions();
    await b.get(`${sim.serviceUrl}/`);
    const text = logLines.join('\n');
    assert.ok(logLines.length > 5);
    assert.ok(!text.includes(secret));
    assert.ok(!text.includes(`=${PASS}`));
    assert.ok(!text.includes(USER), 'the e-mail is masked');
    for (const c of b.cookies) assert.ok(!text.includes(c.value), `cookie ${c.name} leaked`);
    assert.ok(!/code=|session_code|tab_id/.test(text));
  });
});
