import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  LOGIN_WINDOW_MS,
  LoginLedger,
  fileLedgerStore,
  ledgerFileName,
  memoryLedgerStore,
  nextAllowed,
  type LedgerStore,
} from '../../src/session/login-ledger';

const START = Date.parse('2026-11-23T10:00:00+01:00');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const POLICY = { budget: 3, minIntervalMs: 5 * MINUTE };
const ACCOUNT = 'https://elicznik.example\nhttps://login.example\nuser@example.com';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('session/login-ledger', () => {
  let now: number;
  let dir: string;

  beforeEach(async () => {
    now = START;
    dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-ledger-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe('nextAllowed', () => {
    it('is now with no attempts, and after the shortest interval from the last one', () => {
      assert.equal(nextAllowed([], POLICY, START), null);
      assert.equal(nextAllowed([START], POLICY, START + MINUTE), START + 5 * MINUTE);
      assert.equal(nextAllowed([START], POLICY, START + 5 * MINUTE), null);
    });

    it('waits for the oldest attempt counting against the budget to leave the 24 h window', () => {
      // budget 3, attempts at 0 h, 1 h, 2 h: the 4th may start when the 0 h one is 24 h old
      const logins = [START, START + HOUR, START + 2 * HOUR];
      assert.equal(nextAllowed(logins, POLICY, START + 3 * HOUR), START + LOGIN_WINDOW_MS);
      assert.equal(nextAllowed(logins, POLICY, START + LOGIN_WINDOW_MS), null);
    });
  });

  it('allows the budget of logins in 24 hours and says when the next one is allowed', async () => {
    const ledger = new LoginLedger(memoryLedgerStore(), ACCOUNT, () => now);
    for (let i = 0; i < 3; i += 1) {
      await ledger.beforeLogin('pw', POLICY);
      now += HOUR;
    }
    await assert.rejects(
      ledger.beforeLogin('pw', POLICY),
      (err: Error & { code?: string; retryAfter?: Date }) => {
        assert.equal(err.code, 'LOGIN_BUDGET');
        assert.equal(err.retryAfter?.getTime(), START + LOGIN_WINDOW_MS);
        assert.match(err.message, /used its 3 logins of the last 24 hours/);
        assert.match(err.message, /next login is allowed at 2026-11-24T10:00:00\+01:00 \(Warsaw time\)/);
        return true;
      },
    );
    const report = await ledger.report('pw', POLICY);
    assert.deepEqual(
      { used: report.used, remaining: report.remaining, next: report.nextLoginAt },
      { used: 3, remaining: 0, next: new Date(START + LOGIN_WINDOW_MS).toISOString() },
    );
    now = START + LOGIN_WINDOW_MS;
    await ledger.beforeLogin('pw', POLICY);
    assert.equal((await ledger.report('pw', POLICY)).used, 3, 'the oldest attempt left the window');
  });

  it('keeps logins the shortest interval apart', async () => {
    const ledger = new LoginLedger(memoryLedgerStore(), ACCOUNT, () => now);
    await ledger.beforeLogin('pw', POLICY);
    now += 4 * MINUTE;
    await assert.rejects(
      ledger.beforeLogin('pw', POLICY),
      (err: Error & { code?: string; retryAfter?: Date }) => {
        assert.equal(err.code, 'LOGIN_BUDGET');
        assert.equal(err.retryAfter?.getTime(), START + 5 * MINUTE);
        assert.match(err.message, /less than 5 minutes ago/);
        return true;
      },
    );
    now += MINUTE;
    await ledger.beforeLogin('pw', POLICY);
  });

  it('lets exactly the budget through when many ask at once', async () => {
    const ledger = new LoginLedger(memoryLedgerStore(), ACCOUNT, () => now);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => ledger.beforeLogin('pw', { budget: 3, minIntervalMs: 0 })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
  });

  it('refuses a rejected password, but not another one, and forgets it on request', async () => {
    const ledger = new LoginLedger(memoryLedgerStore(), ACCOUNT, () => now);
    await ledger.passwordRejected('wrong');
    assert.equal(
      await codeOf(ledger.beforeLogin('wrong', { budget: 10, minIntervalMs: 0 })),
      'WRONG_CREDENTIALS',
    );
    assert.equal((await ledger.report('wrong', POLICY)).passwordRejected, true);
    assert.equal((await ledger.report('right', POLICY)).passwordRejected, false);
    await ledger.beforeLogin('right', { budget: 10, minIntervalMs: 0 });
    await ledger.forgetRejection();
    await ledger.beforeLogin('wrong', { budget: 10, minIntervalMs: 0 });
  });

  it('lets a retry try a rejected password within the block and the budget, keeping it rejected', async () => {
    const ledger = new LoginLedger(memoryLedgerStore(), ACCOUNT, () => now);
    await ledger.passwordRejected('wrong');
    await ledger.beforeLogin('wrong', POLICY, true);
    assert.equal(await codeOf(ledger.beforeLogin('wrong', POLICY, true)), 'LOGIN_BUDGET');
    assert.equal(await codeOf(ledger.beforeLogin('wrong', POLICY)), 'WRONG_CREDENTIALS');
    await ledger.blocked(START + 8 * HOUR);
    now += 10 * MINUTE;
    assert.equal(await codeOf(ledger.beforeLogin('wrong', POLICY, true)), 'ACCOUNT_BLOCKED');
    assert.equal((await ledger.report('wrong', POLICY)).passwordRejected, true);
    now = START + 9 * HOUR;
    await ledger.beforeLogin('wrong', POLICY, true);
    await ledger.loginSucceeded('wrong');
    assert.equal((await ledger.report('wrong', POLICY)).passwordRejected, false, 'a login forgets it');
  });

  it('refuses every login until a block TAURON announced has ended', async () => {
    const ledger = new LoginLedger(memoryLedgerStore(), ACCOUNT, () => now);
    await ledger.blocked(START + 8 * HOUR);
    assert.equal(await codeOf(ledger.beforeLogin('pw', POLICY)), 'ACCOUNT_BLOCKED');
    assert.equal((await ledger.report('pw', POLICY)).blockedUntil, new Date(START + 8 * HOUR).toISOString());
    now = START + 8 * HOUR;
    await ledger.beforeLogin('pw', POLICY);
  });

  it('refuses every call during a pause after "too many requests", saying until when', async () => {
    const ledger = new LoginLedger(memoryLedgerStore(), ACCOUNT, () => now);
    await ledger.beforeCall();
    await ledger.rateLimited(START + HOUR);
    await ledger.rateLimited(START + 30 * MINUTE);
    await assert.rejects(ledger.beforeCall(), (err: Error & { code?: string; retryAfter?: Date }) => {
      assert.equal(err.code, 'RATE_LIMITED');
      assert.equal(err.retryAfter?.getTime(), START + HOUR, 'the later end is kept');
      assert.match(err.message, /before 2026-11-23T11:00:00\+01:00 \(Warsaw time\)/);
      return true;
    });
    now = START + HOUR;
    await ledger.beforeCall();
  });

  describe('in a file', () => {
    const file = () => path.join(dir, 'state', ledgerFileName(ACCOUNT));

    it('names the file by a hash of the account, without the e-mail', () => {
      assert.match(ledgerFileName(ACCOUNT), /^account-[0-9a-f]{20}\.json$/);
      assert.notEqual(ledgerFileName(ACCOUNT), ledgerFileName(`${ACCOUNT}x`));
    });

    it('keeps attempts, block, pause and rejection for the next process, readable only by the user', async () => {
      const first = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      await first.beforeLogin('pw', POLICY);
      await first.passwordRejected('typo');
      await first.blocked(START + 8 * HOUR);
      await first.rateLimited(START + HOUR);
      const mode = (await stat(file())).mode & 0o777;
      assert.equal(mode, 0o600);
      assert.equal((await stat(path.dirname(file()))).mode & 0o777, 0o700);
      const text = await readFile(file(), 'utf8');
      assert.ok(!text.includes('typo'), 'the rejected password is kept only as a salted hash');

      const second = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      const report = await second.report('typo', POLICY);
      assert.equal(report.used, 1);
      assert.equal(report.passwordRejected, true);
      assert.equal(report.blockedUntil, new Date(START + 8 * HOUR).toISOString());
      assert.equal(await codeOf(second.beforeLogin('pw', POLICY)), 'ACCOUNT_BLOCKED');
      assert.equal(await codeOf(second.beforeCall()), 'RATE_LIMITED');
    });

    it('keeps the session cookie encrypted with the password', async () => {
      const cookie = 'PHPSESSID=s3cr3t-session-value';
      const first = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      await first.saveCookie('pw', cookie);
      assert.ok(!(await readFile(file(), 'utf8')).includes('s3cr3t'));
      const second = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      assert.equal(await second.loadCookie('pw'), cookie);
      assert.equal(await second.loadCookie('other'), undefined, 'another password cannot read it');
      const otherAccount = new LoginLedger(fileLedgerStore(file()), `${ACCOUNT}x`, () => now);
      assert.equal(await otherAccount.loadCookie('pw'), undefined, 'the cookie is bound to its account');
      assert.equal((await second.report('pw', POLICY)).sessionKept, true);
      await second.saveCookie('pw', undefined);
      assert.equal(await second.loadCookie('pw'), undefined);
    });

    it('drops the kept session when a password is rejected', async () => {
      const ledger = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      await ledger.saveCookie('pw', 'PHPSESSID=abc');
      await ledger.passwordRejected('pw');
      assert.equal(await ledger.loadCookie('pw'), undefined);
    });

    it("keeps another password's session when a password is rejected", async () => {
      const ledger = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      await ledger.saveCookie('right', 'PHPSESSID=abc');
      await ledger.passwordRejected('old');
      assert.equal(await ledger.loadCookie('right'), 'PHPSESSID=abc');
    });

    it('keeps several rejected passwords, also after a login with another one', async () => {
      const ledger = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      await ledger.passwordRejected('old');
      await ledger.passwordRejected('typo');
      await ledger.loginSucceeded('right');
      const again = new LoginLedger(fileLedgerStore(file()), ACCOUNT, () => now);
      const policy = { budget: 10, minIntervalMs: 0 };
      assert.equal(await codeOf(again.beforeLogin('old', policy)), 'WRONG_CREDENTIALS');
      assert.equal(await codeOf(again.beforeLogin('typo', policy)), 'WRONG_CREDENTIALS');
      await again.forgetRejection('typo');
      await again.beforeLogin('typo', policy);
      assert.equal(await codeOf(again.beforeLogin('old', policy)), 'WRONG_CREDENTIALS');
    });

    it('starts empty from a damaged file and writes a good one', async () => {
      const store: LedgerStore = fileLedgerStore(file());
      await new LoginLedger(store, ACCOUNT, () => now).beforeLogin('pw', POLICY);
      await writeFile(file(), '{"version":1,"logins":[', 'utf8');
      const ledger = new LoginLedger(store, ACCOUNT, () => now);
      assert.equal((await ledger.report('pw', POLICY)).used, 0);
      await ledger.beforeLogin('pw', POLICY);
      assert.equal(JSON.parse(await readFile(file(), 'utf8')).logins.length, 1);
    });
  });
});
