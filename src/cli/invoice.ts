/**
 * `elicznik invoice`: the figures to check a prosumer invoice with, for exactly its period: ECP,
 * ECO, ECBP, ECBO and autoconsumption over all zones and per zone, our hourly balance next to
 * TAURON's own balanced series with the hours where they differ, the hours without data, and with
 * `--system` the bank or deposit statement of the period. `--format csv` writes one row per hour
 * with the quantities of TAURON's "Raport Danych Pomiarowych" (Polish column names, or English
 * with `--lang en`).
 */
import type { ElicznikClient } from '../client';
import { ALL_SERIES } from '../client/series';
import type { BalanceSums } from '../energy/balance';
import type { BalancedQuantity } from '../energy/check';
import { invoiceSummary, type InvoiceSummary } from '../energy/invoice';
import { MS_PER_HOUR, isLocalDate } from '../energy/time';
import { badInput } from '../settlement/errors';
import {
  SETTLE_OPTIONS,
  SETTLE_OPTIONS_HELP,
  settleChoice,
  settleRecords,
  statementTable,
  type SettleChoice,
  type SettleIo,
  type SettleOutcome,
} from './settle';

/** The options `invoice` adds to the command's option table (the settle ones come from settle). */
export const INVOICE_OPTIONS = {
  lang: { type: 'string' },
} as const;

/** The options of `settle` that choose and describe the statement, besides the period. */
const STATEMENT_OPTIONS = Object.keys(SETTLE_OPTIONS) as (keyof typeof SETTLE_OPTIONS)[];

/** Every option `invoice` accepts besides the common ones. */
export const INVOICE_OPTION_NAMES = ['from', 'to', 'meter', 'format', 'lang', ...STATEMENT_OPTIONS] as const;

/** The line of `--help` that lists `invoice` among the commands. */
export const INVOICE_COMMAND_HELP = `  invoice --from DATE --to DATE   check an invoice period: ECP, ECO, ECBP, ECBO, autoconsumption per
                                  zone and in total, our balance next to TAURON's, missing hours
`;

/** The `--help` section about the options of `invoice`. */
export const INVOICE_OPTIONS_HELP = `Options of invoice (and --from, --to, --meter):
  --format table|csv|json         a readable table (default); one row per hour with the quantities
                                  of TAURON's "Raport Danych Pomiarowych"; or everything as JSON
  --lang pl|en                    CSV column names: Polish with ';' and a decimal comma, UTF-8
                                  with a byte order mark for Excel (default), or English with ','
                                  and a decimal dot
  --system net-metering|net-billing
                                  add the bank or deposit statement of the period (table or JSON),
                                  with the options of settle (--prices, --ratio, --price-mode, …)
  Hours without data are listed and left out of every sum, never counted as 0.

`;

/** The `elicznik invoice --help` text: the command, its options and those of the statement. */
export function invoiceHelpText(): string {
  const statement = SETTLE_OPTIONS_HELP.split('\n')
    .filter((line) => !line.trimStart().startsWith('--format'))
    .join('\n')
    .replace(/^Options of settle.*$/m, 'Options of the statement (with --system):');
  return `Usage: elicznik invoice --from DATE --to DATE [--meter ID] [options]

Checks an invoice period (Europe/Warsaw time, both days included): ECP, ECO, ECBP, ECBO and
autoconsumption summed over all zones and per zone, our hourly balance next to TAURON's own
balanced series with the hours where they differ and by how much, and the hours without data.

${INVOICE_OPTIONS_HELP}${statement}Credentials, the common options and the exit codes: elicznik --help.
`;
}

type InvoiceValues = Readonly<Record<string, string | boolean | undefined>>;

/** The language of the CSV header. */
export type InvoiceLang = 'pl' | 'en';

