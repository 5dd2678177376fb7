/**
 * What every part of one `ElicznikClient` shares: its settings, the session and login state,
 * what it learned about the account's meter points, and the checks every eLicznik answer gets (a
 * lost session, the block text, `/blokada`, maintenance pages asked again after a pause).
 */
import {
  AccountBlockedError,
  RateLimitedError,
  ServiceUnavailableError,
  type ElicznikError,
} from '../errors';
import { MS_PER_HOUR } from '../energy/time';
import type { ElicznikClientOptions, SessionStore } from './client';
import { closedError, responseText, type HttpResponse, type HttpSession, type Sleep } from './http';
import {
  hasBlockText,
  hasLoginForm,
  isMaintenancePage,
  isRateLimitUrl,
  pageShowsUser,
  type MeterPoint,
} from './pages';

/** How long TAURON blocks an account after too many logins. */
export const BLOCK_DURATION_MS = 8 * MS_PER_HOUR;

/**
 * How long the client sends eLicznik no request after its `/blokada` page (too many requests), or
 * after a 429 without `Retry-After`: 1 hour. The service notes do not say how long the limit
 * lasts (one client says it is per IP address), so the pause is long rather than short: asking
 * again at once could only prolong it, and an hour is also the spacing of keep-alive requests, so
 * a flow polling every hour loses one round.
 */
export const RATE_LIMIT_PAUSE_MS = MS_PER_HOUR;

/** The logged-in session: the account's meter points and the one selected on the server side. */
export interface Session {
  meterPoints: MeterPoint[];
  selected?: string;
}

/** The settings and state of one client. */
export interface ClientContext {
  readonly serviceUrl: string;
  readonly loginUrl: string;
  /** The origin of `serviceUrl`: redirects are followed only within it. */
  readonly serviceOrigin: string;
  readonly http: HttpSession;
  readonly minLoginIntervalMs: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
  /** The meter point of calls that name none. */
  readonly defaultMeterPoint: string | undefined;
  readonly sessionStore: SessionStore | undefined;
  readonly loginGate: ElicznikClientOptions['loginGate'];
  /** Extra attempts after 5xx answers, network errors and maintenance pages. */
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly sleep: Sleep;

  username: string;
  password: string;
  /** The session the client believes valid, or undefined. */
  session: Session | undefined;
  /** True once the stored session cookie was tried. */
  storeLoaded: boolean;
  /**
   * The session store's save after a login, while it runs: the calls go on meanwhile (the save
   * derives a key, which takes as long as a request), and each call of the client ends only once
   * it is done ({@link settleSave}).
   */
  saving: Promise<void> | undefined;
  /** When the client last started a login, epoch ms. */
  lastLoginAt: number | undefined;
  /**
   * The error that stops every call until the credentials change, or until `until`: the end of a
   * block, or of the pause after "too many requests" (which new credentials do not lift).
   */
  stopped: { error: ElicznikError; until?: number } | undefined;

  /** Tariffs of the meter points as their selection showed them. */
  readonly tariffs: Map<string, string | null>;
  /** Zone names by code per meter point, read once from a JSON day. */
  readonly zoneNames: Map<string, Record<string, string>>;
  /** Points not marked business whose data came from the business endpoint. */
  readonly businessByFallback: Set<string>;
  /** Points whose `success: false` was tried once on the business endpoint. */
  readonly woTried: Set<string>;
}

/** Waits for the save of a login's session, if one runs; its failure is the caller's. */
export async function settleSave(ctx: ClientContext): Promise<void> {
  const saving = ctx.saving;
  if (!saving) return;
  ctx.saving = undefined;
  await saving;
}

/** The session lost its login (a redirect to the login host, the login form, …). */
export class SessionLost extends Error {}

/** eLicznik answered its maintenance page; the request may be sent again after a pause. */
export class MaintenancePage extends Error {
  constructor(
    readonly step: string,
    readonly httpStatus: number,
  ) {
    super('maintenance page');
  }
}

