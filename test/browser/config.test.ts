/**
 * A new eLicznik account typed into the config dialog against the simulator: the meter point list,
 * the deploy, and where the password ends up (the credentials file only, never the flows).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import {
  closeDialog,
  deploy,
  editConfig,
  openBrowser,
  openEditor,
  simulatorAccount,
  startEditor,
  wrongPasswordAnswer,
  type Editor,
  type EditorBrowser,
} from './editor';

const G12W = DEMO_ACCOUNT.meterPoints[1];

describe('config dialog with typed credentials (browser)', function () {
  this.timeout(60_000);
  let sim: SimulatorHandle;
  let editor: Editor;
  let browser: EditorBrowser;
  let page: Page;

  before(async () => {
    sim = await startSimulator();
    editor = await startEditor('config', [
      { id: 't1', type: 'tab', label: 'account' },
      simulatorAccount(sim),
      { id: 'f1', type: 'elicznik-fetch', z: 't1', account: 'c1', x: 200, y: 100, wires: [[]] },
    ]);
    browser = await openBrowser({ expected: wrongPasswordAnswer });
    page = await browser.newPage();
    await openEditor(page, editor.url, 'f1');
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
    await sim?.close();
  });

  async function openDialog(): Promise<void> {
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-password');
  }

  it('shows the clear error for a wrong password', async () => {
    await openDialog();
    await page.fill('#node-config-input-username', DEMO_ACCOUNT.username);
    await page.fill('#node-config-input-password', 'wrong');
    await page.click('#elicznik-config-list-points');
    await page.waitForFunction(() =>
      /e-mail or password/.test(document.getElementById('elicznik-config-points-message')?.textContent ?? ''),
    );
    await closeDialog(page, '#node-config-dialog-cancel');
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
    await closeDialog(page, '#node-config-dialog-ok');
    await deploy(page);

    const flows = JSON.stringify(await editor.red.getFlows());
    assert.ok(flows.includes(G12W.id), 'the meter point is saved');
    assert.ok(
      !flows.includes(`"${DEMO_ACCOUNT.password}"`) && !/password/i.test(flows),
      'no password in GET /flows',
    );
    const res = await fetch(`${editor.url}/credentials/elicznik-config/c1`);
    const creds = (await res.json()) as Record<string, unknown>;
    assert.equal(creds.has_password, true);
    assert.equal(creds.password, undefined);
    assert.equal(creds.username, DEMO_ACCOUNT.username);
  });

  it('logged no console errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
