/**
 * Reading the answers of the Keycloak login flow (`elicznik-service.md` §1.1) into an outcome. The
 * checks run in this order, because a Keycloak page that shows an error still carries the form:
 * 1. the block text (`Przekroczono maksymalną liczbę logowań` / `ilość logowań`) → blocked;
 * 2. a final `/blokada` path → rate limited;
 * 3. the login form → on the first page: the form to post; after the post: wrong credentials
 *    (unless Keycloak says its login session timed out);
 * 4. an eLicznik page showing the user's e-mail, with an eLicznik session cookie → logged in
 *    (on the first page this is single sign-on);
 * 5. a maintenance page → unavailable;
 * 6. anything else → the service changed.
 */
import { redactExcerpt } from '../errors';
import {
  hasBlockText,
  hasLoginForm,
  isMaintenancePage,
  isRateLimitUrl,
  pageShowsUser,
  parseLoginForm,
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
