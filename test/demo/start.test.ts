import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { startNodeRed } from '../../src/demo/node-red-process';
import {
  dashboardExample,
  demoFlows,
  demoLogLine,
  invoiceExample,
  pointsAtSimulator,
  retargetFlows,
  type FlowNode,
} from '../../src/demo/start';
import { DEMO_ACCOUNT } from '../../src/simulator';

const sim = { serviceUrl: 'http://127.0.0.1:18881', loginUrl: 'http://localhost:18882' };

describe('demo launcher', () => {
  it('points the dashboard example at the simulator with the demo login and first meter point', () => {
    const example = dashboardExample();
    const flows = demoFlows(sim, example);
    assert.equal(flows.length, example.length);
    const accounts = flows.filter((n) => n.type === 'elicznik-config');
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].serviceUrl, sim.serviceUrl);
    assert.equal(accounts[0].loginUrl, sim.loginUrl);
    assert.equal(accounts[0].meterPoint, DEMO_ACCOUNT.meterPoints[0].id);
    assert.deepEqual(accounts[0].credentials, { username: 'demo@example.com', password: 'demo' });
    // the example itself is left as shipped
    assert.equal(example.find((n) => n.type === 'elicznik-config')?.credentials, undefined);
  });

  it('adds the invoice check on its own tab and page, reading through the same single account', () => {
    const dashboard = dashboardExample();
    const invoice = invoiceExample();
    const flows = demoFlows(sim);
    const ids = flows.map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length, 'no node twice');
    for (const n of dashboard) assert.ok(ids.includes(n.id), n.id);
    const accounts = flows.filter((n) => n.type === 'elicznik-config');
    assert.equal(accounts.length, 1);
    const fetch = flows.find((n) => n.type === 'elicznik-fetch' && invoice.some((i) => i.id === n.id))!;
    assert.equal(fetch.account, accounts[0].id);
    assert.ok(flows.some((n) => n.type === 'ui-page' && n.path === '/invoice'));
    const inject = flows.find((n) => n.type === 'inject' && n.z === fetch.z)!;
    assert.equal(inject.once, true);
    assert.deepEqual(inject.wires, [[fetch.id]]);
    // the examples themselves are left as shipped
    assert.equal(invoiceExample().find((n) => n.id === inject.id)?.once, false);
  });

  it("prints Node-RED's errors and warnings, but not the two every first start gives", () => {
    assert.equal(
      demoLogLine('2 Dec 18:14:19 - [warn] Projects disabled : editorTheme.projects.enabled=false'),
      null,
    );
    assert.equal(demoLogLine('2 Dec 18:14:19 - [warn] Encrypted credentials not found'), null);
    assert.equal(demoLogLine('2 Dec 18:14:19 - [info] Started flows'), null);
    const error = '2 Dec 18:14:20 - [error] [elicznik-fetch:x] Wrong e-mail or password';
    assert.equal(demoLogLine(error), `node-red: ${error}`);
    const warn = '2 Dec 18:14:20 - [warn] [function:f] something';
    assert.equal(demoLogLine(warn), `node-red: ${warn}`);
  });

  it('tells a simulator account from a TAURON one', () => {
    const node = (serviceUrl: string): FlowNode => ({ id: 'c', type: 'elicznik-config', serviceUrl });
    assert.equal(pointsAtSimulator(node('http://127.0.0.1:5000')), true);
    assert.equal(pointsAtSimulator(node('http://localhost:5000/')), true);
    assert.equal(pointsAtSimulator(node('https://elicznik.tauron-dystrybucja.pl')), false);
    assert.equal(pointsAtSimulator(node('http://127.0.0.1.example.com')), false);
  });

  it('moves only simulator accounts to the new ports and keeps everything else', () => {
    const flows: FlowNode[] = [
      { id: 't', type: 'tab' },
      {
        id: 'a',
        type: 'elicznik-config',
        serviceUrl: 'http://127.0.0.1:1',
        loginUrl: 'http://localhost:2',
        name: 'x',
      },
      {
        id: 'b',
        type: 'elicznik-config',
        serviceUrl: 'https://elicznik.tauron-dystrybucja.pl',
        loginUrl: 'https://l',
      },
    ];
    const moved = retargetFlows(flows, sim);
    assert.ok(moved);
    assert.deepEqual(moved[1], { ...flows[1], ...sim });
    assert.equal(moved[0], flows[0]);
    assert.equal(moved[2], flows[2]);
    assert.equal(retargetFlows(moved, sim), null, 'nothing to change the second time');
  });
});

/** An HTTP server on a free loopback port that answers like a running Node-RED and records the requests. */
async function foreignNodeRed(): Promise<{ port: number; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'application/json');
    res.end(req.url === '/flows' ? JSON.stringify({ flows: [] }) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('demo launcher with a port in use', function () {
  this.timeout(60_000);

  it('does not take another Node-RED on its port for the one it started', async () => {
    const other = await foreignNodeRed();
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-port-'));
    try {
      await assert.rejects(
        startNodeRed({ userDir, packageDir: path.join(__dirname, '../../..'), port: other.port }),
        new RegExp(`Port ${other.port} .*already in use`),
      );
      assert.deepEqual(other.requests, [], 'nothing was asked of the other server');
    } finally {
      await other.close();
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });

  it('npm start says which port is taken and how to choose another, and leaves the other Node-RED alone', async () => {
    const other = await foreignNodeRed();
    let child: ReturnType<typeof spawn> | undefined;
    try {
      child = spawn(process.execPath, [path.join(__dirname, '../../src/demo/start.js')], {
        env: { ...process.env, PORT: String(other.port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (d) => (output += d));
      child.stderr?.on('data', (d) => (output += d));
      const code = await new Promise<number | null>((resolve) => child?.on('exit', resolve));
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`Port ${other.port} is already in use`));
      assert.match(output, /PORT=\d+ npm start/);
      assert.doesNotMatch(output, /eLicznik demo/, 'no banner pointing at the other server');
      assert.deepEqual(other.requests, [], 'nothing was asked of, or deployed to, the other server');
    } finally {
      if (child?.exitCode === null) child.kill();
      await other.close();
    }
  });
});
