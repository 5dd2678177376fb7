/**
 * The invoice check example in a real browser: Node-RED (child process, temp user dir) with
 * examples/check-invoice-needs-flowfuse-dashboard.json pointed at the simulator, where TAURON's own
 * balanced series differ from ours in one hour. After the example's inject, Chromium opens its
 * Dashboard 2.0 page: the zone table, TAURON's balance next to ours and the differing hour must show
 * what the client and the library compute for the same period.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { balanceHours } from '../../src/energy/balance';
import { compareWithTauron } from '../../src/energy/check';
import { demoFlows, type FlowNode } from '../../src/demo/start';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { ROOT, demoClient, openBrowser, startEditor, type Editor, type EditorBrowser } from './editor';

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.join(ROOT, 'docs', 'screenshots')
  : path.join(ROOT, 'test-output', 'screenshots');

const EXAMPLE = path.join(ROOT, 'examples', 'check-invoice-needs-flowfuse-dashboard.json');

const kwh = (v: number) => v.toFixed(3);
const signed = (v: number) => (v > 0 ? '+' : '') + v.toFixed(3);

/** What the page must show for the period: the library's balance of the client's hours. */
async function expected(sim: SimulatorHandle, from: string, to: string) {
  const client = demoClient(sim);
  try {
    const records = await client.getHourly({ from, to, series: ['ecp', 'eco', 'tauronEcbp', 'tauronEcbo'] });
    const result = balanceHours(records);
    const check = compareWithTauron(result.hours);
    assert.ok(check, 'the simulator serves TAURON’s balanced series');
    return { result, check };
  } finally {
    await client.close();
  }
}

describe('invoice check dashboard (browser)', function () {
  this.timeout(120_000);
  let sim: SimulatorHandle;
  let editor: Editor;
  let browser: EditorBrowser;
  const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as FlowNode[];
  const inject = example.find((n) => n.type === 'inject')!;
  const period = JSON.parse((inject.props as { v: string }[])[0].v) as { from: string; to: string };

  before(async () => {
    sim = await startSimulator();
    // TAURON's balance says 0.2 kWh more ECBP in the repeated 02:00 hour of the autumn clock change
    sim.faults.balancedDifferences = [{ date: '2026-10-25', hour: 3, repeated: true, ecbp: 0.2 }];
    editor = await startEditor(
      'invoice',
      demoFlows({ serviceUrl: sim.serviceUrl, loginUrl: sim.loginUrl }, example),
      { demo: true },
    );
    browser = await openBrowser();
  });

  after(async () => {
    await browser?.close();
    await editor?.stop();
    await sim?.close();
  });

  it('shows the zone sums, TAURON’s balance next to ours and the hour that differs', async () => {
    const want = await expected(sim, period.from, period.to);
    const page = await browser.newPage();
    await page.goto(`${editor.url}/dashboard/invoice`);
    await page.waitForSelector('#nrdb-ui-widget-ci-tc');
    const res = await fetch(`${editor.url}/inject/${inject.id}`, { method: 'POST' });
    assert.equal(res.status, 200);

    const c = want.check;
    const ecbp = `ECBP ours ${kwh(c.ours.ecbp!)}, TAURON ${kwh(c.tauron.ecbp!)} kWh (${signed(c.difference.ecbp!)})`;
    const verdict = `different in 1 of ${c.hoursCompared} h`;
    assert.equal(c.hoursDiffering, 1);
    const text = (id: string) => page.locator(`#nrdb-ui-widget-${id}`).innerText();
    await page.waitForFunction(
      ([want1, want2]) => {
        const t = document.getElementById('nrdb-ui-widget-ci-tc')?.innerText ?? '';
        return t.includes(want1) && t.includes(want2);
      },
      [ecbp, verdict] as const,
      { timeout: 60_000 },
    );
    assert.match(await text('ci-tc'), /\+0\.200/);

    // the differing hour, in the table of hours that differ
    await page.waitForFunction(
      () =>
        /2026-10-25 02:00-03:00 \(repeated\)/.test(
          document.getElementById('nrdb-ui-widget-ci-td')?.innerText ?? '',
        ),
      undefined,
      { timeout: 20_000 },
    );
    const differing = await text('ci-td');
    assert.equal(c.differences.length, 1);
    assert.ok(differing.includes(c.differences[0].zone!), differing);
    assert.ok(differing.includes(kwh(c.differences[0].tauron.ecbp!)), differing);
    assert.match(differing, /\+0\.200/);

    // the zone table: each zone's ECBP and the period's total, as the library sums them
    const zones = await text('ci-tz');
    for (const [code, sums] of Object.entries(want.result.zones)) {
      assert.ok(zones.includes(code), `zone ${code} in ${zones}`);
      assert.ok(zones.includes(kwh(sums.ecbp)), `${code} ECBP ${kwh(sums.ecbp)} in ${zones}`);
    }
    assert.ok(zones.includes(`all zones, ${period.from} - ${period.to}`), zones);
    assert.ok(zones.includes(kwh(want.result.total.ecbo)), `total ECBO in ${zones}`);
    assert.match(await text('ci-tm'), /none/);

    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'invoice-check.png'), fullPage: true });
    await page.close();
  });

  it('logged no console errors on the page', () => {
    assert.deepEqual(browser.errors, []);
  });
});
