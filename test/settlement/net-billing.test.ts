import assert from 'node:assert/strict';
import type { HourRecord } from '../../src/energy/hour';
import {
  NetBillingDeposit,
  checkNetBillingSettings,
  settleNetBilling,
  type NetBillingPeriod,
  type NetBillingOptions,
} from '../../src/settlement/net-billing';
import { hourOf } from './support';

const ENERGY = { T1: { energy: 0.5 } };

function hourly(entries: [HourRecord, number][]): Map<number, number> {
  return new Map(entries.map(([r, price]) => [Date.parse(r.hourStart), price]));
}

function month(periods: NetBillingPeriod[], label: string): NetBillingPeriod['month'] {
  const found = periods.find((p) => p.month.label === label);
  assert.ok(found, `no statement for ${label}`);
  return found.month;
}

describe('settlement/net-billing', () => {
  it('fills defaults and needs energy prices', () => {
    const s = checkNetBillingSettings({ prices: ENERGY });
    assert.equal(s.priceMode, 'rcem');
    assert.equal(s.coefficient, 1.23);
    assert.equal(s.coefficientFrom, '2024-12-27');
    assert.equal(s.coefficientRetroactive, false);
    assert.equal(s.validityMonths, 12);
    assert.equal(s.refundCapPercent, 20);
    assert.throws(() => checkNetBillingSettings({}), { code: 'BAD_INPUT' });
    assert.throws(() => checkNetBillingSettings({ prices: { T1: { energy: -1 } } }), { code: 'BAD_INPUT' });
    assert.throws(() => checkNetBillingSettings({ prices: ENERGY, priceMode: 'rcet' as never }), {
      code: 'BAD_INPUT',
    });
  });

  describe('valuing the export (September 2024, before the coefficient)', () => {
    const sunny = hourOf('2024-09-10', 11, { ecbo: 2 });
    const negative = hourOf('2024-09-10', 14, { ecbo: 1 });
    const prices = {
      hourly: hourly([
        [sunny, 300],
        [negative, -50],
      ]),
      monthly: { '2024-09': 250 },
    };

    it('at the hourly RCE, a negative price counting as 0', () => {
      // 2000 Wh × 300 PLN/MWh = 600 000 µPLN = 60 gr; 1000 Wh × max(−50, 0) = 0.
      const { periods } = settleNetBilling([sunny, negative], { prices: ENERGY, priceMode: 'rce' }, prices);
      const m = periods[0].month;
      assert.equal(m.depositAddedGr, 60);
      assert.equal(m.total.marketValueGr, 60);
      assert.deepEqual(
        periods[0].hours.map((h) => [h.priceSource, h.pricePlnPerMwh, h.factor, h.surplusValuePln]),
        [
          ['rce', 300, 1, 0.6],
          ['rce', -50, 1, 0],
        ],
      );
    });

    it('at the month RCEm', () => {
      // (2000 + 1000) Wh × 250 PLN/MWh = 750 000 µPLN = 75 gr.
      const { periods } = settleNetBilling([sunny, negative], { prices: ENERGY }, prices);
      assert.equal(periods[0].month.depositAddedGr, 75);
      assert.equal(periods[0].hours[0].priceSource, 'rcem');
      assert.equal(periods[0].hours[0].surplusValuePln, 0.5);
    });

    it('at a negative RCEm as 0', () => {
      const { periods } = settleNetBilling([sunny], { prices: ENERGY }, { monthly: { '2024-09': -10 } });
      assert.equal(periods[0].month.depositAddedGr, 0);
    });

    it('at RCEm before the RCE start date and RCE after it', () => {
      const later = hourOf('2024-09-15', 11, { ecbo: 1 });
      const { periods } = settleNetBilling(
        [sunny, later],
        { prices: ENERGY, priceMode: 'rce', rceFrom: '2024-09-15' },
        { hourly: hourly([[later, 100]]), monthly: { '2024-09': 250 } },
      );
      // 2000 × 250 + 1000 × 100 = 600 000 µPLN = 60 gr.
      assert.deepEqual(
        periods[0].hours.map((h) => h.priceSource),
        ['rcem', 'rce'],
      );
      assert.equal(periods[0].month.depositAddedGr, 60);
    });
  });

  it('values days before 2024-07-01 at RCEm even with hourly RCE chosen', () => {
    // The act valued every prosumer's export at RCEm until 2024-06-30; hourly RCE only from 2024-07-01.
    // 2024-06-30 23:00–24:00: 1000 Wh × RCEm 300 = 300 000 µPLN = 30 gr (the hourly 500 not used);
    // 2024-07-01 00:00–01:00: 1000 Wh × RCE 100 = 100 000 µPLN = 10 gr (no coefficient before 2024-12-27).
    const june = hourOf('2024-06-30', 24, { ecbo: 1 });
    const july = hourOf('2024-07-01', 1, { ecbo: 1 });
    const prices = {
      hourly: hourly([
        [june, 500],
        [july, 100],
      ]),
      monthly: { '2024-06': 300, '2024-07': 200 },
    };
    const { periods } = settleNetBilling([june, july], { prices: ENERGY, priceMode: 'rce' }, prices);
    assert.deepEqual(
      periods.map((p) => [p.month.label, p.hours[0].priceSource, p.month.depositAddedGr]),
      [
        ['2024-06', 'rcem', 30],
        ['2024-07', 'rce', 10],
      ],
    );
    // An RCE start date before 2024-07-01 does not move it earlier either.
    const early = settleNetBilling(
      [june, july],
      { prices: ENERGY, priceMode: 'rce', rceFrom: '2024-01-01' },
      prices,
    );
    assert.equal(early.periods[0].month.depositAddedGr, 30);
  });

  describe('the 1.23 coefficient', () => {
    // 2024-12-26 23:00–24:00: 1000 Wh × 400 = 400 000 µPLN; 2024-12-27 00:00–01:00: 1000 Wh × 400 × 1.23 = 492 000 µPLN.
    const before = hourOf('2024-12-26', 24, { ecbo: 1 });
    const after = hourOf('2024-12-27', 1, { ecbo: 1 });
    const prices = { monthly: { '2024-12': 400 } };

    it('applies from 2024-12-27 00:00, not before', () => {
      const { periods } = settleNetBilling([before, after], { prices: ENERGY }, prices);
      assert.deepEqual(
        periods[0].hours.map((h) => h.factor),
        [1, 1.23],
      );
      // 892 000 µPLN = 89.2 gr → 89 gr; market value 800 000 µPLN = 80 gr.
      assert.equal(periods[0].month.depositAddedGr, 89);
      assert.equal(periods[0].month.total.marketValueGr, 80);
    });

    it('applies to earlier hours when retroactive', () => {
      // 2 × 492 000 = 984 000 µPLN = 98.4 gr → 98 gr.
      const { periods } = settleNetBilling(
        [before, after],
        { prices: ENERGY, coefficientRetroactive: true },
        prices,
      );
      assert.equal(periods[0].month.depositAddedGr, 98);
    });

    it('follows a later start date', () => {
      const { periods } = settleNetBilling(
        [before, after],
        { prices: ENERGY, coefficientFrom: '2025-01-01' },
        prices,
      );
      assert.equal(periods[0].month.depositAddedGr, 80);
    });
  });

  describe('using and expiring the deposit', () => {
    // January 2025: 10 kWh × RCEm 500 = 5 000 000 µPLN = 500 gr market value; × 1.23 = 615 gr deposit.
    // February: 2 kWh import × 0.50 PLN/kWh = 100 gr, paid from January's deposit → 515 left.
    // January's deposit pays bills up to January 2026; at that close 515 gr are left:
    // refund min(515, 20 % × 500) = 100 gr, lost 415 gr.
    const hours = [
      hourOf('2025-01-15', 12, { ecbo: 10 }),
      hourOf('2025-02-10', 20, { ecbp: 2 }),
      hourOf('2026-02-01', 1, {}),
    ];
    const prices = { monthly: { '2025-01': 500 } };

    function run(options: Partial<NetBillingOptions> = {}) {
      return settleNetBilling(hours, { prices: ENERGY, ...options }, prices).periods;
    }

    it('refunds up to 20 % of the market value of the export and loses the rest', () => {
      const periods = run();
      const jan = month(periods, '2025-01');
      assert.equal(jan.depositAddedGr, 615);
      assert.equal(jan.total.marketValueGr, 500);
      assert.equal(jan.depositUsedGr, 0);
      const feb = month(periods, '2025-02');
      assert.equal(feb.total.energyCostGr, 100);
      assert.equal(feb.depositUsedGr, 100);
      assert.equal(feb.energyCostAfterGr, 0);
      assert.equal(feb.balanceGr, 515);
      assert.equal(month(periods, '2025-12').expiringNextMonthGr, 515);
      const end = month(periods, '2026-01');
      assert.equal(end.balanceStartGr, 515);
      assert.equal(end.refundedGr, 100);
      assert.equal(end.lostGr, 415);
      assert.equal(end.balanceGr, 0);
      // Books: 615 added = 100 used + 100 refunded + 415 lost + 0 left.
    });

    it('refunds up to 30 % after switching to RCE', () => {
      const end = month(run({ refundCapPercent: 30 }), '2026-01');
      assert.equal(end.refundedGr, 150);
      assert.equal(end.lostGr, 365);
    });

    it('can take the cap from the deposit as credited', () => {
      // floor(20 % × 615) = 123.
      const end = month(run({ refundCapBase: 'deposit' }), '2026-01');
      assert.equal(end.refundedGr, 123);
      assert.equal(end.lostGr, 392);
    });
  });

  it('carries December 2024, with the coefficient from the 27th, over the year end to its refund', () => {
    // December 2024 at RCEm 400 PLN/MWh: 12-26 11:00 exports 2000 Wh × 400 = 800 000 µPLN (no
    // coefficient yet); 12-28 11:00 exports 1000 Wh × 400 × 1.23 = 492 000 µPLN.
    // Deposit 1 292 000 µPLN = 129 gr; market value 1 200 000 µPLN = 120 gr.
    // January 2025 imports 1 kWh × 0.50 = 50 gr, paid from December's deposit: 79 gr left.
    // December's deposit pays January … December 2025; at December 2025's close the 79 gr left are
    // refunded up to 20 % × 120 = 24 gr, 55 gr are lost.
    const { periods } = settleNetBilling(
      [
        hourOf('2024-12-26', 12, { ecbo: 2 }),
        hourOf('2024-12-28', 12, { ecbo: 1 }),
        hourOf('2025-01-10', 20, { ecbp: 1 }),
        hourOf('2026-01-01', 1, {}),
      ],
      { prices: ENERGY },
      { monthly: { '2024-12': 400 } },
    );
    const dec = month(periods, '2024-12');
    assert.deepEqual([dec.depositAddedGr, dec.total.marketValueGr, dec.depositUsedGr], [129, 120, 0]);
    const jan = month(periods, '2025-01');
    assert.deepEqual(
      [jan.balanceStartGr, jan.depositUsedGr, jan.energyCostAfterGr, jan.balanceGr],
      [129, 50, 0, 79],
    );
    assert.equal(month(periods, '2025-11').expiringNextMonthGr, 79);
    const end = month(periods, '2025-12');
    assert.deepEqual([end.refundedGr, end.lostGr, end.balanceGr], [24, 55, 0]);
  });

  it('makes a month usable from the next month on and pays with the oldest deposit first', () => {
    // March: 4 kWh × 400 × 1.23 = 1 968 000 µPLN → 197 gr; import 1 kWh × 0.50 = 50 gr, not payable from March's own deposit.
    // April: 2 kWh × 300 × 1.23 = 738 000 µPLN → 74 gr; import 3 kWh = 150 gr, all from March (47 left).
    // May: import 2 kWh = 100 gr: 47 from March, 53 from April (21 left).
    const { periods } = settleNetBilling(
      [
        hourOf('2025-03-05', 12, { ecbo: 4 }),
        hourOf('2025-03-20', 20, { ecbp: 1 }),
        hourOf('2025-04-05', 12, { ecbo: 2 }),
        hourOf('2025-04-20', 20, { ecbp: 3 }),
        hourOf('2025-05-20', 20, { ecbp: 2 }),
        hourOf('2025-06-01', 1, {}),
      ],
      { prices: ENERGY },
      { monthly: { '2025-03': 400, '2025-04': 300 } },
    );
    const march = month(periods, '2025-03');
    assert.deepEqual([march.depositAddedGr, march.depositUsedGr, march.energyCostAfterGr], [197, 0, 50]);
    const april = month(periods, '2025-04');
    assert.deepEqual([april.depositAddedGr, april.depositUsedGr, april.balanceGr], [74, 150, 121]);
    const may = month(periods, '2025-05');
    assert.deepEqual([may.depositUsedGr, may.balanceGr, may.energyCostAfterGr], [100, 21, 0]);
  });

  it('pays only the energy of a two-zone bill, never distribution', () => {
    // February: 3 kWh (T2) × 400 × 1.23 = 1 476 000 µPLN → 148 gr.
    // March: T1 1.5 kWh × 0.60 = 90 gr energy, × 0.25 = 37.5 gr distribution;
    //        T2 2 kWh × 0.40 = 80 gr energy, × 0.05 = 10 gr distribution.
    // Energy 170 gr: 148 from the deposit, 22 to pay. Distribution 475 000 µPLN → 48 gr, all to pay.
    const prices = { T1: { energy: 0.6, distribution: 0.25 }, T2: { energy: 0.4, distribution: 0.05 } };
    const { periods } = settleNetBilling(
      [
        hourOf('2025-02-10', 12, { ecbo: 3, zone: 'T2' }),
        hourOf('2025-03-03', 20, { ecbp: 1.5, zone: 'T1' }),
        hourOf('2025-03-03', 23, { ecbp: 2, zone: 'T2' }),
        hourOf('2025-04-01', 1, { zone: 'T2' }),
      ],
      { prices },
      { monthly: { '2025-02': 400 } },
    );
    const march = month(periods, '2025-03');
    assert.equal(march.zones.T1.energyCostGr, 90);
    assert.equal(march.zones.T2.energyCostGr, 80);
    assert.equal(march.zones.T1.distributionCostGr, 38);
    assert.equal(march.zones.T2.distributionCostGr, 10);
    assert.equal(march.total.energyCostGr, 170);
    assert.equal(march.total.distributionCostGr, 48);
    assert.equal(march.depositUsedGr, 148);
    assert.equal(march.energyCostAfterGr, 22);
    assert.equal(march.balanceGr, 0);
  });

  it('refuses to close a month without its price, changes nothing, and closes once the price comes', () => {
    const deposit = new NetBillingDeposit({ prices: ENERGY });
    deposit.push(hourOf('2025-03-05', 12, { ecbo: 1 }));
    const preview = deposit.preview()!;
    assert.equal(preview.month.depositAddedGr, null);
    assert.equal(preview.month.unpricedHours, 1);
    assert.deepEqual(deposit.unpricedMonths, ['2025-03']);
    const before = JSON.stringify(deposit.toJSON());
    const april = hourOf('2025-04-01', 1, {});
    assert.throws(
      () => deposit.push(april),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'BAD_INPUT');
        assert.match(err.message, /RCEm of 2025-03/);
        return true;
      },
    );
    assert.equal(JSON.stringify(deposit.toJSON()), before);
    deposit.addPrices({ monthly: { '2025-03': 400 } });
    const update = deposit.push(april);
    assert.equal(update.accepted, true);
    // 1000 Wh × 400 × 1.23 = 492 000 µPLN → 49 gr.
    assert.equal(update.closed[0].month.depositAddedGr, 49);
    assert.equal(deposit.balanceGr, 49);
  });

  it('refuses an hour in a zone without a price', () => {
    const deposit = new NetBillingDeposit({ prices: ENERGY });
    assert.throws(() => deposit.push(hourOf('2025-03-05', 12, { ecbp: 1, zone: 'T2' })), {
      code: 'BAD_INPUT',
    });
    assert.equal(deposit.lastHourMs, null);
  });
});
