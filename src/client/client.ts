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
 *   after `RATE_LIMITED` (eLicznik's `/blokada` page, or a 429) none for an hour, or for the 429's
 *   `Retry-After`; an optional `callGate` asked before every call can refuse it too (a pause that
 *   another client or process saw);
 * - logins are at least `minLoginIntervalMs` apart (`LOGIN_BUDGET` otherwise), and an optional
 *   `loginGate` is asked before every login, so a shared budget can refuse it;
 * - an optional `onAccountStop` is told of every such stop wherever it was seen (a login, a data
 *   call, the keep-alive), before the call ends, so a ledger shared by other clients and processes
 *   can record it;
 * - an optional `sessionStore` keeps the eLicznik session cookie across restarts;
 * - the credentials POST is never retried, and once sent it is not abandoned: {@link ElicznikClient.close}
 *   lets it get its answer (`CLOSE_GRACE_MS`, 10 s at most), so a rejected password or a block is
 *   still seen and passed on, and the password is not sent again later for want of it.
 *
 * Transient failures are retried a few times with a short, doubling back-off and never cause a
 * login: network errors, timeouts and 5xx answers (in the HTTP layer), and a maintenance page
 * where a data answer, the start page or the meter point selection was expected (here). When the
 * retries are used up the call fails with `SERVICE_UNAVAILABLE`.
 *
 * Calls run one at a time (a promise queue), because the selected meter point is state on the
 * server side of the session.
 *
 * This file is the client's API; the work is split by job: `context.ts` (what the parts share and
 * the checks of every answer), `login.ts` (the login flow), `session.ts` (restore, check, replace
 * the session), `meter-point.ts` (find and select a meter point), `data-request.ts` (one data
 * request) and one file per data call (`get-hourly.ts`, `get-totals.ts`, `get-registers.ts`).
 */
import type { HourRecord } from '../energy/hour';
import type { EnergyTotal, TotalsPeriod } from '../energy/totals';
import { BadInputError, ElicznikError } from '../errors';
import { BLOCK_DURATION_MS, currentStop, settleSave, type ClientContext } from './context';
import { getHourly, MAX_CSV_DAYS } from './get-hourly';
import { getRegisters, MAX_REGISTER_DAYS } from './get-registers';
import { getTotals } from './get-totals';
import { HttpSession, closedError, defaultSleep, type HttpExchange, type Sleep } from './http';
import { meterPoints, usePoint } from './meter-point';
import type { MeterPoint } from './pages';
import { checkRange, checkSeries, splitRange } from './query';
import type { RegisterReading } from './registers';
import type { EnergySeries } from './series';
import { checkSession, dropSession, ensureSession, withSession } from './session';
import { userAgent } from './version';

import { DEFAULT_LOGIN_URL, DEFAULT_SERVICE_URL } from './urls';

export {
  DEFAULT_LOGIN_URL,
  DEFAULT_SERVICE_URL,
  BLOCK_DURATION_MS,
  MAX_CSV_DAYS,
  MAX_REGISTER_DAYS,
  splitRange,
};

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
  /**
   * Called before every call that may send a request (the keep-alive too); throwing (e.g. a
   * `RateLimitedError` for a pause recorded elsewhere) refuses the call without a request.
   */
  callGate?: () => Promise<void>;
  /**
   * Told of the error that stops the client's calls (`WRONG_CREDENTIALS`, `ACCOUNT_BLOCKED`,
   * `RATE_LIMITED`) when an answer gives one, wherever it came: a login, a data call, the keep-alive. The call that saw
   * it ends once this is done, so a shared ledger has it before anyone hears of the error; a
   * failure here is logged, not thrown.
   */
  onAccountStop?: (error: ElicznikError) => Promise<void>;
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
  /**
   * The error that stops every call until the credentials change, or until the block or the pause
   * after "too many requests" ends (its `retryAfter`).
   */
  stoppedBy?: ElicznikError;
  /** End of the account block, when the client saw one. */
  blockedUntil?: Date;
}

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

