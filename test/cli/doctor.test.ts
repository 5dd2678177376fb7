/**
 * `elicznik doctor` and dumps against the simulator over HTTP, with an account full of planted
 * secrets: on success and on every failure kind the simulator can produce, neither the printed
 * lines nor any dumped file contains the password, a cookie value, the e-mail, the PPE, the site
 * id or the address.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ElicznikClient, type HttpExchange } from '../../src/client';
import { runDoctor } from '../../src/cli/doctor';
import { EXIT_CODES, run } from '../../src/cli/main';
import { ExchangeRecorder } from '../../src/diagnostics';
import { LoginLedger, fileLedgerStore, ledgerFileName } from '../../src/session/login-ledger';
import { accountId } from '../../src/session/pool';
import { startSimulator, type SimAccount, type SimulatorHandle } from '../../src/simulator';

const PLANTED = {
  username: 'jan.kowalski.planted@example.org',
  password: 'Pl@nted-S3cret!',
  ppe: '590243851234567890',
  id: '600999888_60999888_7999888',
  address: 'ul. Tajemnicza 17/4, 30-123 Kraków',
};
const ACCOUNT: SimAccount = {
  username: PLANTED.username,
  password: PLANTED.password,
  meterPoints: [
    { id: PLANTED.id, ppe: PLANTED.ppe, type: '', tariff: 'G12W', pvKw: 5, name: PLANTED.address },
  ],
};
const DAY = '2026-06-10';

/** Every value that must never be written: the planted ones and what the session exchanges showed. */
function secretsOf(raw: readonly HttpExchange[]): string[] {
  const out = new Set<string>([
    PLANTED.username,
    PLANTED.password,
    encodeURIComponent(PLANTED.password),
    PLANTED.ppe,
    PLANTED.id,
    'Tajemnicza',
    '30-123',
  ]);
  for (const ex of raw) {
    const cookie = Object.entries(ex.requestHeaders).find(([n]) => n.toLowerCase() === 'cookie')?.[1];
    for (const pair of (cookie ?? '').split(';')) {
      const v = pair.split('=').slice(1).join('=').trim();
      if (v.length >= 6) out.add(v);
    }
    const set = ex.responseHeaders['set-cookie'];
    for (const line of Array.isArray(set) ? set : set ? [set] : []) {
      const v = line.split(';')[0].split('=').slice(1).join('=').trim();
      if (v.length >= 6) out.add(v);
    }
    for (const [name, value] of new URL(ex.url).searchParams) {
      if (/session_code|execution|tab_id|^code$|^state$/.test(name) && value.length >= 6) out.add(value);
    }
  }
  return [...out];
}

async function filesIn(dir: string): Promise<{ file: string; text: string }[]> {
  const out: { file: string; text: string }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push({ file, text: await readFile(file, 'utf8') });
  }
  return out;
}

function assertNoSecret(texts: readonly { file: string; text: string }[], secrets: readonly string[]): void {
  for (const { file, text } of texts) {
    for (const s of secrets)
      assert.equal(text.includes(s), false, `${file} contains a secret (${s.length} chars)`);
  }
}

