/**
 * The two HTTP servers of the simulator: the login host (Keycloak realm `tauron` behind a CAS-style
 * `/login` entry) and the eLicznik host. State (accounts, sessions, blocks, faults, counters) lives
 * in one {@link SimulatorState} per running simulator.
 *
 * Login flow (`elicznik-service.md` §1.1):
 * 1. `GET <login>/login?service=<eLicznik>` → 302 to `/realms/tauron/protocol/openid-connect/auth?…`.
 * 2. The auth endpoint answers the login page and sets `AUTH_SESSION_ID` and `KC_RESTART`; with a
 *    valid `KEYCLOAK_IDENTITY` cookie (single sign-on) it skips the page and answers step 4's 302.
 * 3. `POST` of the form action with `username`, `password`, `credentialId`: right → sets
 *    `KEYCLOAK_IDENTITY`/`KEYCLOAK_SESSION`; wrong → the page again with the error; blocked → the
 *    page with the block text (the form stays on the page, as Keycloak renders errors).
 * 4. 302 to `<eLicznik>/sso/callback?state=…&session_state=…&iss=…&code=…`, which sets `PHPSESSID`
 *    (HttpOnly, path /) and 302s to `/`, the start page with the e-mail and the meter points.
 *
 * eLicznik endpoints (all need a live `PHPSESSID`, else 302 to the login entry; §1.3 and §2):
 * - `POST /ustaw_punkt` (`site[client]`) selects the session's meter point; an unknown id selects the
 *   account's first point, as users who typed the PPE number saw.
 * - `POST /energia/api`, `/energia/wo/api`, `/odczyty/api` use the selected point, or the first one
 *   when none was selected; a `WO` point answers only on the `wo` path, others only on the plain one
 *   (`{"success":false}` otherwise). Bad dates, types or profiles, an end before the start, or more
 *   than {@link MAX_RANGE_DAYS} days (`year`: {@link MAX_YEAR_RANGE_DAYS}) answer `{"success":false}`.
 * - `GET /energia/do/dane` needs an explicitly selected point (else the start page, HTML) and at most
 *   {@link MAX_RANGE_DAYS} days (else an HTML error page); only `form[type]=godzin` and CSV.
 * - `GET /applogout` ends the eLicznik session and the Keycloak one.
 * - `GET /api/rce-pln` is a stand-in for PSE's RCE price report (no session; see `rce.ts`).
 *
 * Data availability: days before today are complete, today is served hour by hour only when a delay
 * is set (`todayDelayHours`), later days are null; `faults.missingDays` and `faults.nullFromHour` take
 * hours away. Register readings exist only for complete days.
 *
 * Account block: the N-th wrong password in a row (`faults.blockAfterFailures`) blocks the account
 * for 8 h and its answer already shows the block text; every credentials POST during the block
 * (right or wrong) extends it to 8 h from that attempt. A successful login resets the failure count.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  addLocalDays,
  fromServiceDate,
  localDateOf,
  localDatesInRange,
  localDaysBetween,
  startOfLocalDayMs,
  MS_PER_HOUR,
} from '../energy/time';
import { generateDay, hashString, type GeneratedHour } from './data';
import { DEMO_ACCOUNT } from './demo-account';
import {
  BLOCKED_TEXT,
  DAILY_LIMIT_TEXT,
  LOGIN_TIMEOUT_TEXT,
  WRONG_CREDENTIALS_TEXT,
  loginPage,
  maintenancePage,
  messagePage,
  rateLimitPage,
  startPage,
} from './pages';
import {
  ALL_SERIES,
  csvExport,
  energyByPeriod,
  energyFullTime,
  periodsByDay,
  periodsByMonth,
  registerReading,
  seriesWh,
  type RegisterReading,
  type ServedHour,
  type SimSeries,
} from './responses';
import { RCE_PATH, rceReply } from './rce';
import { warsawMinutesOfDay } from '../settlement/clock';
import { zonesOfTariff } from './zones';
import type {
  SimAccount,
  SimFaults,
  SimHourTruth,
  SimMeterPoint,
  SimStats,
  SimulatorHandle,
  SimulatorOptions,
} from './types';

/** How long an account stays blocked after the failure that blocked it or any later attempt. */
export const BLOCK_MS = 8 * MS_PER_HOUR;

/** The window of the daily login limit. */
const DAY_MS = 24 * MS_PER_HOUR;

/** Longest range, in days, of one CSV export and of one JSON `full time`/`month` request. */
export const MAX_RANGE_DAYS = 366;

/** Longest range, in days, of one JSON `year` request. */
export const MAX_YEAR_RANGE_DAYS = 3660;

const REALM_PATH = '/realms/tauron';
const KC_COOKIE_PATH = `${REALM_PATH}/`;
const CLIENT_ID = 'elicznik';
const CODE_TTL_MS = 60_000;
const AUTH_SESSION_TTL_MS = 30 * 60_000;
/** Register counting starts here; earlier days count backwards from the base. */
const REGISTER_ANCHOR = '2025-01-01';

/** The eLicznik pages and endpoints a short maintenance (`faults.maintenancePages`) answers. */
const MAINTENANCE_PATHS: ReadonlySet<string> = new Set([
  '/',
  '/ustaw_punkt',
  '/energia/api',
  '/energia/wo/api',
  '/odczyty/api',
  '/energia/do/dane',
]);

