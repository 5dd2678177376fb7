import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { RCE_PATH } from '../../src/simulator/rce';
import { settleNetMetering } from '../../src/settlement/net-metering';
import { nodeRedPath } from '../support/node-red';
import { hourOf, randomHours } from '../settlement/support';
import settlementNode = require('../../nodes/elicznik-settlement/elicznik-settlement');
import { rcemTableOf, storePersists } from '../../nodes/elicznik-settlement/settings';

type Flow = Parameters<typeof helper.load>[1];
type AnyNode = any;

/** The runtime's flows and context modules behind the helper (to restart flows like Node-RED does). */
interface HelperInternals {
  _redNodes: { stopFlows(): Promise<void>; startFlows(): Promise<void> };
  _context: { init(settings: unknown): void; load(): Promise<void> };
  _settings: unknown;
}
const internals = helper as unknown as HelperInternals;

const PRICES = [
  { zone: 'T1', energy: '0.62', distribution: '0.38' },
  { zone: 'T2', energy: '0.45', distribution: '0.09' },
];

function flow(props: Record<string, unknown> = {}): Flow {
  return [
    {
      id: 'n1',
      type: 'elicznik-settlement',
      name: '',
      system: 'net-metering',
      zonePrices: PRICES,
      output: 'month',
      store: '',
      wires: [['h1']],
      ...props,
    },
    { id: 'h1', type: 'helper' },
  ] as unknown as Flow;
}

interface Waiter {
  resolve(msg: AnyNode): void;
  reject(err: unknown): void;
}
const mailboxes = new WeakMap<object, Waiter[]>();

/**
 * Sends a message and resolves with the output message, or rejects with the error the node
 * reported. The node handles messages in order, so answers are matched first in, first out.
 */
function exchange(msg: Record<string, unknown>): Promise<AnyNode> {
  const n1 = helper.getNode('n1') as AnyNode;
  let waiting = mailboxes.get(n1);
  if (!waiting) {
    const queue: Waiter[] = [];
    waiting = queue;
    mailboxes.set(n1, queue);
    (helper.getNode('h1') as AnyNode).on('input', (m: AnyNode) => queue.shift()?.resolve(m));
    n1.on('call:error', (call: AnyNode) => queue.shift()?.reject(call.args[0]));
  }
  const queue = waiting;
  return new Promise((resolve, reject) => {
    queue.push({ resolve, reject });
    n1.receive(msg);
  });
}

function lastStatus(): { fill?: string; shape?: string; text?: string } {
  const n1 = helper.getNode('n1') as AnyNode;
  const calls = n1.status.getCalls();
  return calls.length ? calls[calls.length - 1].args[0] : {};
}

/** A Node-RED restart: flows stop, the context stores are opened again from their files, flows start. */
async function restart(): Promise<void> {
  await internals._redNodes.stopFlows();
  internals._context.init(internals._settings);
  await internals._context.load();
  await internals._redNodes.startFlows();
}

