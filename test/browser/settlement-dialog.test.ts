/**
 * The settlement node's edit dialog in a real editor (the shared harness, `editor.ts`).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { closeDialog, editNode, openBrowser, openEditor, startEditor } from './editor';
import type { Editor, EditorBrowser } from './editor';

describe('elicznik-settlement edit dialog (browser)', function () {
  this.timeout(60_000);
  let editor: Editor;
  let browser: EditorBrowser;
  let page: Page;

  before(async () => {
    editor = await startEditor('settlement-editor', [
      { id: 'f1', type: 'tab', label: 'eLicznik' },
      {
        id: 'n1',
        type: 'elicznik-settlement',
        z: 'f1',
        system: 'net-metering',
        zonePrices: [
          { zone: 'T1', energy: '0.62', distribution: '0.38' },
          { zone: 'T2', energy: '0.45', distribution: '0.09' },
        ],
        output: 'month',
        store: '',
        x: 200,
        y: 100,
        wires: [[]],
      },
      {
        id: 'n2',
        type: 'elicznik-settlement',
        z: 'f1',
        system: 'net-metering',
        zonePrices: [{ zone: 'T1', energy: '0.6' }],
        store: 'file',
        x: 200,
        y: 160,
        wires: [[]],
      },
    ]);
    browser = await openBrowser();
    page = await browser.newPage();
    await openEditor(page, editor.url, 'n1');
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
  });

  afterEach(() => {
    assert.deepEqual(browser.errors.splice(0), [], 'no script errors in the editor');
  });

  async function edit(id: string): Promise<void> {
    await editNode(page, id, '#node-input-system');
  }

  async function ok(): Promise<void> {
    await closeDialog(page, '#node-dialog-ok');
  }

  it('shows the net-metering settings and the zone prices of the node', async () => {
    await edit('n1');
    assert.equal(await page.inputValue('#node-input-system'), 'net-metering');
    assert.equal(await page.isVisible('#node-input-ratio'), true);
    assert.equal(await page.isVisible('#node-input-priceMode'), false);
    assert.equal(
      await page.inputValue('#node-input-expiry'),
      'end-of-day',
      'a node saved without the expiry setting shows its default',
    );
    assert.deepEqual(
      await page.$$eval('#node-input-expiry option', (els) => els.map((e) => (e as HTMLOptionElement).value)),
      ['end-of-day', 'same-time'],
    );
    const rows = await page.$$eval('#node-input-zonePrices-container .zone-code', (els) =>
      els.map((e) => (e as HTMLInputElement).value),
    );
    assert.deepEqual(rows, ['T1', 'T2']);
    const stores = await page.$$eval('#node-input-store option', (els) =>
      els.map((e) => (e as HTMLOptionElement).value),
    );
    assert.ok(stores.includes('file'), `stores: ${stores.join(', ')}`);
    assert.equal(await page.isVisible('#elicznik-settlement-memory-tip'), false, 'a persistent store exists');
    await ok();
  });

  it('switches to net-billing with hourly RCE and saves an added zone row', async () => {
    await edit('n1');
    await page.selectOption('#node-input-system', 'net-billing');
    assert.equal(await page.isVisible('#node-input-priceMode'), true);
    assert.equal(await page.isVisible('#node-input-ratio'), false);
    assert.equal(await page.isVisible('#node-input-rceUrl'), false, 'RCE rows only for hourly RCE');
    await page.selectOption('#node-input-priceMode', 'rce');
    assert.equal(await page.isVisible('#node-input-rceUrl'), true);
    assert.equal(await page.inputValue('#node-input-rceUrl'), 'https://api.raporty.pse.pl/api/rce-pln');
    await page.click(
      '#node-input-zonePrices-container + .red-ui-editableList-addButton, .red-ui-editableList-addButton',
    );
    const codes = page.locator('#node-input-zonePrices-container .zone-code');
    await codes.nth(2).fill('T3');
    await page.locator('#node-input-zonePrices-container .zone-energy').nth(2).fill('0.51');
    await ok();
    const saved = await page.evaluate(() => {
      const n = (window as any).RED.nodes.node('n1');
      return { system: n.system, priceMode: n.priceMode, zonePrices: n.zonePrices };
    });
    assert.equal(saved.system, 'net-billing');
    assert.equal(saved.priceMode, 'rce');
    assert.deepEqual(saved.zonePrices[2], { zone: 'T3', energy: '0.51', distribution: '' });
  });

  it('marks the node invalid when "switched to RCE" goes with the monthly RCEm', async () => {
    await edit('n1');
    await page.selectOption('#node-input-system', 'net-billing');
    await page.selectOption('#node-input-priceMode', 'rcem');
    await page.check('#node-input-switchedToRce');
    await ok();
    assert.equal(await page.evaluate(() => (window as any).RED.nodes.node('n1').valid), false);
    await edit('n1');
    await page.selectOption('#node-input-priceMode', 'rce');
    await ok();
    const after = await page.evaluate(() => {
      const n = (window as any).RED.nodes.node('n1');
      return { valid: n.valid, switched: n.switchedToRce, priceMode: n.priceMode };
    });
    assert.deepEqual(after, { valid: true, switched: true, priceMode: 'rce' });
    // net-metering does not read the setting
    const check = await page.evaluate(() => {
      const v = (window as any).RED.nodes.getType('elicznik-settlement').defaults.switchedToRce.validate;
      return [
        v.call({ system: 'net-metering', priceMode: 'rcem' }, true),
        v.call({ system: 'net-billing', priceMode: 'rcem' }, true),
        v.call({ system: 'net-billing', priceMode: 'rcem' }, false),
      ];
    });
    assert.deepEqual(check, [true, false, true]);
  });

  it('shows in the status whether the state survives a restart', async () => {
    await page.waitForFunction(() => {
      const RED = (window as any).RED;
      return !!(RED.nodes.node('n1').status && RED.nodes.node('n2').status);
    });
    const statuses = await page.evaluate(() => {
      const RED = (window as any).RED;
      return ['n1', 'n2'].map((id) => {
        const s = RED.nodes.node(id).status;
        return { fill: s.fill, text: String(s.text) };
      });
    });
    assert.equal(statuses[0].fill, 'yellow');
    assert.match(statuses[0].text, /memory only/);
    assert.equal(statuses[1].fill, 'green');
    assert.match(statuses[1].text, /^bank 0\.0 kWh/);
  });
});
