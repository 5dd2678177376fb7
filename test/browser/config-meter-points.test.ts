/**
 * The meter point chooser of the config dialog in a real editor against the simulator: a chosen
 * meter point the account no longer has, one typed as its PPE number or by hand, and the words
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

const [G11, G12W] = DEMO_ACCOUNT.meterPoints;
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

  it('says that the chosen meter point is not on the account any more', async () => {
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-meterPoint');
    await list();
    assert.equal(await page.$$eval('#elicznik-config-points option', (els) => els.length), 4);
    assert.match(String(await message()), new RegExp(`${REMOVED} is not on this account`));
    assert.equal(await page.inputValue('#node-config-input-meterPoint'), REMOVED, 'kept until one is chosen');
    await closeDialog(page, '#node-config-dialog-cancel');
  });

  it('finds a meter point typed as its PPE number in the list', async () => {
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-meterPoint');
    await page.fill('#node-config-input-meterPoint', G12W.ppe);
    await list();
    assert.equal(await page.$eval('#elicznik-config-points', (e) => (e as HTMLSelectElement).value), G12W.id);
    assert.doesNotMatch(String(await message()), /not on this account/);
    assert.equal(await page.inputValue('#node-config-input-meterPointLabel'), `${G12W.ppe} · G12W`);
    await closeDialog(page, '#node-config-dialog-cancel');
  });

  it('drops the label of the former meter point when another one is typed without the list', async () => {
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-meterPoint');
    await page.fill('#node-config-input-meterPoint', G11.id);
    await closeDialog(page, '#node-config-dialog-ok');
    const saved = await page.evaluate(() => {
      const n = (window as any).RED.nodes.node('c1');
      return { meterPoint: n.meterPoint, meterPointLabel: n.meterPointLabel };
    });
    assert.deepEqual(saved, { meterPoint: G11.id, meterPointLabel: '' });
  });

  it('takes the only meter point of an account, and says when an account has none', async () => {
    const answer = { meterPoints: [{ id: G11.id, ppe: G11.ppe, name: 'Home', type: '', tariff: 'G11' }] };
    await page.route('**/elicznik-config/meter-points', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(answer) }),
    );
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-meterPoint');
    await page.fill('#node-config-input-meterPoint', '');
    await list();
    assert.equal(await page.inputValue('#node-config-input-meterPoint'), G11.id);
    assert.equal(await page.inputValue('#node-config-input-meterPointLabel'), `${G11.ppe} · G11`);
    assert.equal(await message(), '1 meter point(s) found.');

    answer.meterPoints = [];
    await list();
    assert.equal(await message(), 'The account has no meter points.');
    assert.equal(await page.isVisible('#elicznik-config-points'), false);
    await closeDialog(page, '#node-config-dialog-cancel');
  });

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