/** TAURON's daily login limit as the simulator applies it unless told otherwise. */
export const DEFAULT_DAILY_LOGIN_LIMIT = 10;

/** Wh → kWh, keeping null. */
function whOrNull(wh: number | null): number | null {
  return wh === null ? null : wh / 1000;
}

/** The default of every fault: normal service. */
export function defaultFaults(dailyLoginLimit: number = DEFAULT_DAILY_LOGIN_LIMIT): SimFaults {
  return {
    rejectAllPasswords: false,
    blockAfterFailures: 5,
    dailyLoginLimit,
    blocked: false,
    rateLimited: false,
    serverErrors: 0,
    latencyMs: 0,
    htmlInsteadOfJson: false,
    maintenancePages: 0,
    maintenancePaths: [],
    successFalse: false,
    nullFromHour: null,
    ecNull: false,
    missingAllData: false,
    maintenanceLogin: false,
    csvHeader: '2025',
    csvBom: false,
    missingDays: [],
    loginMarkup: 'multi-line',
    balancedDifferences: [],
  };
}

function newStats(): SimStats {
  const stats: SimStats = {
    logins: 0,
    loginAttempts: 0,
    sessionsCreated: 0,
    requests: {},
    csvRequests: 0,
    dataRequests: 0,
    dailyLimitBlocks: 0,
    reset() {
      stats.logins = 0;
      stats.loginAttempts = 0;
      stats.dailyLimitBlocks = 0;
      stats.sessionsCreated = 0;
      stats.csvRequests = 0;
      stats.dataRequests = 0;
      for (const key of Object.keys(stats.requests)) delete stats.requests[key];
    },
  };
  return stats;
}

interface ElicznikSession {
  account: SimAccount;
  selectedId?: string;
  lastSeenMs: number;
}

interface SsoSession {
  account: SimAccount;
  sessionState: string;
  lastSeenMs: number;
}

interface AuthSession {
  authSessionId: string;
  tabId: string;
  sessionCode: string;
  execution: string;
  redirectUri: string;
  state: string;
  createdMs: number;
}

interface AuthCode {
  account: SimAccount;
  expiresMs: number;
}

interface BlockState {
  failures: number;
  blockedUntilMs: number | null;
}

interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string;
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

function html(body: string, status = 200, headers: Record<string, string | string[]> = {}): Reply {
  return { status, body, headers: { 'Content-Type': 'text/html; charset=UTF-8', ...headers } };
}

function json(value: unknown): Reply {
  return { status: 200, body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } };
}

function redirect(location: string, headers: Record<string, string | string[]> = {}): Reply {
  return { status: 302, headers: { Location: location, ...headers } };
}

/** `name@domain` → `n***@domain`, for log lines. */
function maskUser(username: string): string {
  const at = username.indexOf('@');
  return at > 0 ? `${username[0]}***${username.slice(at)}` : '***';
}

const SUCCESS_FALSE = { success: false };

/** Daily Wh totals of one meter point, for the registers. */
interface DayTotals {
  ecpWh: number;
  ecoWh: number;
  ecpZoneWh: number[];
  ecoZoneWh: number[];
}

/** Bounded memo of generated days and daily totals, shared by every simulator in the process. */
const dayCache = new Map<string, GeneratedHour[]>();
const totalsCache = new Map<string, DayTotals>();

function pointKey(point: SimMeterPoint): string {
  return `${point.id}|${point.tariff}|${point.pvKw}|${point.type}`;
}

function generatedDay(point: SimMeterPoint, date: string): GeneratedHour[] {
  const key = `${pointKey(point)}|${date}`;
  let day = dayCache.get(key);
  if (!day) {
    if (dayCache.size >= 2000) dayCache.clear();
    day = generateDay(point, date);
    dayCache.set(key, day);
  }
  return day;
}

function dayTotals(point: SimMeterPoint, date: string): DayTotals {
  const key = `${pointKey(point)}|${date}`;
  let totals = totalsCache.get(key);
  if (!totals) {
    const zoneCount = zonesOfTariff(point.tariff).length;
    totals = {
      ecpWh: 0,
      ecoWh: 0,
      ecpZoneWh: new Array(zoneCount).fill(0),
      ecoZoneWh: new Array(zoneCount).fill(0),
    };
    for (const h of generatedDay(point, date)) {
      const z = Number(h.zone.key) - 1;
      totals.ecpWh += h.ecpWh;
      totals.ecoWh += h.ecoWh;
      totals.ecpZoneWh[z] += h.ecpWh;
      totals.ecoZoneWh[z] += h.ecoWh;
    }
    if (totalsCache.size >= 50_000) totalsCache.clear();
    totalsCache.set(key, totals);
  }
  return totals;
}

/** The state and the request handling of one running simulator. */
class SimulatorState {
  readonly faults: SimFaults;
  readonly stats: SimStats = newStats();
  serviceUrl = '';
  loginUrl = '';

  private readonly now: () => number;
  private readonly accounts: SimAccount[];
  private readonly sessionTtlMs: number;
  private readonly ssoTtlMs: number;
  private readonly log: (line: string) => void;
  private fixedToday: string | undefined;
  private todayDelayHours: number | null;
  private serverErrorCount = 0;

