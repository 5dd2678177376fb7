/**
 * The login: the Keycloak login flow (`elicznik-service.md` §1.1) walked with the client's HTTP
 * session ({@link logIn}: the entry, the form, the credentials POST, never retried), after the
 * checks that protect the account (the shortest interval, the login gate). Each answer of the flow
 * is read into an outcome; the checks run in this order, because a Keycloak page that shows an
 * error still carries the form:
 * 1. the block text (`Przekroczono maksymalną liczbę logowań` / `ilość logowań`) → blocked;
 * 2. a final `/blokada` path → rate limited;
 * 3. the login form → on the first page: the form to post; after the post: wrong credentials
 *    (unless Keycloak says its login session timed out);
 * 4. an eLicznik page showing the user's e-mail, with an eLicznik session cookie → logged in
 *    (on the first page this is single sign-on);
 * 5. a maintenance page → unavailable;
 * 6. anything else → the service changed.
 */
import {
  BadInputError,
  LoginBudgetError,
  ServiceChangedError,
  ServiceUnavailableError,
  WrongCredentialsError,
  redactExcerpt,
} from '../errors';
import type { LoginReason } from './client';
import { accountBlocked, currentStop, rateLimited, settleSave, type ClientContext } from './context';
import { responseText } from './http';
import {
  hasBlockText,
  hasLoginForm,
  isMaintenancePage,
  isRateLimitUrl,
  pageShowsUser,
  parseLoginForm,
  parseMeterPoints,
  type LoginForm,
} from './pages';

/** The outcome of one login answer. */
export type LoginOutcome =
  | { kind: 'blocked' }
  | { kind: 'rate-limited' }
  | { kind: 'form'; form: LoginForm }
  | { kind: 'wrong-credentials' }
  | { kind: 'logged-in' }
  | { kind: 'unavailable' }
  | { kind: 'changed'; what: string; excerpt: string };

/** One answer of the login flow, after its redirects. */
export interface LoginAnswer {
  /** `first` = the answer to the login entry GET; `result` = the answer to the credentials POST. */
  stage: 'first' | 'result';
  /** URL of the last hop. */
  url: string;
  /** HTTP status of the last hop. */
  status: number;
  /** The page text. */
  html: string;
  /** The eLicznik base URL. */
  serviceUrl: string;
  /** The login (e-mail). */
  username: string;
  /** True when the jar holds a cookie for the eLicznik host. */
  hasServiceCookie: boolean;
}

const LOGIN_TIMEOUT_RE =
  /limit\s+czasu\s+logowania|czas\s+logowania\s+(?:up\p{L}*|min\p{L}*)|login\s+timeout|session\s+(?:has\s+)?expired/iu;