/**
 * A client of TAURON eLicznik for one account. Create one per account and reuse it; call
 * {@link close} when done.
 */
export class ElicznikClient {
  private readonly ctx: ClientContext;
  private readonly onAccountStop: ElicznikClientOptions['onAccountStop'];
  private readonly callGate: ElicznikClientOptions['callGate'];
  private tail: Promise<unknown> = Promise.resolve();

  constructor(options: ElicznikClientOptions = {}) {
    const serviceUrl = baseUrl('serviceUrl', options.serviceUrl, DEFAULT_SERVICE_URL);
    const loginUrl = baseUrl('loginUrl', options.loginUrl, DEFAULT_LOGIN_URL);
    const minLoginIntervalMs = positiveNumber('minLoginIntervalMs', options.minLoginIntervalMs, 60_000);
    const log = options.log ?? (() => undefined);
    const retries = positiveNumber('retries', options.retries, 2);
    if (!Number.isInteger(retries)) throw new BadInputError('The option retries must be a whole number.');
    const retryBaseMs = positiveNumber('retryBaseMs', options.retryBaseMs, 1000);
    const retryMaxMs = positiveNumber('retryMaxMs', options.retryMaxMs, 30_000);
    const sleep: Sleep = options.sleep ?? defaultSleep;
    const http = new HttpSession({
      timeoutMs: positiveNumber('timeoutMs', options.timeoutMs, 30_000, 1),
      retries,
      retryBaseMs,
      retryMaxMs,
      sleep,
      userAgent: userAgent(),
      log: (line) => log(line),
      ...(options.onExchange ? { onExchange: options.onExchange } : {}),
    });
    this.ctx = {
      serviceUrl,
      loginUrl,
      serviceOrigin: new URL(serviceUrl).origin,
      http,
      minLoginIntervalMs,
      now: options.now ?? Date.now,
      log,
      defaultMeterPoint: options.meterPoint?.trim() || undefined,
      sessionStore: options.sessionStore,
      loginGate: options.loginGate,
      retries,
      retryBaseMs,
      retryMaxMs,
      sleep,
      username: options.username ?? '',
      password: options.password ?? '',
      session: undefined,
      storeLoaded: false,
      saving: undefined,
      lastLoginAt: undefined,
      stopped: undefined,
      tariffs: new Map(),
      zoneNames: new Map(),
      businessByFallback: new Set(),
      woTried: new Set(),
    };
    this.onAccountStop = options.onAccountStop;
    this.callGate = options.callGate;
  }

  /**
   * Replaces the credentials. When they differ from the current ones this lifts the stop after
   * `WRONG_CREDENTIALS` or `ACCOUNT_BLOCKED` (not the pause after `RATE_LIMITED`: too many
   * requests are not a matter of the credentials); a new username also drops the session and cookies.
   */
  setCredentials(username: string, password: string): void {
    const ctx = this.ctx;
    if (username === ctx.username && password === ctx.password) return;
    const otherUser = username.trim().toLowerCase() !== ctx.username.trim().toLowerCase();
    ctx.username = username;
    ctx.password = password;
    if (ctx.stopped?.error.code !== 'RATE_LIMITED') ctx.stopped = undefined;
    if (otherUser) {
      ctx.session = undefined;
      ctx.lastLoginAt = undefined;
      ctx.tariffs.clear();
      ctx.zoneNames.clear();
      ctx.businessByFallback.clear();
      ctx.woTried.clear();
      ctx.http.jar.removeAllCookiesSync();
    }
  }

  /** The client's login state (no request). */
  getStatus(): ClientStatus {
    const stop = currentStop(this.ctx);
    const status: ClientStatus = { loggedIn: this.ctx.session !== undefined };
    if (this.ctx.lastLoginAt !== undefined) status.lastLoginAt = new Date(this.ctx.lastLoginAt);
    if (stop) status.stoppedBy = stop.error;
    if (stop?.until !== undefined && stop.error.code === 'ACCOUNT_BLOCKED') {
      status.blockedUntil = new Date(stop.until);
    }
    return status;
  }

