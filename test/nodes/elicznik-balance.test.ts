import assert from 'node:assert/strict';
import helper from 'node-red-node-test-helper';
import sinon from 'sinon';
import { balanceHours, normaliseHours } from '../../src/energy/balance';
import { nodeRedPath } from '../support/node-red';

const balanceNode = require('../../nodes/elicznik-balance/elicznik-balance');

helper.init(nodeRedPath());

type Flow = Record<string, unknown>[];

function flow(props: Record<string, unknown>, outputs = 1): Flow {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'b1',
      type: 'elicznik-balance',
      z: 'f1',
      ...props,
      wires: outputs === 1 ? [['h1']] : [['h1'], ['h2']],
    },
    { id: 'h1', type: 'helper', z: 'f1' },
    { id: 'h2', type: 'helper', z: 'f1' },
    { id: 'c1', type: 'catch', z: 'f1', scope: null, wires: [['h3']] },
    { id: 'h3', type: 'helper', z: 'f1' },
  ];
}

function next(id: string): Promise<any> {
  return new Promise((resolve) => helper.getNode(id).once('input', resolve));
}

function collect(id: string): any[] {
  const out: any[] = [];
  helper.getNode(id).on('input', (m: any) => out.push(m));
  return out;
}

const HOURS = [
  { date: '2026-06-10', hour: 11, ecp: 1.03, eco: 3, zone: 'T1' },
  { date: '2026-06-10', hour: 12, ecp: '1,5', eco: 3.2, zone: 'T1' },
  { date: '2026-06-10', hour: 18, ECP: 4.3, ECO: 1.7, zone: 'T2' },
  { date: '2026-06-10', hour: 19, ecp: 5.01, eco: 1.04, zone: 'T2' },
];

