import assert from 'node:assert/strict';
import { startSimulator, type SimulatorHandle } from '../../src/simulator';
import { RCE_PATH, rceRowsOfDate, simulatedQuarterPrices } from '../../src/simulator/rce';
import {
  PSE_RCE_URL,
  RceClient,
  hourlyPrices,
  parseRceRows,
  priceBookFromMessage,
  type RcePeriod,
} from '../../src/settlement/rce';
import { warsawIso } from '../../src/settlement/clock';

function quarterRows(date: string, prices: number[], start = '00:00'): Record<string, unknown>[] {
  let minutes = Number(start.slice(0, 2)) * 60 + Number(start.slice(3));
  return prices.map((price) => {
    const end = minutes + 15;
    const hh = (m: number) =>
      `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const row = {
      dtime: `${date} ${hh(end)}:00`,
      period: `${hh(minutes)} - ${hh(end)}`,
      rce_pln: price,
      business_date: date,
    };
    minutes = end;
    return row;
  });
}

function iso(p: RcePeriod): string {
  return warsawIso(p.startMs);
}

describe('settlement/rce: parsing', () => {
  it('reads quarter rows: dtime is the end of the period in local time', () => {
    const periods = parseRceRows(quarterRows('2025-10-02', [100, 200, 300, 400, 50]));
    assert.deepEqual(periods.map(iso), [
      '2025-10-02T00:00:00+02:00',
      '2025-10-02T00:15:00+02:00',
      '2025-10-02T00:30:00+02:00',
      '2025-10-02T00:45:00+02:00',
      '2025-10-02T01:00:00+02:00',
    ]);
    assert.deepEqual(
      periods.map((p) => (p.endMs - p.startMs) / 60_000),
      [15, 15, 15, 15, 15],
    );
  });

  it('reads older hourly rows (doba, udtczas)', () => {
    const periods = parseRceRows([
      { doba: '2024-03-10', udtczas: '2024-03-10 01:00', rce_pln: 310.5 },
      { doba: '2024-03-10', udtczas: '2024-03-10 02:00', rce_pln: '298,25' },
    ]);
    assert.deepEqual(
      periods.map((p) => [iso(p), p.price, (p.endMs - p.startMs) / 60_000]),
      [
        ['2024-03-10T00:00:00+01:00', 310.5, 60],
        ['2024-03-10T01:00:00+01:00', 298.25, 60],
      ],
    );
  });

  it('places the repeated autumn hour by row order, whichever label it carries', () => {
    const date = '2025-10-26';
    // Nominal labels: 02:00–03:00 twice.
    const nominal = parseRceRows(rceRowsOfDate(date));
    assert.equal(nominal.length, 100);
    assert.equal(iso(nominal[8]), '2025-10-26T02:00:00+02:00');
    assert.equal(iso(nominal[12]), '2025-10-26T02:00:00+01:00');
    assert.equal(iso(nominal[16]), '2025-10-26T03:00:00+01:00');
    // Wall-clock labels: the first copy's last quarter ends at "02:00" (the clock went back).
    const rows = [
      ...quarterRows(date, [1, 2, 3, 4], '01:00'),
      ...quarterRows(date, [5, 6, 7], '02:00'),
      { dtime: `${date} 02:00:00`, rce_pln: 8, business_date: date },
      ...quarterRows(date, [9, 10, 11, 12], '02:00'),
      ...quarterRows(date, [13], '03:00'),
    ];
    const wall = parseRceRows(rows);
    assert.deepEqual(wall.map((p) => [iso(p), p.price]).slice(4, 13), [
      ['2025-10-26T02:00:00+02:00', 5],
      ['2025-10-26T02:15:00+02:00', 6],
      ['2025-10-26T02:30:00+02:00', 7],
      ['2025-10-26T02:45:00+02:00', 8],
      ['2025-10-26T02:00:00+01:00', 9],
      ['2025-10-26T02:15:00+01:00', 10],
      ['2025-10-26T02:30:00+01:00', 11],
      ['2025-10-26T02:45:00+01:00', 12],
      ['2025-10-26T03:00:00+01:00', 13],
    ]);
  });

  it('gives 23 hours on the spring day and 25 on the autumn day', () => {
    const spring = hourlyPrices(parseRceRows(rceRowsOfDate('2026-03-29')));
    assert.equal(spring.length, 23);
    assert.deepEqual(
      spring.slice(0, 3).map((h) => [h.hourStart, h.hour, h.periods]),
      [
        ['2026-03-29T00:00:00+01:00', 1, 4],
        ['2026-03-29T01:00:00+01:00', 2, 4],
        ['2026-03-29T03:00:00+02:00', 4, 4],
      ],
    );
    const autumn = hourlyPrices(parseRceRows(rceRowsOfDate('2025-10-26')));
    assert.equal(autumn.length, 25);
    assert.deepEqual(
      autumn.slice(2, 4).map((h) => [h.hourStart, h.hour, h.repeated]),
      [
        ['2025-10-26T02:00:00+02:00', 3, false],
        ['2025-10-26T02:00:00+01:00', 3, true],
      ],
    );
  });

  it('averages quarters, with negatives kept or clipped first', () => {
    // Quarters 120, −40, −80, 20: mean (120 − 40 − 80 + 20) / 4 = 5; clipped first (120 + 0 + 0 + 20) / 4 = 35.
    const periods = parseRceRows(quarterRows('2025-11-05', [120, -40, -80, 20]));
    assert.equal(hourlyPrices(periods)[0].price, 5);
    assert.equal(hourlyPrices(periods, 'clip-then-average')[0].price, 35);
    // All negative: mean −30 (the settlement counts it as 0) vs 0.
    const negative = parseRceRows(quarterRows('2025-11-05', [-10, -20, -30, -60]));
    assert.equal(hourlyPrices(negative)[0].price, -30);
    assert.equal(hourlyPrices(negative, 'clip-then-average')[0].price, 0);
  });

  it('refuses rows it cannot read with SERVICE_CHANGED', () => {
    assert.throws(() => parseRceRows([{ dtime: '2025-10-02 00:15:00' }]), { code: 'SERVICE_CHANGED' });
    assert.throws(() => parseRceRows([{ rce_pln: 1, business_date: '2025-10-02' }]), {
      code: 'SERVICE_CHANGED',
    });
    assert.throws(
      () => parseRceRows(quarterRows('2025-10-02', [1]).map((r) => ({ ...r, dtime: '2025-10-02 00:20:00' }))),
      {
        code: 'SERVICE_CHANGED',
      },
    );
  });
});

describe('settlement/rce: prices in a message', () => {
  it('takes an hourly list, an RCEm table, both, or a raw report answer', () => {
    const hourly = priceBookFromMessage([{ hourStart: '2025-06-01T12:00:00+02:00', price: -12.5 }]);
    assert.deepEqual([...hourly.hourly!], [[Date.parse('2025-06-01T10:00:00Z'), -12.5]]);
    assert.deepEqual(priceBookFromMessage({ '2025-01': 412.5, '2025-02': '398,1' }).monthly, {
      '2025-01': 412.5,
      '2025-02': 398.1,
    });
    const both = priceBookFromMessage({ monthly: { '2025-01': 400 }, hourly: [] });
    assert.deepEqual(both.monthly, { '2025-01': 400 });
    const raw = priceBookFromMessage(
      { value: quarterRows('2025-11-05', [120, -40, -80, 20]) },
      'clip-then-average',
    );
    assert.equal(raw.hourly!.get(Date.parse('2025-11-05T00:00:00+01:00')), 35);
  });

  it('refuses bad entries with BAD_INPUT', () => {
    assert.throws(() => priceBookFromMessage({ '2025-13': 1 }), { code: 'BAD_INPUT' });
    assert.throws(() => priceBookFromMessage([{ hourStart: 'yesterday', price: 1 }]), { code: 'BAD_INPUT' });
    assert.throws(() => priceBookFromMessage([{ hourStart: '2025-06-01T12:30:00+02:00', price: 1 }]), {
      code: 'BAD_INPUT',
    });
    assert.throws(() => priceBookFromMessage('412'), { code: 'BAD_INPUT' });
    // Without an offset the hour would be read in the server's time zone and priced at the wrong hour.
    assert.throws(() => priceBookFromMessage([{ hourStart: '2025-06-01T12:00:00', price: 1 }]), {
      code: 'BAD_INPUT',
      message: /offset/,
    });
  });
});

describe('settlement/rce: client over HTTP against the simulator', () => {
  let sim: SimulatorHandle;
  const now = Date.parse('2026-03-30T15:00:00+02:00');

  before(async () => {
    sim = await startSimulator({ now: () => now });
  });
  after(async () => {
    await sim.close();
  });
  afterEach(() => {
    sim.resetFaults();
    sim.stats.reset();
  });

  function client(extra: Partial<ConstructorParameters<typeof RceClient>[0]> = {}): RceClient {
    return new RceClient({
      url: `${sim.serviceUrl}${RCE_PATH}`,
      retryBaseMs: 1,
      timeoutMs: 2000,
      now: () => now,
      ...extra,
    });
  }

  it('defaults to the real PSE report', () => {
    assert.equal(new RceClient().url, PSE_RCE_URL);
    assert.equal(PSE_RCE_URL, 'https://api.raporty.pse.pl/api/rce-pln');
  });

  it('follows nextLink over pages of quarter-hour rows and averages them per hour, DST days included', async () => {
    const c = client();
    // 2026-03-28 (96 quarters), 03-29 (92), 03-30 (96): 284 rows in pages of 100 → 3 requests.
    const prices = await c.getHourlyPrices('2026-03-28', '2026-03-30');
    assert.equal(c.requests, 3);
    assert.equal(sim.stats.requests[RCE_PATH], 3);
    assert.equal(prices.hours.length, 24 + 23 + 24);
    assert.deepEqual(prices.missingDates, []);
    const quarters = simulatedQuarterPrices('2026-03-29');
    const first = prices.hours.find((h) => h.hourStart === '2026-03-29T03:00:00+02:00')!;
    const q = quarters.filter((x) => x.startMs >= first.startMs && x.startMs < first.startMs + 3_600_000);
    assert.equal(q.length, 4);
    assert.ok(Math.abs(first.price - (q[0].price + q[1].price + q[2].price + q[3].price) / 4) < 1e-6);
    assert.equal(first.hour, 4);
  });

  it('gives 25 hours on the autumn day and hourly rows before October 2025', async () => {
    const c = client();
    const autumn = await c.getHourlyPrices('2025-10-26', '2025-10-26');
    assert.equal(autumn.hours.length, 25);
    assert.equal(autumn.hours.filter((h) => h.repeated).length, 1);
    assert.ok(autumn.hours.every((h) => h.periods === 4));
    const old = await c.getHourlyPrices('2024-10-27', '2024-10-27');
    assert.equal(old.hours.length, 25);
    assert.ok(old.hours.every((h) => h.periods === 1));
  });

  it('splits a range longer than one call into parts and joins them in order', async () => {
    const whole = await client().getHourlyPrices('2026-03-20', '2026-03-30');
    const c = client({ maxDays: 4 });
    await assert.rejects(c.getHourlyPrices('2026-03-20', '2026-03-30'), { code: 'BAD_INPUT' });
    const parts = await c.pricesBetween('2026-03-20', '2026-03-30');
    assert.deepEqual(parts, whole);
    assert.equal(parts.hours.length, 11 * 24 - 1);
    assert.deepEqual(
      (await c.pricesFor([{ date: '2026-03-30' }, { date: '2026-03-20' }])).hours,
      whole.hours,
      'the node asks for the dates of its records the same way',
    );
    await assert.rejects(c.pricesBetween('2026-03-30', '2026-03-20'), { code: 'BAD_INPUT' });
  });

  it('caches complete past days and reports days not published yet', async () => {
    const c = client();
    // At 15:00 on 2026-03-30 tomorrow is published, the day after is not.
    const first = await c.getHourlyPrices('2026-03-29', '2026-04-01');
    assert.deepEqual(first.missingDates, ['2026-04-01']);
    assert.equal(first.hours.length, 23 + 24 + 24);
    const sent = c.requests;
    const again = await c.getHourlyPrices('2026-03-29', '2026-03-29');
    assert.equal(c.requests, sent, 'a past day comes from the cache');
    assert.deepEqual(again.hours, first.hours.slice(0, 23));
    await c.getHourlyPrices('2026-03-31', '2026-03-31');
    assert.equal(c.requests, sent + 1, 'today and later are asked again');
    assert.equal(c.cachedDays, 1);
  });

  it('retries 5xx answers and gives up with SERVICE_UNAVAILABLE', async () => {
    sim.faults.serverErrors = 2;
    const ok = await client().getHourlyPrices('2026-03-20', '2026-03-20');
    assert.equal(ok.hours.length, 24);
    sim.faults.serverErrors = 10;
    await assert.rejects(client({ retries: 1 }).getHourlyPrices('2026-03-20', '2026-03-20'), {
      code: 'SERVICE_UNAVAILABLE',
      httpStatus: 502,
    });
  });

  it('times out with SERVICE_UNAVAILABLE', async () => {
    sim.faults.latencyMs = 300;
    await assert.rejects(client({ timeoutMs: 50, retries: 0 }).getHourlyPrices('2026-03-20', '2026-03-20'), {
      code: 'SERVICE_UNAVAILABLE',
      step: 'rce-request',
    });
  });

  it('reports a refused query or an answer that is not the report with SERVICE_CHANGED', async () => {
    await assert.rejects(
      new RceClient({ url: `${sim.serviceUrl}${RCE_PATH}?$top=5`, retries: 0 }).getHourlyPrices(
        '2026-03-20',
        '2026-03-20',
      ),
      { code: 'SERVICE_CHANGED', httpStatus: 400 },
    );
    await assert.rejects(
      new RceClient({ url: `${sim.serviceUrl}/nie-ma`, retries: 0 }).getHourlyPrices(
        '2026-03-20',
        '2026-03-20',
      ),
      { code: 'SERVICE_CHANGED', step: 'rce-answer' },
    );
  });

  it('refuses bad ranges with BAD_INPUT', async () => {
    await assert.rejects(client().getHourlyPrices('2026-03-20', '2026-03-19'), { code: 'BAD_INPUT' });
    await assert.rejects(client().getHourlyPrices('20.03.2026', '2026-03-21'), { code: 'BAD_INPUT' });
    await assert.rejects(client().getHourlyPrices('2024-01-01', '2026-01-01'), { code: 'BAD_INPUT' });
    assert.throws(() => new RceClient({ url: 'ftp://example.com/rce' }), { code: 'BAD_INPUT' });
  });
});

describe('simulator: RCE report', () => {
  let sim: SimulatorHandle;
  let nowMs = Date.parse('2026-03-30T13:00:00+02:00');

  before(async () => {
    sim = await startSimulator({ now: () => nowMs });
  });
  after(async () => {
    await sim.close();
  });

  async function get(query: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${sim.serviceUrl}${RCE_PATH}?${query}`);
    return { status: res.status, body: await res.json() };
  }

  it('publishes the next day at 14:00', async () => {
    const q = `$filter=${encodeURIComponent("business_date eq '2026-03-31'")}`;
    nowMs = Date.parse('2026-03-30T13:59:00+02:00');
    assert.equal((await get(q)).body.value.length, 0);
    nowMs = Date.parse('2026-03-30T14:00:00+02:00');
    assert.equal((await get(q)).body.value.length, 96);
  });

  it('refuses $top and the old doba field like PSE, and honours $select and $first', async () => {
    const top = await get(`$top=10&$filter=${encodeURIComponent("business_date eq '2026-03-20'")}`);
    assert.equal(top.status, 400);
    const doba = await get(`$filter=${encodeURIComponent("doba eq '2026-03-20'")}`);
    assert.equal(doba.status, 400);
    assert.match(doba.body.error.message, /doba/);
    const small = await get(
      `$first=10&$select=dtime,rce_pln&$filter=${encodeURIComponent("business_date eq '2026-03-20'")}`,
    );
    assert.equal(small.body.value.length, 10);
    assert.deepEqual(Object.keys(small.body.value[0]), ['dtime', 'rce_pln']);
    assert.match(small.body.nextLink, /%24skip=10/);
  });

  it('goes to zero or below on a sunny summer midday and peaks in the evening', () => {
    const june = simulatedQuarterPrices('2025-06-21');
    const at = (hh: number) => june.find((q) => warsawIso(q.startMs).slice(11, 16) === `${hh}:00`)!.price;
    assert.ok(at(12) <= 20, `midday ${at(12)}`);
    assert.ok(at(20) > 300, `evening ${at(20)}`);
    assert.deepEqual(simulatedQuarterPrices('2025-06-21'), june, 'deterministic');
  });
});