  private readonly sessions = new Map<string, ElicznikSession>();
  private readonly ssoSessions = new Map<string, SsoSession>();
  private readonly authSessions = new Map<string, AuthSession>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly blocks = new Map<string, BlockState>();
  /** Credential POSTs per account (lower-case login) in the last 24 hours, epoch ms. */
  private readonly attempts = new Map<string, number[]>();
  /** The daily login limit the simulator was started with (what `resetFaults` restores). */
  readonly dailyLoginLimit: number;

  constructor(options: SimulatorOptions) {
    this.now = options.now ?? Date.now;
    this.accounts = options.accounts ?? [DEMO_ACCOUNT];
    this.sessionTtlMs = options.sessionTtlMs ?? 15 * 60_000;
    this.ssoTtlMs = options.ssoTtlMs ?? 30 * 60_000;
    this.log = options.log ?? (() => undefined);
    this.todayDelayHours = options.todayDelayHours ?? null;
    this.dailyLoginLimit = options.dailyLoginLimit ?? DEFAULT_DAILY_LOGIN_LIMIT;
    this.faults = defaultFaults(this.dailyLoginLimit);
    if (options.today !== undefined) this.setToday(options.today);
  }

  // ---- clock and data availability -------------------------------------------------------------

  setToday(date: string): void {
    startOfLocalDayMs(date); // validates
    this.fixedToday = date;
  }

  setTodayDelay(hours: number | null): void {
    if (hours !== null && !(hours >= 0))
      throw new RangeError('The delay must be a number of hours ≥ 0 or null');
    this.todayDelayHours = hours;
  }

  today(): string {
    return this.fixedToday ?? localDateOf(this.now());
  }

  /** The clock moved to `today` keeping the time of day of `now()`. */
  private virtualNowMs(): number {
    const now = this.now();
    if (this.fixedToday === undefined) return now;
    return startOfLocalDayMs(this.fixedToday) + (now - startOfLocalDayMs(localDateOf(now)));
  }

  /** Served hours of a day before the `nullFromHour` fault. */
  private baseServedDay(point: SimMeterPoint, date: string): ServedHour[] {
    const today = this.today();
    const hours = generatedDay(point, date);
    let available: (h: GeneratedHour) => boolean;
    if (date > today || this.faults.missingDays.includes(date)) available = () => false;
    else if (date === today) {
      const delay = this.todayDelayHours;
      const now = this.virtualNowMs();
      available = delay === null ? () => false : (h) => h.endMs + delay * MS_PER_HOUR <= now;
    } else available = () => true;
    return hours.map((h) => {
      const ok = available(h);
      return {
        date: h.date,
        hour: h.hour,
        repeated: h.repeated,
        zone: h.zone,
        ecpWh: ok ? h.ecpWh : null,
        ecoWh: ok ? h.ecoWh : null,
      };
    });
  }

  /** The newest day with any served hour (today when some of it is served, else the day before …). */
  private newestDay(point: SimMeterPoint): string {
    const today = this.today();
    for (let i = 0; i < 62; i++) {
      const date = addLocalDays(today, -i);
      if (this.baseServedDay(point, date).some((h) => h.ecpWh !== null)) return date;
    }
    return addLocalDays(today, -1);
  }

  /** The hours of a day exactly as the endpoints serve them. */
  servedDay(point: SimMeterPoint, date: string): ServedHour[] {
    const served = this.baseServedDay(point, date);
    const from = this.faults.nullFromHour;
    if (from !== null && date <= this.today() && date === this.newestDay(point)) {
      for (const h of served) {
        if (h.hour >= from) {
          h.ecpWh = null;
          h.ecoWh = null;
        }
      }
    }
    for (const d of this.faults.balancedDifferences) {
      if (d.date !== date) continue;
      const h = served.find((x) => x.hour === d.hour && x.repeated === (d.repeated ?? false));
      if (!h) continue;
      if (d.ecbp) h.nettoExtraWh = (h.nettoExtraWh ?? 0) + Math.round(d.ecbp * 1000);
      if (d.ecbo) h.nettoOzeExtraWh = (h.nettoOzeExtraWh ?? 0) + Math.round(d.ecbo * 1000);
    }
    return served;
  }

  findPoint(meterPointId: string): SimMeterPoint | undefined {
    for (const a of this.accounts) {
      const p = a.meterPoints.find((m) => m.id === meterPointId);
      if (p) return p;
    }
    return undefined;
  }

  hourly(meterPointId: string, date: string): SimHourTruth[] {
    const point = this.findPoint(meterPointId);
    if (!point) throw new RangeError(`No meter point ${meterPointId} in the simulated accounts`);
    return this.servedDay(point, date).map((h) => ({
      hour: h.hour,
      repeated: h.repeated,
      ecp: h.ecpWh === null ? null : h.ecpWh / 1000,
      eco: h.ecoWh === null ? null : h.ecoWh / 1000,
      zone: h.zone.code,
      tauronEcbp: whOrNull(seriesWh(h, 'netto')),
      tauronEcbo: whOrNull(seriesWh(h, 'netto_oze')),
    }));
  }

