#!/usr/bin/env node
/**
 * The `elicznik` command: list meter points, fetch hourly data, totals and register readings from
 * TAURON eLicznik, or run the local simulator. Credentials come only from the environment
 * (`ELICZNIK_USERNAME`, `ELICZNIK_PASSWORD`). Results go to stdout; progress and errors to stderr;
 * each error kind has its own exit code ({@link EXIT_CODES}).
 *
 * Tests call {@link run} with their own arguments, environment and output sinks.
 */
import { parseArgs } from 'node:util';
// Only what parsing the arguments and the help need is loaded here; the client (with its HTTP,
// cookie and HTML libraries), the simulator, the diagnostics and the doctor are loaded by the
// command that uses them (`lazy` below), so `elicznik --help` or a usage error starts quickly.
import type { ElicznikClient } from '../client/client';
import { isElicznikError, type ElicznikErrorCode } from '../errors';
import { ALL_SERIES, isEnergySeries, type EnergySeries } from '../client/series';
import { DEFAULT_LOGIN_URL, DEFAULT_SERVICE_URL } from '../client/urls';
import { packageVersion } from '../client/version';
import type { KnownSecrets } from '../diagnostics/redact';
import { ExchangeRecorder } from '../diagnostics/recorder';
import { isLocalDate } from '../energy/time';
import { DEFAULT_LOGIN_BUDGET } from '../session/login-ledger';
import { DEFAULT_MIN_LOGIN_INTERVAL_MS, loginPolicy } from '../session/pool';
import { csvTable, hoursCsv, jsonLineParts, jsonLines, type CsvStyle } from './format';
import {
  INVOICE_COMMAND_HELP,
  INVOICE_OPTIONS,
  INVOICE_OPTIONS_HELP,
  INVOICE_OPTION_NAMES,
  invoiceCommand,
  invoiceHelpText,
} from './invoice';
import { cliState, type CliState } from './state';
import {
  SETTLE_COMMAND_HELP,
  SETTLE_OPTIONS,
  SETTLE_OPTIONS_HELP,
  SETTLE_OPTION_NAMES,
  settleCommand,
  settleHelpText,
} from './settle';

/** Modules loaded when a command first needs them. */
const lazy = {
  client: () => require('../client/client') as typeof import('../client/client'),
  dump: () => require('../diagnostics/dump') as typeof import('../diagnostics/dump'),
  redact: () => require('../diagnostics/redact') as typeof import('../diagnostics/redact'),
  simulator: () => require('../simulator') as typeof import('../simulator'),
  doctor: () => require('./doctor') as typeof import('./doctor'),
};

/** Where the command writes, and what stops `simulate`. */
export interface CliIo {
  /** Results. */
  stdout(text: string): void;
  /** Progress, debug lines and errors. */
  stderr(text: string): void;
  /** Aborts when the user presses Ctrl-C: ends `simulate`, stops any other command (exit 130). */
  signal?: AbortSignal;
}

/** The environment the command reads (only the two credential variables). */
export type CliEnv = Readonly<Record<string, string | undefined>>;

/** Exit codes: 0 success, 1 unexpected error, 2 bad usage, one per error code, 130 interrupted. */
export const EXIT_CODES: Readonly<Record<'OK' | 'UNEXPECTED' | 'INTERRUPTED' | ElicznikErrorCode, number>> = {
  OK: 0,
  UNEXPECTED: 1,
  BAD_INPUT: 2,
  WRONG_CREDENTIALS: 3,
  ACCOUNT_BLOCKED: 4,
  RATE_LIMITED: 5,
  LOGIN_BUDGET: 6,
  SERVICE_UNAVAILABLE: 7,
  SERVICE_CHANGED: 8,
  INTERRUPTED: 130,
};

