/**
 * The simulator's login host: Keycloak realm `tauron` behind a CAS-style `/login` entry
 * (`elicznik-service.md` §1.1).
 *
 * 1. `GET <login>/login?service=<eLicznik>` → 302 to `/realms/tauron/protocol/openid-connect/auth?…`.
 * 2. The auth endpoint answers the login page and sets `AUTH_SESSION_ID` and `KC_RESTART`; with a
 *    valid `KEYCLOAK_IDENTITY` cookie (single sign-on) it skips the page and answers step 4's 302.
 * 3. `POST` of the form action with `username`, `password`, `credentialId`: right → sets
 *    `KEYCLOAK_IDENTITY`/`KEYCLOAK_SESSION`; wrong → the page again with the error; blocked → the
 *    page with the block text (the form stays on the page, as Keycloak renders errors).
 * 4. 302 to `<eLicznik>/sso/callback?state=…&session_state=…&iss=…&code=…`; the eLicznik host
 *    takes the code ({@link LoginHost.takeCode}) and starts its session.
 *
 * Account block: the N-th wrong password in a row (`faults.blockAfterFailures`) blocks the account
 * for 8 h and its answer already shows the block text; every credentials POST during the block
 * (right or wrong) extends it to 8 h from that attempt. A successful login resets the failure count.
 * TAURON's daily login limit (`faults.dailyLoginLimit`) blocks at the attempt after the limit within
 * 24 h.
 */
import type * as http from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { MS_PER_HOUR } from '../energy/time';
import {
  html,
  liveSession,
  maskUser,
  notFound,
  parseCookies,
  redirect,
  token,
  type Reply,
  type SimContext,
} from './host';
import {
  BLOCKED_TEXT,
  DAILY_LIMIT_TEXT,
  LOGIN_TIMEOUT_TEXT,
  WRONG_CREDENTIALS_TEXT,
  loginPage,
  maintenancePage,
  messagePage,
} from './pages';
import type { SimAccount } from './types';

/** How long an account stays blocked after the failure that blocked it or any later attempt. */
export const BLOCK_MS = 8 * MS_PER_HOUR;

/** The window of the daily login limit. */
const DAY_MS = 24 * MS_PER_HOUR;

const REALM_PATH = '/realms/tauron';
const KC_COOKIE_PATH = `${REALM_PATH}/`;
const CLIENT_ID = 'elicznik';
const CODE_TTL_MS = 60_000;
const AUTH_SESSION_TTL_MS = 30 * 60_000;

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

/** Where eLicznik's `/applogout` sends the browser: Keycloak's logout, back to the start page. */
export function keycloakLogoutUrl(ctx: SimContext): string {
  const q = new URLSearchParams({
    post_logout_redirect_uri: `${ctx.serviceUrl}/`,
    client_id: CLIENT_ID,
  });
  return `${ctx.loginUrl}${REALM_PATH}/protocol/openid-connect/logout?${q.toString()}`;
}