  // ---- sessions --------------------------------------------------------------------------------

  expireSessions(): void {
    this.sessions.clear();
  }

  expireSsoSessions(): void {
    this.ssoSessions.clear();
  }

  blockedUntil(username: string): number | null {
    const b = this.blocks.get(username.toLowerCase());
    return b?.blockedUntilMs && b.blockedUntilMs > this.now() ? b.blockedUntilMs : null;
  }

  unblockAccounts(): void {
    this.blocks.clear();
    this.attempts.clear();
  }

  /** Credential POSTs of the account in the last 24 hours. */
  loginAttemptsInLastDay(username: string): number {
    const now = this.now();
    return (this.attempts.get(username.toLowerCase()) ?? []).filter((t) => now - t < DAY_MS).length;
  }

  private elicznikSession(req: http.IncomingMessage): ElicznikSession | undefined {
    const id = parseCookies(req.headers.cookie).PHPSESSID;
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.now();
    if (now - session.lastSeenMs > this.sessionTtlMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenMs = now;
    return session;
  }

  private ssoSession(req: http.IncomingMessage): SsoSession | undefined {
    const id = parseCookies(req.headers.cookie).KEYCLOAK_IDENTITY;
    if (!id) return undefined;
    const sso = this.ssoSessions.get(id);
    if (!sso) return undefined;
    const now = this.now();
    if (now - sso.lastSeenMs > this.ssoTtlMs) {
      this.ssoSessions.delete(id);
      return undefined;
    }
    sso.lastSeenMs = now;
    return sso;
  }

  private loginEntry(): string {
    return `${this.loginUrl}/login?service=${encodeURIComponent(this.serviceUrl)}`;
  }

  // ---- request plumbing ------------------------------------------------------------------------

  /** Handles one request of either host: counting, latency, injected 5xx, then the route. */
  async handle(
    host: 'login' | 'service',
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', host === 'login' ? this.loginUrl : this.serviceUrl);
    const path = url.pathname;
    this.stats.requests[path] = (this.stats.requests[path] ?? 0) + 1;
    const started = Date.now();
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (this.faults.latencyMs > 0) await this.delay(this.faults.latencyMs);
    let reply: Reply;
    if (this.faults.serverErrors > 0) {
      this.faults.serverErrors -= 1;
      const status = this.serverErrorCount++ % 2 === 0 ? 503 : 502;
      reply = html(messagePage(`${status}`, 'Usługa jest chwilowo niedostępna.'), status);
    } else {
      try {
        reply = host === 'login' ? this.routeLogin(req, url, body) : this.routeService(req, url, body);
      } catch (err) {
        this.log(`${host} ${req.method} ${path} failed: ${(err as Error).message}`);
        reply = html(messagePage('Błąd', 'Wystąpił nieoczekiwany błąd.'), 500);
      }
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body ?? '');
    this.log(`${host} ${req.method} ${path} ${reply.status} ${Date.now() - started}ms`);
  }

  private readonly timers = new Set<NodeJS.Timeout>();

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Stops pending latency timers (their requests are dropped with their sockets). */
  stopTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ---- login host ------------------------------------------------------------------------------

  private routeLogin(req: http.IncomingMessage, url: URL, body: string): Reply {
    const path = url.pathname;
    if (this.faults.maintenanceLogin) return html(maintenancePage());
    if (path === '/login' && req.method === 'GET') return this.loginStart();
    if (path === `${REALM_PATH}/protocol/openid-connect/auth` && req.method === 'GET')
      return this.authorize(req, url);
    if (path === `${REALM_PATH}/login-actions/authenticate`) {
      if (req.method === 'POST') return this.authenticate(req, url, body);
      return this.showAgain(req, url);
    }
    if (path === `${REALM_PATH}/protocol/openid-connect/logout`) return this.keycloakLogout(req, url);
    return html(messagePage('Nie znaleziono', 'Strona nie istnieje.'), 404);
  }

  /** Where Keycloak sends the browser back: the eLicznik callback, whatever `service` says. */
  private redirectUriFor(): string {
    return `${this.serviceUrl}/sso/callback`;
  }

  private loginStart(): Reply {
    const params = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: this.redirectUriFor(),
      state: randomUUID(),
      response_mode: 'query',
      response_type: 'code',
      scope: 'openid',
      nonce: randomUUID(),
    });
    return redirect(`${this.loginUrl}${REALM_PATH}/protocol/openid-connect/auth?${params.toString()}`);
  }

  private isBlocked(account: SimAccount | undefined): boolean {
    if (this.faults.blocked) return true;
    if (!account) return false;
    return this.blockedUntil(account.username) !== null;
  }

  private authorize(req: http.IncomingMessage, url: URL): Reply {
    const redirectUri = url.searchParams.get('redirect_uri') ?? this.redirectUriFor();
    const state = url.searchParams.get('state') ?? randomUUID();
    const sso = this.ssoSession(req);
    if (sso && !this.isBlocked(sso.account)) {
      this.log(`single sign-on for ${maskUser(sso.account.username)}`);
      return this.codeRedirect(sso.account, redirectUri, state, sso.sessionState);
    }
    const auth = this.newAuthSession(redirectUri, state);
    return this.loginForm(auth, undefined, undefined, this.authCookies(auth));
  }

  private newAuthSession(redirectUri: string, state: string): AuthSession {
    const now = this.now();
    for (const [tab, a] of this.authSessions) {
      if (now - a.createdMs > AUTH_SESSION_TTL_MS) this.authSessions.delete(tab);
    }
    const auth: AuthSession = {
      authSessionId: randomUUID(),
      tabId: randomBytes(8).toString('base64url').slice(0, 11),
      sessionCode: randomBytes(32).toString('base64url'),
      execution: randomUUID(),
      redirectUri,
      state,
      createdMs: now,
    };
    this.authSessions.set(auth.tabId, auth);
    return auth;
  }

  private authCookies(auth: AuthSession): string[] {
    const restart = Buffer.from(JSON.stringify({ cid: CLIENT_ID, st: auth.state, tab: auth.tabId })).toString(
      'base64url',
    );
    return [
      `AUTH_SESSION_ID=${auth.authSessionId}; Path=${KC_COOKIE_PATH}; HttpOnly; SameSite=Lax`,
      `KC_RESTART=${restart}; Path=${KC_COOKIE_PATH}; HttpOnly`,
    ];
  }

  private formAction(auth: AuthSession): string {
    const q = new URLSearchParams({
      session_code: auth.sessionCode,
      execution: auth.execution,
      client_id: CLIENT_ID,
      tab_id: auth.tabId,
    });
    return `${this.loginUrl}${REALM_PATH}/login-actions/authenticate?${q.toString()}`;
  }

  private loginForm(auth: AuthSession, error?: string, username?: string, cookies?: string[]): Reply {
    const page = loginPage({
      action: this.formAction(auth),
      markup: this.faults.loginMarkup,
      error,
      username,
    });
    const headers: Record<string, string | string[]> = {
      'Cache-Control': 'no-store, must-revalidate, max-age=0',
    };
    if (cookies) headers['Set-Cookie'] = cookies;
    return html(page, 200, headers);
  }

  /** The auth session a form post or reload belongs to, when its tab and cookie match. */
  private authSessionOf(req: http.IncomingMessage, url: URL): AuthSession | undefined {
    const auth = this.authSessions.get(url.searchParams.get('tab_id') ?? '');
    if (!auth) return undefined;
    if (this.now() - auth.createdMs > AUTH_SESSION_TTL_MS) {
      this.authSessions.delete(auth.tabId);
      return undefined;
    }
    if (parseCookies(req.headers.cookie).AUTH_SESSION_ID !== auth.authSessionId) return undefined;
    return auth;
  }

  private showAgain(req: http.IncomingMessage, url: URL): Reply {
    const auth = this.authSessionOf(req, url);
    if (auth) return this.loginForm(auth);
    const fresh = this.newAuthSession(this.redirectUriFor(), randomUUID());
    return this.loginForm(fresh, LOGIN_TIMEOUT_TEXT, undefined, this.authCookies(fresh));
  }

  private authenticate(req: http.IncomingMessage, url: URL, body: string): Reply {
    this.stats.loginAttempts += 1;
    const form = new URLSearchParams(body);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const auth = this.authSessionOf(req, url);
    if (!auth) {
      this.log('login form posted without a valid login session; starting again');
      const fresh = this.newAuthSession(this.redirectUriFor(), randomUUID());
      return this.loginForm(fresh, LOGIN_TIMEOUT_TEXT, undefined, this.authCookies(fresh));
    }
    const account = this.accounts.find((a) => a.username.toLowerCase() === username.toLowerCase());
    const key = username.toLowerCase();
    const block = this.blocks.get(key) ?? { failures: 0, blockedUntilMs: null };
    const now = this.now();
    if (block.blockedUntilMs !== null && block.blockedUntilMs <= now) {
      block.blockedUntilMs = null;
      block.failures = 0;
    }
    const earlier = (this.attempts.get(key) ?? []).filter((t) => now - t < DAY_MS);
    this.attempts.set(key, [...earlier, now]);
    if (this.faults.blocked || block.blockedUntilMs !== null) {
      block.blockedUntilMs = now + BLOCK_MS;
      this.blocks.set(key, block);
      this.log(`login attempt for ${maskUser(username)} while blocked; block extended by 8 h`);
      return this.loginForm(auth, BLOCKED_TEXT, username);
    }
    const dailyLimit = this.faults.dailyLoginLimit;
    if (dailyLimit > 0 && earlier.length >= dailyLimit) {
      block.blockedUntilMs = now + BLOCK_MS;
      this.blocks.set(key, block);
      this.stats.dailyLimitBlocks += 1;
      this.log(`${earlier.length + 1}. login of ${maskUser(username)} within 24 h; account blocked for 8 h`);
      return this.loginForm(auth, DAILY_LIMIT_TEXT, username);
    }
    const right = account !== undefined && !this.faults.rejectAllPasswords && account.password === password;
    if (!right || !account) {
      block.failures += 1;
      const limit = this.faults.blockAfterFailures;
      if (limit > 0 && block.failures >= limit) {
        block.blockedUntilMs = now + BLOCK_MS;
        this.blocks.set(key, block);
        this.log(`wrong password for ${maskUser(username)} (${block.failures}); account blocked for 8 h`);
        return this.loginForm(auth, BLOCKED_TEXT, username);
      }
      this.blocks.set(key, block);
      this.log(`wrong password for ${maskUser(username)} (${block.failures})`);
      return this.loginForm(auth, WRONG_CREDENTIALS_TEXT, username);
    }
    this.blocks.delete(key);
    this.authSessions.delete(auth.tabId);
    this.stats.logins += 1;
    const identity = token(24);
    const sessionState = randomUUID();
    this.ssoSessions.set(identity, { account, sessionState, lastSeenMs: now });
    this.log(`login ok for ${maskUser(account.username)}`);
    return this.codeRedirect(account, auth.redirectUri, auth.state, sessionState, [
      `KEYCLOAK_IDENTITY=${identity}; Path=${KC_COOKIE_PATH}; HttpOnly; SameSite=Lax`,
      `KEYCLOAK_SESSION=${sessionState}; Path=${KC_COOKIE_PATH}; SameSite=Lax`,
      `AUTH_SESSION_ID=; Path=${KC_COOKIE_PATH}; Max-Age=0; HttpOnly`,
      `KC_RESTART=; Path=${KC_COOKIE_PATH}; Max-Age=0; HttpOnly`,
    ]);
  }

  private codeRedirect(
    account: SimAccount,
    redirectUri: string,
    state: string,
    sessionState: string,
    cookies?: string[],
  ): Reply {
    const code = `${randomUUID()}.${sessionState}.${randomUUID()}`;
    const now = this.now();
    for (const [c, v] of this.codes) if (v.expiresMs <= now) this.codes.delete(c);
    this.codes.set(code, { account, expiresMs: now + CODE_TTL_MS });
    const q = new URLSearchParams({
      state,
      session_state: sessionState,
      iss: `${this.loginUrl}${REALM_PATH}`,
      code,
    });
    const target = redirectUri.startsWith(this.serviceUrl) ? redirectUri : `${this.serviceUrl}/sso/callback`;
    return redirect(`${target}?${q.toString()}`, cookies ? { 'Set-Cookie': cookies } : {});
  }

  private keycloakLogout(req: http.IncomingMessage, url: URL): Reply {
    const id = parseCookies(req.headers.cookie).KEYCLOAK_IDENTITY;
    if (id) this.ssoSessions.delete(id);
    const cookies = [
      `KEYCLOAK_IDENTITY=; Path=${KC_COOKIE_PATH}; Max-Age=0; HttpOnly`,
      `KEYCLOAK_SESSION=; Path=${KC_COOKIE_PATH}; Max-Age=0`,
    ];
    const back = url.searchParams.get('post_logout_redirect_uri');
    if (back && back.startsWith(this.serviceUrl)) return redirect(back, { 'Set-Cookie': cookies });
    return html(messagePage('Wylogowano', 'Zostałeś wylogowany.'), 200, { 'Set-Cookie': cookies });
  }

  // ---- eLicznik host ---------------------------------------------------------------------------

  private routeService(req: http.IncomingMessage, url: URL, body: string): Reply {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === RCE_PATH && method === 'GET') {
      return rceReply(url, this.serviceUrl, this.today(), warsawMinutesOfDay(this.virtualNowMs()));
    }
    if (path === '/blokada') return html(rateLimitPage());
    if (this.faults.rateLimited) return redirect(`${this.serviceUrl}/blokada`);
    if (path === '/sso/callback' && method === 'GET') return this.callback(url);
    if (this.maintenanceNow(path)) return html(maintenancePage());
    const session = this.elicznikSession(req);
    if (!session) return redirect(this.loginEntry());
    if (path === '/' && method === 'GET') return html(startPage(session.account));
    if (path === '/ustaw_punkt' && method === 'POST') return this.selectPoint(session, body);
    if ((path === '/energia/api' || path === '/energia/wo/api') && method === 'POST') {
      this.stats.dataRequests += 1;
      return this.energy(session, path === '/energia/wo/api', body);
    }
    if (path === '/odczyty/api' && method === 'POST') {
      this.stats.dataRequests += 1;
      return this.readings(session, body);
    }
    if (path === '/energia/do/dane' && method === 'GET') {
      this.stats.csvRequests += 1;
      return this.csv(session, url);
    }
    if (path === '/applogout' && method === 'GET') {
      const id = parseCookies(req.headers.cookie).PHPSESSID;
      if (id) this.sessions.delete(id);
      const q = new URLSearchParams({
        post_logout_redirect_uri: `${this.serviceUrl}/`,
        client_id: CLIENT_ID,
      });
      return redirect(`${this.loginUrl}${REALM_PATH}/protocol/openid-connect/logout?${q.toString()}`, {
        'Set-Cookie': 'PHPSESSID=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; path=/; HttpOnly',
      });
    }
    return html(messagePage('Nie znaleziono', 'Strona nie istnieje.'), 404);
  }

  /** True (and one fewer left) when the `maintenancePages` fault answers this request. */
  private maintenanceNow(path: string): boolean {
    const f = this.faults;
    if (f.maintenancePages <= 0 || !MAINTENANCE_PATHS.has(path)) return false;
    if (f.maintenancePaths.length > 0 && !f.maintenancePaths.includes(path)) return false;
    f.maintenancePages -= 1;
    if (path === '/energia/do/dane') this.stats.csvRequests += 1;
    else if (path !== '/' && path !== '/ustaw_punkt') this.stats.dataRequests += 1;
    return true;
  }

  private callback(url: URL): Reply {
    const code = url.searchParams.get('code') ?? '';
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.expiresMs <= this.now()) return redirect(this.loginEntry());
    const id = token(13);
    this.sessions.set(id, { account: entry.account, lastSeenMs: this.now() });
    this.stats.sessionsCreated += 1;
    return redirect(`${this.serviceUrl}/`, { 'Set-Cookie': `PHPSESSID=${id}; path=/; HttpOnly` });
  }

  private selectPoint(session: ElicznikSession, body: string): Reply {
    const wanted = new URLSearchParams(body).get('site[client]') ?? '';
    const points = session.account.meterPoints;
    const point = points.find((p) => p.id === wanted) ?? points[0];
    session.selectedId = point?.id;
    return html(startPage(session.account, point));
  }

  private currentPoint(session: ElicznikSession): SimMeterPoint | undefined {
    const points = session.account.meterPoints;
    return points.find((p) => p.id === session.selectedId) ?? points[0];
  }

  /** Parses `from`/`to` (`d.m.yyyy`) into an inclusive list of dates, or undefined when invalid. */
  private range(from: string | null, to: string | null, maxDays: number): string[] | undefined {
    try {
      const a = fromServiceDate(from ?? '');
      const b = fromServiceDate(to ?? '');
      const n = localDaysBetween(a, b);
      if (n < 0 || n + 1 > maxDays) return undefined;
      return localDatesInRange(a, b);
    } catch {
      return undefined;
    }
  }

  private ecNullHours(): number[] {
    const f = this.faults.ecNull;
    if (f === true) return [5, 6, 7];
    return Array.isArray(f) ? f : [];
  }

  private energy(session: ElicznikSession, woPath: boolean, body: string): Reply {
    if (this.faults.htmlInsteadOfJson) return html(maintenancePage());
    if (this.faults.successFalse) return json(SUCCESS_FALSE);
    const form = new URLSearchParams(body);
    const point = this.currentPoint(session);
    if (!point || (point.type.toUpperCase() === 'WO') !== woPath) return json(SUCCESS_FALSE);
    const series = form.get('type') as SimSeries | null;
    if (!series || !ALL_SERIES.includes(series)) return json(SUCCESS_FALSE);
    const profile = (form.get('profile') ?? '').trim();
    const max = profile === 'year' ? MAX_YEAR_RANGE_DAYS : MAX_RANGE_DAYS;
    const dates = this.range(form.get('from'), form.get('to'), max);
    if (!dates) return json(SUCCESS_FALSE);
    const days = dates.map((d) => this.servedDay(point, d));
    if (profile === 'full time') {
      const data = energyFullTime(point.tariff, days.flat(), series, {
        ecNullHours: this.ecNullHours(),
        missingAllData: this.faults.missingAllData,
      });
      return json({ success: true, data });
    }
    if (profile === 'month')
      return json({ success: true, data: energyByPeriod(point.tariff, periodsByDay(days), series) });
    if (profile === 'year') {
      return json({ success: true, data: energyByPeriod(point.tariff, periodsByMonth(days), series) });
    }
    return json(SUCCESS_FALSE);
  }

  /** Register (Wh) at the end of `date`: a per-point base plus every day's energy since the anchor. */
  private registersAt(
    point: SimMeterPoint,
    date: string,
    exportRegister: boolean,
  ): { total: number; zones: number[] } {
    const zoneCount = zonesOfTariff(point.tariff).length;
    const seed = hashString(`${point.id}|${exportRegister ? 'oddana' : 'pobrana'}`);
    const baseKwh = exportRegister ? (point.pvKw > 0 ? 1500 + (seed % 9000) : 0) : 6000 + (seed % 24000);
    const zones = Array.from({ length: zoneCount }, (_, i) =>
      zoneCount === 1
        ? baseKwh * 1000
        : Math.round((baseKwh * 1000 * (zoneCount - i)) / ((zoneCount * (zoneCount + 1)) / 2)),
    );
    const add = (d: string, sign: 1 | -1) => {
      const t = dayTotals(point, d);
      const per = exportRegister ? t.ecoZoneWh : t.ecpZoneWh;
      for (let i = 0; i < zoneCount; i++) zones[i] += sign * per[i];
    };
    if (date >= REGISTER_ANCHOR) {
      for (let d = REGISTER_ANCHOR; d <= date; d = addLocalDays(d, 1)) add(d, 1);
    } else {
      for (let d = addLocalDays(date, 1); d < REGISTER_ANCHOR; d = addLocalDays(d, 1)) add(d, -1);
    }
    return { total: zones.reduce((a, b) => a + b, 0), zones };
  }

  private readings(session: ElicznikSession, body: string): Reply {
    if (this.faults.htmlInsteadOfJson) return html(maintenancePage());
    if (this.faults.successFalse) return json(SUCCESS_FALSE);
    const form = new URLSearchParams(body);
    const kind = form.get('type');
    if (kind !== 'energia-pobrana' && kind !== 'energia-oddana') return json(SUCCESS_FALSE);
    const point = this.currentPoint(session);
    const dates = this.range(form.get('from'), form.get('to'), MAX_YEAR_RANGE_DAYS);
    if (!point || !dates) return json(SUCCESS_FALSE);
    const exportRegister = kind === 'energia-oddana';
    const zoneCount = zonesOfTariff(point.tariff).length;
    const data: RegisterReading[] = [];
    let reg: { total: number; zones: number[] } | undefined;
    for (const date of dates) {
      if (reg) {
        const t = dayTotals(point, date);
        const per = exportRegister ? t.ecoZoneWh : t.ecpZoneWh;
        reg = {
          total: reg.total + (exportRegister ? t.ecoWh : t.ecpWh),
          zones: reg.zones.map((z, i) => z + per[i]),
        };
      }
      const served = this.servedDay(point, date);
      if (served.some((h) => h.ecpWh === null)) continue;
      reg ??= this.registersAt(point, date, exportRegister);
      data.push(registerReading(date, reg.total, zoneCount > 1 ? reg.zones : null));
    }
    return json({ success: true, data });
  }

  private csv(session: ElicznikSession, url: URL): Reply {
    if (this.faults.htmlInsteadOfJson) return html(maintenancePage());
    const point = session.account.meterPoints.find((p) => p.id === session.selectedId);
    if (!point) {
      return html(startPage(session.account));
    }
    const q = url.searchParams;
    const dates = this.range(q.get('form[from]'), q.get('form[to]'), Number.MAX_SAFE_INTEGER);
    if (!dates) return html(messagePage('Błąd', 'Nieprawidłowy zakres dat.'));
    if (dates.length > MAX_RANGE_DAYS) {
      return html(messagePage('Błąd', 'Zakres dat nie może być dłuższy niż jeden rok.'));
    }
    if ((q.get('form[type]') ?? 'godzin') !== 'godzin' || (q.get('form[fileType]') ?? 'CSV') !== 'CSV') {
      return html(messagePage('Błąd', 'Nieobsługiwany format eksportu.'));
    }
    const series = ALL_SERIES.filter((s) => q.get(`form[energy][${s}]`) === '1');
    const hours = dates.flatMap((d) => this.servedDay(point, d));
    const text = csvExport(hours, series, this.faults.csvHeader, this.faults.csvBom);
    return {
      status: 200,
      body: text,
      headers: {
        'Content-Type': 'text/csv; charset=UTF-8',
        'Content-Encoding': 'UTF-8',
        'Content-Disposition': `attachment; filename="Dane-${dates[0]}-${dates[dates.length - 1]}.csv"`,
      },
    };
  }
}

