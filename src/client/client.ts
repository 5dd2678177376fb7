/**
 * The eLicznik client: login, session, meter points and the data endpoints, built on the documented
 * behaviour of the real service (`elicznik-service.md`).
 *
 * Protecting the account comes first. TAURON blocks an account for 8 h after too many logins and
 * extends the block with every attempt, so:
 * - the session is reused for every request, and a lost session is replaced by one new login,
 *   transparently, at most once per request;
 * - after `WRONG_CREDENTIALS` the client makes no request at all until {@link ElicznikClient.setCredentials}
 *   changes the credentials; after `ACCOUNT_BLOCKED` none for 8 h (or until the credentials change);
 * - logins are at least `minLoginIntervalMs` apart (`LOGIN_BUDGET` otherwise), and an optional
 *   `loginGate` is asked before every login, so a shared budget can refuse it;
 * - an optional `sessionStore` keeps the eLicznik session cookie across restarts;
 * - the credentials POST is never retried.
 *
 * Transient failures are retried a few times with a short, doubling back-off and never cause a
 * login: network errors, timeouts and 5xx answers (in the HTTP layer), and a maintenance page
 * where a data answer, the start page or the meter point selection was expected (here). When the
 * retries are used up the call fails with `SERVICE_UNAVAILABLE`.
 *
 * Calls run one at a time (a promise queue), because the selected meter point is state on the
 * server side of the session.
 */
import type { HourRecord } from '../energy/hour';
import {
  addLocalDays,
  isLocalDate,
  localDaysBetween,
  MS_PER_HOUR,
  todayLocal,
  toServiceDate,
} from '../energy/time';
import { periodsInRange, type EnergyTotal, type TotalsPeriod } from '../energy/totals';
import { parseCsvExport, type CsvHour } from './csv';
import { parseEnergyDay, parseEnergyPeriods, type EnergyDay, type EnergyPeriods } from './energy-json';
import {
  AccountBlockedError,
  BadInputError,
  ElicznikError,
  LoginBudgetError,
  RateLimitedError,
  ServiceChangedError,
  ServiceUnavailableError,
  WrongCredentialsError,
  redactExcerpt,
} from '../errors';
import { buildHourRecords, type SeriesHour } from './hourly';
import {
  HttpSession,
  closedError,
  defaultSleep,
  responseText,
  type HttpExchange,
  type HttpRequest,
  type HttpResponse,
  type Sleep,
} from './http';
import { classifyLoginAnswer } from './login';
import {
  hasBlockText,
  hasLoginForm,
  isMaintenancePage,
  isRateLimitUrl,
  looksLikeHtml,
  pageShowsUser,
  parseMeterPoints,
  parseTariff,
  type MeterPoint,
} from './pages';
import { mergeRegisters, parseRegisterResponse, type RegisterEntry, type RegisterReading } from './registers';
import { ALL_SERIES, DEFAULT_SERIES, SERIES_NAMES, isEnergySeries, type EnergySeries } from './series';
import { userAgent } from './version';

import { DEFAULT_LOGIN_URL, DEFAULT_SERVICE_URL } from './urls';

export { DEFAULT_LOGIN_URL, DEFAULT_SERVICE_URL };
/** How long TAURON blocks an account after too many logins. */
export const BLOCK_DURATION_MS = 8 * MS_PER_HOUR;
/** Longest range of one CSV export request, in days. */
export const MAX_CSV_DAYS = 366;
/** Longest range of one register request, in days. */
export const MAX_REGISTER_DAYS = 366;

/** Keeps the eLicznik session cookie across restarts (the value is a `Cookie` header: `PHPSESSID=…`). */
export interface SessionStore {
  /** The saved cookie, or undefined. */
  load(): Promise<string | undefined>;
  /** Saves the cookie after a login; undefined when the session is gone. */
  save(cookie: string | undefined): Promise<void>;
}

/** Why a login is about to happen. */
export type LoginReason = 'first' | 'session-expired';

/** What a {@link ElicznikClientOptions.loginGate} is told before a login. */
export interface LoginGateContext {
  /** The login (e-mail). */
  username: string;
  /** The eLicznik base URL. */
  serviceUrl: string;
  /** Why the login is needed. */
  reason: LoginReason;
  /** When this client last started a login, if it did. */
  lastLoginAt?: Date;
}

/** Options of {@link ElicznikClient}. */
export interface ElicznikClientOptions {
  /** Login (e-mail); may also be set later with `setCredentials`. */
  username?: string;
  /** Password; never logged or put into errors. */
  password?: string;
  /** eLicznik base URL; default {@link DEFAULT_SERVICE_URL}. */
  serviceUrl?: string;
  /** Login host base URL; default {@link DEFAULT_LOGIN_URL}. */
  loginUrl?: string;
  /** Meter point (site id, or PPE number) used when a call names none; default: the account's first. */
  meterPoint?: string;
  /** Time limit of one HTTP request, ms; default 30 000. */
  timeoutMs?: number;
  /** Extra attempts after network errors, 5xx answers and maintenance pages; default 2. */
  retries?: number;
  /** First backoff delay between attempts, ms (doubles each time); default 1000. */
  retryBaseMs?: number;
  /** Longest backoff delay, ms; default 30 000. */
  retryMaxMs?: number;
  /** Shortest time between two logins, ms; default 60 000. */
  minLoginIntervalMs?: number;
  /** Keeps the eLicznik session cookie across restarts. */
  sessionStore?: SessionStore;
  /** Called before every login attempt; throwing (e.g. a `LoginBudgetError`) refuses the login. */
  loginGate?: (ctx: LoginGateContext) => Promise<void>;
  /** Waits between retries (tests pass a fast one). */
  sleep?: Sleep;
  /** The clock (tests pass a fake one): the 8 h block, the login interval, today. */
  now?: () => number;
  /** Receives debug lines (requests, logins, fallbacks); never secrets. */
  log?: (line: string) => void;
  /**
   * Receives every HTTP hop in full, for diagnostic dumps; it carries secrets, so redact before
   * writing (`src/diagnostics`).
   */
  onExchange?: (exchange: HttpExchange) => void;
}

