/**
 * `npm start`: the eLicznik simulator and a Node-RED with this package and the dashboard example,
 * its account pointed at the simulator with the demo login. Ports: `SIM_PORT` / `SIM_LOGIN_PORT`
 * (default 18881 / 18882) for the simulator, `PORT` (default 1880) for Node-RED.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_ACCOUNT, startSimulator } from '../simulator';
import { ledgerFileName } from '../session/login-ledger';
import { accountId } from '../session/pool';
import { portInUse, startNodeRed } from './node-red-process';

/** A node of a flow as the admin API and the example files hold it. */
export interface FlowNode {
  id: string;
  type: string;
  [key: string]: unknown;
}

/** Where a simulator answers. */
export interface SimulatorUrls {
  serviceUrl: string;
  loginUrl: string;
}

/** The repository root (`dist/src/demo` → three levels up, `src/demo` → two). */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The dashboard example, as shipped in `examples/`. */
export function dashboardExample(root: string = packageRoot()): FlowNode[] {
  const file = path.join(root, 'examples', 'dashboard-needs-flowfuse-dashboard.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];
}

/** The invoice check example, as shipped in `examples/`. */
export function invoiceExample(root: string = packageRoot()): FlowNode[] {
  const file = path.join(root, 'examples', 'check-invoice-needs-flowfuse-dashboard.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as FlowNode[];
}

/**
 * The demo's flows before they are pointed at the simulator: the dashboard example and, on a tab
 * and a dashboard page of its own, the invoice check example. The invoice check reads through the
 * dashboard example's account (one account, one session) and shares its dashboard and theme; its
 * inject fires once after the deploy, so that its page shows the example's period at once.
 */
export function demoExamples(root: string = packageRoot()): FlowNode[] {
  const dashboard = dashboardExample(root);
  const ids = new Set(dashboard.map((n) => n.id));
  const account = dashboard.find((n) => n.type === 'elicznik-config');
  const example = invoiceExample(root);
  const invoiceAccounts = new Set(example.filter((n) => n.type === 'elicznik-config').map((n) => n.id));
  const invoice = example
    .filter((n) => !ids.has(n.id) && !(account && invoiceAccounts.has(n.id)))
    .map((n) => {
      if (account && typeof n.account === 'string' && invoiceAccounts.has(n.account))
        return { ...n, account: account.id };
      if (n.type === 'inject') return { ...n, once: true, onceDelay: '2' };
      return n;
    });
  return [...dashboard, ...invoice];
}

/** True when a config node's service URL is on the loopback interface, i.e. a simulator. */
export function pointsAtSimulator(node: FlowNode): boolean {
  const url = typeof node.serviceUrl === 'string' ? node.serviceUrl : '';
  return /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url);
}

/**
 * The demo flow: the examples ({@link demoExamples}) with every account pointed at the simulator and
 * carrying the demo login and its first meter point.
 */
export function demoFlows(sim: SimulatorUrls, example: FlowNode[] = demoExamples()): FlowNode[] {
  const point = DEMO_ACCOUNT.meterPoints[0];
  return example.map((node) =>
    node.type === 'elicznik-config'
      ? {
          ...node,
          name: 'demo (simulator)',
          serviceUrl: sim.serviceUrl,
          loginUrl: sim.loginUrl,
          meterPoint: point.id,
          meterPointLabel: point.name,
          credentials: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
        }
      : node,
  );
}

/**
 * Flows for a later start: the user's own flows, with the URLs of accounts that still point at a
 * simulator moved to this run's simulator. Null when nothing needs to change.
 */
export function retargetFlows(flows: FlowNode[], sim: SimulatorUrls): FlowNode[] | null {
  let changed = false;
  const next = flows.map((node) => {
    if (node.type !== 'elicznik-config' || !pointsAtSimulator(node)) return node;
    if (node.serviceUrl === sim.serviceUrl && node.loginUrl === sim.loginUrl) return node;
    changed = true;
    return { ...node, serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl };
  });
  return changed ? next : null;
}

/**
 * Node-RED warnings of every demo start that say nothing is wrong: projects are off on purpose, and
 * a first run has no credentials file yet (the demo login is deployed just after).
 */
const ROUTINE_WARNINGS = [/editorTheme\.projects\.enabled\s*=\s*false/, /Encrypted credentials not found/];

/** What the demo prints of a Node-RED log line: its errors and warnings but the routine ones; null for nothing. */
export function demoLogLine(line: string): string | null {
  if (!/\[(error|warn)\]/.test(line) || ROUTINE_WARNINGS.some((re) => re.test(line))) return null;
  return `node-red: ${line}`;
}

function envPort(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * What to tell the user when a port the demo needs is taken, naming its variable and a command with
 * another port; null when all are free. `ports`: variable name → port.
 */
export async function portsInUseMessage(ports: Record<string, number>): Promise<string | null> {
  const lines: string[] = [];
  for (const [name, port] of Object.entries(ports)) {
    if (!(await portInUse(port))) continue;
    const what = name === 'PORT' ? ' (is Node-RED already running?)' : '';
    lines.push(
      `Port ${port} is already in use${what}. Stop what uses it, or choose another port: ${name}=${port + 10} npm start`,
    );
  }
  return lines.length ? lines.join('\n') : null;
}

async function main(): Promise<void> {
  const root = packageRoot();
  const ports = {
    PORT: envPort('PORT', 1880),
    SIM_PORT: envPort('SIM_PORT', 18881),
    SIM_LOGIN_PORT: envPort('SIM_LOGIN_PORT', 18882),
  };
  // Before anything starts: whatever answers on a taken port is not this demo's, and must not get its flows.
  const busy = await portsInUseMessage(ports);
  if (busy) throw new Error(busy);
  const sim = await startSimulator({ port: ports.SIM_PORT, loginPort: ports.SIM_LOGIN_PORT });
  const userDir = path.join(root, '.node-red-demo');
  // A new simulator knows no earlier logins: start the demo account's login ledger afresh too.
  const ledger = path.join(
    userDir,
    'elicznik',
    ledgerFileName(
      accountId({ serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl, username: DEMO_ACCOUNT.username }),
    ),
  );
  fs.rmSync(ledger, { force: true });
  const red = await startNodeRed({
    userDir,
    packageDir: root,
    port: ports.PORT,
    log: (line) => {
      const shown = demoLogLine(line);
      if (shown) console.log(shown);
    },
  });
  const urls = { serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl };
  const flows = (await red.getFlows()) as FlowNode[];
  if (flows.length === 0) {
    await red.deploy(demoFlows(urls));
    console.log('Deployed the demo flow (first run).');
  } else {
    const moved = retargetFlows(flows, urls);
    if (moved) {
      await red.deploy(moved);
      console.log('Kept your flows; pointed the simulator accounts at this run’s simulator.');
    }
  }
  console.log(`
eLicznik demo
  Node-RED editor:  ${red.url}/
  Dashboard:        ${red.url}/dashboard/elicznik
  Invoice check:    ${red.url}/dashboard/invoice
  Simulated eLicznik: ${sim.serviceUrl} (login ${DEMO_ACCOUNT.username} / ${DEMO_ACCOUNT.password}, already set in the demo flow)

To use your TAURON account: open the account "demo (simulator)" (double-click a fetch node, then
the pencil next to Account); under Advanced set "eLicznik URL" to https://elicznik.tauron-dystrybucja.pl
and "Login URL" to https://logowanie.tauron-dystrybucja.pl; enter your own e-mail and password,
press the button next to Meter point to choose yours, and deploy.
Flows are kept in ${userDir}. Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await red.stop();
    await sim.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
