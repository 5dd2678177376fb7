/**
 * The meter point chooser of the config dialog in a real editor against the simulator: the words
 * shown when the list request fails.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import {
  closeDialog,
  editConfig,
  openBrowser,
  openEditor,
  simulatorAccount,
  startEditor,
  type Editor,
  type EditorBrowser,
} from './editor';

/** A meter point the account had once. */
const REMOVED = '600999999_60999999_7999999';

describe('config dialog meter point chooser (browser)', function () {
  this.timeout(60_000);
  let sim: SimulatorHandle;
  let editor: Editor;
  let browser: EditorBrowser;
  let page: Page;

  before(async () => {
    sim = await startSimulator();
    editor = await startEditor('points', [
      { id: 't1', type: 'tab', label: 'account' },
      simulatorAccount(sim, {
        meterPoint: REMOVED,
        meterPointLabel: '590322400100999999 · G11',
        credentials: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
      }),
      { id: 'f1', type: 'elicznik-fetch', z: 't1', account: 'c1', x: 200, y: 100, wires: [[]] },
    ]);
    // the refused requests below are answered on purpose
    browser = await openBrowser({ expected: (m) => /elicznik-config\/meter-points/.test(m.location().url) });
    page = await browser.newPage();
    await openEditor(page, editor.url, 'f1');
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
    await sim?.close();
  });

  afterEach(async () => {
    await page.unroute('**/elicznik-config/meter-points');
    // a failed test leaves its dialog open
    if (await page.$('#node-config-dialog-cancel')) await closeDialog(page, '#node-config-dialog-cancel');
    assert.deepEqual(browser.errors.splice(0), [], 'no script errors in the editor');
  });

  const message = () => page.textContent('#elicznik-config-points-message');

  async function list(): Promise<void> {
    await page.click('#elicznik-config-list-points');
    await page.waitForFunction(
      () => !(document.getElementById('elicznik-config-list-points') as HTMLButtonElement).disabled,
    );
  }

  it('says in words when the server refuses the request for want of permission', async () => {
    await page.route('**/elicznik-config/meter-points', (route) => route.fulfill({ status: 401, body: '' }));
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-meterPoint');
    await list();
    assert.match(String(await message()), /not allowed|permission/i);
    assert.doesNotMatch(String(await message()), /did not answer/);
    await closeDialog(page, '#node-config-dialog-cancel');
  });

  it('shows every error code of the list request in words', async () => {
    const catalogs = (await (await fetch(`${editor.url}/nodes/messages?lng=en-US`)).json()) as Record<
      string,
      any
    >;
    const catalog = Object.entries(catalogs).find(([ns]) => ns.endsWith('/elicznik-config'))?.[1][
      'elicznik-config'
    ].errors;
    const codes = [
      'WRONG_CREDENTIALS',
      'ACCOUNT_BLOCKED',
      'RATE_LIMITED',
      'LOGIN_BUDGET',
      'SERVICE_UNAVAILABLE',
      'SERVICE_CHANGED',
      'BAD_INPUT',
      'INTERNAL_ERROR',
    ];
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-meterPoint');
    for (const code of codes) {
      await page.unroute('**/elicznik-config/meter-points');
      await page.route('**/elicznik-config/meter-points', (route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ code, message: 'details' }),
        }),
      );
      await list();
      const text = String(await message());
      assert.ok(typeof catalog?.[code] === 'string', `no words for ${code}`);
      assert.equal(text, `${catalog[code]} (details)`);
    }
    await closeDialog(page, '#node-config-dialog-cancel');
  });
});