describe('elicznik-settlement node', function () {
  this.timeout(20_000);

  before(() => {
    helper.init(nodeRedPath());
  });
  afterEach(async () => {
    await helper.unload();
    helper.settings({});
  });

  describe('net-metering', () => {
    it('settles a history range from the balance node output into month statements', async () => {
      await helper.load(settlementNode, flow());
      const hours = randomHours('node', '2025-05-01', '2025-07-10');
      const out = await exchange({ payload: { hours }, topic: 'pv' });
      assert.equal(out.topic, 'pv', 'other properties pass through');
      const expected = settleNetMetering(hours, {
        prices: { T1: { energy: 0.62, distribution: 0.38 }, T2: { energy: 0.45, distribution: 0.09 } },
      });
      assert.deepEqual(
        out.payload.statements,
        expected.periods.map((p) => p.month),
      );
      assert.equal(out.payload.system, 'net-metering');
      assert.equal(out.payload.settled, hours.length);
      assert.equal(out.payload.skipped, 0);
      assert.equal(out.payload.bankKwh, expected.periods.at(-1)!.month.balanceWh / 1000);
      assert.equal(out.payload.settledThrough, hours.at(-1)!.hourStart);
      // Only the memory store exists in the test runtime: the status says so.
      const status = lastStatus();
      assert.equal(status.fill, 'yellow');
      assert.match(
        String(status.text),
        /elicznik-settlement\.status\.bank · elicznik-settlement\.status\.memoryOnly/,
      );
    });

    it('takes live hours one by one: provisional month first, final when its last hour comes', async () => {
      await helper.load(settlementNode, flow({ output: 'day' }));
      const first = await exchange({ payload: hourOf('2026-05-31', 12, { ecbo: 2 }) });
      assert.deepEqual(
        first.payload.statements.map((s: AnyNode) => [s.label, s.final, s.total.bankedWh]),
        [['2026-05-31', false, 1600]],
      );
      const last = await exchange({ payload: hourOf('2026-05-31', 24, { ecbp: 0.5 }) });
      assert.deepEqual(
        last.payload.statements.map((s: AnyNode) => [s.label, s.final, s.total.usedWh, s.balanceWh]),
        [['2026-05-31', true, 500, 1100]],
      );
      const again = await exchange({ payload: hourOf('2026-05-31', 24, { ecbp: 0.5 }) });
      assert.equal(again.payload.skipped, 1);
      assert.deepEqual(again.payload.statements, []);
    });

    it('sends hour statements of the hours it settled', async () => {
      await helper.load(settlementNode, flow({ output: 'hour' }));
      await exchange({ payload: [hourOf('2026-06-01', 12, { ecbo: 1 })] });
      const out = await exchange({ payload: [hourOf('2026-06-01', 20, { ecbp: 0.3 })] });
      assert.deepEqual(
        out.payload.statements.map((h: AnyNode) => [h.hourStart, h.usedWh, h.final]),
        [['2026-06-01T19:00:00+02:00', 300, false]],
      );
    });

    it('resets and rebuilds on command', async () => {
      await helper.load(settlementNode, flow());
      const hours = randomHours('rebuild', '2025-06-01', '2025-06-20');
      const fresh = await exchange({ payload: hours });
      await exchange({ payload: randomHours('more', '2025-06-21', '2025-06-25') });
      const rebuilt = await exchange({ command: 'rebuild', payload: hours });
      assert.deepEqual(rebuilt.payload.statements, fresh.payload.statements);
      assert.equal(rebuilt.payload.command, 'rebuild');
      const reset = await exchange({ command: 'reset' });
      assert.equal(reset.payload.bankKwh, 0);
      assert.equal(reset.payload.settledThrough, null);
      await assert.rejects(exchange({ command: 'undo' }), { code: 'BAD_INPUT' });
    });

    it('settles the next hours onto the emptied bank after reset and rebuild', async () => {
      await helper.load(settlementNode, flow());
      // 2 kWh exported on June 1 at 12:00 banks 2 × 0.8 = 1.6 kWh.
      await exchange({ payload: [hourOf('2026-06-01', 12, { ecbo: 2 })] });
      await exchange({ command: 'reset' });
      // After the reset the bank is empty: 1 kWh exported on June 2 banks 0.8 kWh, and the bank holds
      // just that (the 1.6 kWh of June 1 are gone), not 1.6 + 0.8 = 2.4 kWh.
      const next = await exchange({ payload: [hourOf('2026-06-02', 12, { ecbo: 1 })] });
      assert.equal(next.payload.settled, 1);
      assert.equal(next.payload.bankKwh, 0.8);

      // A rebuild from June 3 on: 0.5 kWh banks 0.4 kWh; the next live hour (June 4, 0.5 kWh → 0.4 kWh)
      // adds to that: 0.8 kWh, not the 0.8 + 0.4 = 1.2 kWh of the bank before the rebuild.
      const rebuilt = await exchange({
        command: 'rebuild',
        payload: [hourOf('2026-06-03', 12, { ecbo: 0.5 })],
      });
      assert.equal(rebuilt.payload.bankKwh, 0.4);
      const after = await exchange({ payload: [hourOf('2026-06-04', 12, { ecbo: 0.5 })] });
      assert.equal(after.payload.bankKwh, 0.8);
    });

    it('settles net-metering with the editor’s default zone row left without prices', async () => {
      // The editor starts with one row T1 without prices and lets net-metering be saved so; the bank
      // needs no prices (costs are then null): 1 kWh exported banks 0.8 kWh, 0.3 kWh imported later
      // is covered from it, 0.5 kWh stay.
      await helper.load(settlementNode, flow({ zonePrices: [{ zone: 'T1', energy: '', distribution: '' }] }));
      const out = await exchange({
        payload: [hourOf('2026-06-01', 12, { ecbo: 1 }), hourOf('2026-06-01', 20, { ecbp: 0.3 })],
      });
      assert.equal(out.payload.bankKwh, 0.5);
      assert.equal(out.payload.statements[0].total.usedWh, 300);
      assert.equal(out.payload.statements[0].total.costBeforeGr, null);
    });

    it('reports bad input and bad settings with BAD_INPUT and a red status', async () => {
      await helper.load(settlementNode, flow());
      await assert.rejects(exchange({ payload: 'hello' }), { code: 'BAD_INPUT' });
      assert.deepEqual(
        [lastStatus().fill, lastStatus().text],
        ['red', 'elicznik-settlement.reason.BAD_INPUT'],
      );
      await assert.rejects(exchange({ payload: [], prices: { '2025-01': 400 } }), { code: 'BAD_INPUT' });
      // A start without its UTC offset would be read in the server's time zone (UTC in many
      // containers: 2026-05-31 23:00 there is June 1 01:00 in Warsaw), so it is refused.
      await assert.rejects(exchange({ payload: { hourStart: '2026-05-31T23:00:00', ecp: 0, eco: 1 } }), {
        code: 'BAD_INPUT',
        message: /offset/,
      });
      await helper.unload();
      await helper.load(settlementNode, flow({ ratio: 'abc' }));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(
        [lastStatus().fill, lastStatus().text],
        ['red', 'elicznik-settlement.status.settings'],
      );
      await assert.rejects(exchange({ payload: [hourOf('2026-06-01', 12, { ecbo: 1 })] }), {
        code: 'BAD_INPUT',
      });
    });
  });

  describe('state in a persistent context store', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'elicznik-settlement-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('keeps the bank across restarts and says nothing about memory', async () => {
      helper.settings({
        contextStorage: {
          memory: { module: 'memory' },
          file: { module: 'localfilesystem', config: { dir, cache: false } },
        },
      } as Record<string, unknown>);
      await helper.load(settlementNode, flow({ store: 'file' }));
      await restart();
      const a = await exchange({ payload: [hourOf('2026-06-01', 12, { ecbo: 1 })] });
      assert.equal(a.payload.bankKwh, 0.8);
      assert.equal(lastStatus().fill, 'green');
      assert.doesNotMatch(String(lastStatus().text), /memoryOnly/);

      await restart();
      await new Promise((r) => setTimeout(r, 50));
      assert.match(String(lastStatus().text), /status\.bank/, 'the saved bank shows at start');
      const b = await exchange({ payload: [hourOf('2026-06-02', 20, { ecbp: 0.3 })] });
      assert.equal(b.payload.bankKwh, 0.5);
      assert.equal(b.payload.statements[0].total.bankedWh, 800, 'the month still has the hour from before');
      assert.equal(b.payload.statements[0].total.usedWh, 300);

      // The default memory store is not kept: after a restart the bank would start empty.
      await helper.unload();
      helper.settings({});
      await helper.load(settlementNode, flow({ store: '' }));
      const c = await exchange({ payload: [hourOf('2026-06-02', 21, { ecbp: 0.3 })] });
      assert.equal(c.payload.bankKwh, 0);
    });

    it('remembers RCEm that came in a message across a restart', async () => {
      helper.settings({
        contextStorage: { file: { module: 'localfilesystem', config: { dir, cache: false } } },
      } as Record<string, unknown>);
      await helper.load(settlementNode, flow({ system: 'net-billing', store: 'file', id: 'n1' }));
      await restart();
      await exchange({ payload: [hourOf('2025-03-05', 12, { ecbo: 1 })], prices: { '2025-03': 400 } });
      await restart();
      const out = await exchange({ payload: [hourOf('2025-04-01', 1, {})] });
      // 1000 Wh × 400 PLN/MWh × 1.23 = 492 000 µPLN → 49 gr.
      assert.equal(out.payload.statements[0].depositAddedGr, 49);
      assert.equal(lastStatus().fill, 'green');
    });

    it("keeps the hours that wait for a month's RCEm, across a restart, and settles them when it comes", async () => {
      helper.settings({
        contextStorage: { file: { module: 'localfilesystem', config: { dir, cache: false } } },
      } as Record<string, unknown>);
      await helper.load(
        settlementNode,
        flow({ system: 'net-billing', priceMode: 'rcem', output: 'month', store: 'file', id: 'n1' }),
      );
      await restart();
      await exchange({ command: 'reset' });
      await exchange({ payload: [hourOf('2025-03-05', 12, { ecbo: 1 })] });
      // April's first hour would close March, whose RCEm is not known: it waits, no error
      const first = await exchange({ payload: [hourOf('2025-04-01', 1, {})] });
      assert.deepEqual(first.payload.waiting, { hours: 1, for: 'the RCEm of 2025-03', month: '2025-03' });
      assert.equal(first.payload.settled, 0);
      assert.equal(lastStatus().fill, 'yellow');
      assert.match(String(lastStatus().text), /status\.waiting/);
      const second = await exchange({ payload: [hourOf('2025-04-02', 1, { ecbp: 1 })] });
      assert.equal(second.payload.waiting.hours, 2);
      await restart();
      const out = await exchange({ prices: { '2025-03': 400 } });
      assert.equal(out.payload.waiting, undefined);
      assert.equal(out.payload.settled, 2);
      // 1000 Wh × 400 PLN/MWh × 1.23 = 492 000 µPLN → 49 gr for March
      assert.equal(out.payload.statements[0].depositAddedGr, 49);
      assert.equal(out.payload.settledThrough, hourOf('2025-04-02', 1, {}).hourStart);
      assert.equal(lastStatus().shape, 'dot');
    });

    it('reads the RCEm table with decimal points or commas, separated by commas, semicolons or lines', () => {
      assert.deepEqual(rcemTableOf('2025-03=412,55, 2025-04=300,2025-05 = 298.5;2025-06:310\n2025-07=1,5,'), {
        '2025-03': 412.55,
        '2025-04': 300,
        '2025-05': 298.5,
        '2025-06': 310,
        '2025-07': 1.5,
      });
      assert.deepEqual(rcemTableOf(''), {});
      assert.throws(() => rcemTableOf('2025-03=412,55,5'), /"2025-03=412,55,5" is not YYYY-MM=price/);
      assert.throws(() => rcemTableOf('March=400'), /"March=400" is not YYYY-MM=price/);
    });

    it('tells persistent stores from memory ones', () => {
      assert.equal(storePersists(undefined, ''), false);
      assert.equal(storePersists({ default: { module: 'memory' } }, ''), false);
      assert.equal(storePersists({ default: { module: 'localfilesystem' } }, ''), true);
      const both = { default: 'file', memory: { module: 'memory' }, file: { module: 'localfilesystem' } };
      assert.equal(storePersists(both, ''), true);
      assert.equal(storePersists(both, 'memory'), false);
      assert.equal(
        storePersists({ mem: { module: 'memory' }, disk: { module: 'localfilesystem' } }, ''),
        false,
      );
    });
  });

  describe('net-billing', () => {
    let sim: SimulatorHandle;
    before(async () => {
      sim = await startSimulator({ today: '2025-09-10' });
    });
    after(async () => {
      await sim.close();
    });

    it('values export at hourly RCE fetched from the report URL', async () => {
      await helper.load(
        settlementNode,
        flow({
          system: 'net-billing',
          priceMode: 'rce',
          rceSource: 'url',
          rceUrl: `${sim.serviceUrl}${RCE_PATH}`,
          output: 'hour',
        }),
      );
      const hours = [hourOf('2025-06-21', 13, { ecbo: 2 }), hourOf('2025-06-21', 21, { ecbp: 1 })];
      const out = await exchange({ payload: hours });
      const [noon, evening] = out.payload.statements;
      assert.equal(noon.priceSource, 'rce');
      assert.equal(typeof noon.pricePlnPerMwh, 'number');
      assert.equal(noon.surplusValuePln, Math.round(2000 * Math.max(noon.pricePlnPerMwh, 0) * 1.23) / 1e6);
      assert.equal(evening.energyCostPln, 0.62);
      assert.equal(out.payload.system, 'net-billing');
      assert.equal(sim.stats.requests[RCE_PATH], 1);
    });

    it('keeps the RCEm that came in messages when rebuilding', async () => {
      await helper.load(settlementNode, flow({ system: 'net-billing', priceMode: 'rcem', output: 'month' }));
      await exchange({ payload: [hourOf('2025-03-05', 12, { ecbo: 1 })], prices: { '2025-03': 400 } });
      // The history again from scratch, without prices: the March RCEm sent before still values it.
      // 1000 Wh × 400 PLN/MWh × 1.23 = 492 000 µPLN → 49 gr.
      const out = await exchange({
        command: 'rebuild',
        payload: [hourOf('2025-03-05', 12, { ecbo: 1 }), hourOf('2025-04-01', 1, {})],
      });
      assert.equal(out.payload.statements[0].depositAddedGr, 49);
    });

    it('uses the RCEm table typed in the node', async () => {
      await helper.load(
        settlementNode,
        flow({ system: 'net-billing', rcemTable: '2025-03=400\n2025-04 = 350', output: 'month' }),
      );
      const out = await exchange({
        payload: [hourOf('2025-03-05', 12, { ecbo: 1 }), hourOf('2025-04-01', 1, {})],
      });
      assert.equal(out.payload.statements[0].depositAddedGr, 49);
    });

    it('sends and keeps the months it closed before an hour it cannot settle, then reports the error', async () => {
      await helper.load(
        settlementNode,
        flow({ system: 'net-billing', rcemTable: '2025-03=400', output: 'month' }),
      );
      const n1 = helper.getNode('n1') as AnyNode;
      const sent: AnyNode[] = [];
      (helper.getNode('h1') as AnyNode).on('input', (m: AnyNode) => sent.push(m));
      const reported = new Promise<AnyNode>((resolve) => n1.once('call:error', resolve));
      // April 1 closes March; the hour of April 2 is of a zone without a price and stops the message.
      const hours = [
        hourOf('2025-03-05', 12, { ecbo: 1 }),
        hourOf('2025-04-01', 1, {}),
        hourOf('2025-04-02', 12, { ecbp: 1, zone: 'T3' }),
      ];
      n1.receive({ payload: hours, topic: 'pv' });
      const call = await reported;
      assert.equal(call.args[0].code, 'BAD_INPUT');
      assert.match(call.args[0].message, /zone T3 on 2025-04-02/);
      assert.deepEqual(call.args[1].payload, hours, 'a Catch node gets the message that came in');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(sent.length, 1, 'what was settled is sent');
      const out = sent[0];
      assert.equal(out.topic, 'pv');
      assert.deepEqual(out.payload.error, { code: 'BAD_INPUT', message: call.args[0].message });
      assert.deepEqual([out.payload.settled, out.payload.skipped], [2, 0]);
      assert.equal(out.payload.settledThrough, hours[1].hourStart);
      // 1000 Wh × 400 PLN/MWh × 1.23 = 492 000 µPLN → 49 gr for March, final; April's one hour so far
      assert.deepEqual(
        out.payload.statements.map((s: AnyNode) => [s.label, s.final, s.depositAddedGr]),
        [
          ['2025-03', true, 49],
          ['2025-04', false, 0],
        ],
      );
      assert.equal(
        n1.context().get('settlement').state.lastHourMs,
        Date.parse(hours[1].hourStart),
        'and saved',
      );

      // The same hours again with the zone fixed: March is neither sent nor settled again.
      const again = await exchange({
        payload: [...hours.slice(0, 2), hourOf('2025-04-02', 12, { ecbp: 1 })],
      });
      assert.equal(again.payload.error, undefined);
      assert.deepEqual([again.payload.settled, again.payload.skipped], [1, 2]);
      assert.deepEqual(
        again.payload.statements.map((s: AnyNode) => [s.label, s.final, s.total.ecbpWh]),
        [['2025-04', false, 1000]],
      );
      assert.equal(again.payload.depositPln, 0);
    });

    it('keeps no waiting hour that was settled before an hour it cannot settle', async () => {
      await helper.load(settlementNode, flow({ system: 'net-billing', output: 'month' }));
      const n1 = helper.getNode('n1') as AnyNode;
      await exchange({ payload: [hourOf('2025-03-05', 12, { ecbo: 1 })] });
      const waits = await exchange({ payload: [hourOf('2025-04-01', 1, {})] });
      assert.equal(waits.payload.waiting.hours, 1);
      const sent: AnyNode[] = [];
      (helper.getNode('h1') as AnyNode).on('input', (m: AnyNode) => sent.push(m));
      const reported = new Promise<AnyNode>((resolve) => n1.once('call:error', resolve));
      // March's RCEm comes: the waiting hour closes March, then the new hour fails.
      n1.receive({
        payload: [hourOf('2025-04-02', 12, { ecbp: 1, zone: 'T3' })],
        prices: { '2025-03': 400 },
      });
      assert.equal((await reported).args[0].code, 'BAD_INPUT');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        [sent[0].payload.settled, sent[0].payload.waiting, sent[0].payload.statements[0].depositAddedGr],
        [1, undefined, 49],
      );
      assert.equal(n1.context().get('settlement').waiting, undefined);
      const next = await exchange({ payload: [hourOf('2025-04-02', 12, { ecbp: 1 })] });
      assert.deepEqual([next.payload.settled, next.payload.skipped], [1, 0]);
      assert.deepEqual(
        next.payload.statements.map((s: AnyNode) => [s.label, s.total.ecbpWh]),
        [['2025-04', 1000]],
      );
    });
  });
});

