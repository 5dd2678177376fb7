/**
 * `elicznik settle`: the monthly prosumer statement of a date range, from the account's hourly
 * data (eLicznik or the simulator) balanced per hour, through the net-metering bank or the
 * net-billing deposit. The bank or deposit starts empty at `--from`; start earlier to carry energy
 * or money in from before.
 *
 * The options are the settlement node's settings under the same names in kebab case, with the
 * same defaults (`src/settlement/settings.ts` checks both), so a statement of the command and one
 * of the node agree.
 */
import { readFileSync } from 'node:fs';
import type { ElicznikClient } from '../client';
import { DEFAULT_SERVICE_URL } from '../client/urls';
import type { HourRecord } from '../energy/hour';
import { isLocalDate } from '../energy/time';
import { badInput } from '../settlement/errors';
import { groszeToPln } from '../settlement/hours';
import { rceStartDate, settleNetBilling, type NetBillingMonth } from '../settlement/net-billing';
import { settleNetMetering, type NetMeteringStatement } from '../settlement/net-metering';
import { checkTariffPrices, type TariffPrices } from '../settlement/prices';
import { PSE_RCE_URL, RceClient, priceBookFromMessage, priceBookOf } from '../settlement/rce';
import {
  SETTLEMENT_FLAGS,
  SETTLEMENT_SETTING_NAMES,
  settingOptionName,
  settlementSettingsOf,
  type SettlementChoice,
  type SettlementSettingsInput,
} from '../settlement/settings';

/**
 * The options `settle` adds to the command's option table: the settlement node's settings in
 * kebab case (`windowDays` → `--window-days`; the switches take no value), the zone prices and
 * RCEm (the node's lists) and the RCE report URL.
 */
export const SETTLE_OPTIONS = {
  system: { type: 'string' },
  prices: { type: 'string' },
  ratio: { type: 'string' },
  'window-days': { type: 'string' },
  expiry: { type: 'string' },
  'zone-priority': { type: 'string' },
  'price-mode': { type: 'string' },
  rcem: { type: 'string' },
  'rce-from': { type: 'string' },
  'rce-url': { type: 'string' },
  'negative-prices': { type: 'string' },
  coefficient: { type: 'string' },
  'coefficient-from': { type: 'string' },
  'coefficient-retroactive': { type: 'boolean' },
  'validity-months': { type: 'string' },
  'switched-to-rce': { type: 'boolean' },
  'refund-cap-base': { type: 'string' },
} as const;

/**
 * The options of one system only (the rest, `--system` and `--prices`, serve both): given with
 * the other system they would change nothing, so they are refused.
 */
export const SYSTEM_OPTIONS: Readonly<
  Record<'net-metering' | 'net-billing', readonly (keyof typeof SETTLE_OPTIONS)[]>
> = {
  'net-metering': ['ratio', 'window-days', 'expiry', 'zone-priority'],
  'net-billing': [
    'price-mode',
    'rcem',
    'rce-from',
    'rce-url',
    'negative-prices',
    'coefficient',
    'coefficient-from',
    'coefficient-retroactive',
    'validity-months',
    'switched-to-rce',
    'refund-cap-base',
  ],
};

/** The options of net-billing that only hourly RCE reads. */
const RCE_OPTIONS: readonly (keyof typeof SETTLE_OPTIONS)[] = ['rce-from', 'rce-url', 'negative-prices'];

/** Every option `settle` accepts besides the common ones. */
export const SETTLE_OPTION_NAMES = [
  'from',
  'to',
  'meter',
  'format',
  ...(Object.keys(SETTLE_OPTIONS) as (keyof typeof SETTLE_OPTIONS)[]),
] as const;

/** The line of `--help` that lists `settle` among the commands. */
export const SETTLE_COMMAND_HELP = `  settle --from DATE --to DATE --system net-metering|net-billing
                                  monthly prosumer statement: energy bank or deposit (the rules
                                  it uses: elicznik settle --help)
`;

