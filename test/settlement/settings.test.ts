import assert from 'node:assert/strict';
import { nodeSettingsOf } from '../../nodes/elicznik-settlement/settings';
import { settleChoice } from '../../src/cli/settle';
import { checkTariffPrices } from '../../src/settlement/prices';
import {
  SETTLEMENT_DEFAULTS,
  refundCapPercentOf,
  settingOptionName,
  settlementSettingsOf,
} from '../../src/settlement/settings';

const PRICES = checkTariffPrices({ T1: { energy: 0.62, distribution: 0.38 }, T2: { energy: 0.45 } });

describe('settlement/settings: the settings the node and the command share', () => {
  it('fills in the defaults: 365 days to the end of the day, the refund cap of the export value without 1.23', () => {
    assert.deepEqual(settlementSettingsOf({}, undefined), {
      system: 'net-metering',
      bank: { ratio: 0.8, windowDays: 365, expiry: 'end-of-day', zonePriority: 'distribution' },
    });
    assert.deepEqual(settlementSettingsOf({ system: 'net-billing' }, PRICES), {
      system: 'net-billing',
      deposit: {
        prices: PRICES,
        priceMode: 'rcem',
        coefficient: 1.23,
        coefficientFrom: '2024-12-27',
        coefficientRetroactive: false,
        validityMonths: 12,
        refundCapPercent: 20,
        refundCapBase: 'market',
      },
      negativePrices: 'average-then-clip',
    });
    assert.equal(SETTLEMENT_DEFAULTS.expiry, 'end-of-day');
    assert.equal(SETTLEMENT_DEFAULTS.refundCapBase, 'market');
  });

  it('reads text as the editor and the command line give it', () => {
    const bank = settlementSettingsOf(
      { ratio: '0,7', windowDays: '300', expiry: 'same-time', zonePriority: 'T2,T1' },
      PRICES,
    );
    assert.deepEqual(bank, {
      system: 'net-metering',
      bank: { ratio: 0.7, windowDays: 300, expiry: 'same-time', zonePriority: ['T2', 'T1'], prices: PRICES },
    });
    const deposit = settlementSettingsOf(
      {
        system: 'net-billing',
        priceMode: 'rce',
        rceFrom: '2025-01-01',
        negativePrices: 'clip-then-average',
        coefficient: '1.5',
        coefficientFrom: '2025-02-01',
        coefficientRetroactive: true,
        switchedToRce: true,
        refundCapBase: 'deposit',
        validityMonths: '6',
      },
      PRICES,
    );
    assert.deepEqual(deposit, {
      system: 'net-billing',
      deposit: {
        prices: PRICES,
        priceMode: 'rce',
        rceFrom: '2025-01-01',
        coefficient: 1.5,
        coefficientFrom: '2025-02-01',
        coefficientRetroactive: true,
        validityMonths: 6,
        refundCapPercent: 30,
        refundCapBase: 'deposit',
      },
      negativePrices: 'clip-then-average',
    });
    assert.equal(refundCapPercentOf(false), 20);
  });

  it('refuses what it cannot read with BAD_INPUT naming the setting', () => {
    for (const [input, what] of [
      [{ system: 'opusty' }, /system/],
      [{ ratio: 'abc' }, /ratio/],
      [{ expiry: 'noon' }, /expiry/],
      [{ system: 'net-billing', refundCapBase: 'gross' }, /refund cap/],
      [{ system: 'net-billing', priceMode: 'rcet' }, /price mode/],
      [{ system: 'net-billing', rceFrom: '1.01.2025' }, /RCE start date/],
      [{ system: 'net-billing', negativePrices: 'ignore' }, /negative/],
      [{ ratio: '1.2' }, /ratio/],
      [{ windowDays: '0' }, /bank window/],
      [{ system: 'net-billing', coefficient: '-1' }, /coefficient/],
      [{ system: 'net-billing', coefficientFrom: '2025-13-01' }, /coefficient date/],
      [{ system: 'net-billing', validityMonths: '2.5' }, /validity/],
      // Switching by statement puts the export on RCE (settlement.md §3): the 30 % refund cap of a
      // prosumer who switched, with the export valued at RCEm, is no prosumer's settlement.
      [{ system: 'net-billing', switchedToRce: true }, /Switched to RCE.*price mode rce/],
      [{ system: 'net-billing', priceMode: 'rcem', switchedToRce: true }, /Switched to RCE/],
    ] as const) {
      assert.throws(
        () => settlementSettingsOf(input, PRICES),
        (e: { code?: string; message?: string }) => {
          return e.code === 'BAD_INPUT' && what.test(e.message ?? '');
        },
      );
    }
    assert.throws(() => settlementSettingsOf({ system: 'net-billing' }, undefined), { code: 'BAD_INPUT' });
  });

  it('gives the node and the command the same library settings for the same values', () => {
    const node = nodeSettingsOf({
      system: 'net-billing',
      zonePrices: [
        { zone: 'T1', energy: '0.62', distribution: '0.38' },
        { zone: 'T2', energy: '0.45' },
      ],
      priceMode: 'rce',
      rceFrom: '2025-01-01',
      switchedToRce: true,
      refundCapBase: 'deposit',
      validityMonths: '6',
    });
    const cli = settleChoice({
      system: 'net-billing',
      prices: 'T1:0.62/0.38,T2:0.45',
      'price-mode': 'rce',
      'rce-from': '2025-01-01',
      'switched-to-rce': true,
      'refund-cap-base': 'deposit',
      'validity-months': '6',
    });
    assert.equal(node.system, 'net-billing');
    assert.deepEqual(cli.settlement, {
      system: node.system,
      deposit: node.system === 'net-billing' ? node.deposit : undefined,
      negativePrices: node.system === 'net-billing' ? node.negativePrices : undefined,
    });
    const nodeBank = nodeSettingsOf({ expiry: 'same-time', windowDays: '200' });
    const cliBank = settleChoice({ system: 'net-metering', expiry: 'same-time', 'window-days': '200' });
    assert.deepEqual(cliBank.settlement, {
      system: 'net-metering',
      bank: nodeBank.system === 'net-metering' && nodeBank.bank,
    });
    assert.equal(settingOptionName('refundCapBase'), 'refund-cap-base');
  });
});
