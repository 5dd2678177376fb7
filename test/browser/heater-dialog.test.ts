/**
 * The heater node's dialog in a real editor (the shared harness, `editor.ts`): a node saved before
 * the list of loads existed opens with one load of its power; stages, a percentage load and the
 * output count are saved; the help shows in Polish.
 */
import assert from 'node:assert/strict';
import { editNode, openBrowser, openEditor, startEditor, type Editor } from './editor';

const FLOWS = [
  { id: 't1', type: 'tab', label: 'heater dialog' },
  // as the first version saved it: loadKw, no loads, three outputs
  {
    id: 'h1',
    type: 'elicznik-heater',
    z: 't1',
    name: 'boiler',
    mode: 'budget',
    loadKw: '2.5',
    loadProperty: '',
    minRun: '5',
    margin: '0.02',
    guard: '1',
    trend: '5',
    onThreshold: '0.2',
    offThreshold: '0.02',
    minOn: '5',
    minOff: '5',
    onDelay: '1',
    maxSwitches: '6',
    failSafe: '5',
    maxOnPerDay: '0',
    onValue: 'true',
    onValueType: 'bool',
    offValue: 'false',
    offValueType: 'bool',
    repeat: '0',
    store: '',
    x: 300,
    y: 100,
    wires: [[], [], []],
  },
];

describe('heater dialog and help (browser)', function () {
  this.timeout(90_000);
  let editor: Editor;

  before(async () => {
    editor = await startEditor('heater-dialog', FLOWS);
  });

  after(async () => {
    await editor?.stop();
  });

  it('opens an old node with one load, saves stages and a percentage load with one output each', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.newPage();
      await openEditor(page, editor.url, 'h1');
      await editNode(page, 'h1', '.node-input-load-kw');
      assert.deepEqual(
        await page.$$eval('.node-input-load-kw', (els) => els.map((e) => (e as HTMLInputElement).value)),
        ['2.5'],
      );
      await page.selectOption('.node-input-load-stages >> nth=0', '3');
      await page.fill('.node-input-load-kw >> nth=0', '3');
      await page.click(
        '#node-input-loads-container + .red-ui-editableList-addButton, .red-ui-editableList-addButton',
      );
      await page.waitForSelector('.node-input-load-kw >> nth=1');
      await page.fill('.node-input-load-name >> nth=1', 'ssr');
      await page.fill('.node-input-load-kw >> nth=1', '2');
      await page.selectOption('.node-input-load-output >> nth=1', 'percent');
      await page.fill('#node-input-reserveHours', '36');
      await page.click('#node-dialog-ok');
      await page.waitForSelector('.node-input-load-kw', { state: 'detached' });
      const ports = await page.evaluate(() => (window as any).RED.nodes.node('h1').outputs);
      assert.equal(ports, 5);
      await page.click('#red-ui-header-button-deploy');
      await page.waitForFunction(() => !(window as any).RED.nodes.dirty());
      const saved = ((await editor.red.getFlows()) as any[]).find((n) => n.id === 'h1');
      assert.deepEqual(saved.loads, [
        { name: 'boiler', kw: '3', stages: 3, output: 'relay' },
        { name: 'ssr', kw: '2', stages: 1, output: 'percent' },
      ]);
      assert.equal(saved.outputs, 5);
      assert.equal(saved.reserveHours, '36');
      assert.equal(saved.wires.length, 5);
      assert.deepEqual(browser.errors, [], 'no script errors in the editor');
    } finally {
      await browser.close();
    }
  });

  it('takes only a whole number of switches an hour, as the node does', async () => {
    const browser = await openBrowser();
    try {
      const page = await browser.newPage();
      await openEditor(page, editor.url, 'h1');
      const valid = await page.evaluate(() => {
        const RED = (window as any).RED;
        const check = RED.nodes.getType('elicznik-heater').defaults.maxSwitches.validate;
        const node = RED.nodes.node('h1');
        return ['6', '0', '2.5', '1,5', '-1', ''].map((v) => check.call(node, v));
      });
      assert.deepEqual(valid, [true, true, false, false, false, false]);
      assert.deepEqual(browser.errors, [], 'no script errors in the editor');
    } finally {
      await browser.close();
    }
  });

  it('shows the help in Polish with the bank, the reserve and the loads', async () => {
    const browser = await openBrowser({ lang: 'pl-PL' });
    try {
      const page = await browser.newPage();
      await openEditor(page, editor.url, 'h1');
      await page.evaluate(() => (window as any).RED.sidebar.help.show('elicznik-heater'));
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('.red-ui-help')).some(
            (el) =>
              (el as HTMLElement).offsetParent !== null &&
              /Rezerwa/.test(el.textContent ?? '') &&
              /Stopnie, wyjście procentowe i kilka odbiorników/.test(el.textContent ?? ''),
          ),
        undefined,
        { timeout: 10_000 },
      );
    } finally {
      await browser.close();
    }
  });
});