describe('examples/settlement.json', function () {
  this.timeout(20_000);
  const example = require('../../../examples/settlement.json') as Record<string, AnyNode>[];
  const byId = new Map(example.map((n) => [n.id, n]));
  let sim: SimulatorHandle;

  before(async () => {
    helper.init(nodeRedPath());
    sim = await startSimulator({ today: '2025-09-10' });
  });
  after(async () => {
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
  });

  it('wires inject → fetch → balance → settlement → debug, with comments', () => {
    const path = (id: string): string[] => {
      const node = byId.get(id)!;
      const next = (node.wires ?? []).flat() as string[];
      return [node.type, ...(next.length ? path(next[0]) : [])];
    };
    const injects = example.filter((n) => n.type === 'inject');
    assert.equal(injects.length, 2);
    for (const i of injects) {
      assert.deepEqual(path(i.id), [
        'inject',
        'elicznik-fetch',
        'elicznik-balance',
        'elicznik-settlement',
        'debug',
      ]);
    }
    assert.ok(example.filter((n) => n.type === 'comment').length >= 2);
    for (const n of example)
      for (const id of (n.wires ?? []).flat()) assert.ok(byId.has(id), `${n.id} → ${id}`);
    assert.ok(
      example.every((n) => !('credentials' in n)),
      'no credentials in the example',
    );
  });

  it('has settlement nodes whose settings work, on the simulator’s hours and prices', async () => {
    const nodes = example.filter((n) => n.type === 'elicznik-settlement');
    assert.deepEqual(
      nodes.map((n) => n.system),
      ['net-metering', 'net-billing'],
    );
    for (const def of nodes) {
      const { z: _z, x: _x, y: _y, ...props } = def;
      await helper.load(settlementNode, [
        { ...props, id: 'n1', rceUrl: `${sim.serviceUrl}${RCE_PATH}`, wires: [['h1']] },
        { id: 'h1', type: 'helper' },
      ] as unknown as Flow);
      const hours = randomHours('example', '2025-07-01', '2025-08-02');
      const out = await exchange({ command: 'rebuild', payload: { hours } });
      assert.equal(out.payload.system, def.system);
      assert.deepEqual(
        out.payload.statements.map((s: AnyNode) => [s.label, s.final]),
        [
          ['2025-07', true],
          ['2025-08', false],
        ],
      );
      await helper.unload();
    }
  });
});
