/**
 * The two edit dialogs in a real editor: Node-RED runs as a child process with this package (built
 * to dist/), Chromium drives the editor. Skipped when no Chromium is installed or the editor files
 * are not built (`npm run build`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startNodeRed, type NodeRedProcess } from '../../src/demo/node-red-process';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';

const ROOT = path.resolve(__dirname, '../../..');
const [G11, G12W] = DEMO_ACCOUNT.meterPoints;

function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && fs.existsSync(p));
}

describe('elicznik-config and elicznik-fetch edit dialogs (browser)', function () {
  this.timeout(60_000);
  let sim: SimulatorHandle;
  let red: NodeRedProcess;
  let browser: Browser;
  let page: Page;
  let userDir: string;
  const pageErrors: string[] = [];

  before(async function () {
    const exe = chromiumPath();
    const built = fs.existsSync(path.join(ROOT, 'dist/nodes/elicznik-config/elicznik-config.html'));
    if (!exe || !built) this.skip();
    sim = await startSimulator();
    userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-editor-'));
    // CI points NODE_RED_PATH at another Node-RED install for its second run; use that one too.
    const nodeRedDir = process.env.NODE_RED_PATH ? path.resolve(process.env.NODE_RED_PATH) : undefined;
    red = await startNodeRed({ userDir, packageDir: ROOT, ...(nodeRedDir ? { nodeRedDir } : {}) });
    await red.deploy([
      { id: 'f1', type: 'tab', label: 'eLicznik' },
      {
        id: 'c1',
        type: 'elicznik-config',
        name: '',
        meterPoint: G11.id,
        meterPointLabel: '',
        serviceUrl: sim.serviceUrl,
        loginUrl: sim.loginUrl,
        timeout: 10,
        minLoginMinutes: 0,
        credentials: { username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
      },
      { id: 'n1', type: 'elicznik-fetch', z: 'f1', account: 'c1', x: 200, y: 100, wires: [[]] },
    ]);
    browser = await chromium.launch({ executablePath: exe, args: ['--no-sandbox'] });
    page = await browser.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(red.url);
    await page.waitForFunction(() => {
      const RED = (window as any).RED;
      return !!(RED && RED.editor && RED.nodes && RED.nodes.node('n1'));
    });
  });

  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  afterEach(() => {
    assert.deepEqual(pageErrors.splice(0), [], 'no script errors in the editor');
  });

  async function closeTray(
    button: '#node-dialog-ok' | '#node-config-dialog-ok' | '#node-config-dialog-cancel',
  ) {
    await page.click(button);
    await page.waitForFunction(() => document.querySelectorAll('.red-ui-tray').length === 0);
  }

  it('lists the meter points with the stored password and keeps the chosen one', async () => {
    await page.evaluate(() => (window as any).RED.editor.editConfig('', 'elicznik-config', 'c1'));
    await page.waitForSelector('#node-config-input-meterPoint');
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
    await closeTray('#node-config-dialog-ok');
    const saved = await page.evaluate(() => {
      const n = (window as any).RED.nodes.node('c1');
      return { meterPoint: n.meterPoint, meterPointLabel: n.meterPointLabel };
    });
    assert.deepEqual(saved, { meterPoint: G12W.id, meterPointLabel: '590322400100223344 · G12W' });
  });

  it('shows the reason when the typed password is wrong', async () => {
    await page.evaluate(() => (window as any).RED.editor.editConfig('', 'elicznik-config', 'c1'));
    await page.waitForSelector('#node-config-input-password');
    await page.fill('#node-config-input-password', 'not-it');
    await page.click('#elicznik-config-list-points');
    await page.waitForFunction(() =>
      /rejected the e-mail or password/.test(
        document.getElementById('elicznik-config-points-message')?.textContent ?? '',
      ),
    );
    await closeTray('#node-config-dialog-cancel');
  });

  it('keeps the advanced settings collapsed for a new account with the TAURON addresses', async () => {
    await page.evaluate(() => (window as any).RED.editor.editConfig('', 'elicznik-config', '_ADD_'));
    await page.waitForSelector('#node-config-input-serviceUrl', { state: 'attached' });
    assert.equal(await page.isVisible('#elicznik-config-advanced'), false);
    assert.equal(
      await page.inputValue('#node-config-input-serviceUrl'),
      'https://elicznik.tauron-dystrybucja.pl',
    );
    await page.click('#elicznik-config-advanced-toggle');
    assert.equal(await page.isVisible('#node-config-input-loginUrl'), true);
    await closeTray('#node-config-dialog-cancel');
  });

  it('shows the range fields the chosen range needs and saves them', async () => {
    await page.evaluate(() => {
      const RED = (window as any).RED;
      RED.editor.edit(RED.nodes.node('n1'));
    });
    await page.waitForSelector('#node-input-range');
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
    await closeTray('#node-dialog-ok');
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
        await fetch(`${red.url}/nodes`, { headers: { Accept: 'text/html', 'Accept-Language': lang } })
      ).text();
      assert.ok(html.includes(config), `${lang} config help`);
      assert.ok(html.includes(fetchHelp), `${lang} fetch help`);
      const catalogs = (await (await fetch(`${red.url}/nodes/messages?lng=${lang}`)).json()) as Record<
        string,
        any
      >;
      const fetchCatalog = Object.entries(catalogs).find(([ns]) => ns.endsWith('/elicznik-fetch'))?.[1];
      assert.equal(fetchCatalog?.['elicznik-fetch']?.range?.yesterday, yesterday);
    }
    const icon = await fetch(`${red.url}/icons/@prosument/node-red-elicznik/elicznik-fetch.svg`);
    assert.equal(icon.status, 200);
    const def = await page.evaluate(() => {
      const t = (window as any).RED.nodes.getType('elicznik-fetch');
      return [t.category, t.color, t.inputs, t.outputs];
    });
    assert.deepEqual(def, ['eLicznik', '#F2B84B', 1, 1]);
  });

  it('marks the node invalid when the chosen range lacks its dates', async () => {
    const edit = () =>
      page.evaluate(() => {
        const RED = (window as any).RED;
        RED.editor.edit(RED.nodes.node('n1'));
      });
    await edit();
    await page.waitForSelector('#node-input-range');
    await page.selectOption('#node-input-range', 'range');
    await page.selectOption('#node-input-output', 'hours');
    await closeTray('#node-dialog-ok');
    assert.equal(await page.evaluate(() => (window as any).RED.nodes.node('n1').valid), false);
    await edit();
    await page.waitForSelector('#node-input-from', { state: 'attached' });
    await page.evaluate(() => {
      const $ = (window as any).$;
      $('#node-input-from').typedInput('value', '2026-10-01');
      $('#node-input-to').typedInput('value', '2026-10-31');
    });
    await closeTray('#node-dialog-ok');
    assert.equal(await page.evaluate(() => (window as any).RED.nodes.node('n1').valid), true);
  });

  it('marks the node invalid when no series is ticked', async () => {
    await page.evaluate(() => {
      const RED = (window as any).RED;
      RED.editor.edit(RED.nodes.node('n1'));
    });
    await page.waitForSelector('#node-input-ecp');
    for (const s of ['ecp', 'eco', 'tauronEcbp', 'tauronEcbo']) await page.uncheck(`#node-input-${s}`);
    await closeTray('#node-dialog-ok');
    assert.equal(await page.evaluate(() => (window as any).RED.nodes.node('n1').valid), false);
  });
});