/** The `--help` section about the options of `settle`. */
export const SETTLE_OPTIONS_HELP = `Options of settle (and --from, --to, --meter):
  --system net-metering|net-billing
  --prices LIST                   zone prices in PLN/kWh: ZONE:ENERGY[/DISTRIBUTION],… e.g.
                                  T1:0.62/0.38,T2:0.45/0.09 (or with decimal commas,
                                  T1:0,62/0,38,T2:0,45/0,09), or @file.json (required for net-billing)
  net-metering (the energy bank):
  --ratio 0.8|0.7                 kWh back per kWh exported (default 0.8; 0.7 above 10 kW)
  --window-days N                 days a banked kWh stays usable after the day it was exported
                                  (default 365)
  --expiry end-of-day|same-time   it expires at the end of the last day (default) or at the clock
                                  time of the hour it was exported in
  --zone-priority distribution|time|T1,T2
                                  which zone the bank covers first (default distribution)
  net-billing (the deposit):
  --price-mode rcem|rce           value export at the month's RCEm (default) or hourly RCE
  --rcem LIST                     RCEm in PLN/MWh, YYYY-MM=PRICE,… or @file.json
  --rce-from YYYY-MM-DD           with rce: the first day valued at RCE, earlier days at RCEm
                                  (default: every day from 2024-07-01 at RCE; days before it
                                  are at RCEm in any case)
  --rce-url URL                   RCE report (default: PSE's; with a local --service-url, its /api/rce-pln)
  --negative-prices average-then-clip|clip-then-average
                                  hourly RCE from quarter hours (default average-then-clip)
  --coefficient N                 the deposit's coefficient (default 1.23)
  --coefficient-from YYYY-MM-DD   the first day of the coefficient (default 2024-12-27)
  --coefficient-retroactive       apply the coefficient before that day too
  --validity-months N             months a deposit stays usable (default 12)
  --switched-to-rce               switched to RCE by statement: the refund cap is 30 % (default 20 %);
                                  needs --price-mode rce (--rce-from: the switch)
  --refund-cap-base market|deposit
                                  the cap is a share of the month's export valued without the
                                  coefficient (default) or of the deposit credited with it
  --format table|json             (default: table)
  The settlement node's settings, with the same names and defaults; an option of the other
  system is refused. The bank or deposit starts empty at --from. Some rules are not confirmed:
  compare with your invoice.

`;

/** The `elicznik settle --help` text: the command, its options and the rules it uses. */
export function settleHelpText(): string {
  return `Usage: elicznik settle --from DATE --to DATE --system net-metering|net-billing [options]

The monthly prosumer statement of a range (Europe/Warsaw time, both days included): the account's
hourly data balanced hour by hour, then the net-metering energy bank or the net-billing deposit.
Hourly RCE prices are fetched for any range, in parts of at most 400 days.

${SETTLE_OPTIONS_HELP}Rules the sources leave open, and the one used unless an option says otherwise:
  net-metering: a banked kWh expires at the end of the 365th day after the day it was exported
    (--expiry end-of-day): the sources give the window in days and settle by daily readings, and
    Polish law ends a period counted in days with the end of its last day, the first day not
    counted (Civil Code art. 111). --expiry same-time ends it at the clock time of its hour.
  net-billing: what is left of a month's deposit after 12 months is refunded up to 20 % (30 %
    with --switched-to-rce) of the month's export valued without the 1.23 coefficient
    (--refund-cap-base market): the sources state the cap on the value of the energy exported and
    the 1.23 as a raise of the deposit. --refund-cap-base deposit takes the deposit credited.
  Also not confirmed: the oldest energy or deposit is used first, the coefficient does not apply
  before 2024-12-27 (--coefficient-retroactive), negative quarter-hour prices (--negative-prices).

Credentials, the common options and the exit codes: elicznik --help.
`;
}

const PROVISIONAL = '* the month is not over in the data: provisional figures\n';

type SettleValues = Readonly<Record<string, string | boolean | undefined>>;

/** Writes results to stdout and progress to stderr. */
export interface SettleIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

function text(values: SettleValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

function readJsonArgument(value: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(value.slice(1), 'utf8')) as unknown;
  } catch (err) {
    throw badInput(`${what}: cannot read ${value.slice(1)} as JSON (${(err as Error).message})`, 'cli');
  }
}

/**
 * Parses `--prices`: `T1:0.62/0.38,T2:0.45/0.09` or `@file.json`; a price may have a decimal comma
 * as on a Polish invoice (`T1:0,62/0,38,T2:0,45`): a comma separates entries only before the next
 * zone.
 */
export function parsePricesOption(value: string): TariffPrices {
  if (value.startsWith('@')) return checkTariffPrices(readJsonArgument(value, '--prices'), '--prices');
  const zones: Record<string, { energy: number; distribution?: number }> = {};
  const price = (text: string) => Number(text.replace(',', '.'));
  for (const part of value.split(/,(?=\s*[\w*]+:)/).map((p) => p.trim())) {
    const m = /^([\w*]+):(\d*[.,]?\d+)(?:\/(\d*[.,]?\d+))?$/.exec(part);
    if (!m) throw badInput(`--prices: "${part}" is not ZONE:ENERGY[/DISTRIBUTION] (PLN/kWh)`, 'cli');
    zones[m[1]] =
      m[3] === undefined ? { energy: price(m[2]) } : { energy: price(m[2]), distribution: price(m[3]) };
  }
  return checkTariffPrices(zones, '--prices');
}