/** The stop in force, after lifting an account block that has ended. */
export function currentStop(ctx: ClientContext): { error: ElicznikError; until?: number } | undefined {
  if (ctx.stopped?.until !== undefined && ctx.now() >= ctx.stopped.until) ctx.stopped = undefined;
  return ctx.stopped;
}

/** Stops the client for {@link BLOCK_DURATION_MS} after TAURON's block text; the error to throw. */
export function accountBlocked(ctx: ClientContext, step: string): AccountBlockedError {
  const until = ctx.now() + BLOCK_DURATION_MS;
  const error = new AccountBlockedError(new Date(until), { step });
  ctx.stopped = { error, until };
  ctx.session = undefined;
  ctx.log(`account blocked by TAURON; no login before ${new Date(until).toISOString()}`);
  return error;
}

/**
 * Stops the client's requests after eLicznik said "too many requests" (its `/blokada` page, or a
 * 429 answer `res`): for the answer's `Retry-After` seconds when it has them, else for
 * {@link RATE_LIMIT_PAUSE_MS}; the error to throw, which says until when.
 */
export function rateLimited(ctx: ClientContext, step: string, res?: HttpResponse): RateLimitedError {
  const after = Number(res?.headers['retry-after']);
  const until = ctx.now() + (Number.isFinite(after) && after > 0 ? after * 1000 : RATE_LIMIT_PAUSE_MS);
  const error = new RateLimitedError({ step, retryAfter: new Date(until) });
  ctx.stopped ??= { error, until };
  ctx.log(`eLicznik answered "too many requests"; no request before ${new Date(until).toISOString()}`);
  return error;
}

/**
 * Runs `attempt` (one request and the checks of its answer) and, when eLicznik answers its
 * maintenance page, runs it again after a pause, like the HTTP layer does after a 5xx: at most
 * `retries` more times, the pause doubling from `retryBaseMs` up to `retryMaxMs`. The session
 * is kept; a maintenance page never leads to a login. Then `SERVICE_UNAVAILABLE`.
 */
export async function maintenanceRetry<T>(
  ctx: ClientContext,
  step: string,
  attempt: () => Promise<T>,
  retries: number = ctx.retries,
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
      const delay = Math.min(ctx.retryBaseMs * 2 ** n, ctx.retryMaxMs);
      ctx.log(`${step}: eLicznik answered a maintenance page; asking again in ${delay} ms`);
      try {
        await ctx.sleep(delay, ctx.http.signal);
      } catch {
        throw closedError();
      }
      if (ctx.http.isClosed) throw closedError();
    }
  }
}

/** Checks an answer that should be an eLicznik page of the logged-in user; returns its text. */
export function expectPage(ctx: ClientContext, res: HttpResponse, step: string): string {
  if (res.redirectTo !== undefined) {
    if (isRateLimitUrl(res.redirectTo)) throw rateLimited(ctx, step);
    throw new SessionLost();
  }
  if (isRateLimitUrl(res.url)) throw rateLimited(ctx, step);
  const html = responseText(res);
  if (hasBlockText(html)) throw accountBlocked(ctx, step);
  if (res.status === 429) throw rateLimited(ctx, step, res);
  if (hasLoginForm(html) || res.status === 401 || res.status === 403) throw new SessionLost();
  if (pageShowsUser(html, ctx.username)) return html;
  if (isMaintenancePage(html)) throw new MaintenancePage(step, res.status);
  throw new SessionLost();
}

/** GETs an eLicznik page (redirects followed within the service) and checks it with {@link expectPage}. */
export async function getPage(ctx: ClientContext, path: string, step: string): Promise<string> {
  const res = await ctx.http.send({
    method: 'GET',
    url: `${ctx.serviceUrl}${path}`,
    step,
    follow: (next) => next.origin === ctx.serviceOrigin,
  });
  return expectPage(ctx, res, step);
}