describe('elicznik-balance node', function () {
  this.timeout(10_000);
  let clock: sinon.SinonFakeTimers | undefined;

  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await helper.unload();
  });

  describe('history mode', () => {
    it('balances hour records and keeps the other message properties', async () => {
      await helper.load(balanceNode, flow({ mode: 'history' }) as any);
      const out = next('h1');
      helper.getNode('b1').receive({ payload: HOURS, topic: 'june', corr: 42 });
      const msg = await out;
      assert.equal(msg.topic, 'june');
      assert.equal(msg.corr, 42);
      assert.equal(msg.payload.total.ecbp, 6.57);
      assert.equal(msg.payload.total.ecbo, 3.67);
      assert.equal(msg.payload.total.autoconsumption, 5.27);
      assert.equal(msg.payload.zones.T1.ecbo, 3.67);
      assert.equal(msg.payload.zones.T2.ecbp, 6.57);
      assert.equal(msg.payload.hours.length, 4);
      assert.equal(msg.payload.hours[0].hourStart, '2026-06-10T10:00:00+02:00');
    });

    it('reads the input from another property and sends one message per hour', async () => {
      await helper.load(
        balanceNode,
        flow({ mode: 'history', property: 'data.hours', output: 'perHour' }) as any,
      );
      const got = collect('h1');
      const done = new Promise<void>((resolve) => {
        helper.getNode('h1').on('input', () => got.length === 4 && resolve());
      });
      helper.getNode('b1').receive({ data: { hours: HOURS } });
      await done;
      assert.deepEqual(
        got.map((m) => m.payload.ecbo),
        [1.97, 1.7, 0, 0],
      );
      assert.equal(got[0].timestamp, Date.parse('2026-06-10T10:00:00+02:00'));
    });

    it('balances a burst of one-hour messages like the library, and sets the status a few times, ending on the last', async () => {
      await helper.load(balanceNode, flow({ mode: 'history' }) as any);
      const node = helper.getNode('b1');
      const out = collect('h1');
      const inputs = Array.from({ length: 200 }, (_, i) => ({
        hourStart: `2026-06-10T${String(i % 24).padStart(2, '0')}:00:00+02:00`,
        ecp: (i % 7) / 3,
        eco: i === 199 ? null : (i % 5) / 2,
      }));
      for (const payload of inputs) node.receive({ payload });
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(out.length, inputs.length);
      out.forEach((m, i) => {
        assert.deepEqual(m.payload, balanceHours(normaliseHours(inputs[i])), `message ${i + 1}`);
      });
      const calls = (node.status as sinon.SinonSpy).getCalls();
      assert.ok(calls.length <= 4, `${calls.length} status updates for ${inputs.length} messages`);
      // The last message has a missing value: the status ends yellow, not on an earlier green one.
      sinon.assert.match(calls.at(-1)!.args[0], { fill: 'yellow', text: 'elicznik-balance.status.partial' });
    });

    it('counts hours without a value as missing and shows a yellow status', async () => {
      await helper.load(balanceNode, flow({ mode: 'history' }) as any);
      const node = helper.getNode('b1');
      const out = next('h1');
      node.receive({ payload: [HOURS[0], { date: '2026-06-10', hour: 13, ecp: null, eco: 1 }] });
      const msg = await out;
      assert.equal(msg.payload.total.missingHours, 1);
      assert.equal(msg.payload.total.complete, false);
      sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, {
        fill: 'yellow',
        text: 'elicznik-balance.status.partial',
      });
    });

    it("adds a check against TAURON's balanced series when the hours carry them", async () => {
      await helper.load(balanceNode, flow({ mode: 'history' }) as any);
      const node = helper.getNode('b1');
      const withTauron = HOURS.map((h, i) => ({
        ...h,
        tauronEcbp: [0, 0, 2.6, 3.9][i], // 19:00 (label 19): ours 3.97
        tauronEcbo: [1.97, 1.7, 0, 0][i],
      }));
      const out = next('h1');
      node.receive({ payload: withTauron });
      const msg = await out;
      const check = msg.payload.check;
      assert.deepEqual(check.quantities, ['ecbp', 'ecbo']);
      assert.equal(check.hoursCompared, 4);
      assert.equal(check.matches, false);
      assert.deepEqual(
        check.differences.map((d: any) => [d.hourStart, d.ours.ecbp, d.tauron.ecbp, d.difference.ecbp]),
        [['2026-06-10T18:00:00+02:00', 3.97, 3.9, -0.07]],
      );
      assert.deepEqual(check.ours, { ecbp: 6.57, ecbo: 3.67 });
      assert.deepEqual(check.tauron, { ecbp: 6.5, ecbo: 3.67 });
      assert.deepEqual(check.zones.T2.difference, { ecbp: -0.07, ecbo: 0 });
      assert.equal(msg.payload.total.ecbp, 6.57, 'the balance itself is ours');
      sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, {
        fill: 'yellow',
        text: 'elicznik-balance.status.doneDiffers',
      });

      const same = next('h1');
      node.receive({ payload: withTauron.map((h, i) => (i === 3 ? { ...h, tauronEcbp: 3.97 } : h)) });
      assert.equal((await same).payload.check.matches, true);
      // The node sets its status at most every 250 ms; this one follows at the end of the interval.
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual((node.status as sinon.SinonSpy).lastCall.args[0], {
        fill: 'green',
        shape: 'dot',
        text: 'elicznik-balance.status.done',
      });

      const plain = next('h1');
      node.receive({ payload: HOURS });
      assert.equal('check' in (await plain).payload, false, 'no check without TAURON series');
    });

    it('says when hours are missing and TAURON differs, and compares only hours both have', async () => {
      await helper.load(balanceNode, flow({ mode: 'history' }) as any);
      const node = helper.getNode('b1');
      const out = next('h1');
      node.receive({
        payload: [
          { ...HOURS[0], tauronEcbp: 0, tauronEcbo: 2 },
          { date: '2026-06-10', hour: 13, ecp: null, eco: null, tauronEcbp: null, tauronEcbo: null },
          { date: '2026-06-10', hour: 14, ecp: 0.5, eco: 2, tauronEcbp: null, tauronEcbo: null },
        ],
      });
      const { check } = (await out).payload;
      assert.equal(check.hoursCompared, 1);
      assert.deepEqual(check.missing, {
        ours: ['2026-06-10T12:00:00+02:00'],
        tauron: ['2026-06-10T13:00:00+02:00'],
      });
      sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, {
        fill: 'yellow',
        text: 'elicznik-balance.status.partialDiffers',
      });
    });

    it('balances an hour given by date and a label in text, and sends a date without a label to Catch', async () => {
      await helper.load(balanceNode, flow({ mode: 'history' }) as any);
      const node = helper.getNode('b1');
      const out = next('h1');
      node.receive({ payload: [{ date: '2026-06-10', hour: '12', ecp: 1, eco: 3 }] });
      const msg = await out;
      assert.equal(msg.payload.hours[0].hourStart, '2026-06-10T11:00:00+02:00');
      assert.deepEqual(Object.keys(msg.payload.days), ['2026-06-10']);
      const caught = next('h3');
      node.receive({ payload: { date: '2026-06-10', ecp: 1, eco: 3 }, topic: 'day' });
      const err = await caught;
      assert.equal(err.topic, 'day');
      assert.match(err.error.message, /date 2026-06-10 without an hour label/);
    });

    it('sends bad input to a Catch node with code BAD_INPUT and a red status', async () => {
      await helper.load(balanceNode, flow({ mode: 'history' }) as any);
      const node = helper.getNode('b1');
      const caught = next('h3');
      node.receive({ payload: [{ date: '2026-06-10', hour: 5, ecp: -2, eco: 0 }] });
      const msg = await caught;
      assert.equal(msg.error.source.id, 'b1');
      assert.match(msg.error.message, /ECP is negative.*2026-06-10T04:00/);
      assert.equal((node.error as unknown as sinon.SinonSpy).lastCall.args[0].code, 'BAD_INPUT');
      sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, { fill: 'red', shape: 'ring' });
    });
  });

  describe('live mode', () => {
    const T0 = Date.parse('2026-06-10T10:00:00Z'); // 12:00 in Warsaw
    const MIN = 60_000;
    const live = { mode: 'live', onThreshold: '0.2', offThreshold: '0.05', minOn: '10', minOff: '5' };

    it('sends the surplus signal on every reading with hysteresis and minimum times', async () => {
      clock = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      await helper.load(balanceNode, flow(live, 2) as any);
      const node = helper.getNode('b1');
      const signals = collect('h2');
      const steps: [number, Record<string, number>][] = [
        [1, { eco: 0.15 }],
        [2, { eco: 0.1 }], // net 0.25 → on
        [3, { ecp: 0.15 }], // 0.10, in the band
        [4, { ecp: 0.1 }], // 0.00, but min on time
        [12, { ecp: 0 }], // off
        [14, { eco: 0.5 }], // min off time
        [17, { eco: 0 }], // on
      ];
      for (const [minute, payload] of steps) {
        clock.setSystemTime(T0 + minute * MIN);
        const got = next('h2');
        node.receive({ payload });
        await got;
      }
      assert.deepEqual(
        signals.map((m) => m.payload),
        [false, true, true, true, false, false, true],
      );
      assert.equal(signals[1].live.net, 0.25);
      assert.equal(signals[1].live.hourStart, '2026-06-10T12:00:00+02:00');
    });

    it('sends the closed hour at the hour boundary from its timer, and nothing after close', async () => {
      clock = sinon.useFakeTimers({ now: T0 + 50 * MIN, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      await helper.load(balanceNode, flow({ ...live, minOn: '0' }, 2) as any);
      const node = helper.getNode('b1');
      await new Promise((r) => setImmediate(r));
      const first = next('h2');
      node.receive({ payload: { ecp: 0.3, eco: 1.1 } });
      await first;
      const hour = next('h1');
      const off = next('h2');
      await clock.tickAsync(10 * MIN + 100);
      const closed = await hour;
      assert.equal(closed.payload.hours[0].hourStart, '2026-06-10T12:00:00+02:00');
      assert.equal(closed.payload.total.ecbo, 0.8);
      assert.equal(closed.payload.total.autoconsumption, 0.3);
      assert.equal((await off).payload, false); // the new hour starts from zero
      await helper.unload();
      assert.equal(clock.countTimers(), 0);
    });

    it('takes differences of counters and survives a counter reset', async () => {
      clock = sinon.useFakeTimers({ now: T0, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      await helper.load(balanceNode, flow({ ...live, readingKind: 'cumulative' }, 2) as any);
      const node = helper.getNode('b1');
      const signals = collect('h2');
      for (const [m, payload] of [
        [1, { ecp: 1000, eco: 500 }],
        [2, { ecp: 1000.2, eco: 500.5 }],
        [3, { ecp: 0.1, eco: 500.9 }],
        [4, { ecp: 0.3, eco: 501 }],
      ] as const) {
        clock.setSystemTime(T0 + m * MIN);
        const got = next('h2');
        node.receive({ payload });
        await got;
      }
      assert.deepEqual(
        signals.map((s) => [s.live.ecp, s.live.eco]),
        [
          [0, 0],
          [0.2, 0.5],
          [0.2, 0.9],
          [0.4, 1],
        ],
      );
    });

    it('counts counters once when stamped readings come out of order or twice', async () => {
      clock = sinon.useFakeTimers({ now: T0 + 10 * MIN, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      await helper.load(
        balanceNode,
        flow({ ...live, readingKind: 'cumulative', timeProperty: 'ts' }, 2) as any,
      );
      const node = helper.getNode('b1');
      const signals = collect('h2');
      // an MQTT bridge that delivers the 12:02 reading late and the 12:03 one twice
      for (const [minute, eco] of [
        [1, 500],
        [3, 500.3],
        [2, 500.1],
        [3, 500.3],
        [4, 500.4],
      ] as const) {
        const got = next('h2');
        node.receive({ topic: 'home/meter/eco', payload: eco, ts: T0 + minute * MIN });
        await got;
      }
      assert.deepEqual(
        signals.map((m) => m.live.eco),
        [0, 0.3, 0.3, 0.3, 0.4],
      );
    });

    it('accepts a number with an ecp/eco topic and a timestamp property', async () => {
      await helper.load(balanceNode, flow({ ...live, timeProperty: 'ts' }, 2) as any);
      const node = helper.getNode('b1');
      let got = next('h2');
      node.receive({ topic: 'home/meter/eco', payload: 0.7, ts: '2026-06-10T12:30:00+02:00' });
      const a = await got;
      assert.equal(a.live.eco, 0.7);
      assert.equal(a.live.hourStart, '2026-06-10T12:00:00+02:00');
      got = next('h3');
      node.receive({ topic: 'power', payload: 1 });
      assert.match((await got).error.message, /msg.topic "ecp" or "eco"/);
    });

    it('sends a time without a UTC offset or in seconds to Catch instead of misplacing the reading', async () => {
      await helper.load(balanceNode, flow({ ...live, timeProperty: 'ts' }, 2) as any);
      const node = helper.getNode('b1');
      const signals = collect('h2');
      // a Warsaw wall time without its offset would be read in the server's time zone (UTC in Docker)
      let got = next('h3');
      node.receive({ topic: 'eco', payload: 0.7, ts: '2026-06-10T12:30:00' });
      let err = (await got).error;
      assert.match(err.message, /has no UTC offset/);
      assert.equal(err.source.id, 'b1');
      // Unix seconds, read as ms, would be January 1970
      got = next('h3');
      node.receive({ topic: 'eco', payload: 0.7, ts: 1781087400 });
      err = (await got).error;
      assert.match(err.message, /not in milliseconds since 1970/);
      sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, { fill: 'red' });
      assert.equal(signals.length, 0);
      got = next('h2');
      node.receive({ topic: 'eco', payload: 0.7, ts: 1781087400_000 });
      assert.equal((await got).live.at, '2026-06-10T12:30:00+02:00');
    });

    it('continues the hour after a redeploy when a context store is configured and chosen', async () => {
      clock = sinon.useFakeTimers({ now: T0 + 5 * MIN, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      // Node-RED keeps node context through a redeploy only for stores configured in settings.js.
      helper.settings({ contextStorage: { default: { module: 'memory' }, keep: { module: 'memory' } } });
      try {
        const f = flow({ ...live, store: 'keep' }, 2);
        await helper.load(balanceNode, f as any);
        await (helper as any)._context.load(); // the test helper does not load configured stores itself
        let got = next('h2');
        helper.getNode('b1').receive({ payload: { eco: 0.4 } });
        await got;
        await helper.setFlows(f as any, 'full');
        await new Promise((r) => setImmediate(r));
        clock.setSystemTime(T0 + 6 * MIN);
        got = next('h2');
        helper.getNode('b1').receive({ payload: { ecp: 0.1 } });
        const after = await got;
        assert.equal(after.live.eco, 0.4);
        assert.equal(after.live.net, 0.3);
      } finally {
        helper.settings({ contextStorage: undefined });
      }
    });

    it('sends the hour that ended while Node-RED was stopped after the restart, to nodes started after it', async () => {
      clock = sinon.useFakeTimers({ now: T0 + 50 * MIN, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      helper.settings({ contextStorage: { default: { module: 'memory' }, keep: { module: 'memory' } } });
      try {
        const f = flow({ ...live, minOn: '0', store: 'keep' }, 2);
        await helper.load(balanceNode, f as any);
        await (helper as any)._context.load();
        const got = next('h2');
        helper.getNode('b1').receive({ payload: { ecp: 0.3, eco: 1.1 } });
        await got;
        // stopped at 12:50, started again at 13:10: the 12:00 hour is closed at the start
        clock.setSystemTime(T0 + 70 * MIN);
        await helper.setFlows(f as any, 'full');
        const hours = collect('h1');
        const signals = collect('h2');
        await clock.tickAsync(1000);
        assert.deepEqual(
          hours.map((m) => [m.payload.hours[0].hourStart, m.payload.total.ecbo]),
          [['2026-06-10T12:00:00+02:00', 0.8]],
        );
        assert.deepEqual(
          signals.map((m) => m.payload),
          [false],
        );
      } finally {
        helper.settings({ contextStorage: undefined });
      }
    });

    it("takes counters as a new baseline after a restart hours later, not as this hour's energy", async () => {
      clock = sinon.useFakeTimers({ now: T0 + 5 * MIN, toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      helper.settings({ contextStorage: { default: { module: 'memory' }, keep: { module: 'memory' } } });
      try {
        const f = flow({ ...live, readingKind: 'cumulative', store: 'keep' }, 2);
        await helper.load(balanceNode, f as any);
        await (helper as any)._context.load();
        for (const [m, payload] of [
          [5, { ecp: 1000, eco: 500 }],
          [6, { ecp: 1000.1, eco: 500.3 }],
        ] as const) {
          clock.setSystemTime(T0 + m * MIN);
          const got = next('h2');
          helper.getNode('b1').receive({ payload });
          await got;
        }
        // Node-RED stopped from 12:06 to 15:30; the panels exported 8 kWh meanwhile.
        clock.setSystemTime(T0 + 210 * MIN);
        await helper.setFlows(f as any, 'full');
        await new Promise((r) => setImmediate(r));
        const got = next('h2');
        helper.getNode('b1').receive({ payload: { ecp: 1000.2, eco: 508.3 } });
        const after = await got;
        assert.equal(after.live.hourStart, '2026-06-10T15:00:00+02:00');
        assert.deepEqual([after.live.ecp, after.live.eco, after.payload], [0, 0, false]);
      } finally {
        helper.settings({ contextStorage: undefined });
      }
    });

    it('rejects a switch-off threshold above the switch-on threshold', async () => {
      await helper.load(
        balanceNode,
        flow({ mode: 'live', onThreshold: '0.1', offThreshold: '0.5' }, 2) as any,
      );
      const node = helper.getNode('b1');
      sinon.assert.calledWithMatch(node.status as sinon.SinonSpy, { fill: 'red' });
      // a message sent to it anyway ends with that error, which a Catch node sees
      const caught = next('h3');
      node.receive({ payload: { ecp: 1, eco: 2 }, topic: 'reading' });
      const msg = await caught;
      assert.equal(msg.topic, 'reading');
      assert.match(msg.error.message, /threshold/i);
    });
  });
});
