/**
 * The settlement settings as the `elicznik-settlement` node and `elicznik settle` both take them:
 * one list of names (the node's property names; the command writes them in kebab case, `windowDays`
 * → `--window-days`), one set of defaults, and one function that checks them and makes the
 * library's settings. Values may come as text (the editor and the command line give text).
 *
 * Two rules the sources leave open are settings (settlement.md; docs/settlement.md):
 * - `expiry` (net-metering): a banked lot expires `windowDays` after its day at the end of that
 *   day (`end-of-day`, default) or at the clock time of its hour (`same-time`);
 * - `refundCapBase` (net-billing): the 20 % / 30 % refund cap is a share of the month's export
 *   valued without the 1.23 coefficient (`market`, default) or of the deposit credited with it
 *   (`deposit`).
 */
import { isLocalDate } from '../energy/time';
import { badInput } from './errors';
import { checkNetBillingSettings, type NetBillingOptions, type PriceMode } from './net-billing';
import { checkNetMeteringSettings, type BankExpiry, type NetMeteringOptions } from './net-metering';
import { checkZonePriority, type TariffPrices } from './prices';
import type { NegativePriceRule } from './rce';

/** The settings both the node and the command take, by the node's property names. */
export interface SettlementSettingsInput {
  /** `net-metering` or `net-billing`. */
  system?: string;
  /** Net-metering: kWh back per kWh exported (0.8; 0.7 above 10 kW). */
  ratio?: string | number;
  /** Net-metering: days a banked lot stays usable. */
  windowDays?: string | number;
  /** Net-metering: `end-of-day` or `same-time` (see the module comment). */
  expiry?: string;
  /** Net-metering: `distribution`, `time` or a list of zone codes `T1,T2`. */
  zonePriority?: string;
  /** Net-billing: `rcem` or `rce`. */
  priceMode?: string;
  /** Net-billing with RCE: the first day valued at RCE (earlier days at RCEm); empty = from 2024-07-01. */
  rceFrom?: string;
  /** Net-billing with RCE: `average-then-clip` or `clip-then-average`. */
  negativePrices?: string;
  /** Net-billing: the deposit coefficient (1.23). */
  coefficient?: string | number;
  /** Net-billing: the first day of the coefficient. */
  coefficientFrom?: string;
  /** Net-billing: apply the coefficient before that day too. */
  coefficientRetroactive?: boolean;
  /**
   * Net-billing: switched to RCE by statement, so the refund cap is 30 % instead of 20 %; needs
   * `priceMode` `rce` (the export is valued at RCE from the switch, `rceFrom`).
   */
  switchedToRce?: boolean;
  /** Net-billing: `market` or `deposit` (see the module comment). */
  refundCapBase?: string;
  /** Net-billing: months a deposit stays usable. */
  validityMonths?: string | number;
}

/** The names of {@link SettlementSettingsInput}, in the order the help lists them. */
export const SETTLEMENT_SETTING_NAMES = [
  'system',
  'ratio',
  'windowDays',
  'expiry',
  'zonePriority',
  'priceMode',
  'rceFrom',
  'negativePrices',
  'coefficient',
  'coefficientFrom',
  'coefficientRetroactive',
  'switchedToRce',
  'refundCapBase',
  'validityMonths',
] as const satisfies readonly (keyof SettlementSettingsInput)[];

/** The settings that are switches (true when given). */
export const SETTLEMENT_FLAGS: readonly (keyof SettlementSettingsInput)[] = [
  'coefficientRetroactive',
  'switchedToRce',
];

/** The default of every setting, as the node's editor and the command use them. */
export const SETTLEMENT_DEFAULTS = Object.freeze({
  system: 'net-metering',
  ratio: 0.8,
  windowDays: 365,
  expiry: 'end-of-day' as BankExpiry,
  zonePriority: 'distribution',
  priceMode: 'rcem' as PriceMode,
  rceFrom: '',
  negativePrices: 'average-then-clip' as NegativePriceRule,
  coefficient: 1.23,
  coefficientFrom: '2024-12-27',
  coefficientRetroactive: false,
  switchedToRce: false,
  refundCapBase: 'market' as 'market' | 'deposit',
  validityMonths: 12,
}) satisfies Required<{ [K in keyof SettlementSettingsInput]: unknown }>;

