/**
 * Seeded property tests: over random histories the books close exactly, nothing goes negative,
 * and settling hour by hour (saving and restoring the state as JSON every few hours) gives the
 * same statements and state as settling the whole range at once.
 */
import assert from 'node:assert/strict';
import type { HourRecord } from '../../src/energy/hour';
import { seededRandom } from '../../src/simulator/data';
import {
  NetBillingDeposit,
  settleNetBilling,
  type NetBillingPeriod,
  type NetBillingState,
  type RcePriceBook,
} from '../../src/settlement/net-billing';
import {
  NetMeteringBank,
  settleNetMetering,
  type NetMeteringPeriod,
  type NetMeteringState,
} from '../../src/settlement/net-metering';
import { randomHours } from './support';

const SEEDS = ['a', 'b', 'c'];
const TWO_ZONES = { T1: { energy: 0.62, distribution: 0.31 }, T2: { energy: 0.41, distribution: 0.07 } };

function randomPrices(seed: string, hours: readonly HourRecord[]): RcePriceBook {
  const rnd = seededRandom('prices', seed);
  const hourly = new Map<number, number>();
  const monthly: Record<string, number> = {};
  for (const h of hours) {
    hourly.set(Date.parse(h.hourStart), Math.round((rnd() * 900 - 150) * 100) / 100);
    monthly[h.date.slice(0, 7)] ??= Math.round((rnd() * 500 - 20) * 100) / 100;
  }
  return { hourly, monthly };
}

function checkBankBooks(periods: NetMeteringPeriod[], finalBalance: number): void {
  let balance = 0;
  let banked = 0;
  let used = 0;
  let expired = 0;
  for (const p of periods) {
    const m = p.month;
    assert.equal(m.balanceStartWh, balance, `${m.label} starts where the previous month ended`);
    assert.equal(m.balanceStartWh + m.total.bankedWh - m.total.usedWh - m.expiredWh, m.balanceWh, m.label);
    for (const t of [m.total, ...Object.values(m.zones)]) {
      for (const v of [t.ecbpWh, t.ecboWh, t.bankedWh, t.usedWh, t.billedWh]) assert.ok(v >= 0, m.label);
      assert.equal(t.usedWh + t.billedWh, t.ecbpWh);
      if (t.costAfterGr !== null) assert.ok(t.costAfterGr <= t.costBeforeGr!);
    }
    assert.ok(
      m.balanceWh >= 0 &&
        m.expiredWh >= 0 &&
        m.expiringNext30DaysWh >= 0 &&
        m.expiringNext30DaysWh <= m.balanceWh,
    );
    let dayBalance = m.balanceStartWh;
    for (const d of p.days) {
      assert.equal(d.balanceStartWh, dayBalance);
      assert.equal(d.balanceStartWh + d.total.bankedWh - d.total.usedWh - d.expiredWh, d.balanceWh, d.label);
      assert.ok(d.balanceWh >= 0 && d.expiringNext30DaysWh <= d.balanceWh, d.label);
      dayBalance = d.balanceWh;
    }
    assert.equal(dayBalance, m.balanceWh, `${m.label}: the days add up to the month`);
    assert.equal(
      p.days.reduce((s, d) => s + d.total.usedWh, 0),
      m.total.usedWh,
    );
    for (const h of p.hours) assert.ok(h.usedWh >= 0 && h.usedWh <= h.ecbpWh && h.billedWh >= 0);
    if (!m.final) continue;
    balance = m.balanceWh;
    banked += m.total.bankedWh;
    used += m.total.usedWh;
    expired += m.expiredWh;
  }
  assert.equal(banked, used + expired + finalBalance, 'banked = used + expired + balance');
}

function checkDepositBooks(periods: NetBillingPeriod[], finalBalance: number): void {
  let balance = 0;
  let added = 0;
  let out = 0;
  for (const p of periods) {
    const m = p.month;
    if (!m.final) continue;
    assert.equal(m.balanceStartGr, balance, m.label);
    assert.ok(m.depositAddedGr !== null && m.depositAddedGr >= 0);
    for (const v of [
      m.depositUsedGr,
      m.refundedGr,
      m.lostGr,
      m.balanceGr,
      m.energyCostAfterGr,
      m.total.energyCostGr,
    ]) {
      assert.ok(v >= 0, m.label);
    }
    assert.ok(m.depositUsedGr <= m.total.energyCostGr);
    assert.equal(
      m.balanceStartGr + m.depositAddedGr - m.depositUsedGr - m.refundedGr - m.lostGr,
      m.balanceGr,
    );
    for (const h of p.hours) assert.ok(h.surplusValuePln !== null && h.surplusValuePln >= 0);
    balance = m.balanceGr;
    added += m.depositAddedGr;
    out += m.depositUsedGr + m.refundedGr + m.lostGr;
  }
  assert.equal(added, out + finalBalance, 'added = used + refunded + lost + balance');
}

