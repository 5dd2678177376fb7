/**
 * What the package costs a Node-RED process, measured side by side in one run (alternating runs):
 * 1. start time: `node red.js` from spawn to "Started flows", with the package in `nodesDir` and
 *    without it, both with an empty flow, in N pairs (each pair one start with and one without,
 *    their order swapped every pair): the median of the pairs' differences, in wall time and in
 *    the process's CPU time (user + system, read from /proc when the flows have started), which
 *    other processes on the machine change far less than the wall time;
 * 2. resident memory (RSS) of an idle Node-RED a few seconds after its flows started, with the
 *    package and one account (a config node and a fetch node that uses it, never triggered) against
 *    without the package and an empty flow; median of N each;
 * 3. what requiring the five node modules takes in a fresh process, against requiring nothing.
 *
 *   npm run bench -- node-red            (BENCH_SMOKE=1: one run each)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../src/demo/node-red-process';
import { nodeRedDir } from '../test/support/node-red';
import { alternate, best, median, range, run, size } from './support';

const root = path.join(__dirname, '../..');
const NODE_TYPES = [
  'elicznik-config',
  'elicznik-fetch',
  'elicznik-settlement',
  'elicznik-balance',
  'elicznik-heater',
];

interface Started {
  /** Spawn to "Started flows", ms. */
  startMs: number;
  /** CPU time (user + system) of the process at "Started flows", ms. */
  cpuMs: number;
  /** Resident memory after idling, bytes (0 when not asked for). */
  rss: number;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) a running process has used, ms, from /proc/<pid>/stat. */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the fields after the command name (which may hold spaces) in parentheses; utime and stime are 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!kb) throw new Error('no VmRSS in /proc status');
  return Number(kb[1]) * 1024;
}

/** Starts Node-RED in a fresh user directory, waits for its flows, optionally idles and reads RSS, stops it. */
async function startOnce(withPackage: boolean, flows: unknown[], idleMs: number): Promise<Started> {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-bench-nr-'));
  const port = await freePort();
  const settings = {
    uiPort: port,
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: 'bench',
    nodesDir: withPackage ? [root] : [],
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    editorTheme: { tours: false, palette: { catalogues: [] }, projects: { enabled: false } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
  };
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  fs.writeFileSync(path.join(userDir, '.config.runtime.json'), JSON.stringify({ telemetryEnabled: false }));
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [
      path.join(nodeRedDir(), 'red.js'),
      '--userDir',
      userDir,
      '--settings',
      path.join(userDir, 'settings.js'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' } },
  );
  let output = '';
  try {
    let cpuMs = 0;
    const startMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Node-RED did not start:\n${output}`)), 120_000);
      child.on('exit', (code) => reject(new Error(`Node-RED exited (${code}):\n${output}`)));
      child.stdout!.setEncoding('utf8');
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (c: string) => (output += c));
      child.stdout!.on('data', (c: string) => {
        output += c;
        if (output.includes('Started flows')) {
          clearTimeout(timer);
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          cpuMs = cpuMsOf(child.pid!);
          resolve(ms);
        }
      });
    });
    if (/Waiting for missing types|\[error\]/.test(output))
      throw new Error(`Node-RED did not load the flow:\n${output}`);
    let rss = 0;
    if (idleMs > 0) {
      await new Promise((r) => setTimeout(r, idleMs));
      rss = rssOf(child.pid!);
    }
    return { startMs, cpuMs, rss };
  } finally {
    child.removeAllListeners('exit');
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

/** Milliseconds a fresh `node` takes to run `script` (spawn cost included). */
function nodeRun(script: string): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`node -e failed: ${script}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const accountFlow = [
  { id: 't1', type: 'tab', label: 'bench' },
  {
    id: 'c1',
    type: 'elicznik-config',
    name: 'account',
    meterPoint: '590000000000000001',
    serviceUrl: 'http://127.0.0.1:9',
    loginUrl: 'http://127.0.0.1:9',
  },
  { id: 'f1', type: 'elicznik-fetch', z: 't1', account: 'c1', wires: [[]] },
];

/** Each pair's `with − without`, in pair order. */
function differences(pairs: { with: number[]; without: number[] }): number[] {
  return pairs.with.map((w, i) => w - pairs.without[i]);
}

async function main(): Promise<void> {
  const rounds = size(5, 1);
  const pairs = size(20, 1);
  const version = JSON.parse(fs.readFileSync(path.join(nodeRedDir(), 'package.json'), 'utf8')).version;

  // Warm the file system cache for both, untimed.
  await startOnce(true, [], 0);
  await startOnce(false, [], 0);
  const runs: Record<'with' | 'without', Started[]> = { with: [], without: [] };
  await alternate(pairs, {
    with: async () => (runs.with.push(await startOnce(true, [], 0)), 0),
    without: async () => (runs.without.push(await startOnce(false, [], 0)), 0),
  });
  const wall = { with: runs.with.map((r) => r.startMs), without: runs.without.map((r) => r.startMs) };
  const cpu = { with: runs.with.map((r) => r.cpuMs), without: runs.without.map((r) => r.cpuMs) };
  const signed = (ms: number) => `${ms >= 0 ? '+' : ''}${ms.toFixed(0)}`;
  console.log(
    `Node-RED ${version} on Node.js ${process.version}: start to "Started flows", ${pairs} pair(s) of runs, alternating`,
  );
  for (const [name, t] of [
    ['wall time', wall],
    ['CPU time (user + system)', cpu],
  ] as const) {
    const d = differences(t);
    console.log(`  ${name}`);
    console.log(
      `    with the package     median ${median(t.with).toFixed(0)} ms, best ${best(t.with).toFixed(0)} ms (runs ${range(t.with)})`,
    );
    console.log(
      `    without it           median ${median(t.without).toFixed(0)} ms, best ${best(t.without).toFixed(0)} ms (runs ${range(t.without)})`,
    );
    console.log(
      `    added by the package: median of the pairs' differences ${signed(median(d))} ms (differences ${signed(Math.min(...d))} to ${signed(Math.max(...d))}); best − best ${signed(best(t.with) - best(t.without))} ms`,
    );
  }

  const idleMs = size(5000, 1500);
  const rss = await alternate(rounds, {
    with: async () => (await startOnce(true, accountFlow, idleMs)).rss,
    without: async () => (await startOnce(false, [], idleMs)).rss,
  });
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  console.log(`\nresident memory ${idleMs / 1000} s after the flows started, median of ${rounds}`);
  console.log(`  with the package, one account and a fetch node   ${mb(median(rss.with))} MB`);
  console.log(`  without the package, empty flow                  ${mb(median(rss.without))} MB`);
  console.log(`  added by the package: ${mb(median(rss.with) - median(rss.without))} MB`);

  const requireAll = NODE_TYPES.map((t) => `require('./dist/nodes/${t}/${t}.js');`).join('');
  const req = await alternate(size(5, 1), {
    nodes: () => nodeRun(requireAll),
    empty: () => nodeRun(''),
  });
  console.log(`\nrequiring the five node modules in a fresh node, best of ${size(5, 1)}`);
  console.log(`  require all five     ${best(req.nodes).toFixed(0)} ms`);
  console.log(`  empty script         ${best(req.empty).toFixed(0)} ms`);
  console.log(`  added by the modules: ${(best(req.nodes) - best(req.empty)).toFixed(0)} ms`);
}

run(main);