  /**
   * Sends every later HTTP hop in full to `hook` (undefined stops it), for diagnostic dumps. The
   * exchanges carry secrets: redact them before writing (`src/diagnostics`).
   */
  watchExchanges(hook: ((exchange: HttpExchange) => void) | undefined): void {
    this.ctx.http.onExchange = hook;
  }

  /**
   * Keeps an open session from expiring while the account is idle: one GET of the eLicznik start
   * page. Never logs in: when the session is already gone it is dropped (the next call logs in as
   * usual) and the answer is false. Errors end as false too; the next real call reports them.
   */
  keepAlive(): Promise<boolean> {
    const ctx = this.ctx;
    return this.run(async () => {
      if (!ctx.session || currentStop(ctx)) return false;
      try {
        if (await checkSession(ctx, 'keep-alive', false)) return true;
        ctx.log('the eLicznik session expired while idle');
        await dropSession(ctx);
      } catch (err) {
        ctx.log(`keep-alive failed: ${err instanceof ElicznikError ? err.code : 'error'}`);
      }
      return false;
    }).catch(() => false);
  }

  /** Makes sure there is a session: restores a stored one or logs in. */
  login(): Promise<void> {
    return this.run(() => ensureSession(this.ctx));
  }

  /** The meter points of the account (from the page after login; no extra request when known). */
  getMeterPoints(): Promise<MeterPoint[]> {
    return this.run(() =>
      withSession(this.ctx, 'meter-points', async () => (await meterPoints(this.ctx)).map((p) => ({ ...p }))),
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
      withSession(this.ctx, 'select-meter-point', async () => {
        const { point, tariff } = await usePoint(this.ctx, meterPoint);
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
    return this.run(() => getHourly(this.ctx, range, series, source, query.meterPoint, query.onProgress));
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
    return this.run(() => getTotals(this.ctx, range, query.period, series, query.meterPoint));
  }

  /** Meter register readings (import and export) per day of `from`..`to`, from `/odczyty/api`. */
  getRegisters(query: RegistersQuery): Promise<RegisterReading[]> {
    let range: { from: string; to: string };
    try {
      range = checkRange(query?.from, query?.to);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run(() => getRegisters(this.ctx, range, query.meterPoint));
  }

  /**
   * Aborts requests in flight, except a credentials POST already sent, whose answer is awaited (10 s
   * at most) and read as usual; closes the sockets; ends once the call in flight has (with
   * `onAccountStop`). Later calls fail.
   */
  async close(): Promise<void> {
    this.ctx.http.close();
    this.ctx.session = undefined;
    await this.tail;
  }

  /**
   * Runs a call, then waits for the save of a session its login made and for
   * {@link ElicznikClientOptions.onAccountStop} when an answer of the call stopped the client.
   */
  private async settled<T>(task: () => Promise<T>): Promise<T> {
    const before = this.ctx.stopped;
    try {
      let result: T;
      try {
        result = await task();
      } catch (err) {
        await settleSave(this.ctx).catch(() => undefined);
        throw err;
      }
      await settleSave(this.ctx);
      return result;
    } finally {
      const stop = this.ctx.stopped;
      if (stop && stop !== before && this.onAccountStop) {
        await this.onAccountStop(stop.error).catch((err: unknown) =>
          this.ctx.log(
            `could not pass on ${stop.error.code}: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
      }
    }
  }

  /** Runs calls one at a time; a closed or stopped client, or the call gate, refuses them. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      if (this.ctx.http.isClosed) throw closedError();
      const stop = currentStop(this.ctx);
      if (stop) throw stop.error;
      await this.callGate?.();
      return this.settled(task);
    });
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
