/**
 * The package's errors, in a module of their own so that every layer may use them: the energy
 * helpers, the eLicznik client, the session, the settlement, the CLI and the nodes. Every failure a
 * user can meet is an {@link ElicznikError} with a stable `code` (the table in
 * docs/architecture.md), a message written for the user, and the `step` that failed. Messages and
 * fields never carry the password, cookies, the e-mail or PPE digits; excerpts of unexpected pages
 * are redacted first ({@link redactExcerpt}).
 *
 * Judgement calls:
 * - A JSON answer `{"success": false}` is `SERVICE_CHANGED`: the service understood the session but
 *   refused the request as the client sent it, which is what a changed request format looks like
 *   (transient outages show up as 5xx, timeouts or maintenance pages instead).
 * - A client that was closed rejects further calls with `SERVICE_UNAVAILABLE` (step `closed`).
 */
import { toLocalIso } from './energy/time';

/** The stable error codes a flow can switch on. */
export type ElicznikErrorCode =
  | 'WRONG_CREDENTIALS'
  | 'ACCOUNT_BLOCKED'
  | 'RATE_LIMITED'
  | 'LOGIN_BUDGET'
  | 'SERVICE_UNAVAILABLE'
  | 'SERVICE_CHANGED'
  | 'BAD_INPUT';

/** Every code, in the order of the table in docs/architecture.md. */
export const ERROR_CODES: readonly ElicznikErrorCode[] = [
  'WRONG_CREDENTIALS',
  'ACCOUNT_BLOCKED',
  'RATE_LIMITED',
  'LOGIN_BUDGET',
  'SERVICE_UNAVAILABLE',
  'SERVICE_CHANGED',
  'BAD_INPUT',
];

/** Extra details of an error. */
export interface ElicznikErrorDetails {
  /** The client step that failed, e.g. `login-page`, `login-result`, `csv`, `energy-json`. */
  step?: string;
  /** Earliest time a new attempt makes sense. */
  retryAfter?: Date;
  /** End of an account block as the client estimates it. */
  blockedUntil?: Date;
  /** A short redacted excerpt of the unexpected answer. */
  excerpt?: string;
  /** HTTP status of the answer, when there was one. */
  httpStatus?: number;
}

/** The plain JSON form of an error, safe for Node-RED messages and logs. */
export interface ElicznikErrorJson {
  name: string;
  code: ElicznikErrorCode;
  message: string;
  step: string;
  retryAfter?: string;
  blockedUntil?: string;
  excerpt?: string;
  httpStatus?: number;
}

/** Base class of every error the client throws on purpose. */
export class ElicznikError extends Error {
  /** Stable code from docs/architecture.md. */
  readonly code: ElicznikErrorCode;
  /** The client step that failed. */
  readonly step: string;
  /** Earliest time a new attempt makes sense, when known. */
  readonly retryAfter?: Date;
  /** End of an account block, when known. */
  readonly blockedUntil?: Date;
  /** A short redacted excerpt of the unexpected answer (SERVICE_CHANGED). */
  readonly excerpt?: string;
  /** HTTP status of the answer, when there was one. */
  readonly httpStatus?: number;

  constructor(code: ElicznikErrorCode, message: string, details: ElicznikErrorDetails = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.step = details.step ?? 'unknown';
    if (details.retryAfter) this.retryAfter = details.retryAfter;
    if (details.blockedUntil) this.blockedUntil = details.blockedUntil;
    if (details.excerpt !== undefined) this.excerpt = details.excerpt;
    if (details.httpStatus !== undefined) this.httpStatus = details.httpStatus;
  }

  /** Plain JSON (dates as ISO text). */
  toJSON(): ElicznikErrorJson {
    const out: ElicznikErrorJson = {
      name: this.name,
      code: this.code,
      message: this.message,
      step: this.step,
    };
    if (this.retryAfter) out.retryAfter = this.retryAfter.toISOString();
    if (this.blockedUntil) out.blockedUntil = this.blockedUntil.toISOString();
    if (this.excerpt !== undefined) out.excerpt = this.excerpt;
    if (this.httpStatus !== undefined) out.httpStatus = this.httpStatus;
    return out;
  }
}

/** The service rejected the username or password. The client will not try again until they change. */
export class WrongCredentialsError extends ElicznikError {
  constructor(
    message = 'TAURON rejected the username or password. Check them; the client will not log in again until they are changed.',
    details: ElicznikErrorDetails = {},
  ) {
    super('WRONG_CREDENTIALS', message, { step: 'login-result', ...details });
  }
}

