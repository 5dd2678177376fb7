/**
 * Restarts of a real Node-RED process against the simulator over HTTP: a still valid session is
 * used again without a login, an expired one costs one login, a rejected password is not sent
 * again, and what is kept on disk holds no secret in the clear.
 *
 * The flow: GET /fetch?day=YYYY-MM-DD → eLicznik fetch → HTTP response; a Catch node answers errors
 * with status 500 and the error (code and message).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startNodeRed, type NodeRedProcess } from '../src/demo/node-red-process';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../src/simulator';
import { LoginLedger, fileLedgerStore } from '../src/session/login-ledger';
import { accountId } from '../src/session/pool';
import { nodeRedDir } from './support/node-red';

const ROOT = path.resolve(__dirname, '../..');

function flow(sim: SimulatorHandle, password: string): unknown[] {
  return [
    { id: 't1', type: 'tab', label: 'restart' },
    {
      id: 'c1',
      type: 'elicznik-config',
      name: 'home',
      meterPoint: DEMO_ACCOUNT.meterPoints[0].id,
      meterPointLabel: '',
      serviceUrl: sim.serviceUrl,
      loginUrl: sim.loginUrl,
      timeout: 10,
      minLoginMinutes: 0,
      loginBudget: 6,
      dumpDir: '',
      credentials: { username: DEMO_ACCOUNT.username, password },
    },
    { id: 'in', type: 'http in', z: 't1', url: '/fetch', method: 'get', wires: [['day']] },
    {
      id: 'day',
      type: 'change',
      z: 't1',
      rules: [{ t: 'set', p: 'day', pt: 'msg', to: 'payload.day', tot: 'msg' }],
      wires: [['n1']],
    },
    { id: 'n1', type: 'elicznik-fetch', z: 't1', account: 'c1', output: 'hours', wires: [['out']] },
    { id: 'out', type: 'http response', z: 't1', statusCode: '', headers: {}, wires: [] },
    { id: 'k1', type: 'catch', z: 't1', scope: ['n1'], uncaught: false, wires: [['err']] },
    {
      id: 'err',
      type: 'change',
      z: 't1',
      rules: [
        { t: 'set', p: 'statusCode', pt: 'msg', to: '500', tot: 'num' },
        { t: 'set', p: 'payload', pt: 'msg', to: 'error', tot: 'msg' },
      ],
      wires: [['out']],
    },
  ];
}

describe('Node-RED restarts (a real Node-RED process)', function () {
  this.timeout(180_000);
  let sim: SimulatorHandle;
  let userDir: string;
  let red: NodeRedProcess | undefined;
  const cookies = new Set<string>();

  const start = async () => {
    red = await startNodeRed({ userDir, packageDir: ROOT, nodeRedDir: nodeRedDir() });
  };
  const restart = async () => {
    await red?.stop();
    await start();
  };
  /** GETs /fetch, waiting while the flows are still starting (404). */
  const get = async (day: string) => {
    for (let i = 0; ; i += 1) {
      const res = await fetch(`${red!.url}/fetch?day=${day}`);
      const text = await res.text();
      if (res.status === 404 && i < 40) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      assert.ok(!text.startsWith('<'), `HTTP ${res.status}: ${text.slice(0, 200)}`);
      return { status: res.status, body: JSON.parse(text) as Record<string, any> };
    }
  };

  before(async () => {
    sim = await startSimulator({
      log: (line) => {
        void line;
      },
    });
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-restart-'));
    await start();
  });
  after(async () => {
    await red?.stop();
    await sim.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('logs in once, then a restart with a still valid session does not log in', async () => {
    await red!.deploy(flow(sim, DEMO_ACCOUNT.password));
    const first = await get('2026-11-01');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.meterPoint, DEMO_ACCOUNT.meterPoints[0].id);
    assert.equal(sim.stats.logins, 1);

    await restart();
    const second = await get('2026-11-02');
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.equal(sim.stats.loginAttempts, 1, 'the kept session was used');
    assert.equal(sim.stats.sessionsCreated, 1);
  });

  it('keeps the state file readable only by the user, without the session cookie, e-mail or password', async () => {
    const dir = path.join(userDir, 'elicznik');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 1);
    const file = path.join(dir, files[0]);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const text = fs.readFileSync(file, 'utf8');
    const ledger = new LoginLedger(
      fileLedgerStore(file),
      accountId({ serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl, username: DEMO_ACCOUNT.username }),
    );
    const cookie = await ledger.loadCookie(DEMO_ACCOUNT.password);
    assert.match(String(cookie), /PHPSESSID=/, 'the session cookie is kept, encrypted');
    for (const pair of String(cookie).split(/;\s*/)) cookies.add(pair.split('=')[1]);
    assert.ok(cookies.size > 0);
    for (const secret of [DEMO_ACCOUNT.password, DEMO_ACCOUNT.username, ...cookies]) {
      assert.equal(text.includes(secret), false, 'a secret is in the state file');
    }
    assert.equal(JSON.parse(text).logins.length, 1);
  });

  it('logs in once after a restart when the kept session has expired', async () => {
    await red!.stop();
    sim.expireSessions();
    sim.expireSsoSessions();
    await start();
    const res = await get('2026-11-03');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(sim.stats.loginAttempts, 2);
    const again = await get('2026-11-04');
    assert.equal(again.status, 200);
    assert.equal(sim.stats.loginAttempts, 2);
  });

  it('after a wrong password, restarts and redeploys send it no more until it is changed', async () => {
    sim.expireSessions();
    sim.expireSsoSessions();
    await red!.deploy(flow(sim, 'wrong password'));
    const failed = await get('2026-11-05');
    assert.equal(failed.status, 500);
    assert.equal(failed.body.code, 'WRONG_CREDENTIALS');
    const attempts = sim.stats.loginAttempts;
    for (let i = 0; i < 2; i += 1) {
      await restart();
      const res = await get('2026-11-05');
      assert.equal(res.body.code, 'WRONG_CREDENTIALS');
      await red!.deploy(flow(sim, 'wrong password'));
      assert.equal((await get('2026-11-05')).body.code, 'WRONG_CREDENTIALS');
    }
    assert.equal(sim.stats.loginAttempts, attempts, 'no attempt with the rejected password');
    await red!.deploy(flow(sim, DEMO_ACCOUNT.password));
    const fixed = await get('2026-11-05');
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.equal(sim.stats.loginAttempts, attempts + 1);
  });
});