describe('elicznik doctor and dumps', function () {
  this.timeout(30_000);
  let sim: SimulatorHandle;
  let dir: string;

  before(async () => {
    sim = await startSimulator({ today: '2026-06-16', accounts: [ACCOUNT] });
  });
  after(() => sim.close());
  beforeEach(async () => {
    sim.resetFaults();
    sim.unblockAccounts();
    sim.expireSessions();
    sim.expireSsoSessions();
    sim.stats.reset();
    dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-doctor-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const cases: {
    name: string;
    fault?: (s: SimulatorHandle) => void;
    code: string | null;
    failedStep?: string;
  }[] = [
    { name: 'success', code: null },
    {
      name: 'wrong password',
      fault: (s) => (s.faults.rejectAllPasswords = true),
      code: 'WRONG_CREDENTIALS',
      failedStep: 'login',
    },
    {
      name: 'account blocked',
      fault: (s) => (s.faults.blocked = true),
      code: 'ACCOUNT_BLOCKED',
      failedStep: 'login',
    },
    {
      name: 'rate limited',
      fault: (s) => (s.faults.rateLimited = true),
      code: 'RATE_LIMITED',
      failedStep: 'login',
    },
    {
      name: 'maintenance',
      fault: (s) => (s.faults.maintenanceLogin = true),
      code: 'SERVICE_UNAVAILABLE',
      failedStep: 'login',
    },
    {
      name: 'changed JSON answer',
      fault: (s) => (s.faults.successFalse = true),
      code: 'SERVICE_CHANGED',
      failedStep: 'hourly JSON (1 day)',
    },
    {
      name: 'HTML instead of data',
      fault: (s) => (s.faults.htmlInsteadOfJson = true),
      code: 'SERVICE_UNAVAILABLE',
      failedStep: 'hourly JSON (1 day)',
    },
  ];

  for (const c of cases) {
    it(`prints the steps and dumps no secret: ${c.name}`, async () => {
      c.fault?.(sim);
      const raw: HttpExchange[] = [];
      const recorder = new ExchangeRecorder();
      const client = new ElicznikClient({
        serviceUrl: sim.serviceUrl,
        loginUrl: sim.loginUrl,
        username: PLANTED.username,
        password: PLANTED.password,
        timeoutMs: 5000,
        retries: 0,
        onExchange: (ex) => {
          raw.push(ex);
          recorder.record(ex);
        },
      });
      const lines: string[] = [];
      let steps;
      try {
        steps = await runDoctor(client, {
          date: DAY,
          recorder,
          dumpDir: dir,
          known: { username: PLANTED.username, password: PLANTED.password },
          serviceUrl: sim.serviceUrl,
          loginUrl: sim.loginUrl,
          print: (l) => lines.push(l),
        });
      } finally {
        await client.close();
      }
      const failed = steps.filter((s) => s.outcome === 'failed');
      if (c.code === null) {
        assert.deepEqual(
          steps.map((s) => s.outcome),
          ['ok', 'ok', 'ok', 'ok', 'ok'],
          lines.join('\n'),
        );
        assert.match(lines.join('\n'), /1 meter point\(s\)/);
        assert.match(lines.join('\n'), /tariff G12W/);
        assert.match(lines.join('\n'), /24 hours, 24 with values/);
        assert.deepEqual(await readdir(dir), [], 'no dump without a failure');
      } else {
        assert.equal(failed[0]?.name, c.failedStep, lines.join('\n'));
        assert.equal((failed[0].error as { code?: string }).code, c.code);
        assert.match(lines.join('\n'), new RegExp(`FAILED .*\\[${c.code}\\]`));
        const dumps = await readdir(dir);
        assert.ok(dumps.length >= 1, 'a dump per failed step');
        const files = await filesIn(dir);
        assert.ok(files.some((f) => f.file.endsWith('error.txt')));
        assert.ok(files.length >= 2, 'the exchanges of the failed step are in the dump');
        for (const f of files) assert.equal((await stat(f.file)).mode & 0o777, 0o600);
        assertNoSecret(files, secretsOf(raw));
      }
      assertNoSecret([{ file: 'doctor output', text: lines.join('\n') }], secretsOf(raw));
      if (c.name !== 'maintenance') {
        assert.ok(secretsOf(raw).length > 7, 'the session exchanges had cookie values to look for');
      }
    });
  }

  describe('through the command', () => {
    const env = () => ({
      ELICZNIK_USERNAME: PLANTED.username,
      ELICZNIK_PASSWORD: PLANTED.password,
      ELICZNIK_CACHE_DIR: path.join(dir, 'cache'),
    });
    const urls = () => ['--service-url', sim.serviceUrl, '--login-url', sim.loginUrl];
    async function cli(argv: string[]) {
      let stdout = '';
      let stderr = '';
      const code = await run(argv, env(), { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
      return { code, stdout, stderr };
    }
    async function keptCookieValues(): Promise<string[]> {
      const file = path.join(
        dir,
        'cache',
        ledgerFileName(
          accountId({ serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl, username: PLANTED.username }),
        ),
      );
      const ledger = new LoginLedger(
        fileLedgerStore(file),
        accountId({ serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl, username: PLANTED.username }),
      );
      const cookie = (await ledger.loadCookie(PLANTED.password)) ?? '';
      return cookie
        .split(';')
        .map((p) => p.split('=').slice(1).join('=').trim())
        .filter((v) => v.length >= 6);
    }

    it('doctor: exit 0 and every step OK, no secret printed, the session kept encrypted', async () => {
      const r = await cli(['doctor', '--date', DAY, '--dump', path.join(dir, 'dumps'), ...urls()]);
      assert.equal(r.code, EXIT_CODES.OK, r.stdout + r.stderr);
      assert.match(r.stdout, /logins: 0 of 6 in the last 24 hours/);
      assert.equal((r.stdout.match(/^OK /gm) ?? []).length, 5);
      const cookies = await keptCookieValues();
      assert.ok(cookies.length > 0);
      const again = await cli(['doctor', '--date', DAY, ...urls()]);
      assert.equal(again.code, EXIT_CODES.OK);
      assert.match(again.stdout, /logins: 1 of 6 in the last 24 hours.*kept session/);
      assert.equal(sim.stats.loginAttempts, 1, 'the second run used the kept session');
      const texts = [r.stdout, r.stderr, again.stdout, again.stderr].map((text, i) => ({
        file: `run ${i}`,
        text,
      }));
      const cache = await filesIn(path.join(dir, 'cache'));
      assertNoSecret([...texts, ...cache], [...secretsOf([]), ...cookies]);
    });

    it('doctor with a rejected password: exit 3, a dump without secrets, and no second attempt', async () => {
      sim.faults.rejectAllPasswords = true;
      const dumps = path.join(dir, 'dumps');
      const r = await cli(['doctor', '--date', DAY, '--dump', dumps, ...urls()]);
      assert.equal(r.code, EXIT_CODES.WRONG_CREDENTIALS, r.stdout);
      assert.match(r.stdout, /skipped .*meter points/);
      assertNoSecret(
        [{ file: 'stdout', text: r.stdout + r.stderr }, ...(await filesIn(dumps))],
        secretsOf([]),
      );
      sim.faults.rejectAllPasswords = false;
      const again = await cli(['fetch', '--from', DAY, '--to', DAY, ...urls()]);
      assert.equal(again.code, EXIT_CODES.WRONG_CREDENTIALS);
      assert.match(again.stderr, /rejected this username and password before/);
      assert.equal(sim.stats.loginAttempts, 1, 'the rejected password is not sent again by a later run');
    });

    it('doctor --no-session-cache does not say that the kept session will be tried', async () => {
      assert.equal((await cli(['meters', ...urls()])).code, EXIT_CODES.OK);
      const r = await cli(['doctor', '--date', DAY, '--no-session-cache', ...urls()]);
      // a second login within the minute: refused, since the kept session is not used
      assert.equal(r.code, EXIT_CODES.LOGIN_BUDGET, r.stdout + r.stderr);
      assert.match(r.stdout, /logins: 1 of 6 in the last 24 hours, next login allowed at /);
      assert.doesNotMatch(r.stdout, /kept session/);
      const kept = await cli(['doctor', '--date', DAY, ...urls()]);
      assert.equal(kept.code, EXIT_CODES.OK, kept.stdout + kept.stderr);
      assert.match(kept.stdout, /a kept session will be tried first/);
      assert.equal(sim.stats.loginAttempts, 1);
    });

    it('doctor goes on, with the exit code of the failed step, when the dump cannot be written', async () => {
      sim.faults.successFalse = true;
      const file = path.join(dir, 'a-file');
      await writeFile(file, '');
      const r = await cli(['doctor', '--date', DAY, '--dump', path.join(file, 'dumps'), ...urls()]);
      assert.equal(r.code, EXIT_CODES.SERVICE_CHANGED, r.stdout + r.stderr);
      assert.match(r.stdout, /FAILED +hourly JSON \(1 day\) .*\[SERVICE_CHANGED\].* · no dump: ENOTDIR/);
      assert.match(r.stdout, /OK +hourly CSV \(1 day\) .*24 hours, 24 with values/);
      assert.match(r.stdout, /1 step\(s\) failed/);
      assert.equal(r.stderr, '');
    });

    it('fetch --dump writes a dump only when the fetch fails', async () => {
      const dumps = path.join(dir, 'dumps');
      const ok = await cli(['fetch', '--from', DAY, '--to', DAY, '--dump', dumps, ...urls()]);
      assert.equal(ok.code, 0, ok.stderr);
      await assert.rejects(readdir(dumps));
      sim.faults.successFalse = true;
      const failed = await cli([
        'fetch',
        '--from',
        DAY,
        '--to',
        DAY,
        '--source',
        'json',
        '--dump',
        dumps,
        ...urls(),
      ]);
      assert.equal(failed.code, EXIT_CODES.SERVICE_CHANGED);
      assert.match(failed.stderr, /dump written to /);
      const files = await filesIn(dumps);
      assert.ok(
        files.some((f) => /"success"\s*:\s*false/.test(f.text)),
        'the failing answer is in the dump',
      );
      assertNoSecret(files, [...secretsOf([]), ...(await keptCookieValues())]);
    });
  });
});
