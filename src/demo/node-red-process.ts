/**
 * Runs Node-RED as a child process with this package loaded from the working tree, and talks to it
 * over its admin HTTP API. Used by `npm start` (the demo) and by the browser tests. It starts the
 * `node-red` command rather than importing the runtime, so nothing in `src/` depends on Node-RED.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Options for {@link startNodeRed}. */
export interface NodeRedProcessOptions {
  /** The Node-RED user directory (created when missing). */
  userDir: string;
  /** Directory of this package (its package.json has the `node-red` section); loaded via `nodesDir`. */
  packageDir: string;
  /** Port for the editor and dashboard; 0 picks a free one. */
  port?: number;
  /** Path of the `node-red` package directory; default: the one this package resolves. */
  nodeRedDir?: string;
  /** Secret for the credentials file. */
  credentialSecret?: string;
  /** Where Node-RED's log lines go; default: dropped. */
  log?: (line: string) => void;
  /** How long to wait for the editor to answer, ms. */
  startTimeoutMs?: number;
}

/** A running Node-RED. */
export interface NodeRedProcess {
  /** `http://127.0.0.1:<port>` — the editor; the dashboard is under `/dashboard`. */
  url: string;
  port: number;
  child: ChildProcess;
  /** Replaces all flows (a full deploy); nodes may carry `credentials`. */
  deploy(flows: unknown[]): Promise<void>;
  /** The flows as Node-RED has them (no credentials in them). */
  getFlows(): Promise<unknown[]>;
  /** Stops Node-RED and waits for the process to end. */
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something already listens on `port` of the loopback interface. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' ? resolve(true) : reject(err),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(false)));
  });
}

function settingsFile(opts: { port: number; packageDir: string; credentialSecret: string }): string {
  const settings = {
    uiPort: opts.port,
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: opts.credentialSecret,
    nodesDir: [opts.packageDir],
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    editorTheme: {
      tours: false,
      palette: { catalogues: [] },
      projects: { enabled: false },
    },
    contextStorage: {
      default: { module: 'memory' },
      file: { module: 'localfilesystem' },
    },
    logging: { console: { level: 'info', metrics: false, audit: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
  };
  return `// Written by the eLicznik demo launcher; changes are overwritten on the next start.\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`;
}

async function waitForEditor(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`Node-RED exited with code ${exited} while starting`);
    try {
      const res = await fetch(`${url}/settings`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Node-RED did not answer at ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

/**
 * Starts Node-RED with this package in `nodesDir` and waits until its editor answers.
 * @throws when the port is already in use: whatever answers there is not the Node-RED started here
 */
export async function startNodeRed(options: NodeRedProcessOptions): Promise<NodeRedProcess> {
  const port = options.port || (await freePort());
  if (options.port && (await portInUse(port)))
    throw new Error(`Port ${port} on 127.0.0.1 is already in use (another Node-RED?)`);
  const nodeRedDir = options.nodeRedDir ?? path.dirname(require.resolve('node-red/package.json'));
  fs.mkdirSync(options.userDir, { recursive: true });
  const settingsPath = path.join(options.userDir, 'settings.js');
  fs.writeFileSync(
    settingsPath,
    settingsFile({
      port,
      packageDir: options.packageDir,
      credentialSecret: options.credentialSecret ?? 'elicznik-demo',
    }),
  );
  // No first-run telemetry question.
  const runtimeConfig = path.join(options.userDir, '.config.runtime.json');
  if (!fs.existsSync(runtimeConfig))
    fs.writeFileSync(runtimeConfig, JSON.stringify({ telemetryEnabled: false }));

  const child = spawn(
    process.execPath,
    [path.join(nodeRedDir, 'red.js'), '--userDir', options.userDir, '--settings', settingsPath],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' } },
  );
  const log = options.log ?? (() => undefined);
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        log(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForEditor(url, child, options.startTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }

  const headers = {
    'content-type': 'application/json',
    'Node-RED-API-Version': 'v2',
    'Node-RED-Deployment-Type': 'full',
  };
  return {
    url,
    port,
    child,
    async deploy(flows) {
      const res = await fetch(`${url}/flows`, { method: 'POST', headers, body: JSON.stringify({ flows }) });
      if (!res.ok) throw new Error(`Deploy failed: HTTP ${res.status} ${await res.text()}`);
    },
    async getFlows() {
      const res = await fetch(`${url}/flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
      if (!res.ok) throw new Error(`GET /flows failed: HTTP ${res.status}`);
      const body = (await res.json()) as { flows: unknown[] };
      return body.flows;
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGINT');
      });
    },
  };
}
