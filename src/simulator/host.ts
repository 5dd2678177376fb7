/**
 * What the two hosts of the simulator share: the context of one running simulator (faults,
 * counters, clock, log and both base URLs), the replies they build, cookies and random tokens.
 */
import type * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import { messagePage } from './pages';
import type { SimFaults, SimStats } from './types';

/** The state every part of one running simulator reads or counts in. */
export interface SimContext {
  readonly faults: SimFaults;
  readonly stats: SimStats;
  /** The clock (tests pass a fake). */
  readonly now: () => number;
  /** One line per request and login event; never passwords, cookies or codes. */
  readonly log: (line: string) => void;
  /** `http://127.0.0.1:<port>`, known once the eLicznik host listens. */
  serviceUrl: string;
  /** `http://localhost:<port>`, known once the login host listens. */
  loginUrl: string;
}

/** An answer of either host. */
export interface Reply {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** Request counters, all at zero. */
export function newStats(): SimStats {
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

/**
 * The live session of `sessions` that the cookie `name` of `req` names, its last use moved to now;
 * undefined (and forgotten) when it has been idle longer than `ttlMs`.
 */
export function liveSession<S extends { lastSeenMs: number }>(
  sessions: Map<string, S>,
  req: http.IncomingMessage,
  name: string,
  ttlMs: number,
  now: number,
): S | undefined {
  const id = parseCookies(req.headers.cookie)[name];
  if (!id) return undefined;
  const session = sessions.get(id);
  if (!session) return undefined;
  if (now - session.lastSeenMs > ttlMs) {
    sessions.delete(id);
    return undefined;
  }
  session.lastSeenMs = now;
  return session;
}

/** `bytes` random bytes as hex. */
export function token(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The cookies of a `Cookie` header; the first of a repeated name wins. */
export function parseCookies(header: string | undefined): Record<string, string> {
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

export function html(body: string, status = 200, headers: Record<string, string | string[]> = {}): Reply {
  return { status, body, headers: { 'Content-Type': 'text/html; charset=UTF-8', ...headers } };
}

export function json(value: unknown): Reply {
  return { status: 200, body: JSON.stringify(value), headers: { 'Content-Type': 'application/json' } };
}

export function redirect(location: string, headers: Record<string, string | string[]> = {}): Reply {
  return { status: 302, headers: { Location: location, ...headers } };
}

/** The 404 page of either host. */
export function notFound(): Reply {
  return html(messagePage('Nie znaleziono', 'Strona nie istnieje.'), 404);
}

/** `name@domain` → `n***@domain`, for log lines. */
export function maskUser(username: string): string {
  const at = username.indexOf('@');
  return at > 0 ? `${username[0]}***${username.slice(at)}` : '***';
}
