#!/usr/bin/env node
/**
 * The `elicznik` command: list meter points, fetch hourly data, totals and register readings from
 * TAURON eLicznik, or run the local simulator. Credentials come only from the environment
 * (`ELICZNIK_USERNAME`, `ELICZNIK_PASSWORD`). Results go to stdout; progress and errors to stderr;
 * each error kind has its own exit code ({@link EXIT_CODES}).
 *
 * Tests call {@link run} with their own arguments, environment and output sinks.
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_LOGIN_URL,
  DEFAULT_SERVICE_URL,
  ElicznikClient,
  isElicznikError,
  type ElicznikErrorCode,
  type SessionStore,
} from '../client';
import { ALL_SERIES, isEnergySeries, type EnergySeries } from '../client/series';
import { packageVersion } from '../client/version';
import { isLocalDate } from '../energy/time';
import { DEMO_ACCOUNT, startSimulator } from '../simulator';
import { csvTable, hoursCsv, jsonLines } from './format';
import {
  SETTLE_COMMAND_HELP,
  SETTLE_OPTIONS,
  SETTLE_OPTIONS_HELP,
  SETTLE_OPTION_NAMES,
  settleCommand,
} from './settle';

/** Where the command writes, and what stops `simulate`. */
export interface CliIo {
  /** Results. */
  stdout(text: string): void;
  /** Progress, debug lines and errors. */
  stderr(text: string): void;
  /** Aborts when the user presses Ctrl-C (ends `simulate`). */
  signal?: AbortSignal;
}

/** The environment the command reads (only the two credential variables). */
export type CliEnv = Readonly<Record<string, string | undefined>>;

/** Exit codes: 0 success, 1 unexpected error, 2 bad usage, then one per error code. */
export const EXIT_CODES: Readonly<Record<'OK' | 'UNEXPECTED' | ElicznikErrorCode, number>> = {
  OK: 0,
  UNEXPECTED: 1,
  BAD_INPUT: 2,
  WRONG_CREDENTIALS: 3,
  ACCOUNT_BLOCKED: 4,
  RATE_LIMITED: 5,
  LOGIN_BUDGET: 6,
  SERVICE_UNAVAILABLE: 7,
  SERVICE_CHANGED: 8,
};

/** The `--help` text. */
export function helpText(): string {
  return `Usage: elicznik <command> [options]

Reads TAURON eLicznik smart-meter data (Europe/Warsaw time).

Commands:
  meters                          list the account's meter points with their tariffs
  fetch --from DATE --to DATE     hourly records of one meter point
  totals --period day|month|year --from DATE --to DATE
                                  totals from eLicznik's own sums
  registers --from DATE --to DATE meter register readings, import and export
  simulate                        run the local eLicznik simulator until Ctrl-C
${SETTLE_COMMAND_HELP}
Options of fetch, totals and registers:
  --from YYYY-MM-DD, --to YYYY-MM-DD
                                  the range, both days included
  --meter ID                      site id or 18-digit PPE number (default: the first meter point)
  --series LIST                   comma-separated: ${ALL_SERIES.join(', ')} (default: ecp,eco)
  --format json|csv               output of meters and fetch (default: json)
  --source auto|csv|json          fetch: the CSV export with a JSON fallback (auto), or only one

Options of simulate:
  --port N                        eLicznik port (default: a free one)
  --login-port N                  login host port (default: a free one)
  --today YYYY-MM-DD              the simulator's today (default: today in Warsaw)

${SETTLE_OPTIONS_HELP}Common options:
  --service-url URL               default ${DEFAULT_SERVICE_URL}
  --login-url URL                 default ${DEFAULT_LOGIN_URL}
  --timeout SECONDS               time limit of one request (default: 30)
  --session-file PATH             keep the eLicznik session cookie in this file (mode 600) so the
                                  next run can reuse it instead of logging in again
  --verbose                       debug lines on stderr (never passwords or cookies)
  -h, --help                      this help
  --version                       the package version

Credentials are read only from the environment: ELICZNIK_USERNAME and ELICZNIK_PASSWORD.
TAURON blocks an account for 8 hours after too many logins; prefer --session-file for repeated runs.

Exit codes:
  0  success
  1  unexpected error
  2  bad usage or input (BAD_INPUT)
  3  WRONG_CREDENTIALS    the username or password was rejected
  4  ACCOUNT_BLOCKED      TAURON blocked logins for the account (8 h)
  5  RATE_LIMITED         eLicznik answered its /blokada page (too many requests)
  6  LOGIN_BUDGET         a login was refused to protect the account
  7  SERVICE_UNAVAILABLE  timeout, connection error, 5xx or maintenance page
  8  SERVICE_CHANGED      an answer the client does not recognise
`;
}