/**
 * Parses `--rcem`: `2025-01=412.5,2025-02=398` or `@file.json`; a price may have a decimal comma
 * (`2025-01=412,5`): a comma separates entries only before the next month.
 */
export function parseRcemOption(value: string): Record<string, number> {
  if (value.startsWith('@')) return priceBookFromMessage(readJsonArgument(value, '--rcem')).monthly ?? {};
  const table: Record<string, string> = {};
  for (const part of value.split(/,(?=\s*\d{4}-\d{2}\s*=)/).map((p) => p.trim())) {
    const [month, price, ...rest] = part.split('=');
    if (!month || price === undefined || rest.length > 0 || !/^-?\d+(?:[.,]\d+)?$/.test(price.trim())) {
      throw badInput(`--rcem: "${part}" is not YYYY-MM=PRICE`, 'cli');
    }
    table[month.trim()] = price.trim().replace(',', '.');
  }
  return priceBookFromMessage(table).monthly ?? {};
}

/** The RCE report URL: the option, the local simulator's report, or PSE's. */
export function rceUrlFor(values: SettleValues): string {
  const given = text(values, 'rce-url');
  if (given) return given;
  const service = text(values, 'service-url') ?? DEFAULT_SERVICE_URL;
  try {
    const host = new URL(service).hostname;
    if (host === '127.0.0.1' || host === 'localhost' || host === '::1') {
      return `${service.replace(/\/+$/, '')}/api/rce-pln`;
    }
  } catch {
    // an invalid service URL is reported by the client
  }
  return PSE_RCE_URL;
}

function kwh(wh: number): string {
  return (wh / 1000).toFixed(3);
}

function pln(gr: number | null): string {
  return gr === null ? '-' : groszeToPln(gr).toFixed(2);
}

/** A fixed-width table: the first column left-aligned, the rest right-aligned. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** Net-metering month statements as a table (kWh, PLN). */
export function netMeteringTable(months: readonly NetMeteringStatement[]): string {
  const rows = months.map((m) => [
    `${m.label}${m.final ? '' : '*'}`,
    kwh(m.total.ecbpWh),
    kwh(m.total.ecboWh),
    kwh(m.total.bankedWh),
    kwh(m.total.usedWh),
    kwh(m.total.billedWh),
    kwh(m.expiredWh),
    kwh(m.balanceWh),
    kwh(m.expiringNext30DaysWh),
    pln(m.total.costBeforeGr),
    pln(m.total.costAfterGr),
    String(m.missingHours),
  ]);
  const header = [
    'month',
    'ECBP kWh',
    'ECBO kWh',
    'banked',
    'used',
    'billed',
    'expired',
    'bank',
    'exp.30d',
    'cost PLN',
    'after PLN',
    'missing h',
  ];
  return table(header, rows);
}

/** Net-billing month statements as a table (kWh, PLN). */
export function netBillingTable(months: readonly NetBillingMonth[]): string {
  const rows = months.map((m) => [
    `${m.label}${m.final ? '' : '*'}`,
    kwh(m.total.ecbpWh),
    kwh(m.total.ecboWh),
    pln(m.depositAddedGr),
    pln(m.depositUsedGr),
    pln(m.refundedGr),
    pln(m.lostGr),
    pln(m.balanceGr),
    pln(m.total.energyCostGr),
    pln(m.energyCostAfterGr),
    pln(m.total.distributionCostGr),
    String(m.missingHours),
  ]);
  const header = [
    'month',
    'ECBP kWh',
    'ECBO kWh',
    'deposit+',
    'used',
    'refunded',
    'lost',
    'deposit',
    'energy PLN',
    'to pay',
    'distrib.',
    'missing h',
  ];
  return table(header, rows);
}

/** The settlement a run asked for, read and checked from the options before anything is fetched. */
export interface SettleChoice {
  /** The system and its library settings, as the settlement node makes them from the same settings. */
  settlement: SettlementChoice;
  /** Net-billing: RCEm per month from `--rcem`. */
  monthly: Record<string, number>;
  /** Where hourly RCE comes from (`--price-mode rce`). */
  rceUrl: string;
}

/** Month statements of one system. */
export type SettleOutcome =
  | { system: 'net-metering'; months: NetMeteringStatement[] }
  | { system: 'net-billing'; months: NetBillingMonth[] };

/** The settlement node's settings from the options of a run (`--window-days` → `windowDays`). */
export function settlementInputOf(values: SettleValues): SettlementSettingsInput {
  const input: Record<string, string | boolean> = {};
  for (const name of SETTLEMENT_SETTING_NAMES) {
    const value = values[settingOptionName(name)];
    if (SETTLEMENT_FLAGS.includes(name)) input[name] = value === true;
    else if (typeof value === 'string') input[name] = value;
  }
  return input as SettlementSettingsInput;
}