/** The login host of one running simulator: its sessions, codes, blocks and login history. */
export class LoginHost {
  private readonly ssoSessions = new Map<string, SsoSession>();
  private readonly authSessions = new Map<string, AuthSession>();
  private readonly codes = new Map<string, AuthCode>();
  private readonly blocks = new Map<string, BlockState>();
  /** Credential POSTs per account (lower-case login) in the last 24 hours, epoch ms. */
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly ctx: SimContext,
    private readonly accounts: readonly SimAccount[],
    private readonly ssoTtlMs: number,
  ) {}

  route(req: http.IncomingMessage, url: URL, body: string): Reply {
    const path = url.pathname;
    if (this.ctx.faults.maintenanceLogin) return html(maintenancePage());
    if (path === '/login' && req.method === 'GET') return this.loginStart();
    if (path === `${REALM_PATH}/protocol/openid-connect/auth` && req.method === 'GET')
      return this.authorize(req, url);
    if (path === `${REALM_PATH}/login-actions/authenticate`) {
      if (req.method === 'POST') return this.authenticate(req, url, body);
      return this.showAgain(req, url);
    }
    if (path === `${REALM_PATH}/protocol/openid-connect/logout`) return this.keycloakLogout(req, url);
    return notFound();
  }

  /** The account of a code from step 4 (each code works once, for a minute), else undefined. */
  takeCode(code: string): SimAccount | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.expiresMs <= this.ctx.now()) return undefined;
    return entry.account;
  }

  expireSsoSessions(): void {
    this.ssoSessions.clear();
  }

  blockedUntil(username: string): number | null {
    const b = this.blocks.get(username.toLowerCase());
    return b?.blockedUntilMs && b.blockedUntilMs > this.ctx.now() ? b.blockedUntilMs : null;
  }

  unblockAccounts(): void {
    this.blocks.clear();
    this.attempts.clear();
  }

  /** Credential POSTs of the account in the last 24 hours. */
  loginAttemptsInLastDay(username: string): number {
    const now = this.ctx.now();
    return (this.attempts.get(username.toLowerCase()) ?? []).filter((t) => now - t < DAY_MS).length;
  }

  private ssoSession(req: http.IncomingMessage): SsoSession | undefined {
    return liveSession(this.ssoSessions, req, 'KEYCLOAK_IDENTITY', this.ssoTtlMs, this.ctx.now());
  }

  /** Where Keycloak sends the browser back: the eLicznik callback, whatever `service` says. */
  private redirectUriFor(): string {
    return `${this.ctx.serviceUrl}/sso/callback`;
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
    return redirect(`${this.ctx.loginUrl}${REALM_PATH}/protocol/openid-connect/auth?${params.toString()}`);
  }

  private isBlocked(account: SimAccount | undefined): boolean {
    if (this.ctx.faults.blocked) return true;
    if (!account) return false;
    return this.blockedUntil(account.username) !== null;
  }

  private authorize(req: http.IncomingMessage, url: URL): Reply {
    const redirectUri = url.searchParams.get('redirect_uri') ?? this.redirectUriFor();
    const state = url.searchParams.get('state') ?? randomUUID();
    const sso = this.ssoSession(req);
    if (sso && !this.isBlocked(sso.account)) {
      this.ctx.log(`single sign-on for ${maskUser(sso.account.username)}`);
      return this.codeRedirect(sso.account, redirectUri, state, sso.sessionState);
    }
    const auth = this.newAuthSession(redirectUri, state);
    return this.loginForm(auth, undefined, undefined, this.authCookies(auth));
  }

  private newAuthSession(redirectUri: string, state: string): AuthSession {
    const now = this.ctx.now();
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
    return `${this.ctx.loginUrl}${REALM_PATH}/login-actions/authenticate?${q.toString()}`;
  }

  private loginForm(auth: AuthSession, error?: string, username?: string, cookies?: string[]): Reply {
    const page = loginPage({
      action: this.formAction(auth),
      markup: this.ctx.faults.loginMarkup,
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
    if (this.ctx.now() - auth.createdMs > AUTH_SESSION_TTL_MS) {
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
    const { faults, stats, log } = this.ctx;
    stats.loginAttempts += 1;
    const form = new URLSearchParams(body);
    const username = (form.get('username') ?? '').trim();
    const password = form.get('password') ?? '';
    const auth = this.authSessionOf(req, url);
    if (!auth) {
      log('login form posted without a valid login session; starting again');
      const fresh = this.newAuthSession(this.redirectUriFor(), randomUUID());
      return this.loginForm(fresh, LOGIN_TIMEOUT_TEXT, undefined, this.authCookies(fresh));
    }
    const account = this.accounts.find((a) => a.username.toLowerCase() === username.toLowerCase());
    const key = username.toLowerCase();
    const block = this.blocks.get(key) ?? { failures: 0, blockedUntilMs: null };
    const now = this.ctx.now();
    if (block.blockedUntilMs !== null && block.blockedUntilMs <= now) {
      block.blockedUntilMs = null;
      block.failures = 0;
    }
    const earlier = (this.attempts.get(key) ?? []).filter((t) => now - t < DAY_MS);
    this.attempts.set(key, [...earlier, now]);
    if (faults.blocked || block.blockedUntilMs !== null) {
      block.blockedUntilMs = now + BLOCK_MS;
      this.blocks.set(key, block);
      log(`login attempt for ${maskUser(username)} while blocked; block extended by 8 h`);
      return this.loginForm(auth, BLOCKED_TEXT, username);
    }
    const dailyLimit = faults.dailyLoginLimit;
    if (dailyLimit > 0 && earlier.length >= dailyLimit) {
      block.blockedUntilMs = now + BLOCK_MS;
      this.blocks.set(key, block);
      stats.dailyLimitBlocks += 1;
      log(`${earlier.length + 1}. login of ${maskUser(username)} within 24 h; account blocked for 8 h`);
      return this.loginForm(auth, DAILY_LIMIT_TEXT, username);
    }
    const right = account !== undefined && !faults.rejectAllPasswords && account.password === password;
    if (!right || !account) {
      block.failures += 1;
      const limit = faults.blockAfterFailures;
      if (limit > 0 && block.failures >= limit) {
        block.blockedUntilMs = now + BLOCK_MS;
        this.blocks.set(key, block);
        log(`wrong password for ${maskUser(username)} (${block.failures}); account blocked for 8 h`);
        return this.loginForm(auth, BLOCKED_TEXT, username);
      }
      this.blocks.set(key, block);
      log(`wrong password for ${maskUser(username)} (${block.failures})`);
      return this.loginForm(auth, WRONG_CREDENTIALS_TEXT, username);
    }
    this.blocks.delete(key);
    this.authSessions.delete(auth.tabId);
    stats.logins += 1;
    const identity = token(24);
    const sessionState = randomUUID();
    this.ssoSessions.set(identity, { account, sessionState, lastSeenMs: now });
    log(`login ok for ${maskUser(account.username)}`);
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
    const now = this.ctx.now();
    for (const [c, v] of this.codes) if (v.expiresMs <= now) this.codes.delete(c);
    this.codes.set(code, { account, expiresMs: now + CODE_TTL_MS });
    const q = new URLSearchParams({
      state,
      session_state: sessionState,
      iss: `${this.ctx.loginUrl}${REALM_PATH}`,
      code,
    });
    const serviceUrl = this.ctx.serviceUrl;
    const target = redirectUri.startsWith(serviceUrl) ? redirectUri : `${serviceUrl}/sso/callback`;
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
    if (back && back.startsWith(this.ctx.serviceUrl)) return redirect(back, { 'Set-Cookie': cookies });
    return html(messagePage('Wylogowano', 'Zostałeś wylogowany.'), 200, { 'Set-Cookie': cookies });
  }
}