/** Progress of a long hourly fetch. */
export interface HourlyProgress {
  /** Days fetched so far. */
  doneDays: number;
  /** Days to fetch (the range up to today). */
  totalDays: number;
  /** The endpoint in use. */
  source: 'csv' | 'json';
}

/** Where hourly data comes from: the CSV export with the JSON fallback, or one of them only. */
export type HourlySource = 'auto' | 'csv' | 'json';

/** Arguments of {@link ElicznikClient.getHourly}. */
export interface HourlyQuery {
  /** Site id or PPE number; default: the client's `meterPoint` or the account's first. */
  meterPoint?: string;
  /** First local date `YYYY-MM-DD`. */
  from: string;
  /** Last local date `YYYY-MM-DD`, inclusive. */
  to: string;
  /** Series to fetch; default `['ecp', 'eco']`. */
  series?: readonly EnergySeries[];
  /** Default `auto`: the CSV export, falling back to day-by-day JSON when it fails. */
  source?: HourlySource;
  /** Called after every CSV request or JSON day. */
  onProgress?: (progress: HourlyProgress) => void;
}

/** Arguments of {@link ElicznikClient.getTotals}. */
export interface TotalsQuery {
  meterPoint?: string;
  /** `day` (from `profile=month`), `month` or `year` (from `profile=year`). */
  period: TotalsPeriod;
  from: string;
  to: string;
  series?: readonly EnergySeries[];
}

/** Arguments of {@link ElicznikClient.getRegisters}. */
export interface RegistersQuery {
  meterPoint?: string;
  from: string;
  to: string;
}

/** A meter point with its tariff, as selected. */
export interface SelectedMeterPoint extends MeterPoint {
  /** The tariff the `/ustaw_punkt` answer shows, or null. */
  tariff: string | null;
}

/** What the client knows about its login state. */
export interface ClientStatus {
  /** True while the client holds a session it believes valid. */
  loggedIn: boolean;
  /** When the client last started a login. */
  lastLoginAt?: Date;
  /** The error that stops every call until the credentials change (or the block ends). */
  stoppedBy?: ElicznikError;
  /** End of the account block, when the client saw one. */
  blockedUntil?: Date;
}

/** The session lost its login (a redirect to the login host, the login form, …). */
class SessionLost extends Error {}

/** eLicznik answered its maintenance page; the request may be sent again after a pause. */
class MaintenancePage extends Error {
  constructor(
    readonly step: string,
    readonly httpStatus: number,
  ) {
    super('maintenance page');
  }
}

/** A data endpoint answered something that is not its data while the session is fine. */
class NotData extends Error {
  constructor(
    readonly what: string,
    readonly excerpt: string,
    readonly httpStatus: number,
  ) {
    super(what);
  }
}

/** The CSV export cannot be used for this request; the JSON endpoint may still work. */
class CsvUnusable extends Error {
  constructor(readonly changed: ServiceChangedError) {
    super(changed.message);
  }
}

interface Session {
  meterPoints: MeterPoint[];
  selected?: string;
}

type DataAnswer = { text: string; json?: unknown };

function positiveNumber(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new BadInputError(`The option ${name} must be a number of at least ${min}.`);
  }
  return value;
}