/** Reads a request body as text (at most 1 MB; more is cut off). */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_000_000) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** An HTTP server that remembers its sockets so `close()` can end keep-alive connections at once. */
function trackedServer(handler: http.RequestListener): { server: http.Server; sockets: Set<Socket> } {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return { server, sockets };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
    for (const s of sockets) s.destroy();
  });
}

/**
 * Starts the eLicznik host on 127.0.0.1 and the login host on localhost (127.0.0.1, and ::1 on the
 * same port when IPv6 is there), on free ports unless given.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const state = new SimulatorState(options);
  const handler =
    (host: 'login' | 'service'): http.RequestListener =>
    (req, res) => {
      state.handle(host, req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500);
          res.end();
        }
      });
    };
  const service = trackedServer(handler('service'));
  const login = trackedServer(handler('login'));
  const login6 = trackedServer(handler('login'));
  const servicePort = await listen(service.server, options.port ?? 0, '127.0.0.1');
  let loginPort: number;
  try {
    loginPort = await listen(login.server, options.loginPort ?? 0, '127.0.0.1');
  } catch (err) {
    await closeServer(service.server, service.sockets);
    throw err;
  }
  await listen(login6.server, loginPort, '::1').catch(() => undefined);
  state.serviceUrl = `http://127.0.0.1:${servicePort}`;
  state.loginUrl = `http://localhost:${loginPort}`;

  let closing: Promise<void> | undefined;
  return {
    serviceUrl: state.serviceUrl,
    loginUrl: state.loginUrl,
    stats: state.stats,
    faults: state.faults,
    resetFaults: () => {
      Object.assign(state.faults, defaultFaults(state.dailyLoginLimit));
    },
    setToday: (date) => state.setToday(date),
    setTodayDelay: (hours) => state.setTodayDelay(hours),
    expireSessions: () => state.expireSessions(),
    expireSsoSessions: () => state.expireSsoSessions(),
    blockedUntil: (username) => state.blockedUntil(username),
    unblockAccounts: () => state.unblockAccounts(),
    loginAttemptsInLastDay: (username) => state.loginAttemptsInLastDay(username),
    hourly: (id, date) => state.hourly(id, date),
    close: () => {
      closing ??= (async () => {
        state.stopTimers();
        await Promise.all([
          closeServer(service.server, service.sockets),
          closeServer(login.server, login.sockets),
          closeServer(login6.server, login6.sockets),
        ]);
      })();
      return closing;
    },
  };
}
