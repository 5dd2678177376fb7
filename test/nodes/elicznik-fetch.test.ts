import assert from 'node:assert/strict';
import { sessionPool } from '../../src/session/pool';
import {
  G11,
  G12W,
  NOW,
  configNode,
  credentials,
  dataRequests,
  fetchFlow,
  fetchNode,
  helper,
  lastStatus,
  nextMessage,
  nextMessages,
  setUpNodeTests,
  statuses,
  callsOf,
  type Flow,
} from './elicznik-config.support';

describe('elicznik-fetch node', function () {
  this.timeout(20_000);
  const ctx = setUpNodeTests();

  async function load(
    fetch: Record<string, unknown> = {},
    config: Record<string, unknown> = {},
    password?: string,
  ) {
    await helper.load([configNode, fetchNode], fetchFlow(ctx.sim, fetch, config), credentials(password));
    return helper.getNode('n1');
  }

  function twoNodeFlow(): Flow {
    const flow = fetchFlow(ctx.sim) as unknown as Record<string, unknown>[];
    flow.push({ id: 'n2', type: 'elicznik-fetch', z: 'f1', account: 'c1', output: 'hours', wires: [['h1']] });
    return flow as unknown as Flow;
  }

  async function fetchOnce(n1: any, msg: Record<string, unknown> = {}): Promise<any> {
    const out = nextMessage('h1');
    n1.receive({ payload: 'go', ...msg });
    return out;
  }

  async function caught(n1: any, msg: Record<string, unknown> = {}): Promise<any> {
    const err = nextMessage('h2');
    n1.receive({ payload: 'go', ...msg });
    return err;
  }

  describe('ranges, series and shapes', () => {
    it('fetches yesterday as hour records by default and passes the message on', async () => {
      const n1 = await load();
      const msg = await fetchOnce(n1, { topic: 'daily', correlation: 7 });
      assert.equal(msg.topic, 'daily');
      assert.equal(msg.correlation, 7);
      assert.equal(msg.payload.meterPoint, G11.id);
      assert.equal(msg.payload.tariff, 'G11');
      assert.deepEqual([msg.payload.from, msg.payload.to], ['2026-11-22', '2026-11-22']);
      assert.deepEqual(msg.payload.series, ['ecp', 'eco']);
      assert.equal(msg.payload.hours.length, 24);
      assert.equal(msg.payload.complete, true);
      assert.deepEqual(msg.payload.missingHours, []);
      const truth = ctx.sim.hourly(G11.id, '2026-11-22');
      assert.deepEqual(
        msg.payload.hours.map((h: any) => [h.hour, h.ecp, h.eco]),
        truth.map((h) => [h.hour, h.ecp, h.eco]),
      );
      assert.deepEqual(
        statuses(n1).map((s) => [s.fill, s.shape, s.text]),
        [
          ['blue', 'dot', 'elicznik-fetch.status.fetching'],
          ['green', 'dot', 'elicznik-fetch.status.done'],
        ],
      );
    });

    it('resolves every range kind set by msg.range, msg.day and msg.days', async () => {
      const n1 = await load();
      const cases: [Record<string, unknown>, string, string][] = [
        [{ range: 'yesterday' }, '2026-11-22', '2026-11-22'],
        [{ day: '2026-10-25' }, '2026-10-25', '2026-10-25'],
        [{ range: 'day', day: new Date('2026-03-29T12:00:00+02:00') }, '2026-03-29', '2026-03-29'],
        [{ days: 3 }, '2026-11-20', '2026-11-22'],
        [{ range: 'lastDays', days: '2' }, '2026-11-21', '2026-11-22'],
        [{ range: 'thisMonth' }, '2026-11-01', '2026-11-22'],
        [{ range: 'lastMonth' }, '2026-10-01', '2026-10-31'],
        [{ range: { from: '2026-10-24', to: '2026-10-26' } }, '2026-10-24', '2026-10-26'],
      ];
      for (const [override, from, to] of cases) {
        const msg = await fetchOnce(n1, override);
        assert.deepEqual([msg.payload.from, msg.payload.to], [from, to], JSON.stringify(override));
        const first = msg.payload.hours[0];
        const last = msg.payload.hours[msg.payload.hours.length - 1];
        assert.equal(first.date, from);
        assert.equal(last.date, to);
      }
      const autumn = await fetchOnce(n1, { day: '2026-10-25' });
      assert.equal(autumn.payload.hours.length, 25);
      const spring = await fetchOnce(n1, { day: '2026-03-29' });
      assert.equal(spring.payload.hours.length, 23);
    });

    it('resolves this year early in the year and last year as a whole year', async () => {
      ctx.clock.setSystemTime(Date.parse('2026-02-03T09:00:00+01:00'));
      ctx.sim.setToday('2026-02-03');
      const n1 = await load({ range: 'thisYear' });
      const thisYear = await fetchOnce(n1);
      assert.deepEqual([thisYear.payload.from, thisYear.payload.to], ['2026-01-01', '2026-02-02']);
      assert.equal(thisYear.payload.hours.length, 33 * 24);
      const lastYear = await fetchOnce(n1, { range: 'lastYear' });
      assert.deepEqual([lastYear.payload.from, lastYear.payload.to], ['2025-01-01', '2025-12-31']);
      assert.equal(lastYear.payload.hours.length, 365 * 24);
      assert.equal(lastYear.payload.complete, true);
    });

    it('reads day, days and from/to from TypedInputs (str, flow context, env)', async () => {
      process.env.ELICZNIK_TEST_DAYS = '4';
      try {
        let n1 = await load({ range: 'day', day: 'wanted', dayType: 'flow' });
        n1.context().flow.set('wanted', '2026-11-02');
        let msg = await fetchOnce(n1);
        assert.deepEqual([msg.payload.from, msg.payload.to], ['2026-11-02', '2026-11-02']);
        await helper.unload();

        n1 = await load({ range: 'lastDays', days: 'ELICZNIK_TEST_DAYS', daysType: 'env' });
        msg = await fetchOnce(n1);
        assert.deepEqual([msg.payload.from, msg.payload.to], ['2026-11-19', '2026-11-22']);
        await helper.unload();

        n1 = await load({ range: 'range', from: '2026-11-01', fromType: 'str', to: 'end', toType: 'msg' });
        msg = await fetchOnce(n1, { end: '2026-11-03' });
        assert.deepEqual([msg.payload.from, msg.payload.to], ['2026-11-01', '2026-11-03']);
      } finally {
        delete process.env.ELICZNIK_TEST_DAYS;
      }
    });

    it("fetches TAURON's balanced series when ticked, and the series msg.series names", async () => {
      const n1 = await load({ ecp: false, eco: false, tauronEcbp: true, tauronEcbo: true });
      const balanced = await fetchOnce(n1);
      assert.deepEqual(balanced.payload.series, ['tauronEcbp', 'tauronEcbo']);
      const h = balanced.payload.hours[12];
      assert.equal(typeof h.tauronEcbp, 'number');
      assert.equal(typeof h.tauronEcbo, 'number');
      assert.equal(balanced.payload.complete, true);
      const truth = ctx.sim.hourly(G11.id, '2026-11-22')[12];
      assert.equal(h.tauronEcbp, Math.max(0, Math.round((truth.ecp! - truth.eco!) * 1000)) / 1000);

      const exportOnly = await fetchOnce(n1, { series: 'eco' });
      assert.deepEqual(exportOnly.payload.series, ['eco']);
      assert.equal(typeof exportOnly.payload.hours[12].eco, 'number');
      const all = await fetchOnce(n1, { series: ['tauronEcbo', 'ecp', 'eco', 'tauronEcbp'] });
      assert.deepEqual(all.payload.series, ['ecp', 'eco', 'tauronEcbp', 'tauronEcbo']);
    });

    it('sends one message per hour record with topic, timestamp and parts', async () => {
      const n1 = await load({ output: 'perHour' });
      const out = nextMessages('h1', 24);
      n1.receive({ payload: 'go', _msgid: 'm1', extra: 'kept' } as any);
      const msgs = await out;
      assert.equal(msgs.length, 24);
      assert.equal(msgs[0].topic, `elicznik/${G11.id}`);
      assert.equal(msgs[0].extra, 'kept');
      assert.equal(msgs[0].payload.hourStart, '2026-11-22T00:00:00+01:00');
      assert.equal(msgs[0].timestamp, Date.parse('2026-11-22T00:00:00+01:00'));
      assert.deepEqual(
        msgs.map((m) => m.parts.index),
        Array.from({ length: 24 }, (_, i) => i),
      );
      assert.ok(msgs.every((m) => m.parts.count === 24 && m.parts.id === msgs[0].parts.id));
      assert.notEqual(msgs[0].payload, msgs[1].payload);
      const topical = nextMessages('h1', 24);
      n1.receive({ payload: 'go', topic: 'meter/home' } as any);
      assert.equal((await topical)[5].topic, 'meter/home');
    });

    it('sums up the newest complete day, its month and its year per zone', async () => {
      ctx.clock.setSystemTime(Date.parse('2026-02-03T09:00:00+01:00'));
      ctx.sim.setToday('2026-02-03');
      const n1 = await load({ output: 'summary' }, { meterPoint: G12W.id });
      const msg = await fetchOnce(n1);
      const p = msg.payload;
      assert.equal(p.meterPoint, G12W.id);
      assert.equal(p.tariff, 'G12W');
      assert.deepEqual([p.daily.from, p.daily.to], ['2026-02-02', '2026-02-02']);
      assert.deepEqual([p.monthly.from, p.monthly.to], ['2026-02-01', '2026-02-02']);
      assert.deepEqual([p.yearly.from, p.yearly.to], ['2026-01-01', '2026-02-02']);
      assert.equal(p.complete, true);
      const sumWh = (dates: string[], key: 'ecp' | 'eco') =>
        dates.flatMap((d) => ctx.sim.hourly(G12W.id, d)).reduce((a, h) => a + Math.round(h[key]! * 1000), 0) /
        1000;
      assert.equal(p.daily.ecp, sumWh(['2026-02-02'], 'ecp'));
      assert.equal(p.monthly.eco, sumWh(['2026-02-01', '2026-02-02'], 'eco'));
      assert.deepEqual(Object.keys(p.daily.zones).sort(), ['T1', 'T2']);
      const zoneSum = Math.round((p.daily.zones.T1.ecp + p.daily.zones.T2.ecp) * 1000) / 1000;
      assert.equal(zoneSum, p.daily.ecp);
      assert.equal(lastStatus(n1)?.fill, 'green');
    });

    it('looks back for the newest complete day when yesterday has no data yet', async () => {
      ctx.sim.faults.missingDays = ['2026-11-22'];
      const n1 = await load({ output: 'summary' });
      const msg = await fetchOnce(n1);
      assert.deepEqual([msg.payload.daily.from, msg.payload.daily.to], ['2026-11-21', '2026-11-21']);
      assert.equal(msg.payload.daily.complete, true);
      assert.equal(msg.payload.yearly.from, '2026-01-01');
    });

    it('reads meter register readings for the range', async () => {
      const n1 = await load({ output: 'registers' });
      const msg = await fetchOnce(n1, { days: 3 });
      const p = msg.payload;
      assert.deepEqual(
        p.readings.map((r: any) => r.date),
        ['2026-11-20', '2026-11-21', '2026-11-22'],
      );
      assert.equal(p.latest.date, '2026-11-22');
      assert.equal(typeof p.latest.import.total, 'number');
      assert.equal(p.complete, true);
      assert.equal(lastStatus(n1)?.fill, 'green');
    });
  });

  describe('overrides', () => {
    it('lets msg.output change the shape', async () => {
      const n1 = await load();
      const msg = await fetchOnce(n1, { output: 'registers' });
      assert.ok(Array.isArray(msg.payload.readings));
    });

    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['an unknown range', { range: 'fortnight' }, /msg\.range must be one of/],
      ['a malformed day', { day: '22.11.2026' }, /msg\.day: day must be a date/],
      ['a day in the future', { day: '2026-11-24' }, /is in the future/],
      ['a day count of 0', { days: 0 }, /msg\.days: days must be a whole number/],
      [
        'a range ending before it starts',
        { range: { from: '2026-11-10', to: '2026-11-01' } },
        /ends .* before/,
      ],
      ['an unknown series', { series: ['ecp', 'pv'] }, /msg\.series must be a list/],
      ['an unknown output', { output: 'csv' }, /msg\.output must be one of/],
    ];
    for (const [what, override, message] of bad) {
      it(`refuses ${what} with BAD_INPUT before asking the service`, async () => {
        const n1 = await load();
        const err = await caught(n1, { ...override, topic: 't' });
        assert.equal(err.error.code, 'BAD_INPUT');
        assert.match(err.error.message, message);
        assert.equal(err.error.source.id, 'n1');
        assert.equal(err.topic, 't');
        assert.deepEqual(lastStatus(n1), {
          fill: 'red',
          shape: 'ring',
          text: 'elicznik-fetch.reason.BAD_INPUT',
        });
        assert.equal(ctx.sim.stats.loginAttempts, 0);
      });
    }

    it('refuses an msg.range object without from and to instead of fetching the node’s from/to', async () => {
      const n1 = await load({ range: 'range', from: '2026-11-01', to: '2026-11-03' });
      for (const range of [{ start: '2026-10-01', end: '2026-10-02' }, {}]) {
        const sent = nextMessage('h1').then((msg) => ({ sent: msg }));
        const err = await Promise.race([caught(n1, { range }), sent]);
        assert.equal(err.error?.code, 'BAD_INPUT', JSON.stringify(err.sent?.payload?.from));
        assert.match(err.error.message, /msg\.range: from must be a date/);
      }
      assert.equal(ctx.sim.stats.loginAttempts, 0);
    });

    it('refuses a bad node setting with BAD_INPUT naming it', async () => {
      const n1 = await load({ range: 'lastDays', days: '400', daysType: 'num' });
      const err = await caught(n1);
      assert.equal(err.error.code, 'BAD_INPUT');
      assert.match(err.error.message, /The days setting: days must be a whole number from 1 to 366/);
    });
  });

  describe('joining, cache and late data', () => {
    it('joins a second trigger for the same fetch: one service fetch, two outputs', async () => {
      const n1 = await load();
      const out = nextMessages('h1', 2);
      n1.receive({ payload: 1, _msgid: 'a' } as any);
      n1.receive({ payload: 2, _msgid: 'b' } as any);
      const [a, b] = await out;
      assert.deepEqual([a.payload.hours.length, b.payload.hours.length], [24, 24]);
      assert.deepEqual(a.payload.hours, b.payload.hours);
      assert.notEqual(a.payload.hours, b.payload.hours);
      assert.equal(ctx.sim.stats.csvRequests, 1);
      assert.equal(ctx.sim.stats.logins, 1);
    });

    it('runs a different trigger that arrives during a fetch after it, dropping none', async () => {
      const n1 = await load();
      ctx.sim.faults.latencyMs = 50;
      const out = nextMessages('h1', 3);
      n1.receive({ payload: 1, day: '2026-11-01' } as any);
      n1.receive({ payload: 2, day: '2026-11-02' } as any);
      n1.receive({ payload: 3, day: '2026-11-01' } as any);
      const got = await out;
      assert.deepEqual(got.map((m) => [m.payload.from, m.payload.complete]).sort(), [
        ['2026-11-01', true],
        ['2026-11-01', true],
        ['2026-11-02', true],
      ]);
      assert.equal(ctx.sim.stats.csvRequests, 2, 'the third trigger joins the first');
      assert.equal(ctx.sim.stats.logins, 1);
    });

    it('sends the outputs in the order the triggers came, also one served from the cache at once', async () => {
      const n1 = await load();
      await fetchOnce(n1, { day: '2026-11-01' });
      ctx.sim.faults.latencyMs = 30;
      const order: string[] = [];
      const all = new Promise<void>((resolve) => {
        const note = (text: string) => {
          order.push(text);
          if (order.length === 4) resolve();
        };
        helper.getNode('h1').on('input', (m: any) => note(m.payload.from));
        helper.getNode('h2').on('input', (m: any) => note(`error ${m.payload}`));
      });
      n1.receive({ payload: 'A', range: 'lastMonth' } as any);
      n1.receive({ payload: 'B', day: '2026-11-01' } as any);
      n1.receive({ payload: 'C', days: 'x' } as any);
      n1.receive({ payload: 'D', day: '2026-11-05' } as any);
      await all;
      assert.deepEqual(order, ['2026-10-01', '2026-11-01', 'error C', '2026-11-05']);
      assert.equal(ctx.sim.stats.logins, 1);
      const last = lastStatus(n1);
      assert.equal(last?.fill, 'green', 'the status of the last trigger');
    });

    it('serves a second trigger for complete past days from the cache', async () => {
      const n1 = await load();
      await fetchOnce(n1, { days: 2 });
      const before = dataRequests(ctx.sim);
      const again = await fetchOnce(n1, { days: 2 });
      assert.equal(dataRequests(ctx.sim), before);
      assert.equal(again.payload.complete, true);
      assert.equal(lastStatus(n1)?.fill, 'green');
    });

    it('says "no data yet" with a yellow status when yesterday is not there, and fetches it again later', async () => {
      ctx.sim.faults.missingDays = ['2026-11-22'];
      const n1 = await load();
      const msg = await fetchOnce(n1);
      assert.equal(msg.payload.complete, false);
      assert.equal(msg.payload.missingHours.length, 24);
      assert.equal(msg.payload.missingHours[0], '2026-11-22T00:00:00+01:00');
      assert.ok(msg.payload.hours.every((h: any) => h.ecp === null && h.eco === null && !h.dayComplete));
      assert.deepEqual(lastStatus(n1), {
        fill: 'yellow',
        shape: 'dot',
        text: 'elicznik-fetch.status.noData',
      });

      ctx.sim.faults.missingDays = [];
      const before = ctx.sim.stats.csvRequests;
      const later = await fetchOnce(n1);
      assert.equal(ctx.sim.stats.csvRequests, before + 1, 'the incomplete day is fetched again');
      assert.equal(later.payload.complete, true);
      assert.equal(lastStatus(n1)?.fill, 'green');
    });

    it('flags a partly served day: null values, never 0, and a yellow status', async () => {
      ctx.sim.faults.nullFromHour = 20;
      const n1 = await load();
      const msg = await fetchOnce(n1);
      assert.equal(msg.payload.complete, false);
      assert.equal(msg.payload.missingHours.length, 5);
      assert.equal(msg.payload.hours[18].ecp !== null, true);
      assert.deepEqual(
        msg.payload.hours.slice(19).map((h: any) => [h.ecp, h.eco]),
        Array(5).fill([null, null]),
      );
      assert.deepEqual(lastStatus(n1), {
        fill: 'yellow',
        shape: 'dot',
        text: 'elicznik-fetch.status.partial',
      });
    });

    it('gives registers for a day without readings yet a yellow status', async () => {
      const n1 = await load({ output: 'registers' });
      const msg = await fetchOnce(n1, { day: '2026-11-23' });
      assert.equal(msg.payload.complete, false);
      assert.equal(msg.payload.latest, null);
      assert.equal(lastStatus(n1)?.fill, 'yellow');
    });
  });

  describe('errors', () => {
    async function expectError(n1: any, code: string, msg: Record<string, unknown> = {}) {
      const err = await caught(n1, msg);
      assert.equal(err.error.code, code);
      assert.equal(err.error.source.id, 'n1');
      assert.equal(err.payload, 'go', 'the failed message reaches the Catch node');
      const status = lastStatus(n1);
      assert.equal(status?.fill, 'red');
      assert.equal(status?.shape, 'ring');
      const waits: Record<string, string> = {
        LOGIN_BUDGET: 'elicznik-fetch.status.loginsPaused',
        ACCOUNT_BLOCKED: 'elicznik-fetch.status.blockedUntil',
        RATE_LIMITED: 'elicznik-fetch.status.rateLimitedUntil',
      };
      assert.equal(status?.text, waits[code] ?? `elicznik-fetch.reason.${code}`);
      await new Promise((r) => setTimeout(r, 20));
      const errors = callsOf(n1, 'error');
      assert.equal(errors.length, 1, 'done(err) once, no node.error besides');
      assert.equal(errors[0].args[0]?.code, code);
      return err;
    }

    it('WRONG_CREDENTIALS, with no password in the error', async () => {
      const n1 = await load({}, {}, 'not-the-password');
      const err = await expectError(n1, 'WRONG_CREDENTIALS');
      assert.doesNotMatch(JSON.stringify(err), /not-the-password/);
    });

    it('ACCOUNT_BLOCKED', async () => {
      ctx.sim.faults.blocked = true;
      await expectError(await load(), 'ACCOUNT_BLOCKED');
    });

    it('RATE_LIMITED', async () => {
      const n1 = await load();
      await fetchOnce(n1);
      ctx.sim.faults.rateLimited = true;
      await expectError(n1, 'RATE_LIMITED', { day: '2026-11-01' });
    });

    it('LOGIN_BUDGET', async () => {
      const n1 = await load({}, { minLoginMinutes: '30' });
      await fetchOnce(n1);
      ctx.sim.expireSessions();
      ctx.sim.expireSsoSessions();
      ctx.clock.tick(10 * 60_000);
      await expectError(n1, 'LOGIN_BUDGET', { day: '2026-11-01' });
      assert.equal(ctx.sim.stats.loginAttempts, 1);
    });

    it('SERVICE_UNAVAILABLE', async () => {
      ctx.sim.faults.maintenanceLogin = true;
      await expectError(await load(), 'SERVICE_UNAVAILABLE');
    });

    it('SERVICE_CHANGED', async () => {
      ctx.sim.faults.successFalse = true;
      await expectError(await load({ output: 'registers' }), 'SERVICE_CHANGED');
    });

    it('BAD_INPUT for a config node without credentials', async () => {
      await helper.load([configNode, fetchNode], fetchFlow(ctx.sim), {});
      const err = await expectError(helper.getNode('n1'), 'BAD_INPUT');
      assert.match(err.error.message, /no username/);
    });

    it('BAD_INPUT for a config node with a bad setting', async () => {
      const err = await expectError(await load({}, { timeout: 'soon' }), 'BAD_INPUT');
      assert.match(err.error.message, /request timeout/);
    });

    it('a clear error and a red status when the config node is missing', async () => {
      const flow = fetchFlow(ctx.sim, { account: 'gone' });
      await helper.load([configNode, fetchNode], flow, credentials());
      const n1 = helper.getNode('n1');
      assert.deepEqual(lastStatus(n1), {
        fill: 'red',
        shape: 'ring',
        text: 'elicznik-fetch.reason.NO_ACCOUNT',
      });
      const err = await caught(n1);
      assert.equal(err.error.code, 'BAD_INPUT');
      assert.match(err.error.message, /No eLicznik account/);
    });

    it('shows an account problem on every node using the config, without sending the password again', async () => {
      await helper.load([configNode, fetchNode], twoNodeFlow(), credentials('wrong'));
      const n1 = helper.getNode('n1');
      const n2 = helper.getNode('n2');
      await caught(n1);
      assert.deepEqual(lastStatus(n2), {
        fill: 'red',
        shape: 'ring',
        text: 'elicznik-fetch.reason.WRONG_CREDENTIALS',
      });
      assert.equal(ctx.sim.stats.loginAttempts, 1);
      const err = await caught(n2);
      assert.equal(err.error.code, 'WRONG_CREDENTIALS');
      assert.equal(ctx.sim.stats.loginAttempts, 1, 'the rejected password is not sent again');
    });

    it('clears the account problem on the other nodes when a call succeeds again', async () => {
      await helper.load([configNode, fetchNode], twoNodeFlow(), credentials());
      const n1 = helper.getNode('n1');
      const n2 = helper.getNode('n2');
      await fetchOnce(n1);
      ctx.sim.faults.rateLimited = true;
      await caught(n1, { day: '2026-11-01' });
      assert.deepEqual(lastStatus(n2), {
        fill: 'red',
        shape: 'ring',
        text: 'elicznik-fetch.reason.RATE_LIMITED',
      });
      ctx.sim.faults.rateLimited = false;
      ctx.clock.tick(60 * 60_000);
      await fetchOnce(n1, { day: '2026-11-02' });
      assert.deepEqual(lastStatus(n2), {});
      assert.equal(lastStatus(n1)?.fill, 'green');
    });
  });

  describe('with the balance node', () => {
    it('feeds the balance node directly', async () => {
      const balanceNode = require('../../nodes/elicznik-balance/elicznik-balance');
      const flow = fetchFlow(ctx.sim, { wires: [['b1']] }) as unknown as Record<string, unknown>[];
      flow.push({ id: 'b1', type: 'elicznik-balance', z: 'f1', mode: 'history', wires: [['h1']] });
      await helper.load([configNode, fetchNode, balanceNode], flow as unknown as Flow, credentials());
      const msg = await fetchOnce(helper.getNode('n1'));
      const truth = ctx.sim.hourly(G11.id, '2026-11-22');
      assert.equal(msg.payload.hours.length, 24);
      for (const [i, h] of msg.payload.hours.entries()) {
        const net = Math.round((truth[i].ecp! - truth[i].eco!) * 1000) / 1000;
        assert.equal(h.ecbp, Math.max(net, 0));
        assert.equal(h.ecbo, Math.max(-net, 0));
      }
    });
  });

  describe('redeploy', () => {
    it('leaves nothing open and reuses the session after a full redeploy', async () => {
      const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
      const before = sockets();
      const n1 = await load();
      await fetchOnce(n1);
      assert.equal(sessionPool.openCount, 1);
      assert.ok(sockets() > before, 'keep-alive connections to the service while in use');
      const flow = fetchFlow(ctx.sim, { name: 'renamed' });
      await helper.setFlows(flow, 'full', credentials());
      assert.equal(sessionPool.openCount, 0, 'the client closed with the last user');
      for (let i = 0; i < 100 && sockets() > before; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(sockets(), before, 'no connection left open');
      const n1b = helper.getNode('n1');
      assert.notEqual(n1b, n1);
      const msg = await fetchOnce(n1b, { day: '2026-11-01' });
      assert.equal(msg.payload.complete, true);
      assert.equal(ctx.sim.stats.logins, 1, 'no second login');
      assert.equal(ctx.sim.stats.sessionsCreated, 1);
      void NOW;
    });

    it('neither sends nor sets a status when a fetch it started ends after it was redeployed', async () => {
      const n1 = await load();
      await fetchOnce(n1);
      ctx.sim.faults.latencyMs = 300;
      const fetching = new Promise<void>((resolve) =>
        (n1 as any).on('call:status', (call: any) => call.args[0].fill === 'blue' && resolve()),
      );
      const sent: any[] = [];
      helper.getNode('h1').on('input', (msg: any) => sent.push(msg));
      n1.receive({ payload: 'go', day: '2026-11-01', from: 'old node' });
      await fetching;
      const before = statuses(n1).length;
      // Only the fetch node changes: the config node, its session and the request going on stay.
      await helper.setFlows(fetchFlow(ctx.sim, { name: 'renamed' }), 'nodes', credentials());
      const n1b = helper.getNode('n1');
      assert.notEqual(n1b, n1);
      // The same fetch from the new node ends with (or after) the old one.
      n1b.receive({ payload: 'go', day: '2026-11-01', from: 'new node' });
      for (let i = 0; i < 300 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(
        sent.map((m) => [m.from, m.payload.from]),
        [['new node', '2026-11-01']],
      );
      assert.equal(statuses(n1).length, before, 'the closed node sets no status');
      assert.equal(lastStatus(n1b)?.fill, 'green');
      assert.equal(callsOf(n1, 'error').length, 0);
    });

    it('closes the client when the config node is removed', async () => {
      const n1 = await load();
      await fetchOnce(n1);
      await helper.setFlows([{ id: 'f1', type: 'tab', label: 'test' }] as unknown as Flow, 'full', {});
      assert.equal(sessionPool.openCount, 0);
    });
  });
});