function baseUrl(name: string, value: string | undefined, fallback: string): string {
  const text = (value ?? fallback).trim().replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new BadInputError(`The option ${name} is not a URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BadInputError(`The option ${name} must be an http(s) URL.`);
  }
  return text;
}

/** Splits `from`..`to` into consecutive ranges of at most `maxDays` days. */
export function splitRange(from: string, to: string, maxDays: number): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  for (let start = from; start <= to;) {
    const endCandidate = addLocalDays(start, maxDays - 1);
    const end = endCandidate < to ? endCandidate : to;
    out.push({ from: start, to: end });
    start = addLocalDays(end, 1);
  }
  return out;
}

function checkRange(from: unknown, to: unknown): { from: string; to: string } {
  if (!isLocalDate(from))
    throw new BadInputError(`"from" must be a date YYYY-MM-DD, got ${JSON.stringify(from)}.`);
  if (!isLocalDate(to)) throw new BadInputError(`"to" must be a date YYYY-MM-DD, got ${JSON.stringify(to)}.`);
  if (localDaysBetween(from, to) < 0) throw new BadInputError(`"to" (${to}) is before "from" (${from}).`);
  return { from, to };
}

function checkSeries(series: unknown): EnergySeries[] {
  if (series === undefined) return [...DEFAULT_SERIES];
  if (!Array.isArray(series) || series.length === 0 || !series.every(isEnergySeries)) {
    throw new BadInputError(`"series" must be a non-empty list of ${ALL_SERIES.join(', ')}.`);
  }
  return ALL_SERIES.filter((s) => series.includes(s));
}

/**
 * The zone names TAURON's JSON answers give for the tariffs whose zones are documented (the shared
 * service notes, section 3: G11 from HA #249, G12/G12W from HA #228 and #287), by zone code. A CSV
 * of these tariffs has codes only; naming them from here saves the JSON request that would ask.
 */
const DOCUMENTED_ZONE_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  G11: { T1: 'Cała doba' },
  G12: { T1: 'Szczyt', T2: 'Poza szczytem' },
  G12W: { T1: 'Szczyt', T2: 'Poza szczytem' },
};

/** Names for every code in `codes` from {@link DOCUMENTED_ZONE_NAMES}, or undefined when one is not there. */
function knownZoneNames(
  tariff: string | null,
  codes: ReadonlySet<string>,
): Record<string, string> | undefined {
  const table = tariff ? DOCUMENTED_ZONE_NAMES[tariff.toUpperCase()] : undefined;
  if (!table) return undefined;
  const names: Record<string, string> = {};
  for (const code of codes) {
    const name = table[code];
    if (name === undefined) return undefined;
    names[code] = name;
  }
  return names;
}

/**
 * A client of TAURON eLicznik for one account. Create one per account and reuse it; call
 * {@link close} when done.
 */
export class ElicznikClient {
  private readonly serviceUrl: string;
  private readonly loginUrl: string;
  private readonly serviceOrigin: string;
  private readonly http: HttpSession;
  private readonly minLoginIntervalMs: number;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  private readonly defaultMeterPoint: string | undefined;
  private readonly sessionStore: SessionStore | undefined;
  private readonly loginGate: ElicznikClientOptions['loginGate'];
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly sleep: Sleep;

  private username: string;
  private password: string;
  private session: Session | undefined;
  private storeLoaded = false;
  private lastLoginAt: number | undefined;
  private stopped: { error: ElicznikError; until?: number } | undefined;
  private readonly tariffs = new Map<string, string | null>();
  private readonly zoneNames = new Map<string, Record<string, string>>();
  private readonly businessByFallback = new Set<string>();
  private readonly woTried = new Set<string>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: ElicznikClientOptions = {}) {
    this.serviceUrl = baseUrl('serviceUrl', options.serviceUrl, DEFAULT_SERVICE_URL);
    this.loginUrl = baseUrl('loginUrl', options.loginUrl, DEFAULT_LOGIN_URL);
    this.serviceOrigin = new URL(this.serviceUrl).origin;
    this.username = options.username ?? '';
    this.password = options.password ?? '';
    this.minLoginIntervalMs = positiveNumber('minLoginIntervalMs', options.minLoginIntervalMs, 60_000);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.defaultMeterPoint = options.meterPoint?.trim() || undefined;
    this.sessionStore = options.sessionStore;
    this.loginGate = options.loginGate;
    const retries = positiveNumber('retries', options.retries, 2);
    if (!Number.isInteger(retries)) throw new BadInputError('The option retries must be a whole number.');
    this.retries = retries;
    this.retryBaseMs = positiveNumber('retryBaseMs', options.retryBaseMs, 1000);
    this.retryMaxMs = positiveNumber('retryMaxMs', options.retryMaxMs, 30_000);
    this.sleep = options.sleep ?? defaultSleep;
    this.http = new HttpSession({
      timeoutMs: positiveNumber('timeoutMs', options.timeoutMs, 30_000, 1),
      retries,
      retryBaseMs: this.retryBaseMs,
      retryMaxMs: this.retryMaxMs,
      sleep: this.sleep,
      userAgent: userAgent(),
      log: (line) => this.log(line),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    });
  }

  // ---- public API ------------------------------------------------------------------------------

  /**
   * Replaces the credentials. When they differ from the current ones this lifts the stop after
   * `WRONG_CREDENTIALS` or `ACCOUNT_BLOCKED`; a new username also drops the session and cookies.
   */
  setCredentials(username: string, password: string): void {
    if (username === this.username && password === this.password) return;
    const otherUser = username.trim().toLowerCase() !== this.username.trim().toLowerCase();
    this.username = username;
    this.password = password;
    this.stopped = undefined;
    if (otherUser) {
      this.session = undefined;
      this.lastLoginAt = undefined;
      this.tariffs.clear();
      this.zoneNames.clear();
      this.businessByFallback.clear();
      this.woTried.clear();
      this.http.jar.removeAllCookiesSync();
    }
  }

  /** The client's login state (no request). */
  getStatus(): ClientStatus {
    const stop = this.currentStop();
    const status: ClientStatus = { loggedIn: this.session !== undefined };
    if (this.lastLoginAt !== undefined) status.lastLoginAt = new Date(this.lastLoginAt);
    if (stop) status.stoppedBy = stop.error;
    if (stop?.until !== undefined) status.blockedUntil = new Date(stop.until);
    return status;
  }

  /**
   * Sends every later HTTP hop in full to `hook` (undefined stops it), for diagnostic dumps. The
   * exchanges carry secrets: redact them before writing (`src/diagnostics`).
   */
  watchExchanges(hook: ((exchange: HttpExchange) => void) | undefined): void {
    this.http.onExchange = hook;
  }

  /**
   * Keeps an open session from expiring while the account is idle: one GET of the eLicznik start
   * page. Never logs in: when the session is already gone it is dropped (the next call logs in as
   * usual) and the answer is false. Errors end as false too; the next real call reports them.
   */
  keepAlive(): Promise<boolean> {
    return this.run(async () => {
      if (!this.session || this.currentStop()) return false;
      try {
        if (await this.checkSession('keep-alive', false)) return true;
        this.log('the eLicznik session expired while idle');
        await this.dropSession();
      } catch (err) {
        this.log(`keep-alive failed: ${err instanceof ElicznikError ? err.code : 'error'}`);
      }
      return false;
    }).catch(() => false);
  }

  /** Makes sure there is a session: restores a stored one or logs in. */
  login(): Promise<void> {
    return this.run(() => this.ensureSession());
  }

  /** The meter points of the account (from the page after login; no extra request when known). */
  getMeterPoints(): Promise<MeterPoint[]> {
    return this.run(() =>
      this.withSession('meter-points', async () => (await this.meterPoints()).map((p) => ({ ...p }))),
    );
  }

  /**
   * Selects a meter point for the session (`POST /ustaw_punkt`, skipped when it is already
   * selected) and returns it with its tariff.
   * @param meterPoint site id or PPE number
   */
  selectMeterPoint(meterPoint: string): Promise<SelectedMeterPoint> {
    if (typeof meterPoint !== 'string' || !meterPoint.trim()) {
      return Promise.reject(new BadInputError('A meter point (site id or PPE number) is needed.'));
    }
    return this.run(() =>
      this.withSession('select-meter-point', async () => {
        const point = await this.resolvePoint(meterPoint);
        const tariff = await this.select(point);
        return { ...point, tariff };
      }),
    );
  }

  /**
   * Hourly records for every clock hour of `from`..`to` (23/25 on DST days), sorted, values null
   * where the service has none. Uses the CSV export (up to {@link MAX_CSV_DAYS} days per request)
   * and falls back to one JSON request per day and series when the CSV fails in a way that is not
   * a session problem. Days after today are not requested (their values are null).
   */
  getHourly(query: HourlyQuery): Promise<HourRecord[]> {
    let range: { from: string; to: string };
    let series: EnergySeries[];
    const source = query?.source ?? 'auto';
    try {
      range = checkRange(query?.from, query?.to);
      series = checkSeries(query.series);
      if (!['auto', 'csv', 'json'].includes(source))
        throw new BadInputError('"source" must be auto, csv or json.');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run(() => this.hourly(range, series, source, query.meterPoint, query.onProgress));
  }

  /**
   * Totals per day, month or year from eLicznik's own sums (`profile=month` per calendar month for
   * days, `profile=year` per calendar year for months and years). A per-zone split is included for
   * a period exactly when one request covered exactly that period (the service gives zones per
   * request only). Periods after today are not requested (null).
   */
  getTotals(query: TotalsQuery): Promise<EnergyTotal[]> {
    let range: { from: string; to: string };
    let series: EnergySeries[];
    try {
      range = checkRange(query?.from, query?.to);
      series = checkSeries(query.series);
      if (!['day', 'month', 'year'].includes(query.period)) {
        throw new BadInputError('"period" must be day, month or year.');
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run(() => this.totals(range, query.period, series, query.meterPoint));
  }

  /** Meter register readings (import and export) per day of `from`..`to`, from `/odczyty/api`. */
  getRegisters(query: RegistersQuery): Promise<RegisterReading[]> {
    let range: { from: string; to: string };
    try {
      range = checkRange(query?.from, query?.to);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run(() => this.registers(range, query.meterPoint));
  }

  /** Aborts requests in flight and closes the sockets; later calls fail. */
  async close(): Promise<void> {
    this.http.close();
    this.session = undefined;
    await this.tail;
  }

  // ---- queue and stop state --------------------------------------------------------------------

  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => {
      if (this.http.isClosed) throw closedError();
      const stop = this.currentStop();
      if (stop) throw stop.error;
      return task();
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private currentStop(): { error: ElicznikError; until?: number } | undefined {
    if (this.stopped?.until !== undefined && this.now() >= this.stopped.until) this.stopped = undefined;
    return this.stopped;
  }

  private accountBlocked(step: string): AccountBlockedError {
    const until = this.now() + BLOCK_DURATION_MS;
    const error = new AccountBlockedError(new Date(until), { step });
    this.stopped = { error, until };
    this.session = undefined;
    this.log(`account blocked by TAURON; no login before ${new Date(until).toISOString()}`);
    return error;
  }

  // ---- session ---------------------------------------------------------------------------------

  private async ensureSession(): Promise<void> {
    if (this.session) return;
    if (this.sessionStore && !this.storeLoaded) {
      this.storeLoaded = true;
      const cookie = await this.sessionStore.load();
      if (cookie) {
        await this.http.restoreCookies(this.serviceUrl, cookie);
        if (await this.checkSession('restore-session')) {
          this.log('restored the stored eLicznik session');
          return;
        }
        this.log('the stored eLicznik session is no longer valid');
        await this.http.dropCookies(this.serviceUrl);
        await this.sessionStore.save(undefined);
      }
    }
    await this.logIn('first');
  }

  /**
   * GETs the eLicznik start page with the current cookies. True (and the meter points read) when
   * it shows the user; false when the session is gone. A maintenance page is asked again after a
   * pause unless `retry` is false (the keep-alive).
   */
  private async checkSession(step: string, retry = true): Promise<boolean> {
    const html = await this.maintenanceRetry(
      step,
      async () => {
        const res = await this.http.send({
          method: 'GET',
          url: `${this.serviceUrl}/`,
          step,
          follow: (next) => next.origin === this.serviceOrigin,
        });
        try {
          return this.expectPage(res, step);
        } catch (err) {
          if (err instanceof SessionLost) return undefined;
          throw err;
        }
      },
      retry ? this.retries : 0,
    );
    if (html === undefined) return false;
    this.session = { meterPoints: parseMeterPoints(html), selected: this.session?.selected };
    return true;
  }

  /**
   * Runs `attempt` (one request and the checks of its answer) and, when eLicznik answers its
   * maintenance page, runs it again after a pause, like the HTTP layer does after a 5xx: at most
   * `retries` more times, the pause doubling from `retryBaseMs` up to `retryMaxMs`. The session
   * is kept; a maintenance page never leads to a login. Then `SERVICE_UNAVAILABLE`.
   */
  private async maintenanceRetry<T>(
    step: string,
    attempt: () => Promise<T>,
    retries: number = this.retries,
  ): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof MaintenancePage)) throw err;
        if (n >= retries) {
          throw new ServiceUnavailableError(
            n === 0
              ? 'eLicznik shows a maintenance page. Try again later.'
              : `eLicznik answered a maintenance page ${n + 1} times in a row. Try again later.`,
            { step: err.step, httpStatus: err.httpStatus },
          );
        }
        const delay = Math.min(this.retryBaseMs * 2 ** n, this.retryMaxMs);
        this.log(`${step}: eLicznik answered a maintenance page; asking again in ${delay} ms`);
        try {
          await this.sleep(delay, this.http.signal);
        } catch {
          throw closedError();
        }
        if (this.http.isClosed) throw closedError();
      }
    }
  }

  private async dropSession(): Promise<void> {
    this.session = undefined;
    await this.http.dropCookies(this.serviceUrl);
    if (this.sessionStore) await this.sessionStore.save(undefined);
  }

  private async logIn(reason: LoginReason): Promise<void> {
    if (!this.username || !this.password) {
      throw new BadInputError('The eLicznik username and password are needed to log in.', { step: 'login' });
    }
    const stop = this.currentStop();
    if (stop) throw stop.error;
    const now = this.now();
    if (this.lastLoginAt !== undefined && now - this.lastLoginAt < this.minLoginIntervalMs) {
      throw new LoginBudgetError(
        new Date(this.lastLoginAt + this.minLoginIntervalMs),
        'The client logged in less than ' +
          `${Math.round(this.minLoginIntervalMs / 1000)} s ago and will not log in again so soon.`,
      );
    }
    if (this.loginGate) {
      await this.loginGate({
        username: this.username,
        serviceUrl: this.serviceUrl,
        reason,
        ...(this.lastLoginAt !== undefined ? { lastLoginAt: new Date(this.lastLoginAt) } : {}),
      });
    }
    this.lastLoginAt = this.now();
    this.session = undefined;
    this.log(`logging in (${reason})`);

    const entry = new URL(`${this.loginUrl}/login`);
    entry.searchParams.set('service', this.serviceUrl);
    const first = await this.http.send({ method: 'GET', url: entry.toString(), step: 'login-page' });
    const firstHtml = responseText(first);
    const firstOutcome = classifyLoginAnswer({
      stage: 'first',
      url: first.url,
      status: first.status,
      html: firstHtml,
      serviceUrl: this.serviceUrl,
      username: this.username,
      hasServiceCookie: (await this.http.cookieHeader(this.serviceUrl)) !== '',
    });
    let finalHtml: string;
    if (firstOutcome.kind === 'form') {
      const form: Record<string, string> = { ...firstOutcome.form.hidden };
      form.username = this.username;
      form.password = this.password;
      form.credentialId ??= '';
      const result = await this.http.send({
        method: 'POST',
        url: firstOutcome.form.action,
        form,
        step: 'login-post',
        retry: false,
      });
      finalHtml = responseText(result);
      const outcome = classifyLoginAnswer({
        stage: 'result',
        url: result.url,
        status: result.status,
        html: finalHtml,
        serviceUrl: this.serviceUrl,
        username: this.username,
        hasServiceCookie: (await this.http.cookieHeader(this.serviceUrl)) !== '',
      });
      if (outcome.kind === 'wrong-credentials') {
        const error = new WrongCredentialsError(undefined, { step: 'login-result' });
        this.stopped = { error };
        this.log('TAURON rejected the credentials; no more logins until they change');
        throw error;
      }
      this.throwUnlessLoggedIn(outcome, 'login-result', result.status);
    } else {
      this.throwUnlessLoggedIn(firstOutcome, 'login-page', first.status);
      finalHtml = firstHtml;
      this.log('logged in by single sign-on');
    }
    this.session = { meterPoints: parseMeterPoints(finalHtml) };
    this.log(`logged in; ${this.session.meterPoints.length} meter point(s)`);
    if (this.sessionStore) await this.sessionStore.save(await this.http.cookieHeader(this.serviceUrl));
  }

  private throwUnlessLoggedIn(
    outcome: ReturnType<typeof classifyLoginAnswer>,
    step: string,
    httpStatus: number,
  ): void {
    switch (outcome.kind) {
      case 'logged-in':
        return;
      case 'blocked':
        throw this.accountBlocked(step);
      case 'rate-limited':
        throw new RateLimitedError({ step });
      case 'unavailable':
        throw new ServiceUnavailableError('eLicznik shows a maintenance page. Try again later.', {
          step,
          httpStatus,
        });
      case 'changed':
        throw new ServiceChangedError(step, outcome.what, { excerpt: outcome.excerpt, httpStatus });
      case 'wrong-credentials':
      case 'form':
        throw new ServiceChangedError(step, 'the login form came back unexpectedly', { httpStatus });
    }
  }

  /**
   * Runs `fn` with a session. When the session turns out to be lost, logs in again once and runs
   * `fn` once more; losing it again is an error.
   */
  private async withSession<T>(step: string, fn: () => Promise<T>): Promise<T> {
    await this.ensureSession();
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof SessionLost)) throw err;
    }
    this.log('the eLicznik session expired; logging in again');
    await this.dropSession();
    await this.logIn('session-expired');
    try {
      return await fn();
    } catch (err) {
      if (err instanceof SessionLost) {
        throw new ServiceChangedError(
          step,
          'eLicznik asked for a login again right after a successful login',
        );
      }
      throw err;
    }
  }

  /** Checks an answer that should be an eLicznik page of the logged-in user; returns its text. */
  private expectPage(res: HttpResponse, step: string): string {
    if (res.redirectTo !== undefined) {
      if (isRateLimitUrl(res.redirectTo)) throw new RateLimitedError({ step });
      throw new SessionLost();
    }
    if (isRateLimitUrl(res.url)) throw new RateLimitedError({ step });
    const html = responseText(res);
    if (hasBlockText(html)) throw this.accountBlocked(step);
    if (res.status === 429) throw this.rateLimited(res, step);
    if (hasLoginForm(html) || res.status === 401 || res.status === 403) throw new SessionLost();
    if (pageShowsUser(html, this.username)) return html;
    if (isMaintenancePage(html)) throw new MaintenancePage(step, res.status);
    throw new SessionLost();
  }

  private rateLimited(res: HttpResponse, step: string): RateLimitedError {
    const after = Number(res.headers['retry-after']);
    const details: { step: string; retryAfter?: Date } = { step };
    if (Number.isFinite(after) && after > 0) details.retryAfter = new Date(this.now() + after * 1000);
    return new RateLimitedError(details);
  }

  // ---- meter points ----------------------------------------------------------------------------

  private async meterPoints(): Promise<MeterPoint[]> {
    const session = this.session;
    if (!session) throw new SessionLost();
    if (session.meterPoints.length === 0) {
      const html = await this.maintenanceRetry('meter-points', async () => {
        const res = await this.http.send({
          method: 'GET',
          url: `${this.serviceUrl}/`,
          step: 'meter-points',
          follow: (next) => next.origin === this.serviceOrigin,
        });
        return this.expectPage(res, 'meter-points');
      });
      session.meterPoints = parseMeterPoints(html);
      if (session.meterPoints.length === 0) {
        throw new ServiceChangedError('meter-points', 'no meter points on the eLicznik start page');
      }
    }
    return session.meterPoints;
  }

  private async resolvePoint(wanted: string | undefined): Promise<MeterPoint> {
    const points = await this.meterPoints();
    const id = (wanted ?? this.defaultMeterPoint)?.trim();
    if (!id) return points[0];
    const digits = id.replace(/\D/g, '');
    const found =
      points.find((p) => p.id === id) ??
      (digits.length === 18 ? points.find((p) => p.ppe === digits) : undefined);
    if (!found) {
      throw new BadInputError(
        `The account has no meter point "${redactExcerpt(id, [], 40)}". Known site ids: ${points.map((p) => p.id).join(', ')}.`,
        { step: 'meter-point' },
      );
    }
    return found;
  }

  private isBusiness(point: MeterPoint): boolean {
    return point.isBusiness || this.businessByFallback.has(point.id);
  }

  /** Selects the point for the session unless it already is; returns its tariff. */
  private async select(point: MeterPoint): Promise<string | null> {
    const session = this.session;
    if (!session) throw new SessionLost();
    if (session.selected === point.id) return this.tariffs.get(point.id) ?? null;
    const html = await this.maintenanceRetry('select-meter-point', async () => {
      const res = await this.http.send({
        method: 'POST',
        url: `${this.serviceUrl}/ustaw_punkt`,
        form: { 'site[client]': point.id },
        step: 'select-meter-point',
        follow: (next) => next.origin === this.serviceOrigin,
      });
      return this.expectPage(res, 'select-meter-point');
    });
    const tariff = parseTariff(html);
    this.tariffs.set(point.id, tariff);
    session.selected = point.id;
    this.log(`selected meter point ${point.id}${tariff ? ` (${tariff})` : ''}`);
    return tariff;
  }

  // ---- data calls ------------------------------------------------------------------------------

  /**
   * One request of a data endpoint, with the checks every data answer gets: the block text,
   * `/blokada`, a lost session, maintenance pages (asked again after a pause), HTML where data was
   * expected.
   */
  private dataCall(req: HttpRequest, expect: 'json' | 'csv'): Promise<DataAnswer> {
    return this.maintenanceRetry(req.step, () => this.dataAttempt(req, expect));
  }

  private async dataAttempt(req: HttpRequest, expect: 'json' | 'csv'): Promise<DataAnswer> {
    const res = await this.http.send({ ...req, follow: (next) => next.origin === this.serviceOrigin });
    if (res.redirectTo !== undefined) {
      if (isRateLimitUrl(res.redirectTo)) throw new RateLimitedError({ step: req.step });
      throw new SessionLost();
    }
    if (isRateLimitUrl(res.url)) throw new RateLimitedError({ step: req.step });
    const text = responseText(res);
    if (hasBlockText(text)) throw this.accountBlocked(req.step);
    if (res.status === 429) throw this.rateLimited(res, req.step);
    if (res.status === 401 || res.status === 403) throw new SessionLost();
    if (looksLikeHtml(text)) await this.htmlInsteadOfData(text, req.step, res.status);
    if (res.status !== 200) {
      throw new NotData(
        `HTTP ${res.status} where data was expected`,
        redactExcerpt(text, [this.username]),
        res.status,
      );
    }
    if (expect === 'csv') return { text };
    try {
      return { text, json: JSON.parse(text) as unknown };
    } catch {
      throw new NotData('an answer that is not JSON', redactExcerpt(text, [this.username]), res.status);
    }
  }

  /** Decides what an HTML page in place of data means; always throws. */
  private async htmlInsteadOfData(html: string, step: string, status: number): Promise<never> {
    if (hasLoginForm(html)) throw new SessionLost();
    if (isMaintenancePage(html)) throw new MaintenancePage(step, status);
    const excerpt = redactExcerpt(html, [this.username]);
    if (pageShowsUser(html, this.username))
      throw new NotData('an HTML page instead of data', excerpt, status);
    this.log('an HTML page instead of data; checking the session');
    if (!(await this.checkSession(`${step}-session-check`))) throw new SessionLost();
    throw new NotData('an HTML page instead of data', excerpt, status);
  }

  private async jsonCall(path: string, form: Record<string, string>, step: string): Promise<unknown> {
    try {
      const answer = await this.dataCall(
        {
          method: 'POST',
          url: `${this.serviceUrl}${path}`,
          form,
          step,
          headers: {
            Accept: 'application/json, text/javascript, */*; q=0.01',
            'X-Requested-With': 'XMLHttpRequest',
          },
        },
        'json',
      );
      return answer.json;
    } catch (err) {
      if (err instanceof NotData) {
        throw new ServiceChangedError(step, err.what, { excerpt: err.excerpt, httpStatus: err.httpStatus });
      }
      throw err;
    }
  }

  /**
   * An energy request for the selected point. A point not marked business whose answer is
   * `success: false` is tried once on the business path `/energia/wo/api` (as one client does);
   * when that works the point is treated as business from then on.
   */
  private async energyCall(point: MeterPoint, form: Record<string, string>, step: string): Promise<unknown> {
    const business = this.isBusiness(point);
    const body = await this.jsonCall(business ? '/energia/wo/api' : '/energia/api', form, step);
    if (business || this.woTried.has(point.id) || isSuccess(body)) return body;
    this.woTried.add(point.id);
    this.log(`"success": false for ${point.id}; trying the business endpoint once`);
    const wo = await this.jsonCall('/energia/wo/api', form, step);
    if (isSuccess(wo)) {
      this.businessByFallback.add(point.id);
      return wo;
    }
    return body;
  }

  private async jsonDay(point: MeterPoint, date: string, series: EnergySeries): Promise<EnergyDay> {
    const names = SERIES_NAMES[series];
    const form: Record<string, string> = {
      from: toServiceDate(date),
      to: toServiceDate(date),
      profile: 'full time',
      type: names.apiType,
    };
    if (names.energy) form.energy = names.energy;
    const body = await this.energyCall(point, form, 'energy-json');
    return parseEnergyDay(body, date, 'energy-json');
  }

  private async csvChunk(
    range: { from: string; to: string },
    series: readonly EnergySeries[],
  ): Promise<CsvHour[]> {
    const q = new URLSearchParams();
    q.set('form[from]', toServiceDate(range.from));
    q.set('form[to]', toServiceDate(range.to));
    q.set('form[type]', 'godzin');
    for (const s of series) q.set(`form[energy][${SERIES_NAMES[s].apiType}]`, '1');
    q.set('form[fileType]', 'CSV');
    let answer: DataAnswer;
    try {
      answer = await this.dataCall(
        {
          method: 'GET',
          url: `${this.serviceUrl}/energia/do/dane?${q.toString()}`,
          step: 'csv',
          headers: { Accept: 'text/csv, application/octet-stream;q=0.9, */*;q=0.8' },
        },
        'csv',
      );
    } catch (err) {
      if (err instanceof NotData) {
        throw new CsvUnusable(
          new ServiceChangedError('csv', err.what, { excerpt: err.excerpt, httpStatus: err.httpStatus }),
        );
      }
      throw err;
    }
    try {
      return parseCsvExport(answer.text, range).filter((row) => series.includes(row.series));
    } catch (err) {
      if (err instanceof ServiceChangedError) throw new CsvUnusable(err);
      throw err;
    }
  }

  private today(): string {
    return todayLocal(this.now());
  }

  private async hourly(
    range: { from: string; to: string },
    series: EnergySeries[],
    source: HourlySource,
    meterPoint: string | undefined,
    onProgress: HourlyQuery['onProgress'],
  ): Promise<HourRecord[]> {
    const today = this.today();
    const lastRequested = range.to < today ? range.to : today;
    const values: SeriesHour[] = [];
    let point: MeterPoint | undefined;
    let tariff: string | null = null;
    let csvHadZones = false;
    const csvCodes = new Set<string>();
    const prepare = async () => {
      point = await this.resolvePoint(meterPoint);
      tariff = (await this.select(point)) ?? tariff;
      return point;
    };
    if (range.from > lastRequested) {
      await this.withSession('meter-point', prepare);
    } else {
      const totalDays = localDaysBetween(range.from, lastRequested) + 1;
      let doneDays = 0;
      let useCsv = source !== 'json';
      for (const chunk of splitRange(range.from, lastRequested, MAX_CSV_DAYS)) {
        if (useCsv) {
          try {
            const rows = await this.withSession('csv', async () => {
              await prepare();
              return this.csvChunk(chunk, series);
            });
            for (const row of rows) values.push(row);
            for (const r of rows) {
              if (r.zone !== null && r.zone !== undefined) {
                csvHadZones = true;
                csvCodes.add(r.zone);
              }
            }
            doneDays += localDaysBetween(chunk.from, chunk.to) + 1;
            onProgress?.({ doneDays, totalDays, source: 'csv' });
            continue;
          } catch (err) {
            if (!(err instanceof CsvUnusable)) throw err;
            if (source === 'csv') throw err.changed;
            this.log(`the CSV export failed (${err.changed.message}); falling back to day-by-day JSON`);
            useCsv = false;
          }
        }
        for (let date = chunk.from; date <= chunk.to; date = addLocalDays(date, 1)) {
          for (const s of series) {
            const day = await this.withSession('energy-json', async () => {
              const p = await prepare();
              return this.jsonDay(p, date, s);
            });
            tariff ??= day.tariff;
            for (const h of day.hours) values.push({ ...h, series: s });
          }
          doneDays += 1;
          onProgress?.({ doneDays, totalDays, source: 'json' });
        }
      }
    }
    const id = (point as MeterPoint | undefined)?.id;
    let zoneNames: Record<string, string> | undefined;
    if (id !== undefined && csvHadZones) {
      zoneNames =
        knownZoneNames(tariff, csvCodes) ?? (await this.zoneNamesOf(point as MeterPoint, lastRequested));
    }
    return buildHourRecords({
      from: range.from,
      to: range.to,
      series,
      values,
      ...(id !== undefined ? { meterPoint: id } : {}),
      tariff,
      ...(zoneNames ? { zoneNames } : {}),
    });
  }

  /**
   * Zone names by code for a point, read once per client from one JSON day (the CSV has codes
   * only). Best effort: when the JSON answer fails, the names stay unknown.
   */
  private async zoneNamesOf(point: MeterPoint, date: string): Promise<Record<string, string> | undefined> {
    const known = this.zoneNames.get(point.id);
    if (known) return known;
    try {
      const day = await this.withSession('zone-names', async () => {
        await this.select(point);
        return this.jsonDay(point, date, 'ecp');
      });
      const names: Record<string, string> = {};
      for (const info of day.zones.values()) if (info.code && info.name) names[info.code] = info.name;
      this.zoneNames.set(point.id, names);
      return names;
    } catch (err) {
      if (err instanceof ServiceChangedError) {
        // the answer will not change soon: do not ask again for this point
        this.zoneNames.set(point.id, {});
        this.log(`zone names unknown: ${err.message}`);
        return undefined;
      }
      if (err instanceof ServiceUnavailableError) {
        this.log(`zone names unknown for now: ${err.message}`);
        return undefined;
      }
      throw err;
    }
  }

  private async totals(
    range: { from: string; to: string },
    period: TotalsPeriod,
    series: EnergySeries[],
    meterPoint: string | undefined,
  ): Promise<EnergyTotal[]> {
    const today = this.today();
    const profile = period === 'day' ? 'month' : 'year';
    const chunks = periodsInRange(range.from, range.to, period === 'day' ? 'month' : 'year');
    const periods = periodsInRange(range.from, range.to, period);
    const values = new Map<string, Partial<Record<EnergySeries, number | null>>>();
    const chunkResults: { from: string; to: string; series: EnergySeries; parsed: EnergyPeriods }[] = [];
    let point: MeterPoint | undefined;
    let tariff: string | null = null;
    const prepare = async () => {
      point = await this.resolvePoint(meterPoint);
      tariff = (await this.select(point)) ?? tariff;
      return point;
    };
    await this.withSession('meter-point', prepare);
    for (const chunk of chunks) {
      if (chunk.from > today) continue;
      for (const s of series) {
        const names = SERIES_NAMES[s];
        const form: Record<string, string> = {
          from: toServiceDate(chunk.from),
          to: toServiceDate(chunk.to),
          profile,
          type: names.apiType,
        };
        if (names.energy) form.energy = names.energy;
        const parsed = await this.withSession('energy-totals', async () => {
          const p = await prepare();
          const body = await this.energyCall(p, form, 'energy-totals');
          return parseEnergyPeriods(body, profile, chunk.from, chunk.to, 'energy-totals');
        });
        tariff ??= parsed.tariff;
        chunkResults.push({ from: chunk.from, to: chunk.to, series: s, parsed });
        for (const v of parsed.values) {
          const entry = values.get(v.label) ?? {};
          entry[s] = v.value;
          values.set(v.label, entry);
        }
      }
    }
    const selected = point as MeterPoint | undefined;
    return periods.map((p) => {
      const total: EnergyTotal = { period, label: p.label, from: p.from, to: p.to };
      const exact = chunkResults.filter((c) => c.from === p.from && c.to === p.to);
      for (const s of series) {
        if (period === 'year') total[s] = exact.find((c) => c.series === s)?.parsed.total ?? null;
        else total[s] = values.get(p.label)?.[s] ?? null;
      }
      if (exact.length > 0 && exact.some((c) => c.parsed.zones)) {
        const zones: Record<string, Partial<Record<EnergySeries, number | null>>> = {};
        for (const c of exact) {
          for (const [code, kwh] of Object.entries(c.parsed.zones ?? {})) {
            zones[code] ??= {};
            zones[code][c.series] = kwh;
          }
        }
        total.zones = zones;
        const names = Object.assign({}, ...exact.map((c) => c.parsed.zoneNames)) as Record<string, string>;
        if (Object.keys(names).length > 0) total.zoneNames = names;
      }
      if (selected) total.meterPoint = selected.id;
      if (tariff) total.tariff = tariff;
      return total;
    });
  }

  private async registers(
    range: { from: string; to: string },
    meterPoint: string | undefined,
  ): Promise<RegisterReading[]> {
    const importEntries: RegisterEntry[] = [];
    const exportEntries: RegisterEntry[] = [];
    for (const chunk of splitRange(range.from, range.to, MAX_REGISTER_DAYS)) {
      for (const kind of ['energia-pobrana', 'energia-oddana'] as const) {
        const entries = await this.withSession('registers', async () => {
          const point = await this.resolvePoint(meterPoint);
          await this.select(point);
          const body = await this.jsonCall(
            '/odczyty/api',
            { from: toServiceDate(chunk.from), to: toServiceDate(chunk.to), type: kind },
            'registers',
          );
          return parseRegisterResponse(body, 'registers');
        });
        (kind === 'energia-pobrana' ? importEntries : exportEntries).push(...entries);
      }
    }
    return mergeRegisters(importEntries, exportEntries).filter(
      (r) => r.date >= range.from && r.date <= range.to,
    );
  }
}

function isSuccess(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { success?: unknown }).success === true;
}