/** The refund cap in percent: 20, or 30 for prosumers who switched to RCE by statement. */
export function refundCapPercentOf(switchedToRce: boolean): number {
  return switchedToRce ? 30 : 20;
}

/** The library's settings of the chosen system. */
export type SettlementChoice =
  | { system: 'net-metering'; bank: NetMeteringOptions }
  | { system: 'net-billing'; deposit: NetBillingOptions; negativePrices: NegativePriceRule };

/** The command-line option of a setting: `windowDays` → `window-days`. */
export function settingOptionName(name: keyof SettlementSettingsInput): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function num(value: string | number | undefined, what: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim().replace(',', '.'));
  if (!Number.isFinite(n)) throw badInput(`${what} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

function oneOf<const T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
  what: string,
): T {
  const v = value === undefined || value === '' ? fallback : value;
  if (!(allowed as readonly string[]).includes(v)) {
    throw badInput(`${what} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  }
  return v as T;
}

/**
 * Checks the settings and makes the library's settings of the chosen system; a setting that is
 * not given takes its {@link SETTLEMENT_DEFAULTS} value.
 * @param prices energy (and distribution) prices per zone; net-billing needs them
 * @throws SettlementError `BAD_INPUT` naming the setting
 */
export function settlementSettingsOf(
  input: SettlementSettingsInput,
  prices: TariffPrices | undefined,
): SettlementChoice {
  const d = SETTLEMENT_DEFAULTS;
  const system = oneOf(input.system, ['net-metering', 'net-billing'], 'net-metering', 'The system');
  if (system === 'net-metering') {
    const bank: NetMeteringOptions = {
      ratio: num(input.ratio, 'The ratio', d.ratio),
      windowDays: num(input.windowDays, 'The bank window', d.windowDays),
      expiry: oneOf(input.expiry, ['end-of-day', 'same-time'], d.expiry, 'The bank expiry'),
      zonePriority: checkZonePriority(input.zonePriority || d.zonePriority),
      ...(prices ? { prices } : {}),
    };
    // the ranges, now rather than when the first hours are settled (the command fetches them first)
    checkNetMeteringSettings(bank);
    return { system, bank };
  }
  if (!prices) throw badInput('Net-billing needs the energy price of every zone of the tariff');
  const rceFrom = input.rceFrom || d.rceFrom;
  if (rceFrom && !isLocalDate(rceFrom)) throw badInput('The RCE start date must be YYYY-MM-DD');
  const priceMode = oneOf(input.priceMode, ['rcem', 'rce'], d.priceMode, 'The price mode');
  // A prosumer who switched by statement is on RCE from the switch (settlement.md §3); the 30 %
  // cap with the export at RCEm would be no prosumer's settlement.
  if (input.switchedToRce === true && priceMode !== 'rce') {
    throw badInput(
      'Switched to RCE by statement (the 30 % refund cap) needs the price mode rce, with the RCE start date at the switch',
    );
  }
  const deposit: NetBillingOptions = {
    prices,
    priceMode,
    coefficient: num(input.coefficient, 'The coefficient', d.coefficient),
    coefficientFrom: input.coefficientFrom || d.coefficientFrom,
    coefficientRetroactive: input.coefficientRetroactive === true,
    validityMonths: num(input.validityMonths, 'The validity', d.validityMonths),
    refundCapPercent: refundCapPercentOf(input.switchedToRce === true),
    refundCapBase: oneOf(input.refundCapBase, ['market', 'deposit'], d.refundCapBase, 'The refund cap base'),
    ...(rceFrom ? { rceFrom } : {}),
  };
  checkNetBillingSettings(deposit);
  const negativePrices = oneOf(
    input.negativePrices,
    ['average-then-clip', 'clip-then-average'],
    d.negativePrices,
    'The negative price rule',
  );
  return { system, deposit, negativePrices };
}