describe('settlement properties (seeded)', () => {
  for (const seed of SEEDS) {
    const hours = randomHours(seed, '2024-11-01', '2026-02-10');

    it(`net-metering books close and stay non-negative (seed ${seed})`, () => {
      for (const settings of [
        { prices: TWO_ZONES, windowDays: 365 },
        { ratio: 0.7, windowDays: 40, zonePriority: 'time' as const },
      ]) {
        const { periods, state } = settleNetMetering(hours, settings);
        const finalBalance = periods.at(-1)!.month.final
          ? state.lots.reduce((s, l) => s + l.remainingWh, 0)
          : periods.at(-2)!.month.balanceWh;
        checkBankBooks(periods, finalBalance);
        if (settings.windowDays === 40)
          assert.ok(
            periods.some((p) => p.month.expiredWh > 0),
            'some energy expired',
          );
      }
    });

    it(`net-billing books close and stay non-negative (seed ${seed})`, () => {
      const prices = randomPrices(seed, hours);
      for (const settings of [
        { prices: TWO_ZONES },
        // Cheap energy, so that deposits outlive their three months and are refunded or lost.
        {
          prices: { T1: { energy: 0.05 }, T2: { energy: 0.03 } },
          priceMode: 'rce' as const,
          validityMonths: 3,
          refundCapPercent: 30,
        },
      ]) {
        const { periods, state } = settleNetBilling(hours, settings, prices);
        const open = periods.at(-1)!;
        assert.equal(open.month.final, false);
        checkDepositBooks(periods, periods.at(-2)!.month.balanceGr);
        assert.equal(
          state.lots.reduce((s, l) => s + l.remainingGr, 0),
          periods.at(-2)!.month.balanceGr,
        );
        if (settings.validityMonths === 3) {
          assert.ok(
            periods.some((p) => p.month.lostGr > 0 && p.month.refundedGr > 0),
            'some deposit expired',
          );
        }
      }
    });
  }

  it('gives the same statements and state hour by hour (restored from JSON every five hours) as over the range', () => {
    const hours = randomHours('incremental', '2025-10-20', '2025-12-03');
    const settings = { prices: TWO_ZONES, windowDays: 30 };
    const range = settleNetMetering(hours, settings);
    let state: NetMeteringState | undefined;
    const closed: NetMeteringPeriod[] = [];
    let bank = new NetMeteringBank(settings);
    for (const [i, h] of hours.entries()) {
      closed.push(...bank.push(h).closed);
      if (i % 5 === 0) {
        state = JSON.parse(JSON.stringify(bank.toJSON())) as NetMeteringState;
        bank = new NetMeteringBank(settings, state);
      }
    }
    state = bank.toJSON();
    const last = bank.preview();
    assert.deepEqual([...closed, last], range.periods);
    assert.deepEqual(state, range.state);

    const prices = randomPrices('incremental', hours);
    const billing = { prices: TWO_ZONES, priceMode: 'rce' as const };
    const rangeBilling = settleNetBilling(hours, billing, prices);
    let billingState: NetBillingState | undefined;
    const closedBilling: NetBillingPeriod[] = [];
    let deposit = new NetBillingDeposit(billing, undefined, prices);
    for (const [i, h] of hours.entries()) {
      closedBilling.push(...deposit.push(h).closed);
      if (i % 5 === 0) {
        billingState = JSON.parse(JSON.stringify(deposit.toJSON())) as NetBillingState;
        deposit = new NetBillingDeposit(billing, billingState, prices);
      }
    }
    billingState = deposit.toJSON();
    const lastBilling = deposit.preview();
    assert.deepEqual([...closedBilling, lastBilling], rangeBilling.periods);
    assert.deepEqual(billingState, rangeBilling.state);
  });
});
