import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { invoiceHelpText } from '../../src/cli/invoice';
import { EXIT_CODES, helpText, run, type CliEnv } from '../../src/cli/main';
import { settleHelpText } from '../../src/cli/settle';
import { addLocalDays, localDatesInRange, todayLocal } from '../../src/energy/time';
import { DEMO_ACCOUNT, startSimulator, type SimAccount, type SimulatorHandle } from '../../src/simulator';
import { credentialsPosted } from '../support/simulator';

const ACCOUNT: SimAccount = {
  username: 'anna.nowak@example.com',
  password: 'Tajne-Haslo-987',
  meterPoints: DEMO_ACCOUNT.meterPoints,
};
const [G11, G12W] = DEMO_ACCOUNT.meterPoints;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[], env: CliEnv, signal?: AbortSignal): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, env, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

describe('cli: elicznik', function () {
  this.timeout(30_000);
  let sim: SimulatorHandle;
  let env: CliEnv;
  let urls: string[];
  let lastEnergyRequest: (() => void) | undefined;
  const today = todayLocal();
  const from = addLocalDays(today, -3);
  const to = addLocalDays(today, -2);

  beforeEach(async () => {
    lastEnergyRequest = undefined;
    sim = await startSimulator({
      accounts: [ACCOUNT],
      log: (line) => {
        if (line.includes('/energia/api')) lastEnergyRequest?.();
      },
    });
    env = { ELICZNIK_USERNAME: ACCOUNT.username, ELICZNIK_PASSWORD: ACCOUNT.password };
    urls = ['--service-url', sim.serviceUrl, '--login-url', sim.loginUrl];
  });

  afterEach(async () => {
    await sim.close();
  });

  it('prints the help with every exit code', async () => {
    const r = await cli(['--help'], {});
    assert.equal(r.code, 0);
    assert.equal(r.stdout, helpText());
    for (const [name, code] of Object.entries(EXIT_CODES)) {
      if (name === 'OK' || name === 'UNEXPECTED') continue;
      assert.match(r.stdout, new RegExp(`\\b${code}\\s+(${name}|bad usage)`), name);
    }
    assert.match(r.stdout, /ELICZNIK_USERNAME and ELICZNIK_PASSWORD/);
    // each option under "Options of fetch, totals and registers" names the commands it is not common to
    assert.match(r.stdout, /\n {2}--series LIST {19}fetch and totals: comma-separated/);
    // `help COMMAND` as `COMMAND --help`
    for (const [command, text] of [
      ['settle', settleHelpText()],
      ['invoice', invoiceHelpText()],
      ['fetch', helpText()],
    ]) {
      const help = await cli(['help', command], {});
      assert.equal(help.code, 0, command);
      assert.equal(help.stdout, text, command);
      assert.equal(help.stdout, (await cli([command, '--help'], {})).stdout, command);
    }
    const none = await cli([], {});
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: elicznik/);
    assert.equal((await cli(['--version'], {})).stdout.trim(), require('../../../package.json').version);
  });

  it('lists the meter points with their tariffs as JSON and CSV', async () => {
    const r = await cli(['meters', ...urls], env);
    assert.equal(r.code, 0, r.stderr);
    const points = JSON.parse(r.stdout) as { id: string; tariff: string; isBusiness: boolean }[];
    assert.deepEqual(
      points.map((p) => [p.id, p.tariff, p.isBusiness]),
      DEMO_ACCOUNT.meterPoints.map((p) => [p.id, p.tariff, p.type === 'WO']),
    );
    const csv = await cli(['meters', '--format', 'csv', ...urls], env);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines[0], 'id,ppe,type,isBusiness,tariff,name');
    assert.equal(lines.length, 4);
    assert.ok(lines[1].startsWith(`${G11.id},${G11.ppe},,false,G11,`));
    assert.equal(sim.stats.logins, 2, 'one login per run');
  });

  it('fetches hourly records as JSON equal to the simulator', async () => {
    const r = await cli(['fetch', '--from', from, '--to', to, '--meter', G12W.id, ...urls], env);
    assert.equal(r.code, 0, r.stderr);
    const records = JSON.parse(r.stdout) as {
      date: string;
      hour: number;
      ecp: number;
      eco: number;
      meterPoint: string;
    }[];
    const truth = localDatesInRange(from, to).flatMap((d) =>
      sim.hourly(G12W.id, d).map((h) => [d, h.hour, h.ecp, h.eco]),
    );
    assert.deepEqual(
      records.map((x) => [x.date, x.hour, x.ecp, x.eco]),
      truth,
    );
    assert.ok(records.every((x) => x.meterPoint === G12W.id));
    assert.match(r.stderr, /fetched 2\/2 days \(csv\)/);
    assert.equal(r.stdout.split('\n').length, records.length + 3, 'one record per line');
  });

  it('fetches hourly records as CSV with the TAURON series', async () => {
    const r = await cli(
      [
        'fetch',
        '--from',
        from,
        '--to',
        from,
        '--series',
        'ecp,eco,tauronEcbo',
        '--format',
        'csv',
        '--source',
        'json',
        ...urls,
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(
      lines[0],
      'hourStart,hourEnd,date,hour,repeated,zone,zoneName,ecp,eco,tauronEcbo,dayComplete,meterPoint,tariff',
    );
    const truth = sim.hourly(G11.id, from);
    assert.equal(lines.length, truth.length + 1);
    const cells = lines[1].split(',');
    assert.equal(cells[2], from);
    assert.equal(Number(cells[7]), truth[0].ecp);
    assert.equal(cells[10], 'true');
    assert.equal(cells[11], G11.id);
    assert.equal(cells[12], 'G11');
  });

  it('writes the CSV for a Polish spreadsheet with --lang pl: BOM, semicolons, decimal commas', async () => {
    const r = await cli(
      ['fetch', '--from', from, '--to', from, '--format', 'csv', '--lang', 'pl', ...urls],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout.startsWith('\ufeffhourStart;hourEnd;date;hour;repeated;zone;zoneName;ecp;eco;'),
      r.stdout,
    );
    const lines = r.stdout.slice(1).trim().split('\n');
    const truth = sim.hourly(G11.id, from);
    assert.equal(lines.length, truth.length + 1);
    for (const [i, line] of lines.slice(1).entries()) {
      const cells = line.split(';');
      assert.equal(cells.length, 12, line);
      assert.equal(cells[7], String(truth[i].ecp).replace('.', ','), line);
      assert.equal(cells[8], String(truth[i].eco).replace('.', ','), line);
      assert.doesNotMatch(cells[7] + cells[8], /\./);
    }
    assert.ok(
      lines.slice(1).some((l) => l.split(';')[7].includes(',')),
      'some value has a decimal part',
    );
    const m = await cli(['meters', '--format', 'csv', '--lang', 'pl', ...urls], env);
    assert.equal(m.code, 0, m.stderr);
    assert.ok(m.stdout.startsWith('\ufeffid;ppe;type;isBusiness;tariff;name\n'), m.stdout);
  });

  it('prints totals and register readings', async () => {
    const t = await cli(['totals', '--period', 'day', '--from', from, '--to', to, ...urls], env);
    assert.equal(t.code, 0, t.stderr);
    const totals = JSON.parse(t.stdout) as { label: string; ecp: number }[];
    assert.deepEqual(
      totals.map((x) => x.label),
      [from, to],
    );
    const dayWh = sim.hourly(G11.id, from).reduce((a, h) => a + Math.round((h.ecp ?? 0) * 1000), 0);
    assert.equal(Math.round(totals[0].ecp * 1000), dayWh);
    const r = await cli(['registers', '--from', from, '--to', to, ...urls], env);
    assert.equal(r.code, 0, r.stderr);
    const readings = JSON.parse(r.stdout) as { date: string; import: { total: number } }[];
    assert.deepEqual(
      readings.map((x) => x.date),
      [from, to],
    );
  });

  it('rejects bad usage with exit code 2, before any request', async () => {
    const cases: [string[], CliEnv, RegExp][] = [
      [['fetch', '--from', from, ...urls], env, /--to/],
      [['fetch', '--from', '2026-13-01', '--to', to, ...urls], env, /--from must be a date/],
      [['fetch', '--from', from, '--to', to, '--series', 'ecp,kwh', ...urls], env, /--series/],
      [['fetch', '--from', from, '--to', to, '--format', 'xml', ...urls], env, /--format/],
      [['meters', '--format', 'xml', ...urls], env, /--format must be json or csv/],
      [
        ['fetch', '--from', from, '--to', to, '--format', 'csv', '--lang', 'de', ...urls],
        env,
        /--lang must be en or pl/,
      ],
      [['meters', '--lang', 'pl', ...urls], env, /--lang goes with --format csv/],
      [['meters', '--port', '1', ...urls], env, /--port is not an option of meters/],
      [
        ['registers', '--from', from, '--to', to, '--series', 'ecp', ...urls],
        env,
        /--series is not an option/,
      ],
      [['meters', ...urls], {}, /ELICZNIK_USERNAME and ELICZNIK_PASSWORD/],
      [['dance'], env, /unknown command/],
      [['meters', '--bogus'], env, /Unknown option '--bogus'/],
      [['meters', '--bogus=1'], env, /Unknown option '--bogus'/],
      [
        ['fetch', '--from', '--to', to, ...urls],
        env,
        /argument is ambiguous\. Did you forget to specify the option argument for '--from'\?\nSee elicznik --help/,
      ],
      [['fetch', '--from', to, '--to', from, ...urls], env, /before/],
      [
        ['meters', '--service-url', 'elicznik.tauron', '--login-url', sim.loginUrl],
        env,
        /--service-url must be an http\(s\) URL/,
      ],
      [['meters', '--service-url', sim.serviceUrl, '--login-url', 'ftp://x'], env, /--login-url must be/],
      // rounds to 0 ms, which the client would refuse naming its own option
      [
        ['meters', '--timeout', '0.0001', ...urls],
        env,
        /--timeout must be a number of seconds, at least 0\.001/,
      ],
    ];
    for (const [argv, e, re] of cases) {
      const r = await cli(argv, e);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, re, argv.join(' '));
    }
    assert.equal(sim.stats.loginAttempts, 0);
  });

  it('never takes a password from an option, and never echoes it', async () => {
    for (const argv of [
      ['meters', '--password', 'Echo-Me-123'],
      ['meters', '--password=Echo-Me-123'],
    ]) {
      const r = await cli(argv, env);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /ELICZNIK_PASSWORD/);
      assert.ok(!r.stderr.includes('Echo-Me-123') && !r.stdout.includes('Echo-Me-123'));
    }
  });

  it('exits with one code per error kind', async () => {
    const wrong = await cli(['meters', ...urls], { ...env, ELICZNIK_PASSWORD: 'Zle-Haslo-555' });
    assert.equal(wrong.code, EXIT_CODES.WRONG_CREDENTIALS);
    assert.match(wrong.stderr, /WRONG_CREDENTIALS/);
    assert.ok(!wrong.stderr.includes('Zle-Haslo-555'));

    sim.faults.blocked = true;
    const blocked = await cli(['meters', ...urls], env);
    assert.equal(blocked.code, EXIT_CODES.ACCOUNT_BLOCKED);
    assert.match(blocked.stderr, /retry after: \d{4}-/);
    sim.resetFaults();
    sim.unblockAccounts();

    sim.faults.rateLimited = true;
    assert.equal((await cli(['meters', ...urls], env)).code, EXIT_CODES.RATE_LIMITED);
    sim.resetFaults();

    sim.faults.maintenanceLogin = true;
    assert.equal((await cli(['meters', ...urls], env)).code, EXIT_CODES.SERVICE_UNAVAILABLE);
    sim.resetFaults();

    sim.faults.successFalse = true;
    const changed = await cli(['totals', '--period', 'month', '--from', from, '--to', to, ...urls], env);
    assert.equal(changed.code, EXIT_CODES.SERVICE_CHANGED);
    assert.match(changed.stderr, /answer: /);
    sim.resetFaults();

    // the session is lost right after the first JSON day; a second login within a minute is refused
    lastEnergyRequest = () => sim.expireSessions();
    const budget = await cli(['fetch', '--from', from, '--to', to, '--source', 'json', ...urls], env);
    assert.equal(budget.code, EXIT_CODES.LOGIN_BUDGET, budget.stderr);
    assert.match(budget.stderr, /next login is allowed at/);
  });

  it('fetches through a one-off maintenance page of the CSV export (exit 0, one login)', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'elicznik-cli-'));
    try {
      const cached = { ...env, ELICZNIK_CACHE_DIR: cache };
      assert.equal((await cli(['meters', ...urls], cached)).code, EXIT_CODES.OK);
      sim.faults.maintenancePages = 1;
      sim.faults.maintenancePaths = ['/energia/do/dane'];
      const r = await cli(['fetch', '--from', from, '--to', to, ...urls], cached);
      assert.equal(r.code, EXIT_CODES.OK, r.stderr);
      const hours = localDatesInRange(from, to).reduce((n, d) => n + sim.hourly(G11.id, d).length, 0);
      assert.equal((JSON.parse(r.stdout) as unknown[]).length, hours);
      assert.equal(sim.stats.requests['/energia/do/dane'], 2);
      assert.equal(sim.stats.loginAttempts, 1, 'the kept session was used; no login for the maintenance');
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('keeps no secret in any output, also with --verbose', async () => {
    const outputs: string[] = [];
    for (const argv of [
      ['meters', '--verbose', ...urls],
      ['fetch', '--from', from, '--to', from, '--verbose', ...urls],
      ['totals', '--period', 'year', '--from', from, '--to', from, '--verbose', ...urls],
    ]) {
      const r = await cli(argv, env);
      assert.equal(r.code, 0, r.stderr);
      outputs.push(r.stdout, r.stderr);
    }
    const text = outputs.join('\n');
    assert.match(text, /debug: /);
    assert.ok(!text.includes(ACCOUNT.password));
    assert.doesNotMatch(text, /PHPSESSID|KEYCLOAK_IDENTITY|AUTH_SESSION_ID|session_code|code=/);
  });

  it('warns when no folder for the account state is set, so that nothing is kept after the run', async () => {
    const wrong = { ...env, ELICZNIK_PASSWORD: 'Zle-Haslo-555' };
    const r = await cli(['meters', ...urls], wrong);
    assert.equal(r.code, EXIT_CODES.WRONG_CREDENTIALS);
    assert.match(r.stderr, /warning: .*HOME.*ELICZNIK_CACHE_DIR.*--session-file/s);
    // as seen from the service: the next run sends the rejected password again
    assert.equal((await cli(['meters', ...urls], wrong)).code, EXIT_CODES.WRONG_CREDENTIALS);
    assert.equal(sim.stats.loginAttempts, 2);
    const cache = await mkdtemp(path.join(os.tmpdir(), 'elicznik-cli-'));
    try {
      for (const e of [
        { ...env, HOME: cache },
        { ...env, ELICZNIK_CACHE_DIR: cache },
      ]) {
        const kept = await cli(['meters', ...urls], e);
        assert.doesNotMatch(kept.stderr, /warning/);
      }
      const file = await cli(['meters', '--session-file', path.join(cache, 's.json'), ...urls], env);
      assert.doesNotMatch(file.stderr, /warning/);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('reuses the session kept in --session-file instead of logging in again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-cli-'));
    try {
      const file = path.join(dir, 'session.json');
      assert.equal((await cli(['meters', '--session-file', file, ...urls], env)).code, 0);
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      const kept = await readFile(file, 'utf8');
      assert.doesNotMatch(kept, /PHPSESSID|demo@example\.com/, 'the session is kept encrypted');
      assert.equal(JSON.parse(kept).logins.length, 1);
      const r = await cli(['fetch', '--from', from, '--to', from, '--session-file', file, ...urls], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(sim.stats.sessionsCreated, 1);
      assert.equal(sim.stats.loginAttempts, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the simulator until stopped and prints its URLs and the demo login', async () => {
    const controller = new AbortController();
    let stdout = '';
    const done = run(
      ['simulate', '--today', '2026-06-16'],
      {},
      {
        stdout: (t) => {
          stdout += t;
        },
        stderr: () => undefined,
        signal: controller.signal,
      },
    );
    while (!stdout.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
    const service = /service URL: (\S+)/.exec(stdout)![1];
    const login = /login URL: +(\S+)/.exec(stdout)![1];
    assert.match(stdout, /demo@example\.com \/ demo/);
    const r = await cli(
      ['fetch', '--from', '2026-06-14', '--to', '2026-06-14', '--service-url', service, '--login-url', login],
      { ELICZNIK_USERNAME: DEMO_ACCOUNT.username, ELICZNIK_PASSWORD: DEMO_ACCOUNT.password },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 24);
    controller.abort();
    assert.equal(await done, 0);
    // the command as it runs where the package is installed (a Node-RED user directory): through npx
    assert.match(stdout, /\n {4}npx elicznik meters --service-url /);
  });

  it('says which port is in use when the simulator cannot start (exit 2)', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const taken = (busy.address() as net.AddressInfo).port;
    try {
      const r = await cli(['simulate', '--port', String(taken)], {}, AbortSignal.timeout(5000));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`in use \\(${taken}\\): choose others with --port and --login-port`));
      assert.doesNotMatch(r.stderr, /unexpected error/);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('stops a command at Ctrl-C or SIGTERM instead of waiting for the service (exit 130)', async () => {
    // a service that accepts connections and never answers
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const slow = ['meters', '--timeout', '60', '--service-url', silentUrl, '--login-url', silentUrl];
    const within = <T>(p: Promise<T>, ms: number) =>
      Promise.race([
        p,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms),
        ),
      ]);
    try {
      const controller = new AbortController();
      const running = cli(slow, env, controller.signal);
      setTimeout(() => controller.abort(), 300);
      const r = await within(running, 5000);
      assert.equal(r.code, 130);
      assert.match(r.stderr, /interrupted/);

      const bin = path.resolve(__dirname, '../../src/cli/main.js');
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const child = spawn(process.execPath, [bin, ...slow], {
          env: { PATH: process.env.PATH, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
        await new Promise((resolve) => setTimeout(resolve, 500));
        child.kill(signal);
        const code = await within(exited, 5000).finally(() => child.kill('SIGKILL'));
        assert.equal(code, 130, `${signal}: ${stderr}`);
        assert.match(stderr, /interrupted/);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('records a password rejected while Ctrl-C stops the run during the credentials POST', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'elicznik-cli-'));
    try {
      const wrong = { ...env, ELICZNIK_PASSWORD: 'not-the-password', ELICZNIK_CACHE_DIR: cache };
      sim.faults.latencyMs = 100;
      const controller = new AbortController();
      const running = cli(['meters', ...urls], wrong, controller.signal);
      await credentialsPosted(sim);
      controller.abort();
      assert.equal((await running).code, EXIT_CODES.INTERRUPTED);
      sim.faults.latencyMs = 0;
      const again = await cli(['meters', ...urls], wrong);
      assert.equal(again.code, EXIT_CODES.WRONG_CREDENTIALS, again.stderr);
      assert.equal(sim.stats.loginAttempts, 1, 'the rejected password is not sent again');
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('stops quietly when the reader of its output goes away (fetch | head)', async () => {
    const bin = path.resolve(__dirname, '../../src/cli/main.js');
    const child = spawn(
      process.execPath,
      [bin, 'fetch', '--from', addLocalDays(today, -400), '--to', addLocalDays(today, -2), ...urls],
      { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|Error|node:events|at /);
    assert.equal(code, 0, stderr);
  });

  it('runs as the built executable', async () => {
    const bin = path.resolve(__dirname, '../../src/cli/main.js');
    assert.match(await readFile(bin, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const child = spawn(process.execPath, [bin, 'meters', '--format', 'csv', ...urls], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim().split('\n').length, 4);
    assert.ok(!stdout.includes(ACCOUNT.password) && !stderr.includes(ACCOUNT.password));
  });
});
