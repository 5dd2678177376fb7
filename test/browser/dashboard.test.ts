/**
 * The demo in a real browser: Node-RED (child process, temp user dir) with the demo flow pointed at
 * the simulator; Chromium opens the editor and the Dashboard 2.0 page. The gauges must show what the
 * simulator's hours for yesterday imply, and the live texts must follow injected meter readings.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { balanceHours, balanceWh } from '../../src/energy/balance';
import { NetMeteringBank } from '../../src/settlement';
import { demoFlows, type FlowNode } from '../../src/demo/start';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import {
  ROOT,
  demoClient,
  openBrowser,
  openEditor,
  startEditor,
  type Editor,
  type EditorBrowser,
} from './editor';

/** The heater node's English status texts, `__name__` parameters as a pattern for any value. */
const heaterStatusTexts: RegExp[] = (() => {
  const catalog = JSON.parse(
    fs.readFileSync(
      path.join(ROOT, 'nodes', 'elicznik-heater', 'locales', 'en-US', 'elicznik-heater.json'),
      'utf8',
    ),
  );
  const texts = (o: unknown): string[] =>
    typeof o === 'string' ? [o] : Object.values(o as Record<string, unknown>).flatMap(texts);
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return texts(catalog['elicznik-heater'].status).map(
    (t) =>
      new RegExp(
        `^${t
          .split(/__\w+__/)
          .map(escape)
          .join('[-\\d.]+')}$`,
      ),
  );
})();

/** True when a dashboard line "Heater <text>" shows one of the heater node's status texts. */
function isHeaterStatus(line: string): boolean {
  const text = line.replace(/^Heater\s*/, '').trim();
  return heaterStatusTexts.some((re) => re.test(text));
}