/** TAURON blocked logins for the account (8 h, extended by every attempt during the block). */
export class AccountBlockedError extends ElicznikError {
  constructor(blockedUntil: Date, details: ElicznikErrorDetails = {}) {
    super(
      'ACCOUNT_BLOCKED',
      `TAURON temporarily blocked logins for this account after too many logins. ` +
        `Every attempt during the block extends it by 8 hours, so the client will not try again before ${toLocalIso(blockedUntil)} (Warsaw time).`,
      { step: 'login-result', blockedUntil, retryAfter: blockedUntil, ...details },
    );
  }
}

/**
 * The service answered with its `/blokada` page (or HTTP 429): too many requests. With
 * `retryAfter`, the message says until when the client sends the service nothing.
 */
export class RateLimitedError extends ElicznikError {
  constructor(details: ElicznikErrorDetails = {}) {
    super(
      'RATE_LIMITED',
      'eLicznik refused the request because of too many requests (the /blokada page). ' +
        (details.retryAfter
          ? `To let the limit pass, no request is sent to eLicznik before ${toLocalIso(details.retryAfter)} (Warsaw time).`
          : 'Wait before asking again.'),
      details,
    );
  }
}

/** The client refused to log in, to protect the account (minimum interval or a shared budget). */
export class LoginBudgetError extends ElicznikError {
  constructor(retryAfter: Date, reason?: string, details: ElicznikErrorDetails = {}) {
    super(
      'LOGIN_BUDGET',
      `${reason ?? 'A new login is not allowed yet, to protect the account from being blocked.'} ` +
        `The next login is allowed at ${toLocalIso(retryAfter)} (Warsaw time).`,
      { step: 'login-budget', retryAfter, ...details },
    );
  }
}

/** Timeouts, connection errors, 5xx answers and maintenance pages. */
export class ServiceUnavailableError extends ElicznikError {
  constructor(message: string, details: ElicznikErrorDetails = {}) {
    super('SERVICE_UNAVAILABLE', message, details);
  }
}

/** An answer did not have what the client expects; names the step and carries a redacted excerpt. */
export class ServiceChangedError extends ElicznikError {
  constructor(step: string, what: string, details: Omit<ElicznikErrorDetails, 'step'> = {}) {
    super(
      'SERVICE_CHANGED',
      `eLicznik answered something the client does not recognise at step "${step}": ${what}. ` +
        'The service may have changed; please report it with this message.',
      { ...details, step },
    );
  }
}

/** A setting or an argument is not valid. */
export class BadInputError extends ElicznikError {
  constructor(message: string, details: ElicznikErrorDetails = {}) {
    super('BAD_INPUT', message, { step: 'input', ...details });
  }
}

/** True when `value` is an {@link ElicznikError} (also across copies of this module). */
export function isElicznikError(value: unknown): value is ElicznikError {
  return (
    value instanceof ElicznikError ||
    (typeof value === 'object' &&
      value !== null &&
      typeof (value as { code?: unknown }).code === 'string' &&
      (ERROR_CODES as readonly string[]).includes((value as { code: string }).code) &&
      typeof (value as { step?: unknown }).step === 'string')
  );
}

const EMAIL_RE = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const LONG_DIGITS_RE = /\d{6,}/g;
const SITE_ID_RE = /\d+_\d+_\d+/g;
const TOKEN_RE = /\b[A-Za-z0-9_-]{24,}\b/g;

/**
 * A short, redacted excerpt of an answer for error messages: tags, scripts and styles removed,
 * whitespace collapsed, e-mail addresses, site ids, PPE numbers and other long digit runs,
 * token-like strings and the given secrets replaced, then cut to `max` characters.
 */
export function redactExcerpt(
  text: string,
  secrets: readonly (string | undefined)[] = [],
  max = 160,
): string {
  let t = text
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
  for (const s of secrets) {
    if (s) t = t.split(s).join('***');
  }
  t = t
    .replace(EMAIL_RE, '<e-mail>')
    .replace(SITE_ID_RE, '<id>')
    .replace(LONG_DIGITS_RE, (d) => '#'.repeat(Math.min(d.length, 18)))
    .replace(TOKEN_RE, '<token>')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
