/**
 * The process-wide registry of eLicznik sessions: one client per account (eLicznik URL, login
 * URL, username) and password, shared by every configuration node and the configuration dialog's
 * meter point lookup. Users acquire a lease and release it; the last release closes the client,
 * so nothing (no socket, no timer) is left running while an account has no user.
 *
 * What outlives the client, in memory only, so that a redeploy does not log in again and does not
 * repeat what TAURON refused:
 * - the eLicznik session cookie (the next client restores it instead of logging in);
 * - the cache of complete days and the tariffs of the meter points;
 * - when the account's last login attempt started (the shortest interval between logins holds
 *   across clients and passwords of the account);
 * - that TAURON rejected this password (not tried again until the password changes, or until
 *   {@link SessionPool.acquire} is told `retryRejectedPassword`, which the dialog's explicit
 *   "list meter points" does), and the end of an account block.
 *
 * A different password for the same account gets its own client, so a mistyped password in one
 * place cannot stop the client that works. The last login time and the block belong to the
 * account and are shared by all its clients; once a password is acquired, what is remembered for
 * other passwords of that account that nobody uses is dropped.
 *
 * `retryRejectedPassword` clears the remembered rejection; a client that is open and saw the
 * rejection itself keeps refusing until it is closed (the next deploy of its users).
 */
import { createHash } from 'node:crypto';
import { ElicznikClient, type ElicznikClientOptions, type SessionStore } from '../client/client';
import {
  AccountBlockedError,
  type ElicznikError,
  LoginBudgetError,
  WrongCredentialsError,
} from '../client/errors';
import { AccountSession, type AccountMemory } from './account-session';
import { DayCache } from './day-cache';

/** Shortest time between two logins (or attempts) of one account when the user sets none: 1 minute. */
export const DEFAULT_MIN_LOGIN_INTERVAL_MS = 60_000;

/** Who logs in where, and how the client behaves. */
export interface AccountOptions {
  /** eLicznik base URL. */
  serviceUrl: string;
  /** Login host base URL. */
  loginUrl: string;
  /** Login (e-mail); compared case-insensitively. */
  username: string;
  /** Password; kept only inside the client and as a hash in the registry key. */
  password: string;
  /** Time limit of one HTTP request, ms (the first user of an account sets it). */
  timeoutMs?: number;
  /** Shortest time between logins, ms (the first user of an account sets it). */
  minLoginIntervalMs?: number;
  /** Try the password again even if TAURON rejected it before (an explicit user action). */
  retryRejectedPassword?: boolean;
}

/** A user's hold on an account session. */
export interface SessionLease {
  /** The shared session; valid until {@link release}. */
  readonly session: AccountSession;
  /** Gives the lease back; the last one closes the client. Calling it again does nothing. */
  release(): Promise<void>;
}

/** Options of {@link SessionPool}. */
export interface SessionPoolOptions {
  /** Makes a client (tests pass one with a fake clock or a fast sleep). */
  createClient?: (options: ElicznikClientOptions) => ElicznikClient;
  /** The clock for the remembered block and login times. */
  now?: () => number;
  /** Passed to every client for debug lines (never secrets). */
  log?: (line: string) => void;
}

/** What belongs to the account whatever the password: TAURON counts logins and blocks per account. */
interface AccountGuard {
  lastLoginAt: number | undefined;
  blockedUntil: number | undefined;
}

interface Entry {
  readonly key: string;
  readonly account: string;
  refs: number;
  session: AccountSession | undefined;
  readonly guard: AccountGuard;
  readonly memory: AccountMemory & {
    cookie: string | undefined;
    passwordRejected: boolean;
  };
}

function accountId(options: Pick<AccountOptions, 'serviceUrl' | 'loginUrl' | 'username'>): string {
  const url = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();
  return [url(options.serviceUrl), url(options.loginUrl), options.username.trim().toLowerCase()].join('\n');
}

function passwordHash(account: string, password: string): string {
  return createHash('sha256').update(account).update('\0').update(password).digest('hex');
}

