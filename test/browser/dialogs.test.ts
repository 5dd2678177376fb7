/**
 * The balance node's dialog and the help of the fetch and balance nodes in a real editor, in
 * English and (with the browser language set to Polish) in Polish.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { deploy, editNode, openBrowser, openEditor, startEditor, type Editor } from './editor';

const FLOWS = [
  { id: 't1', type: 'tab', label: 'dialogs' },
  {
    id: 'c1',
    type: 'elicznik-config',
    name: 'account',
    meterPoint: '',
    meterPointLabel: '',
    serviceUrl: 'https://elicznik.tauron-dystrybucja.pl',
    loginUrl: 'https://logowanie.tauron-dystrybucja.pl',
    timeout: 30,
    minLoginMinutes: 1,
  },
  { id: 'f1', type: 'elicznik-fetch', z: 't1', account: 'c1', x: 200, y: 100, wires: [['b1']] },
  { id: 'b1', type: 'elicznik-balance', z: 't1', name: '', mode: 'history', x: 400, y: 100, wires: [[]] },
];

/** Shows a node type's help in the sidebar and waits until it holds `expected`. */
async function showsHelp(page: Page, type: string, expected: RegExp): Promise<void> {
  await page.evaluate((t) => (window as any).RED.sidebar.help.show(t), type);
  await page.waitForFunction(
    (source) =>
      Array.from(document.querySelectorAll('.red-ui-help')).some(
        (el) => (el as HTMLElement).offsetParent !== null && new RegExp(source).test(el.textContent ?? ''),
      ),
    expected.source,
    { timeout: 10_000 },
  );
}

describe('fetch and balance dialogs and help (browser)', function () {
  this.timeout(90_000);
  let editor: Editor;
  const errors: string[] = [];

  /** A page of Chromium in `lang` with the editor open; its errors are checked by the last test. */
  async function withBrowser(lang: string, body: (page: Page) => Promise<void>): Promise<void> {
    const browser = await openBrowser({ lang });
    try {
      const page = await browser.newPage();
      await openEditor(page, editor.url, 'b1');
      await body(page);
    } finally {
      errors.push(...browser.errors);
      await browser.close();
    }
  }

  before(async () => {
    editor = await startEditor('dialogs', FLOWS);
  });

  after(async () => {
    await editor?.stop();
  });

  it('saves every balance field, TypedInputs included, and shows them again after a reload', async () => {
    await withBrowser('en-US', async (page) => {
      await editNode(page, 'b1', '#node-input-mode');
      await page.fill('#node-input-name', 'house meter');
      await page.selectOption('#node-input-mode', 'live');
      await page.evaluate(() => {
        const $ = (window as any).$;
        $('#node-input-property').typedInput('value', 'reading');
        $('#node-input-timeProperty').typedInput('value', 'measuredAt');
      });
      await page.selectOption('#node-input-readingKind', 'cumulative');
      await page.fill('#node-input-onThreshold', '0.3');
      await page.fill('#node-input-offThreshold', '0.05');
      await page.fill('#node-input-minOn', '7');
      await page.fill('#node-input-minOff', '8');
      await page.click('#node-dialog-ok');
      await page.waitForSelector('#node-input-mode', { state: 'detached' });
      await deploy(page);

      const saved = ((await editor.red.getFlows()) as any[]).find((n) => n.id === 'b1');
      assert.deepEqual(
        {
          name: saved.name,
          mode: saved.mode,
          property: saved.property,
          timeProperty: saved.timeProperty,
          readingKind: saved.readingKind,
          onThreshold: saved.onThreshold,
          offThreshold: saved.offThreshold,
          minOn: saved.minOn,
          minOff: saved.minOff,
          outputs: saved.outputs,
        },
        {
          name: 'house meter',
          mode: 'live',
          property: 'reading',
          timeProperty: 'measuredAt',
          readingKind: 'cumulative',
          onThreshold: '0.3',
          offThreshold: '0.05',
          minOn: '7',
          minOff: '8',
          outputs: 2,
        },
      );

      await openEditor(page, editor.url, 'b1');
      await editNode(page, 'b1', '#node-input-mode');
      const shown = await page.evaluate(() => {
        const $ = (window as any).$;
        return {
          name: $('#node-input-name').val(),
          mode: $('#node-input-mode').val(),
          property: $('#node-input-property').typedInput('value'),
          timeProperty: $('#node-input-timeProperty').typedInput('value'),
          readingKind: $('#node-input-readingKind').val(),
          onThreshold: $('#node-input-onThreshold').val(),
          minOff: $('#node-input-minOff').val(),
        };
      });
      assert.deepEqual(shown, {
        name: 'house meter',
        mode: 'live',
        property: 'reading',
        timeProperty: 'measuredAt',
        readingKind: 'cumulative',
        onThreshold: '0.3',
        minOff: '8',
      });
      await page.click('#node-dialog-cancel');
    });
  });

  it('shows the measurement only for the InfluxDB output of fetch and balance, and saves it', async () => {
    await withBrowser('en-US', async (page) => {
      const visible = () => page.isVisible('#node-input-measurement');

      await editNode(page, 'f1', '#node-input-output');
      assert.equal(await visible(), false);
      assert.equal(await page.getAttribute('#node-input-measurement', 'placeholder'), 'elicznik');
      await page.selectOption('#node-input-output', 'influx');
      assert.equal(await visible(), true);
      await page.fill('#node-input-measurement', 'energy');
      await page.click('#node-dialog-ok');
      await page.waitForSelector('#node-input-output', { state: 'detached' });

      await editNode(page, 'b1', '#node-input-mode');
      await page.selectOption('#node-input-mode', 'history');
      await page.selectOption('#node-input-output', 'perHour');
      assert.equal(await visible(), false);
      await page.selectOption('#node-input-output', 'influx');
      assert.equal(await visible(), true);
      await page.selectOption('#node-input-mode', 'live');
      assert.equal(await visible(), false, 'live mode has no InfluxDB output');
      await page.selectOption('#node-input-mode', 'history');
      await page.fill('#node-input-measurement', 'house');
      await page.click('#node-dialog-ok');
      await page.waitForSelector('#node-input-mode', { state: 'detached' });
      await deploy(page);

      const saved = (await editor.red.getFlows()) as any[];
      const pick = (id: string) => {
        const n = saved.find((x) => x.id === id);
        return { output: n.output, measurement: n.measurement };
      };
      assert.deepEqual(pick('f1'), { output: 'influx', measurement: 'energy' });
      assert.deepEqual(pick('b1'), { output: 'influx', measurement: 'house' });
      assert.equal(saved.find((x) => x.id === 'b1').outputs, 1);
    });
  });

  it('shows the help in English', async () => {
    await withBrowser('en-US', async (page) => {
      await showsHelp(page, 'elicznik-balance', /Balances energy hour by hour/);
      await showsHelp(page, 'elicznik-fetch', /Fetches hourly grid consumption/);
    });
  });

  it('shows the help in Polish when the browser language is Polish', async () => {
    await withBrowser('pl-PL', async (page) => {
      await showsHelp(page, 'elicznik-balance', /Bilansuje energię godzina po godzinie/);
      await showsHelp(page, 'elicznik-fetch', /Pobiera/);
    });
  });

  it('logged no console errors', () => {
    assert.deepEqual(errors, []);
  });
});
