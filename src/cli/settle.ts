/**
 * `elicznik settle`: the monthly prosumer statement of a date range, from the account's hourly
 * data (eLicznik or the simulator) balanced per hour, through the net-metering bank or the
 * net-billing deposit. The bank or deposit starts empty at `--from`; start earlier to carry energy
 * or money in from before.
 */
import { readFileSync } from 'node:fs';
import type { ElicznikClient } from '../client';
import { DEFAULT_SERVICE_URL } from '../client';
import type { HourRecord } from '../energy/hour';
import { isLocalDate } from '../energy/time';
import { badInput } from '../settlement/errors';
import { groszeToPln } from '../settlement/hours';
import { settleNetBilling, type NetBillingMonth, type PriceMode } from '../settlement/net-billing';
import { settleNetMetering, type NetMeteringStatement } from '../settlement/net-metering';
import { checkTariffPrices, checkZonePriority, type TariffPrices } from '../settlement/prices';
import {
  PSE_RCE_URL,
  RceClient,
  priceBookFromMessage,
  priceBookOf,
  type NegativePriceRule,
} from '../settlement/rce';

/** The options `settle` adds to the command's option table. */
export const SETTLE_OPTIONS = {
  system: { type: 'string' },
  ratio: { type: 'string' },
  prices: { type: 'string' },
  'zone-priority': { type: 'string' },
  'price-mode': { type: 'string' },
  rcem: { type: 'string' },
  'rce-url': { type: 'string' },
  'negative-prices': { type: 'string' },
} as const;

/** Every option `settle` accepts besides the common ones. */
export const SETTLE_OPTION_NAMES = [
  'from',
  'to',
  'meter',
  'format',
  'system',
  'ratio',
  'prices',
  'zone-priority',
  'price-mode',
  'rcem',
  'rce-url',
  'negative-prices',
] as const;

/** The line of `--help` that lists `settle` among the commands. */
export const SETTLE_COMMAND_HELP = `  settle --from DATE --to DATE --system net-metering|net-billing
                                  monthly prosumer statement: energy bank or deposit
`;

/** The `--help` section about the options of `settle`. */
export const SETTLE_OPTIONS_HELP = `Options of settle (and --from, --to, --meter):
  --system net-metering|net-billing
  --prices LIST                   zone prices in PLN/kWh: ZONE:ENERGY[/DISTRIBUTION],… e.g.
                                  T1:0.62/0.38,T2:0.45/0.09, or @file.json (required for net-billing)
  --ratio 0.8|0.7                 net-metering: kWh back per kWh exported (default 0.8; 0.7 above 10 kW)
  --zone-priority distribution|time|T1,T2
                                  net-metering: which zone the bank covers first (default distribution)
  --price-mode rcem|rce           net-billing: value export at the month's RCEm (default) or hourly RCE
  --rcem LIST                     net-billing: RCEm in PLN/MWh, YYYY-MM=PRICE,… or @file.json
  --rce-url URL                   RCE report (default: PSE's; with a local --service-url, its /api/rce-pln)
  --negative-prices average-then-clip|clip-then-average
                                  hourly RCE from quarter hours (default average-then-clip)
  --format table|json             (default: table)
  The bank or deposit starts empty at --from. Some rules are not confirmed: compare with your invoice.

`;

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

/** Parses `--prices`: `T1:0.62/0.38,T2:0.45/0.09` or `@file.json`. */
export function parsePricesOption(value: string): TariffPrices {
  if (value.startsWith('@')) return checkTariffPrices(readJsonArgument(value, '--prices'), '--prices');
  const zones: Record<string, { energy: number; distribution?: number }> = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    const m = /^([\w*]+):([\d.]+)(?:\/([\d.]+))?$/.exec(part);
    if (!m) throw badInput(`--prices: "${part}" is not ZONE:ENERGY[/DISTRIBUTION] (PLN/kWh)`, 'cli');
    zones[m[1]] =
      m[3] === undefined ? { energy: Number(m[2]) } : { energy: Number(m[2]), distribution: Number(m[3]) };
  }
  return checkTariffPrices(zones, '--prices');
}