function text(values: InvoiceValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The local clock interval of an hour, `13:00-14:00`; the repeated autumn hour is marked. */
export function hourInterval(h: { hourStart: string; repeated: boolean }, lang: InvoiceLang = 'en'): string {
  const start = Number(h.hourStart.slice(11, 13));
  const interval = `${pad2(start)}:00-${pad2(start + 1)}:00`;
  if (!h.repeated) return interval;
  return `${interval} ${lang === 'pl' ? '(powtórzona)' : '(repeated)'}`;
}

/** An hour as the lists of the report show it. */
type ListedHour = { hourStart: string; date: string; repeated: boolean };

/** Runs of consecutive hours (in time order), to list missing hours briefly. */
export function hourRuns(
  hours: readonly ListedHour[],
): { first: ListedHour; last: ListedHour; hours: number }[] {
  const out: { first: ListedHour; last: ListedHour; hours: number }[] = [];
  for (const h of hours) {
    const run = out[out.length - 1];
    if (run && Date.parse(h.hourStart) - Date.parse(run.last.hourStart) === MS_PER_HOUR) {
      run.last = h;
      run.hours += 1;
    } else out.push({ first: h, last: h, hours: 1 });
  }
  return out;
}

/** `2026-10-25 01:00-04:00 (4 h)`, or across days `2026-10-24 22:00 - 2026-10-25 02:00 (4 h)`. */
export function runText(run: { first: ListedHour; last: ListedHour; hours: number }): string {
  const first = hourInterval(run.first);
  if (run.hours === 1) return `${run.first.date} ${first} (1 h)`;
  const last = hourInterval(run.last);
  const start = first.slice(0, 5) + (run.first.repeated ? ' (repeated)' : '');
  const end = last.slice(6);
  if (run.first.date === run.last.date) return `${run.first.date} ${start}-${end} (${run.hours} h)`;
  return `${run.first.date} ${start} - ${run.last.date} ${end} (${run.hours} h)`;
}

function kwh(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : value.toFixed(3);
}

function signedKwh(value: number | undefined): string {
  if (value === undefined) return '-';
  return `${value > 0 ? '+' : ''}${value.toFixed(3)}`;
}

/** A fixed-width table: the first column left-aligned, the rest right-aligned. */
function table(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/** A row of sums; `-` for the energies of a row without any hour of data (a sum of nothing is not 0). */
function sumsRow(label: string, s: BalanceSums): string[] {
  const known = s.hours > s.missingHours;
  const energy = (value: number) => (known ? kwh(value) : '-');
  return [
    label,
    energy(s.ecp),
    energy(s.eco),
    energy(s.ecbp),
    energy(s.ecbo),
    energy(s.autoconsumption),
    String(s.hours),
    String(s.missingHours),
  ];
}

const QUANTITY_LABEL: Record<BalancedQuantity, string> = { ecbp: 'ECBP kWh', ecbo: 'ECBO kWh' };

/** The readable report of an invoice check (and the statement, when there is one). */
export function invoiceText(summary: InvoiceSummary, statement?: SettleOutcome): string {
  const out: string[] = [];
  const point = summary.meterPoint ? ` · meter point ${summary.meterPoint}` : '';
  const tariff = summary.tariff ? ` · tariff ${summary.tariff}` : '';
  out.push(`Invoice check ${summary.from} - ${summary.to}${point}${tariff}`);
  const t = summary.total;
  out.push(
    `${t.hours} clock hours, ${t.hours - t.missingHours} with ECP and ECO` +
      (summary.complete ? ' (complete)' : `, ${t.missingHours} missing`),
  );
  if (t.missingHours === t.hours) {
    out.push(
      'eLicznik has no ECP and ECO for any hour of the period yet: there is nothing to compare with the invoice.',
    );
  } else if (t.missingHours > 0) {
    out.push(
      `The sums leave out the ${t.missingHours} missing hours: they can be lower than the invoice's until eLicznik has them.`,
    );
  }
  out.push('');
  const zoneRows = Object.entries(summary.zones)
    // hours without data whose zone eLicznik did not say are in the total's row already
    .filter(([code, z]) => code !== 'all' || z.hours > z.missingHours)
    .map(([code, z]) =>
      sumsRow(code === 'all' ? 'all day' : `${code}${z.zoneName ? ` ${z.zoneName}` : ''}`, z),
    );
  out.push(
    table(
      ['zone', 'ECP kWh', 'ECO kWh', 'ECBP kWh', 'ECBO kWh', 'autocons. kWh', 'hours', 'missing h'],
      [...zoneRows, sumsRow('all zones', t)],
    ),
  );
  const zoneless = t.missingHours - Object.values(summary.zones).reduce((n, z) => n + z.missingHours, 0);
  if (zoneless > 0) {
    out.push(`(${zoneless} missing h without a zone from eLicznik count in the total only)`, '');
  }

  const check = summary.tauron;
  if (!check) {
    out.push("TAURON's balanced series: not available.", '');
  } else {
    if (check.hoursCompared === 0) {
      out.push('TAURON\'s balanced series (eLicznik "po zbilansowaniu"): no hour to compare.');
    } else {
      out.push(
        `TAURON's balanced series (eLicznik "po zbilansowaniu") next to ours, over the ${check.hoursCompared} hours both have:`,
      );
      out.push(
        table(
          ['', 'ours', 'TAURON', 'TAURON - ours'],
          check.quantities.map((q) => [
            QUANTITY_LABEL[q],
            kwh(check.ours[q]),
            kwh(check.tauron[q]),
            signedKwh(check.difference[q]),
          ]),
        ),
      );
    }
    if (check.differences.length === 0) {
      if (check.hoursCompared > 0) out.push('They agree in every hour.');
    } else {
      out.push(`They differ in ${check.differences.length} h:`);
      const header = ['date', 'hour', 'zone'];
      for (const q of check.quantities) {
        const name = q.toUpperCase();
        header.push(`${name} ours`, `${name} TAURON`, 'difference');
      }
      out.push(
        table(
          header,
          check.differences.map((d) => {
            const row = [d.date, hourInterval(d), d.zone ?? ''];
            for (const q of check.quantities)
              row.push(kwh(d.ours[q]), kwh(d.tauron[q]), signedKwh(d.difference[q]));
            return row;
          }),
          3,
        ).trimEnd(),
      );
    }
    if (check.missing.tauron.length > 0) {
      out.push(`TAURON's series has no value (ECP and ECO have one): ${check.missing.tauron.length} h`);
      const lacking = new Set(check.missing.tauron);
      for (const run of hourRuns(summary.hours.filter((h) => lacking.has(h.hourStart))))
        out.push(`  ${runText(run)}`);
    }
    out.push('');
  }

  if (summary.missing.length === 0) out.push('Missing hours: none.');
  else {
    out.push(
      `Missing hours (no ECP or ECO yet; left out of the sums, not counted as 0): ${summary.missing.length}`,
    );
    for (const run of hourRuns(summary.hours.filter((h) => h.ecbp === null))) out.push(`  ${runText(run)}`);
  }

  if (statement) {
    const what = statement.system === 'net-metering' ? 'Net-metering bank' : 'Net-billing deposit';
    out.push('', `${what} (starting empty on ${summary.from}):`, statementTable(statement).trimEnd());
  }
  return `${out.join('\n')}\n`;
}

/** Column names of the hourly CSV: the report's quantities in Polish, and in English. */
export const INVOICE_CSV_COLUMNS: Readonly<Record<InvoiceLang, readonly string[]>> = {
  pl: [
    'Data',
    'Godzina',
    'Początek godziny',
    'Strefa',
    'Energia pobrana ECP [kWh]',
    'Energia oddana ECO [kWh]',
    'Energia pobrana po bilansowaniu ECBP [kWh]',
    'Energia oddana po bilansowaniu ECBO [kWh]',
    'Autokonsumpcja [kWh]',
    'ECBP TAURON [kWh]',
    'ECBO TAURON [kWh]',
  ],
  en: [
    'Date',
    'Hour',
    'Hour start',
    'Zone',
    'Energy taken ECP [kWh]',
    'Energy given ECO [kWh]',
    'Balanced energy taken ECBP [kWh]',
    'Balanced energy given ECBO [kWh]',
    'Autoconsumption [kWh]',
    'TAURON ECBP [kWh]',
    'TAURON ECBO [kWh]',
  ],
};

/**
 * One row per clock hour of the period: Polish with `;` and a decimal comma (as TAURON's files,
 * ready for a Polish spreadsheet), or English with `,` and a decimal dot. Missing values are empty
 * cells, never 0. The Polish text starts with the UTF-8 byte order mark: without it Excel reads a
 * CSV in the system's code page (Windows-1250 in Poland), and the Polish letters of the header and
 * of "(powtórzona)" come out garbled.
 */
export function invoiceCsv(summary: InvoiceSummary, lang: InvoiceLang): string {
  const sep = lang === 'pl' ? ';' : ',';
  const cell = (value: string) =>
    value.includes(sep) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  const num = (value: number | null | undefined) => {
    if (value === null || value === undefined) return '';
    const fixed = value.toFixed(3);
    return lang === 'pl' ? fixed.replace('.', ',') : fixed;
  };
  const lines = [INVOICE_CSV_COLUMNS[lang].map(cell).join(sep)];
  for (const h of summary.hours) {
    lines.push(
      [
        h.date,
        hourInterval(h, lang),
        h.hourStart,
        h.zone ?? '',
        num(h.ecp),
        num(h.eco),
        num(h.ecbp),
        num(h.ecbo),
        num(h.autoconsumption),
        num(h.tauronEcbp),
        num(h.tauronEcbo),
      ]
        .map(cell)
        .join(sep),
    );
  }
  return `${lang === 'pl' ? '\ufeff' : ''}${lines.join('\n')}\n`;
}

/**
 * Runs `invoice`: checks the options, fetches the period's hours with TAURON's balanced series,
 * and prints the check (and the statement with `--system`).
 * @throws SettlementError `BAD_INPUT` or the client's errors (the command maps codes to exit codes)
 */
export async function invoiceCommand(
  client: ElicznikClient,
  values: InvoiceValues,
  io: SettleIo,
): Promise<void> {
  const from = text(values, 'from');
  const to = text(values, 'to');
  if (!isLocalDate(from) || !isLocalDate(to))
    throw badInput('--from and --to YYYY-MM-DD are required', 'cli');
  if (to < from) throw badInput(`--to (${to}) is before --from (${from})`, 'cli');
  const format = text(values, 'format') ?? 'table';
  if (format !== 'table' && format !== 'csv' && format !== 'json')
    throw badInput('--format of invoice must be table, csv or json', 'cli');
  const lang = text(values, 'lang') ?? 'pl';
  if (lang !== 'pl' && lang !== 'en') throw badInput('--lang must be pl or en', 'cli');
  if (values.lang !== undefined && format !== 'csv') throw badInput('--lang goes with --format csv', 'cli');
  let choice: SettleChoice | undefined;
  if (values.system !== undefined) {
    if (format === 'csv')
      throw badInput('--format csv writes the hours only; use table or json with --system', 'cli');
    choice = settleChoice(values);
  } else {
    const stray = STATEMENT_OPTIONS.find((name) => values[name] !== undefined);
    if (stray) throw badInput(`--${stray} needs --system`, 'cli');
  }

  const records = await client.getHourly({
    from,
    to,
    series: ALL_SERIES,
    onProgress: (p) => io.stderr(`fetched ${p.doneDays}/${p.totalDays} days (${p.source})\n`),
  });
  const summary = invoiceSummary(records, from, to);
  const statement = choice ? await settleRecords(records, from, to, choice, io) : undefined;
  if (format === 'csv') io.stdout(invoiceCsv(summary, lang));
  else if (format === 'json') {
    io.stdout(`${JSON.stringify(statement ? { ...summary, statement } : summary, null, 2)}\n`);
  } else io.stdout(invoiceText(summary, statement));
}