/** The registry. One instance, {@link sessionPool}, serves the whole process. */
export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly createClient: (options: ElicznikClientOptions) => ElicznikClient;
  private readonly now: () => number;
  private readonly log: ((line: string) => void) | undefined;

  constructor(options: SessionPoolOptions = {}) {
    this.createClient = options.createClient ?? ((o) => new ElicznikClient(o));
    this.now = options.now ?? (() => Date.now());
    this.log = options.log;
  }

  /**
   * Takes a lease on the account's session, opening a client when the account has none.
   * @throws BadInputError (from the client) when a URL or number option is not valid
   */
  acquire(options: AccountOptions): SessionLease {
    const account = accountId(options);
    const key = `${account}\n${passwordHash(account, options.password)}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const guard = [...this.entries.values()].find((e) => e.account === account)?.guard ?? {
        lastLoginAt: undefined,
        blockedUntil: undefined,
      };
      entry = this.newEntry(key, account, guard);
      this.entries.set(key, entry);
    }
    for (const other of this.entries.values()) {
      if (other !== entry && other.account === account && other.refs === 0) this.entries.delete(other.key);
    }
    if (options.retryRejectedPassword) entry.memory.passwordRejected = false;
    if (!entry.session) entry.session = this.open(entry, options);
    entry.refs += 1;
    const session = entry.session;
    const held = entry;
    let released = false;
    return {
      session,
      release: async () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (held.refs > 0 || held.session !== session) return;
        held.session = undefined;
        await session.client.close();
      },
    };
  }

  /** Accounts with an open client. */
  get openCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.session) n += 1;
    return n;
  }

  /** Accounts the registry remembers (open or not). */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every client and forgets everything (for tests and shutdown). */
  async clear(): Promise<void> {
    const sessions = [...this.entries.values()].flatMap((e) => (e.session ? [e.session] : []));
    this.entries.clear();
    await Promise.all(sessions.map((s) => s.client.close()));
  }

  private newEntry(key: string, account: string, guard: AccountGuard): Entry {
    const memory: Entry['memory'] = {
      cache: new DayCache(),
      tariffs: new Map(),
      cookie: undefined,
      passwordRejected: false,
      remember(error: ElicznikError) {
        if (error.code === 'WRONG_CREDENTIALS') memory.passwordRejected = true;
        if (error.code === 'ACCOUNT_BLOCKED' && error.blockedUntil) {
          guard.blockedUntil = Math.max(guard.blockedUntil ?? 0, error.blockedUntil.getTime());
        }
      },
    };
    return { key, account, refs: 0, session: undefined, guard, memory };
  }

  private open(entry: Entry, options: AccountOptions): AccountSession {
    const { memory, guard } = entry;
    const minInterval = options.minLoginIntervalMs ?? DEFAULT_MIN_LOGIN_INTERVAL_MS;
    const sessionStore: SessionStore = {
      load: async () => memory.cookie,
      save: async (cookie) => {
        memory.cookie = cookie;
      },
    };
    const client = this.createClient({
      serviceUrl: options.serviceUrl,
      loginUrl: options.loginUrl,
      username: options.username,
      password: options.password,
      minLoginIntervalMs: minInterval,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      sessionStore,
      now: this.now,
      ...(this.log ? { log: this.log } : {}),
      loginGate: async () => {
        const now = this.now();
        if (memory.passwordRejected) {
          throw new WrongCredentialsError(
            'TAURON rejected this username and password before. Change the password (or press the meter ' +
              'point button in the configuration dialog with the password typed in) to try again.',
            { step: 'login-gate' },
          );
        }
        if (guard.blockedUntil !== undefined && now < guard.blockedUntil) {
          throw new AccountBlockedError(new Date(guard.blockedUntil), { step: 'login-gate' });
        }
        if (guard.lastLoginAt !== undefined && now - guard.lastLoginAt < minInterval) {
          throw new LoginBudgetError(
            new Date(guard.lastLoginAt + minInterval),
            `This account logged in less than ${Math.ceil(minInterval / 60_000)} min ago and will not log in again so soon.`,
          );
        }
        guard.lastLoginAt = now;
      },
    });
    return new AccountSession(client, memory);
  }
}

/** The registry every node of this package in the process uses. */
export const sessionPool = new SessionPool();
