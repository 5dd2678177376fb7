/**
 * A new eLicznik account typed into the config dialog against the simulator: the meter point list,
 * the deploy, and where the password ends up (the credentials file only, never the flows).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startNodeRed, type NodeRedProcess } from '../../src/demo/node-red-process';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { launchChromium } from './chromium';

const ROOT = path.resolve(__dirname, '../../..');
const G12W = DEMO_ACCOUNT.meterPoints[1];

describe('config dialog with typed credentials (browser)', function () {
  this.timeout(60_000);
  let sim: SimulatorHandle;
  let red: NodeRedProcess;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let userDir: string;
  const errors: string[] = [];

  before(async () => {
    sim = await startSimulator();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-config-'));
    red = await startNodeRed({ userDir, packageDir: ROOT });
    await red.deploy([
      { id: 't1', type: 'tab', label: 'account' },
      {
        id: 'c1',
        type: 'elicznik-config',
        name: '',
        meterPoint: '',
        meterPointLabel: '',
        serviceUrl: sim.serviceUrl,
        loginUrl: sim.loginUrl,
        timeout: 10,
        minLoginMinutes: 0,
      },
      { id: 'f1', type: 'elicznik-fetch', z: 't1', account: 'c1', x: 200, y: 100, wires: [[]] },
    ]);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('console', (m) => {
      // The wrong-password test expects the meter point lookup to answer 422; Chromium logs that answer.
      const expected422 = /status of 422/.test(m.text()) && /elicznik-config/.test(m.location().url);
      if (m.type() === 'error' && !expected422) errors.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(red.url);
    await page.waitForFunction(() => !!(window as any).RED?.nodes?.node('f1'));
  });

  after(async () => {
    await chromium?.close();
    await red?.stop();
    await sim?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  async function openDialog(): Promise<void> {
    await page.evaluate(() => (window as any).RED.editor.editConfig('', 'elicznik-config', 'c1'));
    await page.waitForSelector('#node-config-input-password', { state: 'visible' });
  }

  it('shows the clear error for a wrong password', async () => {
    await openDialog();
    await page.fill('#node-config-input-username', DEMO_ACCOUNT.username);
    await page.fill('#node-config-input-password', 'wrong');
    await page.click('#elicznik-config-list-points');
    await page.waitForFunction(() =>
      /e-mail or password/.test(document.getElementById('elicznik-config-points-message')?.textContent ?? ''),
    );
    await page.click('#node-config-dialog-cancel');
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);
  });

  it('lists the meter points for typed credentials, keeps the chosen one and stores the password only as a credential', async () => {
    sim.unblockAccounts();
    await openDialog();
    await page.fill('#node-config-input-username', DEMO_ACCOUNT.username);
    await page.fill('#node-config-input-password', DEMO_ACCOUNT.password);
    await page.click('#elicznik-config-list-points');
    await page.waitForSelector(`#elicznik-config-points option[value="${G12W.id}"]`, { state: 'attached' });
    await page.selectOption('#elicznik-config-points', G12W.id);
    assert.equal(await page.inputValue('#node-config-input-meterPoint'), G12W.id);
    await page.click('#node-config-dialog-ok');
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);
    await page.click('#red-ui-header-button-deploy');
    await page.waitForFunction(() => !(window as any).RED.nodes.dirty());

    const flows = JSON.stringify(await red.getFlows());
    assert.ok(flows.includes(G12W.id), 'the meter point is saved');
    assert.ok(
      !flows.includes(`"${DEMO_ACCOUNT.password}"`) && !/password/i.test(flows),
      'no password in GET /flows',
    );
    const res = await fetch(`${red.url}/credentials/elicznik-config/c1`);
    const creds = (await res.json()) as Record<string, unknown>;
    assert.equal(creds.has_password, true);
    assert.equal(creds.password, undefined);
    assert.equal(creds.username, DEMO_ACCOUNT.username);
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