/** Parses `--rcem`: `2025-01=412.5,2025-02=398` or `@file.json`. */
export function parseRcemOption(value: string): Record<string, number> {
  if (value.startsWith('@')) return priceBookFromMessage(readJsonArgument(value, '--rcem')).monthly ?? {};
  const table: Record<string, string> = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    const [month, price] = part.split('=');
    if (!month || price === undefined) throw badInput(`--rcem: "${part}" is not YYYY-MM=PRICE`, 'cli');
    table[month.trim()] = price.trim();
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
  system: 'net-metering' | 'net-billing';
  prices: TariffPrices | undefined;
  /** Net-metering: kWh back per kWh exported, when given. */
  ratio: number | undefined;
  zonePriority: ReturnType<typeof checkZonePriority>;
  /** Net-billing: RCEm or hourly RCE. */
  priceMode: PriceMode;
  /** Net-billing: RCEm per month from `--rcem`. */
  monthly: Record<string, number>;
  negativePrices: NegativePriceRule;
  /** Where hourly RCE comes from (`--price-mode rce`). */
  rceUrl: string;
}

/** Month statements of one system. */
export type SettleOutcome =
  | { system: 'net-metering'; months: NetMeteringStatement[] }
  | { system: 'net-billing'; months: NetBillingMonth[] };

/**
 * Reads `--system` and the options of the chosen system.
 * @throws SettlementError `BAD_INPUT`
 */
export function settleChoice(values: SettleValues): SettleChoice {
  const system = text(values, 'system');
  if (system !== 'net-metering' && system !== 'net-billing') {
    throw badInput('--system must be net-metering or net-billing', 'cli');
  }
  const pricesText = text(values, 'prices');
  const prices = pricesText === undefined ? undefined : parsePricesOption(pricesText);
  if (system === 'net-billing' && !prices)
    throw badInput('net-billing needs --prices (energy per zone)', 'cli');
  const ratioText = text(values, 'ratio');
  const priceMode = (text(values, 'price-mode') ?? 'rcem') as PriceMode;
  if (priceMode !== 'rcem' && priceMode !== 'rce') throw badInput('--price-mode must be rcem or rce', 'cli');
  const rcemText = text(values, 'rcem');
  return {
    system,
    prices,
    ratio: ratioText === undefined ? undefined : Number(ratioText),
    zonePriority: checkZonePriority(text(values, 'zone-priority')),
    priceMode,
    monthly: rcemText === undefined ? {} : parseRcemOption(rcemText),
    negativePrices: (text(values, 'negative-prices') ?? 'average-then-clip') as NegativePriceRule,
    rceUrl: rceUrlFor(values),
  };
}

/**
 * Settles hour records of `from`…`to` month by month: the bank or deposit starts empty at `from`.
 * Hourly RCE prices are fetched when the choice needs them.
 */
export async function settleRecords(
  records: readonly HourRecord[],
  from: string,
  to: string,
  choice: SettleChoice,
  io: SettleIo,
): Promise<SettleOutcome> {
  if (choice.system === 'net-metering') {
    const { periods } = settleNetMetering(
      records,
      {
        ...(choice.ratio !== undefined ? { ratio: choice.ratio } : {}),
        ...(choice.prices ? { prices: choice.prices } : {}),
        zonePriority: choice.zonePriority,
      },
      undefined,
      { hourStatements: false },
    );
    return { system: 'net-metering', months: periods.map((p) => p.month) };
  }
  let hourly: Map<number, number> | undefined;
  if (choice.priceMode === 'rce') {
    const rce = new RceClient({ url: choice.rceUrl, negativePrices: choice.negativePrices });
    try {
      const got = await rce.getHourlyPrices(from, to);
      if (got.missingDates.length > 0) io.stderr(`no RCE prices for ${got.missingDates.join(', ')}\n`);
      hourly = priceBookOf(got.hours).hourly as Map<number, number>;
    } finally {
      rce.close();
    }
  }
  const { periods } = settleNetBilling(
    records,
    { prices: choice.prices!, priceMode: choice.priceMode },
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
