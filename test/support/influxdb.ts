/**
 * A throwaway InfluxDB 1.x server for tests: Debian's `influxd` (package `influxdb`) on free
 * loopback ports, with its data, WAL and metadata in a temporary folder that is removed when it
 * stops. When `influxd` is missing and the tests run as root, it is installed the way CI does
 * (`apt-get install -y influxdb`); otherwise {@link influxdExecutable} says why it is not there.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The `influxd` executable, or the reason there is none. */
export function influxdExecutable(): { path: string } | { missing: string } {
  const configured = process.env.INFLUXD_PATH || '/usr/bin/influxd';
  if (fs.existsSync(configured)) return { path: configured };
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', 'influxdb'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (fs.existsSync(configured)) return { path: configured };
  }
  return {
    missing:
      `InfluxDB 1.x (influxd) not found at ${configured}: install it with ` +
      '"sudo apt-get install -y influxdb" or set INFLUXD_PATH.',
  };
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One result of an InfluxQL query (`/query` answer), with `epoch=ms` times. */
export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** A running InfluxDB. */
export interface InfluxServer {
  host: string;
  port: number;
  /** Runs InfluxQL; returns the series of the first statement (empty when it has none). */
  query(q: string, database?: string): Promise<InfluxSeries[]>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

function configText(dir: string, httpPort: number, rpcPort: number): string {
  return [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${path.join(dir, 'meta')}"`,
    '[data]',
    `  dir = "${path.join(dir, 'data')}"`,
    `  wal-dir = "${path.join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '[subscriber]',
    '  enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '[http]',
    `  bind-address = "127.0.0.1:${httpPort}"`,
    '  log-enabled = false',
    '[logging]',
    '  level = "warn"',
    '  suppress-logo = true',
    '',
  ].join('\n');
}

async function waitForPing(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`influxd did not answer /ping within 30 s: ${log()}`);
}

/** Starts `influxd` with a fresh data folder on free loopback ports. */
export async function startInfluxd(executable: string): Promise<InfluxServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-influxdb-'));
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const config = path.join(dir, 'influxdb.conf');
  fs.writeFileSync(config, configText(dir, httpPort, rpcPort));
  let output = '';
  const child = spawn(executable, ['-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${httpPort}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForPing(url, child, () => output);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    host: '127.0.0.1',
    port: httpPort,
    async query(q, database) {
      const body = new URLSearchParams({ q, epoch: 'ms', ...(database ? { db: database } : {}) });
      const res = await fetch(`${url}/query`, { method: 'POST', body });
      const json = (await res.json()) as {
        error?: string;
        results?: { error?: string; series?: InfluxSeries[] }[];
      };
      const error = json.error ?? json.results?.[0]?.error;
      if (!res.ok || error) throw new Error(`InfluxQL ${q}: ${error ?? res.status}`);
      return json.results?.[0]?.series ?? [];
    },
    stop,
  };
}