/** The `--help` text. */
export function helpText(): string {
  return `Usage: elicznik <command> [options]

Reads TAURON eLicznik smart-meter data (Europe/Warsaw time).

Commands:
  meters                          list the account's meter points with their tariffs
  fetch --from DATE --to DATE     hourly records of one meter point
  totals --period day|month|year --from DATE --to DATE
                                  totals from eLicznik's own sums; per zone for years, and for
                                  a month or a day when the range is just that month or day
                                  (invoice sums any range per zone, from the hours)
  registers --from DATE --to DATE meter register readings, import and export
  simulate                        run the local eLicznik simulator until Ctrl-C
  doctor [--meter ID] [--date YYYY-MM-DD]
                                  check login, meter points, selection, one day of JSON and of
                                  CSV step by step; prints timings and no secret (for bug reports)
${SETTLE_COMMAND_HELP}${INVOICE_COMMAND_HELP}
Options of fetch, totals and registers:
  --from YYYY-MM-DD, --to YYYY-MM-DD
                                  the range, both days included
  --meter ID                      site id or 18-digit PPE number (default: the first meter point)
  --series LIST                   fetch and totals: comma-separated ${ALL_SERIES.join(', ')}
                                  (default: ecp,eco)
  --format json|csv               output of meters and fetch (default: json)
  --lang en|pl                    meters and fetch CSV: for scripts, ',' and a decimal dot
                                  (default), or for a Polish spreadsheet, ';', a decimal comma and
                                  UTF-8 with a byte order mark (the column names stay the same)
  --source auto|csv|json          fetch: the CSV export with a JSON fallback (auto), or only one

Options of simulate:
  --port N                        eLicznik port (default: a free one)
  --login-port N                  login host port (default: a free one)
  --today YYYY-MM-DD              the simulator's today (default: today in Warsaw)

${SETTLE_OPTIONS_HELP}${INVOICE_OPTIONS_HELP}Common options:
  --service-url URL               default ${DEFAULT_SERVICE_URL}
  --login-url URL                 default ${DEFAULT_LOGIN_URL}
  --timeout SECONDS               time limit of one request (default: 30)
  --login-budget N                logins allowed in any 24 hours (default ${DEFAULT_LOGIN_BUDGET}); a run that would
                                  need one more fails with LOGIN_BUDGET and says when it may log in
  --session-file PATH             the account's state file (default: one per account in
                                  $ELICZNIK_CACHE_DIR, $XDG_CACHE_HOME/elicznik or ~/.cache/elicznik)
  --no-session-cache              do not keep the eLicznik session between runs (logins are still
                                  counted against the budget)
  --dump DIR                      when a request fails, write its answers to DIR with every secret
                                  removed (password, cookies, e-mail, PPE and meter numbers, addresses)
  --verbose                       debug lines on stderr (never passwords or cookies)
  -h, --help                      this help
  --version                       the package version

Credentials are read only from the environment: ELICZNIK_USERNAME and ELICZNIK_PASSWORD.
TAURON blocks an account for 8 hours after too many logins. Each run keeps the account's state in
a file readable only by you: the logins of the last 24 hours, a block, the pause after eLicznik's
/blokada page (no request for an hour), a rejected password (as a salted hash) and the session,
encrypted with the password. A later run uses the session while it is
valid, never logs in more often than the budget allows, and never retries a rejected password.

Exit codes:
  0  success
  1  unexpected error
  2  bad usage or input (BAD_INPUT)
  3  WRONG_CREDENTIALS    the username or password was rejected
  4  ACCOUNT_BLOCKED      TAURON blocked logins for the account (8 h)
  5  RATE_LIMITED         eLicznik answered its /blokada page (too many requests); no request for an hour
  6  LOGIN_BUDGET         a login was refused to protect the account
  7  SERVICE_UNAVAILABLE  timeout, connection error, 5xx or maintenance page
  8  SERVICE_CHANGED      an answer the client does not recognise
  130  INTERRUPTED        stopped by Ctrl-C or SIGTERM
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
  'no-session-cache': { type: 'boolean' },
  'login-budget': { type: 'string' },
  dump: { type: 'string' },
  date: { type: 'string' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  ...SETTLE_OPTIONS,
  ...INVOICE_OPTIONS,
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** The options each command accepts besides the common ones. */
const COMMAND_OPTIONS: Record<string, readonly (keyof typeof OPTIONS)[]> = {
  meters: ['format', 'lang'],
  fetch: ['from', 'to', 'meter', 'series', 'format', 'lang', 'source'],
  totals: ['from', 'to', 'meter', 'series', 'period'],
  registers: ['from', 'to', 'meter'],
  simulate: ['port', 'login-port', 'today'],
  doctor: ['meter', 'date'],
  settle: SETTLE_OPTION_NAMES,
  invoice: INVOICE_OPTION_NAMES,
};
const COMMON: readonly (keyof typeof OPTIONS)[] = [
  'service-url',
  'login-url',
  'timeout',
  'session-file',
  'no-session-cache',
  'login-budget',
  'dump',
  'verbose',
  'help',
  'version',
];

/** A usage error: exit code 2 with a message and a hint to --help. */
class UsageError extends Error {}

/** The command was stopped by Ctrl-C or SIGTERM. */
class Interrupted extends Error {}

/**
 * The command's result, or {@link Interrupted} as soon as `signal` aborts (the caller then closes
 * the client, which ends the request in flight).
 */
async function interruptible<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  let onAbort = () => undefined as void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Interrupted());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function requireDate(values: Values, name: 'from' | 'to' | 'today' | 'date'): string {
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

/** `--service-url` or `--login-url`, or the default; checked here to name the option in the message. */
function baseUrl(values: Values, name: 'service-url' | 'login-url', fallback: string): string {
  const v = values[name];
  if (v === undefined) return fallback;
  let protocol = '';
  try {
    protocol = new URL(v.trim()).protocol;
  } catch {
    // not a URL
  }
  if (protocol !== 'https:' && protocol !== 'http:') throw new UsageError(`--${name} must be an http(s) URL`);
  return v;
}

function format(values: Values): 'json' | 'csv' {
  const f = values.format ?? 'json';
  if (f !== 'json' && f !== 'csv') throw new UsageError('--format must be json or csv');
  return f;
}

/** The CSV style of meters and fetch (`--lang`, only with `--format csv`). */
function csvStyle(values: Values): CsvStyle {
  const lang = values.lang ?? 'en';
  if (lang !== 'en' && lang !== 'pl') throw new UsageError('--lang must be en or pl');
  if (values.lang !== undefined && format(values) !== 'csv')
    throw new UsageError('--lang goes with --format csv');
  return lang;
}

/** A client for the run, with the account's state file and, with `--dump`, a recorder. */
interface RunClient {
  client: ElicznikClient;
  state: CliState;
  recorder: ExchangeRecorder | undefined;
  known: KnownSecrets;
}

function makeClient(values: Values, env: CliEnv, io: CliIo, record: boolean): RunClient {
  const username = env.ELICZNIK_USERNAME ?? '';
  const password = env.ELICZNIK_PASSWORD ?? '';
  if (!username || !password) {
    throw new UsageError('set ELICZNIK_USERNAME and ELICZNIK_PASSWORD in the environment');
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    timeoutMs = Math.round(s * 1000);
    if (!Number.isFinite(s) || !(timeoutMs >= 1)) {
      throw new UsageError('--timeout must be a number of seconds, at least 0.001');
    }
  }
  let loginBudget = DEFAULT_LOGIN_BUDGET;
  if (values['login-budget'] !== undefined) {
    loginBudget = Number(values['login-budget']);
    if (!Number.isInteger(loginBudget) || loginBudget < 1 || loginBudget > 48) {
      throw new UsageError('--login-budget must be a whole number from 1 to 48');
    }
  }
  const serviceUrl = baseUrl(values, 'service-url', DEFAULT_SERVICE_URL);
  const loginUrl = baseUrl(values, 'login-url', DEFAULT_LOGIN_URL);
  const log = values.verbose ? (line: string) => io.stderr(`debug: ${line}\n`) : undefined;
  const policy = loginPolicy({ loginBudget, minLoginIntervalMs: DEFAULT_MIN_LOGIN_INTERVAL_MS });
  const state = cliState(
    {
      serviceUrl,
      loginUrl,
      username,
      password,
      policy,
      keepSession: !values['no-session-cache'],
      ...(values['session-file'] ? { file: values['session-file'] } : {}),
      ...(log ? { log } : {}),
    },
    env,
  );
  if (!state.file) {
    io.stderr(
      'elicznik: warning: HOME, XDG_CACHE_HOME and ELICZNIK_CACHE_DIR are not set, so the logins of this\n' +
        'run, a rejected password or a block are forgotten when it ends, and the next run logs in again;\n' +
        'set ELICZNIK_CACHE_DIR or give --session-file.\n',
    );
  }
  const recorder = record ? new ExchangeRecorder() : undefined;
  const client = new (lazy.client().ElicznikClient)({
    username,
    password,
    serviceUrl,
    loginUrl,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    minLoginIntervalMs: policy.minIntervalMs,
    sessionStore: state.hooks.sessionStore,
    loginGate: state.hooks.loginGate,
    onAccountStop: state.hooks.remember,
    callGate: state.hooks.callGate,
    ...(values.meter ? { meterPoint: values.meter } : {}),
    ...(log ? { log } : {}),
    ...(recorder ? { onExchange: recorder.record } : {}),
  });
  return { client, state, recorder, known: { username, password } };
}

async function meters(client: ElicznikClient, values: Values, io: CliIo): Promise<void> {
  const out = format(values);
  const style = csvStyle(values);
  const points = await client.getMeterPoints();
  const rows = [];
  for (const p of points) {
    const selected = await client.selectMeterPoint(p.id);
    rows.push({ ...p, tariff: selected.tariff });
  }
  if (out === 'csv') io.stdout(csvTable(['id', 'ppe', 'type', 'isBusiness', 'tariff', 'name'], rows, style));
  else io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
}

async function fetchHours(client: ElicznikClient, values: Values, io: CliIo): Promise<void> {
  const from = requireDate(values, 'from');
  const to = requireDate(values, 'to');
  const series = seriesList(values) ?? ['ecp', 'eco'];
  const out = format(values);
  const style = csvStyle(values);
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
  if (out === 'csv') io.stdout(hoursCsv(records, series, style));
  else for (const part of jsonLineParts(records)) io.stdout(part);
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
  const { DEMO_ACCOUNT, startSimulator } = lazy.simulator();
  const sim = await startSimulator({
    ...(port(values, 'port') !== undefined ? { port: port(values, 'port') } : {}),
    ...(port(values, 'login-port') !== undefined ? { loginPort: port(values, 'login-port') } : {}),
    ...(today ? { today } : {}),
    ...(values.verbose ? { log: (line: string) => io.stderr(`sim: ${line}\n`) } : {}),
  }).catch((err: unknown) => {
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (e?.code !== 'EADDRINUSE') throw err;
    throw new UsageError(
      `a port the simulator needs is in use${e.port ? ` (${e.port})` : ''}: choose others with --port and --login-port`,
    );
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
      `    npx elicznik meters --service-url ${sim.serviceUrl} --login-url ${sim.loginUrl}`,
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

function describeError(err: unknown, known: KnownSecrets = {}): { code: number; text: string } {
  if (err instanceof UsageError) {
    return { code: EXIT_CODES.BAD_INPUT, text: `elicznik: ${err.message}\nSee elicznik --help.\n` };
  }
  if (isElicznikError(err)) {
    const lines = [`error [${err.code}] at ${err.step}: ${err.message}`];
    if (err.retryAfter) lines.push(`  retry after: ${new Date(err.retryAfter).toISOString()}`);
    if (err.excerpt) lines.push(`  answer: ${err.excerpt}`);
    return { code: EXIT_CODES[err.code], text: `${lazy.redact().redactText(lines.join('\n'), known)}\n` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: EXIT_CODES.UNEXPECTED,
    text: `unexpected error: ${lazy.redact().redactText(message, known)}\n`,
  };
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
  let running: RunClient | undefined;
  let dumpDir: string | undefined;
  const started = Date.now();
  try {
    if (argv.some((a) => /^--?(pass|password|haslo|hasło)(=|$)/i.test(a))) {
      throw new UsageError('the password is read only from ELICZNIK_PASSWORD, never from an option');
    }
    let parsed;
    try {
      parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      // Node's message, without its advice to write `--opt=-value` (no option takes one) and
      // without any value after `=`
      const text = (err as Error).message
        .split('\n')
        .filter((line) => !/^To specify an option argument starting with a dash/.test(line))
        .map((line) => line.replace(/=[^'\s]*/g, ''))
        .join(' ');
      throw new UsageError(text);
    }
    const values = parsed.values as Values;
    const [command, ...rest] = parsed.positionals;
    if (values.help || command === 'help') {
      // `elicznik help settle` as `elicznik settle --help`
      const topic = command === 'help' ? rest[0] : command;
      io.stdout(topic === 'invoice' ? invoiceHelpText() : topic === 'settle' ? settleHelpText() : helpText());
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
    dumpDir = values.dump;
    if (dumpDir !== undefined && !dumpDir.trim()) throw new UsageError('--dump needs a folder');
    running = makeClient(values, env, io, dumpDir !== undefined);
    client = running.client;
    const runClient = running;
    const c = client;
    const work = (async () => {
      if (command === 'doctor') return doctor(runClient, values, io, dumpDir);
      if (command === 'meters') await meters(c, values, io);
      else if (command === 'fetch') await fetchHours(c, values, io);
      else if (command === 'totals') await totals(c, values, io);
      else if (command === 'settle') await settleCommand(c, values, io);
      else if (command === 'invoice') await invoiceCommand(c, values, io);
      else await registers(c, values, io);
      return EXIT_CODES.OK;
    })();
    return await interruptible(work, io.signal);
  } catch (err) {
    if (err instanceof Interrupted) {
      io.stderr('elicznik: interrupted\n');
      return EXIT_CODES.INTERRUPTED;
    }
    const { code, text } = describeError(err, running?.known);
    io.stderr(text);
    if (running && isElicznikError(err) && dumpDir && running.recorder) {
      try {
        const folder = await lazy.dump().writeDump(dumpDir, {
          error: err,
          exchanges: running.recorder.since(started),
          known: running.known,
        });
        io.stderr(`dump written to ${folder}\n`);
      } catch (dumpErr) {
        io.stderr(`the dump could not be written: ${(dumpErr as Error).message}\n`);
      }
    }
    return code;
  } finally {
    await client?.close();
  }
}

/** `doctor`: the steps, then the exit code of the first failure (0 when all worked). */
async function doctor(
  running: RunClient,
  values: Values,
  io: CliIo,
  dumpDir: string | undefined,
): Promise<number> {
  const steps = await lazy.doctor().runDoctor(running.client, {
    ...(values.meter ? { meter: values.meter } : {}),
    ...(values.date !== undefined ? { date: requireDate(values, 'date') } : {}),
    ...(running.recorder ? { recorder: running.recorder } : {}),
    ...(dumpDir ? { dumpDir } : {}),
    known: running.known,
    serviceUrl: values['service-url'] ?? DEFAULT_SERVICE_URL,
    loginUrl: values['login-url'] ?? DEFAULT_LOGIN_URL,
    report: async () => {
      const report = await running.state.ledger.report(
        running.known.password ?? '',
        loginPolicy({
          loginBudget: values['login-budget'] ? Number(values['login-budget']) : DEFAULT_LOGIN_BUDGET,
          minLoginIntervalMs: DEFAULT_MIN_LOGIN_INTERVAL_MS,
        }),
      );
      // with --no-session-cache the kept session is not used, so it is not "tried first"
      return values['no-session-cache'] ? { ...report, sessionKept: false } : report;
    },
    print: (line) => io.stdout(`${line}\n`),
  });
  const failed = steps.find((s) => s.outcome === 'failed');
  if (!failed) return EXIT_CODES.OK;
  if (isElicznikError(failed.error)) return EXIT_CODES[failed.error.code];
  return EXIT_CODES.UNEXPECTED;
}

/** Runs the command in this process: real stdout/stderr, Ctrl-C ends `simulate`. */
async function main(): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `elicznik fetch … | head`: the reader went away; stop quietly as other commands in a pipe do
  const closedPipe = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.OK);
  };
  process.stdout.on('error', closedPipe);
  process.stderr.on('error', closedPipe);
  const code = await run(process.argv.slice(2), process.env, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    signal: controller.signal,
  });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  // the client is closed; end now rather than wait for anything else still under way (an RCE request)
  if (code === EXIT_CODES.INTERRUPTED) process.exit(code);
  process.exitCode = code;
}

if (require.main === module) {
  void main();
}
