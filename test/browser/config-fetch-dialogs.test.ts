/**
 * The config and fetch edit dialogs in a real editor (the shared harness, `editor.ts`), against the
 * simulator.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import {
  closeDialog,
  editConfig,
  editNode,
  openBrowser,
  openEditor,
  simulatorAccount,
  startEditor,
  wrongPasswordAnswer,
  type Editor,
  type EditorBrowser,
} from './editor';

const [G11, G12W] = DEMO_ACCOUNT.meterPoints;

describe('elicznik-config and elicznik-fetch edit dialogs (browser)', function () {
  this.timeout(60_000);
  let sim: SimulatorHandle;
  let editor: Editor;
  let browser: EditorBrowser;
  let page: Page;

  before(async () => {
    sim = await startSimulator();
    editor = await startEditor('editor', [
      { id: 'f1', type: 'tab', label: 'eLicznik' },
      simulatorAccount(sim, {
        meterPoint: G11.id,
        credentials: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
      }),
      { id: 'n1', type: 'elicznik-fetch', z: 'f1', account: 'c1', x: 200, y: 100, wires: [[]] },
    ]);
    browser = await openBrowser({ expected: wrongPasswordAnswer });
    page = await browser.newPage();
    await openEditor(page, editor.url, 'n1');
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
    await sim?.close();
  });

  afterEach(() => {
    assert.deepEqual(browser.errors.splice(0), [], 'no script errors in the editor');
  });

  it('lists the meter points with the stored password and keeps the chosen one', async () => {
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-meterPoint');
    assert.equal(await page.inputValue('#node-config-input-password'), '__PWRD__');
    assert.equal(
      await page.isVisible('#elicznik-config-advanced'),
      true,
      'open when the addresses are not the defaults',
    );
    await page.click('#elicznik-config-list-points');
    await page.waitForSelector('#elicznik-config-points option[value="' + G12W.id + '"]', {
      state: 'attached',
    });
    const options = await page.$$eval('#elicznik-config-points option', (els) =>
      els.map((e) => [(e as HTMLOptionElement).value, e.textContent]),
    );
    assert.equal(options.length, 4);
    assert.match(String(options[2][1]), /590322400100223344.*\(G12W\)/);
    assert.match(String(options[3][1]), /\(C11\) \[business\]/);
    assert.equal(await page.$eval('#elicznik-config-points', (e) => (e as HTMLSelectElement).value), G11.id);
    await page.selectOption('#elicznik-config-points', G12W.id);
    assert.equal(await page.inputValue('#node-config-input-meterPoint'), G12W.id);
    await closeDialog(page, '#node-config-dialog-ok');
    const saved = await page.evaluate(() => {
      const n = (window as any).RED.nodes.node('c1');
      return { meterPoint: n.meterPoint, meterPointLabel: n.meterPointLabel };
    });
    assert.deepEqual(saved, { meterPoint: G12W.id, meterPointLabel: '590322400100223344 · G12W' });
  });

  it('shows the reason when the typed password is wrong', async () => {
    await editConfig(page, 'elicznik-config', 'c1', '#node-config-input-password');
    await page.fill('#node-config-input-password', 'not-it');
    await page.click('#elicznik-config-list-points');
    await page.waitForFunction(() =>
      /rejected the e-mail or password/.test(
        document.getElementById('elicznik-config-points-message')?.textContent ?? '',
      ),
    );
    await closeDialog(page, '#node-config-dialog-cancel');
  });

  it('keeps the advanced settings collapsed for a new account with the TAURON addresses', async () => {
    await editConfig(page, 'elicznik-config', '_ADD_', '#node-config-input-serviceUrl', 'attached');
    assert.equal(await page.isVisible('#elicznik-config-advanced'), false);
    assert.equal(
      await page.inputValue('#node-config-input-serviceUrl'),
      'https://elicznik.tauron-dystrybucja.pl',
    );
    await page.click('#elicznik-config-advanced-toggle');
    assert.equal(await page.isVisible('#node-config-input-loginUrl'), true);
    await closeDialog(page, '#node-config-dialog-cancel');
  });

  it('shows the range fields the chosen range needs and saves them', async () => {
    await editNode(page, 'n1', '#node-input-range');
    const ranges = await page.$$eval('#node-input-range option', (els) =>
      els.map((e) => (e as HTMLOptionElement).value),
    );
    assert.deepEqual(ranges, [
      'yesterday',
      'day',
      'lastDays',
      'thisMonth',
      'lastMonth',
      'thisYear',
      'lastYear',
      'range',
    ]);
    assert.equal(await page.isVisible('#elicznik-fetch-day-row'), false);
    await page.selectOption('#node-input-range', 'lastDays');
    assert.equal(await page.isVisible('#elicznik-fetch-days-row'), true);
    await page.selectOption('#node-input-range', 'day');
    assert.equal(await page.isVisible('#elicznik-fetch-day-row'), true);
    await page.evaluate(() => (window as any).$('#node-input-day').typedInput('value', '2026-10-25'));
    await page.selectOption('#node-input-output', 'summary');
    assert.equal(await page.isVisible('#node-input-range'), false, 'the summary picks its own periods');
    assert.equal(await page.isVisible('#elicznik-fetch-summary-tip'), true);
    await page.selectOption('#node-input-output', 'perHour');
    await page.check('#node-input-tauronEcbo');
    await closeDialog(page, '#node-dialog-ok');
    const saved = await page.evaluate(() => {
      const n = (window as any).RED.nodes.node('n1');
      return [n.range, n.day, n.dayType, n.output, n.ecp, n.tauronEcbo, n.valid];
    });
    assert.deepEqual(saved, ['day', '2026-10-25', 'str', 'perHour', true, true, true]);
  });

  it('serves help and catalogs in English and Polish, and the icon', async () => {
    for (const [lang, config, fetchHelp, yesterday] of [
      ['en-US', 'A TAURON eLicznik account', 'Fetches hourly grid consumption', 'Yesterday'],
      ['pl', 'Konto TAURON eLicznik', 'Pobiera z TAURON eLicznik', 'Wczoraj'],
    ]) {
      const html = await (
        await fetch(`${editor.url}/nodes`, { headers: { Accept: 'text/html', 'Accept-Language': lang } })
      ).text();
      assert.ok(html.includes(config), `${lang} config help`);
      assert.ok(html.includes(fetchHelp), `${lang} fetch help`);
      const catalogs = (await (await fetch(`${editor.url}/nodes/messages?lng=${lang}`)).json()) as Record<
        string,
        any
      >;
      const fetchCatalog = Object.entries(catalogs).find(([ns]) => ns.endsWith('/elicznik-fetch'))?.[1];
      assert.equal(fetchCatalog?.['elicznik-fetch']?.range?.yesterday, yesterday);
    }
    const icon = await fetch(`${editor.url}/icons/@prosument/node-red-elicznik/elicznik-fetch.svg`);
    assert.equal(icon.status, 200);
    const def = await page.evaluate(() => {
      const t = (window as any).RED.nodes.getType('elicznik-fetch');
      return [t.category, t.color, t.inputs, t.outputs];
    });
    assert.deepEqual(def, ['eLicznik', '#F2B84B', 1, 1]);
  });

  it('marks the node invalid when the chosen range lacks its dates', async () => {
    await editNode(page, 'n1', '#node-input-range');
    await page.selectOption('#node-input-range', 'range');
    await page.selectOption('#node-input-output', 'hours');
    await closeDialog(page, '#node-dialog-ok');
    assert.equal(await page.evaluate(() => (window as any).RED.nodes.node('n1').valid), false);
    await editNode(page, 'n1', '#node-input-from', 'attached');
    await page.evaluate(() => {
      const $ = (window as any).$;
      $('#node-input-from').typedInput('value', '2026-10-01');
      $('#node-input-to').typedInput('value', '2026-10-31');
    });
    await closeDialog(page, '#node-dialog-ok');
    assert.equal(await page.evaluate(() => (window as any).RED.nodes.node('n1').valid), true);
  });

  it('marks the account invalid when a number is outside what the node accepts', async () => {
    const valid = await page.evaluate(() => {
      const d = (window as any).RED.nodes.getType('elicznik-config').defaults;
      const ok = (name: string, v: string) => !!d[name].validate.call({}, v);
      return {
        timeout: ['0', '1', '600', '601', 'x'].map((v) => ok('timeout', v)),
        minLoginMinutes: ['-1', '0', '1440', '1441'].map((v) => ok('minLoginMinutes', v)),
      };
    });
    assert.deepEqual(valid, {
      timeout: [false, true, true, false, false],
      minLoginMinutes: [false, true, true, false],
    });
  });

  it('marks the node invalid when the measurement has a space or a comma', async () => {
    const valid = await page.evaluate(() => {
      const d = (window as any).RED.nodes.getType('elicznik-fetch').defaults;
      return ['elicznik', '', ' house ', 'my home', 'a,b'].map((v) => !!d.measurement.validate.call({}, v));
    });
    assert.deepEqual(valid, [true, true, true, false, false]);
  });

  it('marks the node invalid when no series is ticked', async () => {
    await editNode(page, 'n1', '#node-input-ecp');
    for (const s of ['ecp', 'eco', 'tauronEcbp', 'tauronEcbo']) await page.uncheck(`#node-input-${s}`);
    await closeDialog(page, '#node-dialog-ok');
    assert.equal(await page.evaluate(() => (window as any).RED.nodes.node('n1').valid), false);
  });
});
