/**
 * The `elicznik` command, measured side by side in one run (alternating, best of N):
 * 1. cold start: `elicznik --help` against a minimal Node script using only built-ins (parse the
 *    arguments, print a line);
 * 2. a year of hourly ECP+ECO from the local simulator answering every HTTP request after 100 ms,
 *    each run a new process with a new state file (so it logs in): the CLI against a minimal client
 *    written here (the login chain, the selection, one CSV export, nothing else; the least any client
 *    must do) and against a client that asks one day per request (one CSV export per day); with the
 *    HTTP requests each made, login included; the CLI and the minimal client in 9 alternating
 *    pairs, the ratio of their best runs and the median of each pair's ratio.
 *
 *   npm run bench -- cli            (BENCH_SMOKE=1: 14 days and one run each)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addLocalDays, localDatesInRange, toServiceDate } from '../src/energy/time';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../src/simulator';
import { alternate, best, median, range, run, size } from './support';

const root = path.join(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const TODAY = '2026-06-16';
const LATENCY_MS = 100;
const POINT = DEMO_ACCOUNT.meterPoints[0];

/** Runs `node args…` to its end; resolves the wall time in ms, rejects on a non-zero exit. */
function nodeRun(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${err}`));
    });
  });
}

/** The source of a client that does only what the service needs, using Node's fetch. */
function minimalClientScript(): string {
  return `
const [service, login, user, pass, point, from, to, perDay] = process.argv.slice(2);
const jar = new Map();
function remember(url, res) {
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    const host = new URL(url).host;
    if (!jar.has(host)) jar.set(host, new Map());
    jar.get(host).set(pair.slice(0, i).trim(), pair.slice(i + 1));
  }
}
function cookies(url) {
  const m = jar.get(new URL(url).host);
  return m ? [...m].map(([k, v]) => k + '=' + v).join('; ') : '';
}
async function go(url, init = {}) {
  for (;;) {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: cookies(url) } });
    remember(url, res);
    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      url = new URL(res.headers.get('location'), url).toString();
      init = {};
      continue;
    }
    return { url, text: await res.text(), status: res.status };
  }
}
const form = (o) => new URLSearchParams(o).toString();
(async () => {
  const page = await go(login + '/login');
  const action = /action="([^"]+)"/.exec(page.text)[1].replace(/&amp;/g, '&');
  await go(new URL(action, page.url).toString(), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ username: user, password: pass, credentialId: '' }),
  });
  await go(service + '/ustaw_punkt', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ 'site[client]': point }),
  });
  const csv = async (a, b) => {
    const q = new URLSearchParams({ 'form[from]': a, 'form[to]': b, 'form[type]': 'godzin',
      'form[energy][consum]': '1', 'form[energy][oze]': '1', 'form[fileType]': 'CSV' });
    const r = await go(service + '/energia/do/dane?' + q);
    if (r.status !== 200 || r.text.startsWith('<')) throw new Error('no CSV: ' + r.text.slice(0, 100));
    return r.text.split('\\n').length;
  };
  let lines = 0;
  if (perDay === '1') for (const d of JSON.parse(to)) lines += await csv(d, d);
  else lines = await csv(from, to);
  if (lines < 48) throw new Error('too few lines');
})().catch((e) => { console.error(e); process.exit(1); });
`;
}

function requestsOf(sim: SimulatorHandle): number {
  return Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  const rounds = size(9, 1);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-bench-cli-'));
  try {
    // 1. --help against a minimal script.
    const minimal = path.join(work, 'minimal.js');
    fs.writeFileSync(
      minimal,
      `const { values } = require('node:util').parseArgs({ options: { help: { type: 'boolean' } } });\n` +
        `process.stdout.write(values.help ? 'Usage: minimal\\n' : '');\n`,
    );
    await nodeRun([cli, '--help']);
    await nodeRun([minimal, '--help']);
    const help = await alternate(size(10, 1), {
      cli: () => nodeRun([cli, '--help']),
      minimal: () => nodeRun([minimal, '--help']),
    });
    console.log(`elicznik --help, best of ${size(10, 1)}, alternating (process start to exit)`);
    console.log(`  elicznik --help       ${best(help.cli).toFixed(0)} ms (runs ${range(help.cli)})`);
    console.log(`  minimal Node script   ${best(help.minimal).toFixed(0)} ms (runs ${range(help.minimal)})`);
    console.log(`  ratio: ${(best(help.cli) / best(help.minimal)).toFixed(2)}x (goal <= 2)`);

    // 2. A year through the CLI, a minimal client and a day-per-request client.
    const days = size(365, 14);
    const to = addLocalDays(TODAY, -1);
    const from = addLocalDays(TODAY, -days);
    const sim = await startSimulator({
      now: () => Date.parse(`${TODAY}T10:30:00+02:00`),
      dailyLoginLimit: 0,
    });
    sim.faults.latencyMs = LATENCY_MS;
    const env = { ELICZNIK_USERNAME: DEMO_ACCOUNT.username, ELICZNIK_PASSWORD: DEMO_ACCOUNT.password };
    const script = path.join(work, 'client.js');
    fs.writeFileSync(script, minimalClientScript());
    const requests = { cli: 0, minimal: 0, perDay: 0 };
    let n = 0;
    const counted = async (key: keyof typeof requests, fn: () => Promise<number>) => {
      sim.stats.reset();
      const ms = await fn();
      requests[key] = requestsOf(sim);
      return ms;
    };
    const cases = {
      cli: () =>
        counted('cli', () =>
          nodeRun(
            [
              cli,
              'fetch',
              '--from',
              from,
              '--to',
              to,
              '--meter',
              POINT.id,
              '--service-url',
              sim.serviceUrl,
              '--login-url',
              sim.loginUrl,
              '--session-file',
              path.join(work, `state-${n++}.json`),
            ],
            env,
          ),
        ),
      minimal: () =>
        counted('minimal', () =>
          nodeRun([
            script,
            sim.serviceUrl,
            sim.loginUrl,
            env.ELICZNIK_USERNAME,
            env.ELICZNIK_PASSWORD,
            POINT.id,
            toServiceDate(from),
            toServiceDate(to),
            '0',
          ]),
        ),
      perDay: () =>
        counted('perDay', () =>
          nodeRun([
            script,
            sim.serviceUrl,
            sim.loginUrl,
            env.ELICZNIK_USERNAME,
            env.ELICZNIK_PASSWORD,
            POINT.id,
            '',
            JSON.stringify(localDatesInRange(from, to).map(toServiceDate)),
            '1',
          ]),
        ),
    };
    try {
      const perDayRounds = size(2, 1);
      const t = await alternate(rounds, { cli: cases.cli, minimal: cases.minimal });
      const d = await alternate(perDayRounds, { perDay: cases.perDay });
      const cliBest = best(t.cli);
      console.log(
        `\n${days} days of hourly ecp+eco (${from}..${to}), ${LATENCY_MS} ms per HTTP request, a new process and login each run`,
      );
      console.log(
        `  elicznik fetch        ${requests.cli} requests, best ${cliBest.toFixed(0)} ms (runs ${range(t.cli)})`,
      );
      console.log(
        `  minimal client        ${requests.minimal} requests, best ${best(t.minimal).toFixed(0)} ms (runs ${range(t.minimal)})`,
      );
      console.log(
        `  one day per request   ${requests.perDay} requests, best ${best(d.perDay).toFixed(0)} ms (best of ${perDayRounds})`,
      );
      console.log(`  elicznik / minimal time: ${(cliBest / best(t.minimal)).toFixed(2)}x (goal <= 1.3)`);
      const ratios = t.cli.map((ms, i) => ms / t.minimal[i]);
      console.log(
        `  the same per alternating pair: median ${median(ratios).toFixed(2)}x (pairs ${range(ratios, 2)})`,
      );
      console.log(
        `  one-day-per-request / elicznik time: ${(best(d.perDay) / cliBest).toFixed(1)}x (goal >= 50)`,
      );
    } finally {
      await sim.close();
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

run(main);
