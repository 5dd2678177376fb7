import assert from 'node:assert/strict';
import type { HourRecord } from '../../src/energy/hour';
import { toLocalIso } from '../../src/energy/time';
import {
  NetMeteringBank,
  checkNetMeteringSettings,
  lotExpiryMs,
  ratioForInstalledPower,
  settleNetMetering,
  type BankExpiry,
  type NetMeteringPeriod,
} from '../../src/settlement/net-metering';
import { hourOf, randomHours } from './support';

function isoExpiry(hourStart: string, date: string, expiry: BankExpiry = 'same-time', days = 365): string {
  return toLocalIso(lotExpiryMs(Date.parse(hourStart), date, days, expiry));
}

function closedMonth(periods: NetMeteringPeriod[], label: string): NetMeteringPeriod {
  const found = periods.find((p) => p.month.label === label);
  assert.ok(found, `no statement for ${label}`);
  return found;
}

describe('settlement/net-metering', () => {
  describe('settings', () => {
    it('uses 0.8 up to 10 kW and 0.7 above', () => {
      assert.equal(ratioForInstalledPower(6.5), 0.8);
      assert.equal(ratioForInstalledPower(10), 0.8);
      assert.equal(ratioForInstalledPower(10.1), 0.7);
    });

    it('fills defaults and refuses bad values with BAD_INPUT', () => {
      const s = checkNetMeteringSettings({});
      assert.equal(s.ratio, 0.8);
      assert.equal(s.windowDays, 365);
      assert.equal(s.expiry, 'end-of-day');
      assert.equal(s.zonePriority, 'distribution');
      assert.equal(checkNetMeteringSettings({ expiry: 'same-time' }).expiry, 'same-time');
      assert.throws(() => checkNetMeteringSettings({ expiry: 'noon' as never }), { code: 'BAD_INPUT' });
      assert.throws(() => checkNetMeteringSettings({ ratio: 1.5 }), { code: 'BAD_INPUT' });
      assert.throws(() => checkNetMeteringSettings({ windowDays: 0 }), { code: 'BAD_INPUT' });
      assert.throws(() => checkNetMeteringSettings({ zonePriority: 'cheapest' as never }), {
        code: 'BAD_INPUT',
      });
    });
  });

  describe('lot expiry at the end of the day 365 days later (default)', () => {
    it('lets a lot of any hour of 2026-03-28 cover import until 2027-03-28 24:00', () => {
      for (const hour of [1, 11, 24]) {
        const start = hourOf('2026-03-28', hour, { ecbo: 1 }).hourStart;
        assert.equal(isoExpiry(start, '2026-03-28', 'end-of-day'), '2027-03-29T00:00:00+02:00');
        assert.equal(
          toLocalIso(lotExpiryMs(Date.parse(start), '2026-03-28', 365)),
          '2027-03-29T00:00:00+02:00',
        );
      }
      // across the autumn change and a leap day: 2027-10-30 + 365 days = 2028-10-29 (2028-02-29 between)
      assert.equal(
        isoExpiry('2027-10-30T12:00:00+02:00', '2027-10-30', 'end-of-day'),
        '2028-10-30T00:00:00+01:00',
      );
    });

    it('covers the last hour of the expiry day and not the first hour of the next one', () => {
      // Lot: 1 kWh exported 2026-03-28 10:00–11:00 × 0.8 = 800 Wh, usable to the end of 2027-03-28.
      // 2027-03-28 10:00–11:00 and 23:00–24:00 import 300 Wh each → covered (the same-time rule
      // would bill them); 2027-03-29 00:00–01:00 imports 300 Wh → billed. 200 Wh expire on 2027-03-28.
      const periods = new NetMeteringBank().pushAll([
        hourOf('2026-03-28', 11, { ecbo: 1 }),
        hourOf('2027-03-28', 11, { ecbp: 0.3 }),
        hourOf('2027-03-28', 24, { ecbp: 0.3 }),
        hourOf('2027-03-29', 1, { ecbp: 0.3 }),
        hourOf('2027-04-01', 1, {}),
      ]);
      const march = closedMonth(periods, '2027-03');
      assert.deepEqual(
        march.hours.map((h) => [h.hourStart, h.usedWh, h.billedWh]),
        [
          ['2027-03-28T10:00:00+02:00', 300, 0],
          ['2027-03-28T23:00:00+02:00', 300, 0],
          ['2027-03-29T00:00:00+02:00', 0, 300],
        ],
      );
      assert.equal(march.month.expiredWh, 200);
      assert.equal(march.days.find((d) => d.label === '2027-03-28')!.expiredWh, 200);
      assert.equal(march.month.balanceWh, 0);
    });
  });

  describe('lot expiry at the same clock time (expiry: same-time)', () => {
    it('keeps the wall clock across the spring change: 2026-03-28 10:00 CET → 2027-03-28 10:00 CEST', () => {
      const start = hourOf('2026-03-28', 11, { ecbo: 1 }).hourStart;
      assert.equal(start, '2026-03-28T10:00:00+01:00');
      assert.equal(isoExpiry(start, '2026-03-28'), '2027-03-28T10:00:00+02:00');
      // 365 days of 24 h = 8760 h, minus the hour the clock skipped on 2027-03-28.
      assert.equal(
        (lotExpiryMs(Date.parse(start), '2026-03-28', 365, 'same-time') - Date.parse(start)) / 3_600_000,
        8759,
      );
    });

    it('keeps the wall clock across the autumn change: 2025-10-25 10:00 CEST → 2026-10-25 10:00 CET (8761 h)', () => {
      const start = hourOf('2025-10-25', 11, { ecbo: 1 }).hourStart;
      assert.equal(isoExpiry(start, '2025-10-25'), '2026-10-25T10:00:00+01:00');
      assert.equal(
        (lotExpiryMs(Date.parse(start), '2025-10-25', 365, 'same-time') - Date.parse(start)) / 3_600_000,
        8761,
      );
    });

    it('moves a skipped wall time to the next hour and picks the first of a repeated one', () => {
      // 2026-03-29 has no 02:00; a lot from 2025-03-29 02:00 expires at 03:00 CEST.
      assert.equal(isoExpiry('2025-03-29T02:00:00+01:00', '2025-03-29'), '2026-03-29T03:00:00+02:00');
      // 2026-10-25 has 02:00 twice; the first (CEST) is the expiry.
      assert.equal(isoExpiry('2025-10-25T02:00:00+02:00', '2025-10-25'), '2026-10-25T02:00:00+02:00');
      // The repeated hour itself (02:00 CET on 2025-10-26) expires at 02:00 on 2026-10-26.
      assert.equal(isoExpiry('2025-10-26T02:00:00+01:00', '2025-10-26'), '2026-10-26T02:00:00+01:00');
    });

    it('covers the hour before the expiry and not the hour at it (2027-03-28, across DST)', () => {
      // Lot: 1 kWh exported 2026-03-28 10:00–11:00 × 0.8 = 800 Wh, expires 2027-03-28 10:00 CEST.
      // 09:00–10:00 imports 300 Wh → covered; 10:00–11:00 imports 300 Wh → billed.
      // The remaining 800 − 300 = 500 Wh expire on 2027-03-28.
      const bank = new NetMeteringBank({ expiry: 'same-time' });
      const periods = bank.pushAll([
        hourOf('2026-03-28', 11, { ecbo: 1 }),
        hourOf('2027-03-28', 10, { ecbp: 0.3 }),
        hourOf('2027-03-28', 11, { ecbp: 0.3 }),
        hourOf('2027-04-01', 1, {}),
      ]);
      const march = closedMonth(periods, '2027-03');
      assert.equal(march.month.final, true);
      assert.deepEqual(
        march.hours.map((h) => [h.hourStart, h.usedWh, h.billedWh]),
        [
          ['2027-03-28T09:00:00+02:00', 300, 0],
          ['2027-03-28T10:00:00+02:00', 0, 300],
        ],
      );
      assert.equal(march.month.expiredWh, 500);
      assert.equal(march.month.balanceStartWh, 800);
      assert.equal(march.month.balanceWh, 0);
      const day = march.days.find((d) => d.label === '2027-03-28')!;
      assert.equal(day.expiredWh, 500);
      assert.equal(day.balanceStartWh, 800);
      assert.equal(day.balanceWh, 0);
      // The days before it show the lot as expiring within 30 days: 2027-02-26 is 30 days before.
      const earlier = closedMonth(periods, '2027-02');
      assert.equal(earlier.month.expiringNext30DaysWh, 800);
      // Every empty month in between was closed, with its statement.
      assert.equal(periods.filter((p) => p.month.final).length, 13);
      const empty = closedMonth(periods, '2026-07');
      assert.equal(empty.month.hours, 0);
      assert.equal(empty.month.missingHours, 31 * 24);
      assert.equal(empty.month.balanceWh, 800);
    });
  });

  it('uses the oldest lots first (FIFO)', () => {
    // Lot A: 2026-05-04 10:00, 1.000 kWh × 0.8 = 800 Wh. Lot B: 2026-05-05 10:00, 2.000 × 0.8 = 1600 Wh.
    // 2026-05-06 20:00 imports 1.000 kWh: 800 from A, 200 from B → B keeps 1400.
    // 2026-05-07 20:00 imports 2.000 kWh: 1400 from B, 600 billed.
    const { periods, state } = settleNetMetering([
      hourOf('2026-05-04', 11, { ecbo: 1 }),
      hourOf('2026-05-05', 11, { ecbo: 2 }),
      hourOf('2026-05-06', 21, { ecbp: 1 }),
      hourOf('2026-05-07', 21, { ecbp: 2 }),
    ]);
    const open = periods[0];
    assert.equal(open.month.final, false);
    assert.deepEqual(
      open.hours.map((h) => [h.bankedWh, h.usedWh, h.billedWh]),
      [
        [800, 0, 0],
        [1600, 0, 0],
        [0, 1000, 0],
        [0, 1400, 600],
      ],
    );
    assert.equal(open.month.total.bankedWh, 2400);
    assert.equal(open.month.total.usedWh, 2400);
    assert.equal(open.month.total.billedWh, 600);
    assert.equal(open.month.balanceWh, 0);
    const days = Object.fromEntries(open.days.map((d) => [d.label, d.balanceWh]));
    assert.deepEqual(days, { '2026-05-04': 800, '2026-05-05': 2400, '2026-05-06': 1400, '2026-05-07': 0 });
    // The preview does not touch the state: both lots are still full until the month closes.
    assert.deepEqual(
      state.lots.map((l) => l.remainingWh),
      [800, 1600],
    );
  });

  it('carries the bank across a year end and covers the repeated autumn hour from the first', () => {
    // 2025-12-31 23:00–24:00 exports 1.000 kWh × 0.8 = 800 Wh; 2026-01-01 00:00–01:00 imports
    // 1.000 kWh: 800 covered, 200 billed. December closes with 800 Wh, January starts with them.
    const newYear = settleNetMetering([
      hourOf('2025-12-31', 24, { ecbo: 1 }),
      hourOf('2026-01-01', 1, { ecbp: 1 }),
    ]).periods;
    assert.deepEqual(
      newYear.map((p) => [p.month.label, p.month.final, p.month.balanceStartWh, p.month.balanceWh]),
      [
        ['2025-12', true, 0, 800],
        ['2026-01', false, 800, 0],
      ],
    );
    assert.deepEqual(
      newYear[1].hours.map((h) => [h.hourStart, h.usedWh, h.billedWh]),
      [['2026-01-01T00:00:00+01:00', 800, 200]],
    );
    // 2026-10-25: 02:00 CEST exports 0.500 kWh × 0.7 = 350 Wh; the repeated 02:00 CET (an hour
    // later) imports 0.400 kWh: 350 covered, 50 billed.
    const autumn = settleNetMetering(
      [hourOf('2026-10-25', 3, { ecbo: 0.5 }), hourOf('2026-10-25', 3, { ecbp: 0.4, repeated: true })],
      { ratio: 0.7 },
    ).periods[0];
    assert.deepEqual(
      autumn.hours.map((h) => [h.hourStart, h.repeated, h.bankedWh, h.usedWh, h.billedWh]),
      [
        ['2026-10-25T02:00:00+02:00', false, 350, 0, 0],
        ['2026-10-25T02:00:00+01:00', true, 0, 350, 50],
      ],
    );
  });

  it('counts an expiry at a month boundary on the last day of the month it ends', () => {
    // A lot of 2025-05-31 (end-of-day) is usable to 2026-05-31 24:00; a lot of 2025-06-01 00:00
    // (same-time) to 2026-06-01 00:00, so its last hour is 2026-05-31 23:00–24:00. Either way
    // 1.000 kWh × 0.8 = 800 Wh expire on 2026-05-31, in May's statement, and none in June's.
    for (const [expiry, lot] of [
      ['end-of-day', hourOf('2025-05-31', 12, { ecbo: 1 })],
      ['same-time', hourOf('2025-06-01', 1, { ecbo: 1 })],
    ] as const) {
      const { periods } = settleNetMetering([lot, hourOf('2026-06-01', 2, {})], { expiry });
      const may = closedMonth(periods, '2026-05');
      assert.equal(may.month.expiredWh, 800, expiry);
      assert.deepEqual(
        may.days.filter((d) => d.expiredWh > 0).map((d) => [d.label, d.expiredWh]),
        [['2026-05-31', 800]],
        expiry,
      );
      assert.equal(closedMonth(periods, '2026-06').month.balanceStartWh, 0, expiry);
    }
  });

  it('never covers an hour from energy exported after it', () => {
    // 2026-05-04 20:00 imports 1 kWh, 2026-05-05 10:00 exports 1 kWh: nothing to cover the import with.
    const { periods } = settleNetMetering([
      hourOf('2026-05-04', 21, { ecbp: 1 }),
      hourOf('2026-05-05', 11, { ecbo: 1 }),
    ]);
    assert.equal(periods[0].month.total.usedWh, 0);
    assert.equal(periods[0].month.total.billedWh, 1000);
    assert.equal(periods[0].month.balanceWh, 800);
  });

  it('carries the part of a Wh that the ratio leaves, so rounding loses nothing', () => {
    // ratio 0.7, three hours of 1 Wh: 0.7 → 0 (carry 0.7), 1.4 → 1 (carry 0.4), 1.1 → 1 (carry 0.1).
    const { periods, state } = settleNetMetering(
      [
        hourOf('2026-05-04', 11, { ecbo: 0.001 }),
        hourOf('2026-05-04', 12, { ecbo: 0.001 }),
        hourOf('2026-05-04', 13, { ecbo: 0.001 }),
      ],
      { ratio: 0.7 },
    );
    assert.deepEqual(
      periods[0].hours.map((h) => h.bankedWh),
      [0, 1, 1],
    );
    assert.equal(state.carry, 100);
  });

  describe('two-zone tariff', () => {
    // T1 (day): energy 0.50 + distribution 0.30 = 0.80 PLN/kWh; T2 (night): 0.40 + 0.10 = 0.50 PLN/kWh.
    const prices = { T1: { energy: 0.5, distribution: 0.3 }, T2: { energy: 0.4, distribution: 0.1 } };
    // Lot: 1 kWh on 2026-06-01 12:00 → 800 Wh. Imports: 2026-06-02 23:00 (T2) 600 Wh, 2026-06-03 19:00 (T1) 600 Wh.
    const hours = [
      hourOf('2026-06-01', 13, { ecbo: 1, zone: 'T1' }),
      hourOf('2026-06-02', 24, { ecbp: 0.6, zone: 'T2' }),
      hourOf('2026-06-03', 20, { ecbp: 0.6, zone: 'T1' }),
    ];

    it('covers the zone with the highest distribution price first by default', () => {
      // T1 first: 600 Wh covered; T2 gets the remaining 200 Wh and is billed 400 Wh.
      // Costs: before T1 600 × 0.80 = 0.48 PLN, T2 600 × 0.50 = 0.30 PLN; after T1 0, T2 400 × 0.50 = 0.20 PLN.
      const month = settleNetMetering(hours, { prices }).periods[0].month;
      assert.equal(month.zones.T1.usedWh, 600);
      assert.equal(month.zones.T2.usedWh, 200);
      assert.equal(month.zones.T2.billedWh, 400);
      assert.equal(month.zones.T1.costBeforeGr, 48);
      assert.equal(month.zones.T2.costBeforeGr, 30);
      assert.equal(month.zones.T1.costAfterGr, 0);
      assert.equal(month.zones.T2.costAfterGr, 20);
      assert.equal(month.total.costBeforeGr, 78);
      assert.equal(month.total.costAfterGr, 20);
      assert.equal(month.zones.T1.bankedWh, 800);
    });

    it('covers hours in time order with priority "time" or an explicit list', () => {
      // T2 (earlier) takes 600, T1 gets 200 and is billed 400 → after: 400 × 0.80 = 0.32 PLN.
      for (const zonePriority of ['time', ['T2', 'T1']] as const) {
        const month = settleNetMetering(hours, { prices, zonePriority }).periods[0].month;
        assert.equal(month.zones.T2.usedWh, 600);
        assert.equal(month.zones.T1.usedWh, 200);
        assert.equal(month.total.costAfterGr, 32);
      }
    });

    it('leaves money out without prices', () => {
      const month = settleNetMetering(hours).periods[0].month;
      assert.equal(month.total.costBeforeGr, null);
      assert.equal(month.total.usedWh, 800);
    });
  });

  it('can leave hour statements out and still give the same months and days', () => {
    const hours = [hourOf('2026-05-04', 11, { ecbo: 1 }), hourOf('2026-05-06', 21, { ecbp: 1 })];
    const full = settleNetMetering(hours).periods[0];
    const lean = settleNetMetering(hours, {}, undefined, { hourStatements: false }).periods[0];
    assert.deepEqual(lean.hours, []);
    assert.equal(full.hours.length, 2);
    assert.deepEqual(lean.month, full.month);
    assert.deepEqual(lean.days, full.days);
  });

  it('closes a month at its last hour and refuses hours that are not after the latest one', () => {
    const bank = new NetMeteringBank();
    assert.deepEqual(bank.push(hourOf('2026-05-31', 23, { ecbo: 1 })).closed, []);
    const last = bank.push(hourOf('2026-05-31', 24, { ecbp: 0.5 }));
    assert.equal(last.closed.length, 1);
    assert.equal(last.closed[0].month.label, '2026-05');
    assert.equal(last.closed[0].month.final, true);
    assert.equal(bank.lastMonth?.label, '2026-05');
    assert.equal(bank.preview(), null);
    assert.deepEqual(bank.push(hourOf('2026-05-31', 24, { ecbp: 0.5 })), {
      accepted: false,
      reason: 'already-settled',
      closed: [],
    });
    const noData = { ...hourOf('2026-06-01', 1, {}), ecp: null, eco: null, ecbp: null, ecbo: null };
    assert.equal(bank.push(noData).reason, 'no-data');
    assert.equal(bank.balanceWh, 300);
  });

  it('settles a range in any order as its hours pushed one by one in time order', () => {
    const PRICES = { T1: { energy: 0.62, distribution: 0.38 }, T2: { energy: 0.45, distribution: 0.09 } };
    const hours = randomHours('order', '2026-04-20', '2026-06-03');
    const noData = { ...hourOf('2026-05-02', 5, {}), ecp: null, eco: null, ecbp: null, ecbo: null };
    const oneByOne = (records: readonly HourRecord[]) => {
      const bank = new NetMeteringBank({ prices: PRICES });
      const periods: NetMeteringPeriod[] = [];
      for (const r of [...records].sort((a, b) => Date.parse(a.hourStart) - Date.parse(b.hourStart))) {
        periods.push(...bank.push(r).closed);
      }
      const open = bank.preview();
      if (open) periods.push(open);
      return JSON.stringify({ periods, state: bank.toJSON() });
    };
    const cases: [string, HourRecord[]][] = [
      ['in order', hours],
      ['reversed', [...hours].reverse()],
      ['one hour twice (the second is skipped)', [...hours.slice(0, 300), hours[299], ...hours.slice(300)]],
      ['an hour without data out of place', [...hours.slice(0, 500), noData, ...hours.slice(500)]],
      [
        'an hour out of place',
        [...hours.slice(0, 40), hours[700], ...hours.slice(40, 700), ...hours.slice(701)],
      ],
    ];
    for (const [what, records] of cases) {
      const once = settleNetMetering(records, { prices: PRICES });
      assert.equal(JSON.stringify(once), oneByOne(records), what);
    }
  });

  it('counts missing hours, and only from the first settled day on', () => {
    const { periods } = settleNetMetering([
      hourOf('2026-05-30', 1, { ecbp: 1 }),
      hourOf('2026-05-31', 24, { ecbp: 1 }),
    ]);
    const month = periods[0].month;
    assert.equal(month.from, '2026-05-30');
    assert.equal(month.hours, 2);
    assert.equal(month.missingHours, 46);
    assert.deepEqual(
      periods[0].days.map((d) => [d.label, d.missingHours]),
      [
        ['2026-05-30', 23],
        ['2026-05-31', 23],
      ],
    );
  });

  it('counts 23 and 25 clock hours on the DST days', () => {
    const { periods } = settleNetMetering([hourOf('2026-03-29', 1, {}), hourOf('2026-10-25', 1, {})]);
    const march = periods.find((p) => p.month.label === '2026-03')!;
    assert.equal(march.days.find((d) => d.label === '2026-03-29')!.missingHours, 22);
    const october = periods.find((p) => p.month.label === '2026-10')!;
    assert.equal(october.month.final, false);
    assert.equal(october.days.find((d) => d.label === '2026-10-25')!.missingHours, 0);
    const full = settleNetMetering([hourOf('2026-10-25', 1, {}), hourOf('2026-10-25', 24, {})]).periods[0];
    assert.equal(full.days[0].missingHours, 23);
  });
});