/**
 * Reads `--system` and the options of the chosen system, with the settlement node's defaults.
 * @throws SettlementError `BAD_INPUT`, also for an option of the other system
 */
export function settleChoice(values: SettleValues): SettleChoice {
  const system = text(values, 'system');
  if (system !== 'net-metering' && system !== 'net-billing') {
    throw badInput('--system must be net-metering or net-billing', 'cli');
  }
  const other = system === 'net-metering' ? 'net-billing' : 'net-metering';
  const stray = SYSTEM_OPTIONS[other].find((name) => values[name] !== undefined);
  if (stray) throw badInput(`--${stray} is an option of ${other}, not of ${system}`, 'cli');
  if (system === 'net-billing' && text(values, 'price-mode') !== 'rce') {
    const rceOnly = RCE_OPTIONS.find((name) => values[name] !== undefined);
    if (rceOnly) throw badInput(`--${rceOnly} goes with --price-mode rce (RCEm is one price a month)`, 'cli');
  }
  const pricesText = text(values, 'prices');
  const prices = pricesText === undefined ? undefined : parsePricesOption(pricesText);
  if (system === 'net-billing' && !prices)
    throw badInput('net-billing needs --prices (energy per zone)', 'cli');
  const rcemText = text(values, 'rcem');
  return {
    settlement: settlementSettingsOf(settlementInputOf(values), prices),
    monthly: rcemText === undefined ? {} : parseRcemOption(rcemText),
    rceUrl: rceUrlFor(values),
  };
}

/**
 * Settles hour records of `from`…`to` month by month: the bank or deposit starts empty at `from`.
 * Hourly RCE prices are fetched when the choice needs them (from `--rce-from` on, never before
 * 2024-07-01), in parts of at most 400 days.
 */
export async function settleRecords(
  records: readonly HourRecord[],
  from: string,
  to: string,
  choice: SettleChoice,
  io: SettleIo,
): Promise<SettleOutcome> {
  const settlement = choice.settlement;
  if (settlement.system === 'net-metering') {
    const { periods } = settleNetMetering(records, settlement.bank, undefined, { hourStatements: false });
    return { system: 'net-metering', months: periods.map((p) => p.month) };
  }
  const deposit = settlement.deposit;
  let hourly: Map<number, number> | undefined;
  const firstRce = rceStartDate(deposit.rceFrom);
  const rceStart = firstRce > from ? firstRce : from;
  if (deposit.priceMode === 'rce' && rceStart <= to) {
    const rce = new RceClient({ url: choice.rceUrl, negativePrices: settlement.negativePrices });
    try {
      const got = await rce.pricesBetween(rceStart, to);
      if (got.missingDates.length > 0) io.stderr(`no RCE prices for ${got.missingDates.join(', ')}\n`);
      hourly = priceBookOf(got.hours).hourly as Map<number, number>;
    } finally {
      rce.close();
    }
  }
  const { periods } = settleNetBilling(
    records,
    deposit,
    { monthly: choice.monthly, ...(hourly ? { hourly } : {}) },
    undefined,
    { hourStatements: false },
  );
  return { system: 'net-billing', months: periods.map((p) => p.month) };
}

/** The month statements as a table, with a note when a month is not over in the data. */
export function statementTable(outcome: SettleOutcome): string {
  const table =
    outcome.system === 'net-metering' ? netMeteringTable(outcome.months) : netBillingTable(outcome.months);
  return outcome.months.some((m) => !m.final) ? table + PROVISIONAL : table;
}

/**
 * Runs `settle`: fetches the hours, settles them and prints the month statements.
 * @throws SettlementError or the client's errors (the command maps their codes to exit codes)
 */
export async function settleCommand(
  client: ElicznikClient,
  values: SettleValues,
  io: SettleIo,
): Promise<void> {
  const from = text(values, 'from');
  const to = text(values, 'to');
  if (!isLocalDate(from) || !isLocalDate(to))
    throw badInput('--from and --to YYYY-MM-DD are required', 'cli');
  const format = text(values, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw badInput('--format of settle must be table or json', 'cli');
  const choice = settleChoice(values);

  const records = await client.getHourly({
    from,
    to,
    onProgress: (p) => io.stderr(`fetched ${p.doneDays}/${p.totalDays} days (${p.source})\n`),
  });
  const outcome = await settleRecords(records, from, to, choice, io);
  io.stdout(format === 'json' ? `${JSON.stringify(outcome.months, null, 2)}\n` : statementTable(outcome));
}