/** True when a Keycloak page says its login session timed out (the post came too late). */
export function isLoginTimeoutPage(html: string): boolean {
  return LOGIN_TIMEOUT_RE.test(html);
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Classifies one answer of the login flow (see the module comment for the order). */
export function classifyLoginAnswer(answer: LoginAnswer): LoginOutcome {
  const { html, stage } = answer;
  const excerpt = () => redactExcerpt(html, [answer.username]);
  if (hasBlockText(html)) return { kind: 'blocked' };
  if (isRateLimitUrl(answer.url)) return { kind: 'rate-limited' };
  if (hasLoginForm(html)) {
    if (stage === 'result') {
      if (isLoginTimeoutPage(html)) {
        return { kind: 'changed', what: 'the login session timed out while logging in', excerpt: excerpt() };
      }
      return { kind: 'wrong-credentials' };
    }
    const form = parseLoginForm(html, answer.url);
    if (!form) return { kind: 'changed', what: 'a login form without an action address', excerpt: excerpt() };
    return { kind: 'form', form };
  }
  if (answer.status === 200 && sameOrigin(answer.url, answer.serviceUrl)) {
    if (pageShowsUser(html, answer.username)) {
      if (answer.hasServiceCookie) return { kind: 'logged-in' };
      return { kind: 'changed', what: 'an eLicznik page without a session cookie', excerpt: excerpt() };
    }
  }
  if (isMaintenancePage(html)) return { kind: 'unavailable' };
  if (stage === 'first') {
    return { kind: 'changed', what: 'no login form on the login page', excerpt: excerpt() };
  }
  if (/name\s*=\s*["']?password-new/i.test(html)) {
    return {
      kind: 'changed',
      what: 'TAURON asks for a new password; log in once in a browser and set it',
      excerpt: excerpt(),
    };
  }
  if (/otp|one-time\s+code|kod\s+jednorazowy/i.test(html) && /<form/i.test(html)) {
    return {
      kind: 'changed',
      what: 'TAURON asks for a one-time code, which the client cannot give',
      excerpt: excerpt(),
    };
  }
  return {
    kind: 'changed',
    what: "no eLicznik page with the user's login after logging in",
    excerpt: excerpt(),
  };
}

/**
 * Logs in (the session and its meter points are set from the start page it ends on), unless the
 * client is stopped, logged in less than `minLoginIntervalMs` ago, or the login gate refuses.
 * Wrong credentials stop the client until they change; a block stops it for 8 h, "too many
 * requests" for an hour (`RATE_LIMIT_PAUSE_MS`). When the client closes while the credentials POST
 * is on its way, its answer is still awaited (`CLOSE_GRACE_MS` at most) and classified, so that a
 * rejected password or a block is recorded (the call ends once it is) and not lost with the call,
 * which would let the same password be sent again later.
 */
export async function logIn(ctx: ClientContext, reason: LoginReason): Promise<void> {
  if (!ctx.username || !ctx.password) {
    throw new BadInputError('The eLicznik username and password are needed to log in.', { step: 'login' });
  }
  const stop = currentStop(ctx);
  if (stop) throw stop.error;
  const now = ctx.now();
  if (ctx.lastLoginAt !== undefined && now - ctx.lastLoginAt < ctx.minLoginIntervalMs) {
    throw new LoginBudgetError(
      new Date(ctx.lastLoginAt + ctx.minLoginIntervalMs),
      'The client logged in less than ' +
        `${Math.round(ctx.minLoginIntervalMs / 1000)} s ago and will not log in again so soon.`,
    );
  }
  if (ctx.loginGate) {
    await ctx.loginGate({
      username: ctx.username,
      serviceUrl: ctx.serviceUrl,
      reason,
      ...(ctx.lastLoginAt !== undefined ? { lastLoginAt: new Date(ctx.lastLoginAt) } : {}),
    });
  }
  ctx.lastLoginAt = ctx.now();
  ctx.session = undefined;
  ctx.log(`logging in (${reason})`);

  const entry = new URL(`${ctx.loginUrl}/login`);
  entry.searchParams.set('service', ctx.serviceUrl);
  const first = await ctx.http.send({ method: 'GET', url: entry.toString(), step: 'login-page' });
  const firstHtml = responseText(first);
  const firstOutcome = classifyLoginAnswer({
    stage: 'first',
    url: first.url,
    status: first.status,
    html: firstHtml,
    serviceUrl: ctx.serviceUrl,
    username: ctx.username,
    hasServiceCookie: (await ctx.http.cookieHeader(ctx.serviceUrl)) !== '',
  });
  let finalHtml: string;
  if (firstOutcome.kind === 'form') {
    const form: Record<string, string> = { ...firstOutcome.form.hidden };
    form.username = ctx.username;
    form.password = ctx.password;
    form.credentialId ??= '';
    const result = await ctx.http.send({
      method: 'POST',
      url: firstOutcome.form.action,
      form,
      step: 'login-post',
      retry: false,
      finishOnClose: true,
    });
    finalHtml = responseText(result);
    const outcome = classifyLoginAnswer({
      stage: 'result',
      url: result.url,
      status: result.status,
      html: finalHtml,
      serviceUrl: ctx.serviceUrl,
      username: ctx.username,
      hasServiceCookie: (await ctx.http.cookieHeader(ctx.serviceUrl)) !== '',
    });
    if (outcome.kind === 'wrong-credentials') {
      const error = new WrongCredentialsError(undefined, { step: 'login-result' });
      ctx.stopped = { error };
      ctx.log('TAURON rejected the credentials; no more logins until they change');
      throw error;
    }
    throwUnlessLoggedIn(ctx, outcome, 'login-result', result.status);
  } else {
    throwUnlessLoggedIn(ctx, firstOutcome, 'login-page', first.status);
    finalHtml = firstHtml;
    ctx.log('logged in by single sign-on');
  }
  ctx.session = { meterPoints: parseMeterPoints(finalHtml) };
  ctx.log(`logged in; ${ctx.session.meterPoints.length} meter point(s)`);
  if (ctx.sessionStore) {
    const cookie = await ctx.http.cookieHeader(ctx.serviceUrl);
    await settleSave(ctx);
    // saved while the call goes on; the call ends once it is saved (the client's call queue)
    const saving = ctx.sessionStore.save(cookie);
    saving.catch(() => undefined);
    ctx.saving = saving;
  }
}

function throwUnlessLoggedIn(
  ctx: ClientContext,
  outcome: LoginOutcome,
  step: string,
  httpStatus: number,
): void {
  switch (outcome.kind) {
    case 'logged-in':
      return;
    case 'blocked':
      throw accountBlocked(ctx, step);
    case 'rate-limited':
      throw rateLimited(ctx, step);
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