const OPTIONS = {
  from: { type: 'string' },
  to: { type: 'string' },
  meter: { type: 'string' },
  series: { type: 'string' },
  format: { type: 'string' },
  source: { type: 'string' },
  period: { type: 'string' },
  port: { type: 'string' },
  'login-port': { type: 'string' },
  today: { type: 'string' },
  'service-url': { type: 'string' },
  'login-url': { type: 'string' },
  timeout: { type: 'string' },
  'session-file': { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  ...SETTLE_OPTIONS,
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** The options each command accepts besides the common ones. */
const COMMAND_OPTIONS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  meters: ['format'],
  fetch: ['from', 'to', 'meter', 'series', 'format', 'source'],
  totals: ['from', 'to', 'meter', 'series', 'period'],
  registers: ['from', 'to', 'meter'],
  simulate: ['port', 'login-port', 'today'],
  settle: SETTLE_OPTION_NAMES,
};
const COMMON: readonly (keyof typeof OPTIONS)[] = [
  'service-url',
  'login-url',
  'timeout',
  'session-file',
  'verbose',
  'help',
  'version',
];

/** A usage error: exit code 2 with a message and a hint to --help. */
class UsageError extends Error {}

function requireDate(values: Values, name: 'from' | 'to' | 'today'): string {
  const v = values[name];
  if (v === undefined) throw new UsageError(`--${name} YYYY-MM-DD is required`);
  if (!isLocalDate(v)) throw new UsageError(`--${name} must be a date YYYY-MM-DD`);
  return v;
}

function port(values: Values, name: 'port' | 'login-port'): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number`);
  return n;
}

function seriesList(values: Values): EnergySeries[] | undefined {
  if (values.series === undefined) return undefined;
  const list = values.series
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((s) => !isEnergySeries(s));
  if (list.length === 0 || bad.length > 0) {
    throw new UsageError(`--series takes a comma-separated list of ${ALL_SERIES.join(', ')}`);
  }
  return list as EnergySeries[];
}

function format(values: Values): 'json' | 'csv' {
  const f = values.format ?? 'json';
  if (f !== 'json' && f !== 'csv') throw new UsageError('--format must be json or csv');
  return f;
}

/** A {@link SessionStore} in a file readable only by the user. */
export function fileSessionStore(file: string): SessionStore {
  return {
    async load() {
      try {
        const data = JSON.parse(await readFile(file, 'utf8')) as { cookie?: unknown };
        return typeof data.cookie === 'string' && data.cookie ? data.cookie : undefined;
      } catch {
        return undefined;
      }
    },
    async save(cookie) {
      if (!cookie) {
        await rm(file, { force: true });
        return;
      }
      await mkdir(path.dirname(path.resolve(file)), { recursive: true });
      await writeFile(file, JSON.stringify({ cookie, savedAt: new Date().toISOString() }), { mode: 0o600 });
      await chmod(file, 0o600);
    },
  };
}

function makeClient(values: Values, env: CliEnv, io: CliIo): ElicznikClient {
  const username = env.ELICZNIK_USERNAME ?? '';
  const password = env.ELICZNIK_PASSWORD ?? '';
  if (!username || !password) {
    throw new UsageError('set ELICZNIK_USERNAME and ELICZNIK_PASSWORD in the environment');
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!Number.isFinite(s) || s <= 0) throw new UsageError('--timeout must be a number of seconds above 0');
    timeoutMs = Math.round(s * 1000);
  }
  return new ElicznikClient({
    username,
    password,
    serviceUrl: values['service-url'] ?? DEFAULT_SERVICE_URL,
    loginUrl: values['login-url'] ?? DEFAULT_LOGIN_URL,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(values['session-file'] ? { sessionStore: fileSessionStore(values['session-file']) } : {}),
    ...(values.meter ? { meterPoint: values.meter } : {}),
    ...(values.verbose ? { log: (line: string) => io.stderr(`debug: ${line}\n`) } : {}),
  });
}

async function meters(client: ElicznikClient, values: Values, io: CliIo): Promise<void> {
  const points = await client.getMeterPoints();
  const rows = [];
  for (const p of points) {
    const selected = await client.selectMeterPoint(p.id);
    rows.push({ ...p, tariff: selected.tariff });
  }
  if (format(values) === 'csv')
    io.stdout(csvTable(['id', 'ppe', 'type', 'isBusiness', 'tariff', 'name'], rows));
  else io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
}

async function fetchHours(client: ElicznikClient, values: Values, io: CliIo): Promise<void> {
  const from = requireDate(values, 'from');
  const to = requireDate(values, 'to');
  const series = seriesList(values) ?? ['ecp', 'eco'];
  const out = format(values);
  const source = values.source ?? 'auto';
  if (source !== 'auto' && source !== 'csv' && source !== 'json') {
    throw new UsageError('--source must be auto, csv or json');
  }
  const records = await client.getHourly({
    from,
    to,
    series,
    source,
    onProgress: (p) => io.stderr(`fetched ${p.doneDays}/${p.totalDays} days (${p.source})\n`),
  });
  io.stdout(out === 'csv' ? hoursCsv(records, series) : jsonLines(records));
}

async function totals(client: ElicznikClient, values: Values, io: CliIo): Promise<void> {
  const period = values.period;
  if (period !== 'day' && period !== 'month' && period !== 'year') {
    throw new UsageError('--period must be day, month or year');
  }
  const result = await client.getTotals({
    period,
    from: requireDate(values, 'from'),
    to: requireDate(values, 'to'),
    ...(values.series !== undefined ? { series: seriesList(values) } : {}),
  });
  io.stdout(jsonLines(result));
}

async function registers(client: ElicznikClient, values: Values, io: CliIo): Promise<void> {
  const result = await client.getRegisters({
    from: requireDate(values, 'from'),
    to: requireDate(values, 'to'),
  });
  io.stdout(jsonLines(result));
}

async function simulate(values: Values, io: CliIo): Promise<void> {
  const today = values.today === undefined ? undefined : requireDate(values, 'today');
  const sim = await startSimulator({
    ...(port(values, 'port') !== undefined ? { port: port(values, 'port') } : {}),
    ...(port(values, 'login-port') !== undefined ? { loginPort: port(values, 'login-port') } : {}),
    ...(today ? { today } : {}),
    ...(values.verbose ? { log: (line: string) => io.stderr(`sim: ${line}\n`) } : {}),
  });
  io.stdout(
    [
      'eLicznik simulator running',
      `  service URL: ${sim.serviceUrl}`,
      `  login URL:   ${sim.loginUrl}`,
      `  demo login:  ${DEMO_ACCOUNT.username} / ${DEMO_ACCOUNT.password}`,
      '',
      'Try:',
      `  ELICZNIK_USERNAME=${DEMO_ACCOUNT.username} ELICZNIK_PASSWORD=${DEMO_ACCOUNT.password} \\`,
      `    elicznik meters --service-url ${sim.serviceUrl} --login-url ${sim.loginUrl}`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) {
      resolve();
      return;
    }
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sim.close();
  io.stderr('simulator stopped\n');
}

function describeError(err: unknown): { code: number; text: string } {
  if (err instanceof UsageError) {
    return { code: EXIT_CODES.BAD_INPUT, text: `elicznik: ${err.message}\nSee elicznik --help.\n` };
  }
  if (isElicznikError(err)) {
    const lines = [`error [${err.code}] at ${err.step}: ${err.message}`];
    if (err.retryAfter) lines.push(`  retry after: ${new Date(err.retryAfter).toISOString()}`);
    if (err.excerpt) lines.push(`  answer: ${err.excerpt}`);
    return { code: EXIT_CODES[err.code], text: `${lines.join('\n')}\n` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: EXIT_CODES.UNEXPECTED, text: `unexpected error: ${message}\n` };
}

/**
 * Runs the command.
 * @param argv the arguments after the program name
 * @param env the environment (only ELICZNIK_USERNAME and ELICZNIK_PASSWORD are read)
 * @param io where output goes; `signal` ends `simulate`
 * @returns the exit code
 */
export async function run(argv: readonly string[], env: CliEnv, io: CliIo): Promise<number> {
  let client: ElicznikClient | undefined;
  try {
    if (argv.some((a) => /^--?(pass|password|haslo|hasło)(=|$)/i.test(a))) {
      throw new UsageError('the password is read only from ELICZNIK_PASSWORD, never from an option');
    }
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/=.*$/, ''));
    }
    const values = parsed.values as Values;
    const [command, ...rest] = parsed.positionals;
    if (values.help || command === 'help') {
      io.stdout(helpText());
      return EXIT_CODES.OK;
    }
    if (values.version) {
      io.stdout(`${packageVersion()}\n`);
      return EXIT_CODES.OK;
    }
    if (!command) {
      io.stderr(helpText());
      return EXIT_CODES.BAD_INPUT;
    }
    const allowed = COMMAND_OPTIONS[command];
    if (!allowed) throw new UsageError(`unknown command "${command}"`);
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    for (const key of Object.keys(values) as (keyof typeof OPTIONS)[]) {
      if (!allowed.includes(key) && !COMMON.includes(key)) {
        throw new UsageError(`--${key} is not an option of ${command}`);
      }
    }
    if (command === 'simulate') {
      await simulate(values, io);
      return EXIT_CODES.OK;
    }
    client = makeClient(values, env, io);
    if (command === 'meters') await meters(client, values, io);
    else if (command === 'fetch') await fetchHours(client, values, io);
    else if (command === 'totals') await totals(client, values, io);
    else if (command === 'settle') await settleCommand(client, values, io);
    else await registers(client, values, io);
    return EXIT_CODES.OK;
  } catch (err) {
    const { code, text } = describeError(err);
    io.stderr(text);
    return code;
  } finally {
    await client?.close();
  }
}

/** Runs the command in this process: real stdout/stderr, Ctrl-C ends `simulate`. */
async function main(): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const code = await run(process.argv.slice(2), process.env, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    signal: controller.signal,
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  process.exitCode = code;
}

if (require.main === module) {
  void main();
}