/** README screenshots are refreshed with `UPDATE_SCREENSHOTS=1`; other runs write to test-output/. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(ROOT, 'test-output', 'screenshots');

/** Yesterday's date in Warsaw, `YYYY-MM-DD`. */
function warsawYesterday(now = Date.now()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Warsaw' }).format(new Date(now));
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** The gauge values (kWh, 2 decimals) the simulator's hours imply. */
function expectedTotals(sim: SimulatorHandle, date: string): Record<'ecp' | 'eco' | 'ecbp' | 'ecbo', string> {
  let ecp = 0;
  let eco = 0;
  let ecbp = 0;
  let ecbo = 0;
  for (const h of sim.hourly(DEMO_ACCOUNT.meterPoints[0].id, date)) {
    assert.ok(h.ecp !== null && h.eco !== null, 'the simulator serves all of yesterday');
    const ecpWh = Math.round(h.ecp * 1000);
    const ecoWh = Math.round(h.eco * 1000);
    const b = balanceWh(ecpWh, ecoWh);
    ecp += ecpWh;
    eco += ecoWh;
    ecbp += b.ecbp;
    ecbo += b.ecbo;
  }
  const kwh = (wh: number) => String(Math.round(wh / 10) / 100);
  return { ecp: kwh(ecp), eco: kwh(eco), ecbp: kwh(ecbp), ecbo: kwh(ecbo) };
}

/**
 * The bank (kWh, 2 decimals) and the months the demo's settlement part should show: this year's
 * hours to yesterday, read with the client, balanced and settled by the library with the demo
 * node's settings.
 */
async function expectedBank(
  sim: SimulatorHandle,
  yesterday: string,
): Promise<{ kwh: string; months: number }> {
  const client = demoClient(sim);
  try {
    const records = await client.getHourly({
      from: `${yesterday.slice(0, 4)}-01-01`,
      to: yesterday,
      series: ['ecp', 'eco'],
    });
    const bank = new NetMeteringBank({
      ratio: 0.8,
      windowDays: 365,
      zonePriority: 'distribution',
      prices: { T1: { energy: 0.62, distribution: 0.38 }, T2: { energy: 0.45, distribution: 0.09 } },
    });
    bank.pushAll(balanceHours(records).hours);
    // the open month provisionally covered from the bank, as the node's statements and gauge show it
    const wh = bank.preview()?.month.balanceWh ?? bank.balanceWh;
    return { kwh: String(Math.round(wh / 10) / 100), months: Number(yesterday.slice(5, 7)) };
  } finally {
    await client.close();
  }
}

/** The demo flow with its 10-second simulated meter replaced by two readings the test injects. */
function testFlows(sim: SimulatorHandle): FlowNode[] {
  const flows = demoFlows({ serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl }).filter(
    (n) => n.id !== 'db-i2',
  );
  const reading = (id: string, name: string, payload: object, y: number): FlowNode => ({
    id,
    type: 'inject',
    z: 'db-tab',
    name,
    props: [{ p: 'payload' }],
    repeat: '',
    crontab: '',
    once: false,
    topic: '',
    payload: JSON.stringify(payload),
    payloadType: 'json',
    x: 140,
    y,
    wires: [['db-b2']],
  });
  return [
    ...flows,
    reading('bt-import', 'import 0.5 kWh', { ecp: 0.5, eco: 0 }, 540),
    reading('bt-export', 'export 2 kWh', { ecp: 0, eco: 2 }, 580),
  ];
}

describe('demo dashboard (browser)', function () {
  this.timeout(90_000);
  let sim: SimulatorHandle;
  let editor: Editor;
  let browser: EditorBrowser;

  before(async () => {
    sim = await startSimulator();
    editor = await startEditor('dashboard', testFlows(sim), { demo: true });
    // Dashboard 2.0's chart library draws an SVG before its container has a size when the machine
    // is busy; Chromium reports those negative <rect> sizes as errors. They come from the widget's
    // first layout pass, not from our flow, and the chart is redrawn once the container has a size.
    browser = await openBrowser({
      expected: (m) => /<rect> attribute (width|height): A negative value is not valid/.test(m.text()),
    });
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
    await sim?.close();
  });

  it('shows the deployed demo flow in the editor', async () => {
    const page = await browser.newPage();
    await openEditor(page, editor.url, 'db-h1');
    await page.waitForTimeout(500);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'editor.png') });
    const flows = (await editor.red.getFlows()) as FlowNode[];
    assert.ok(!JSON.stringify(flows).includes(DEMO_ACCOUNT.password + '"'), 'no password in GET /flows');
    await page.close();
  });

  it("shows yesterday's totals as the simulator's hours imply them", async () => {
    const expected = expectedTotals(sim, warsawYesterday());
    const page = await browser.newPage();
    await page.goto(`${editor.url}/dashboard/elicznik`);
    for (const [title, key] of [
      ['ECP (import)', 'ecp'],
      ['ECO (export)', 'eco'],
      ['ECBP (billed import)', 'ecbp'],
      ['ECBO (balanced export)', 'ecbo'],
    ] as const) {
      await page.waitForFunction(
        ([t, v]) =>
          Array.from(document.querySelectorAll('.nrdb-ui-gauge')).some(
            (g) => g.textContent?.includes(t) && g.textContent?.includes(v),
          ),
        [title, expected[key]] as const,
        { timeout: 20_000 },
      );
      assert.ok(
        (await page.locator('.nrdb-ui-gauge', { hasText: title }).innerText()).includes(expected[key]),
      );
    }
    await page.close();
  });

  it("shows this year's net-metering bank as the settlement library computes it, with monthly bars", async () => {
    const yesterday = warsawYesterday();
    const expected = await expectedBank(sim, yesterday);
    const page = await browser.newPage();
    await page.goto(`${editor.url}/dashboard/elicznik`);
    await page.waitForFunction(
      (v) =>
        Array.from(document.querySelectorAll('.nrdb-ui-gauge')).some(
          (g) => g.textContent?.includes('Energy in the bank') && g.textContent?.includes(v),
        ),
      expected.kwh,
      { timeout: 30_000 },
    );
    const chart = page.locator('#nrdb-ui-widget-db-bars');
    await chart.waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector('#nrdb-ui-widget-db-bars canvas, #nrdb-ui-widget-db-bars svg') ? true : false,
      undefined,
      { timeout: 20_000 },
    );
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
    await page.close();
  });

  it('turns the surplus and heater texts when the readings cross the threshold', async () => {
    const page = await browser.newPage();
    await page.goto(`${editor.url}/dashboard/elicznik`);
    await page.waitForSelector('#nrdb-ui-widget-db-txt');
    const text = (id: string) => page.locator(`#nrdb-ui-widget-${id}`).innerText();
    const waitText = (id: string, pattern: RegExp) =>
      page.waitForFunction(
        ([el, source]) => new RegExp(source).test(document.getElementById(el)?.innerText ?? ''),
        [`nrdb-ui-widget-${id}`, pattern.source] as const,
      );
    const inject = async (id: string) => {
      const res = await fetch(`${editor.url}/inject/${id}`, { method: 'POST' });
      assert.equal(res.status, 200);
    };
    await inject('bt-import');
    await waitText('db-txt2', /no surplus/);
    const heaterBefore = await text('db-txt');
    assert.match(heaterBefore, /off/);
    // the heater's state in words, as its node status says it, not a reason code
    assert.ok(isHeaterStatus(heaterBefore), heaterBefore);
    await inject('bt-export');
    await waitText('db-txt2', /This hour\s*surplus/);
    await page.waitForFunction(
      (before) => document.getElementById('nrdb-ui-widget-db-txt')?.innerText !== before,
      heaterBefore,
    );
    const heaterAfter = await text('db-txt');
    assert.notEqual(heaterAfter, heaterBefore);
    assert.ok(isHeaterStatus(heaterAfter), heaterAfter);
    // today's energy the heater took from surplus, from the heater's decision
    await waitText('db-txt3', /Heater today\s*\d+\.\d\d kWh from surplus/);
    await page.close();
  });

  it('logged no console errors on any page', () => {
    assert.deepEqual(browser.errors, []);
  });
});
