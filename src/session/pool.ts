/**
 * The process-wide registry of eLicznik sessions: one client per account (eLicznik URL, login
 * URL, username) and password, shared by every configuration node and the configuration dialog's
 * meter point lookup. Users acquire a lease and release it; the last release closes the client,
 * so nothing (no socket, no timer) is left running while an account has no user.
 *
 * What outlives the client, so that a redeploy or a restart does not log in again and does not
 * repeat what TAURON refused:
 * - in memory: the eLicznik session cookie (the next client restores it instead of logging in),
 *   the cache of complete days and the tariffs of the meter points;
 * - in the account's {@link LoginLedger} (a file under the state folder when one is set, else
 *   memory): the login attempts of the last 24 hours (the budget and the shortest interval hold
 *   across clients, passwords, redeploys and restarts), a block TAURON announced, the pause after
 *   eLicznik's "too many requests" (no call of the account sends a request before it ends), the passwords
 *   TAURON rejected (none tried again, also after another password logged in; one may log in once
 *   more while a lease taken with `retryRejectedPassword` is held, which the dialog's explicit
 *   "list meter points" does, and stays rejected unless that login succeeds), and the session
 *   cookie, encrypted, for the next process.
 *
 * A different password for the same account gets its own client, so a mistyped password in one
 * place cannot stop the client that works. Once a password is acquired, what is remembered in
 * memory for other passwords of that account that nobody uses is dropped.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ElicznikClient, ElicznikClientOptions } from '../client/client';
import { AccountSession, type AccountMemory } from './account-session';
import { DayCache } from './day-cache';
import {
  DEFAULT_LOGIN_BUDGET,
  LoginLedger,
  fileLedgerStore,
  ledgerFileName,
  ledgerHooks,
  memoryLedgerStore,
  type LoginBudgetReport,
  type LoginPolicy,
} from './login-ledger';

/**
 * The default client maker. The client module (and its HTTP, cookie and HTML libraries) is loaded
 * when an account first needs a client, not when Node-RED loads the nodes.
 */
function newClient(options: ElicznikClientOptions): ElicznikClient {
  const { ElicznikClient: Client } = require('../client/client') as typeof import('../client/client');
  return new Client(options);
}

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
  /** Shortest time between logins, ms; default {@link DEFAULT_MIN_LOGIN_INTERVAL_MS}. */
  minLoginIntervalMs?: number;
  /** Logins allowed in any 24 hours; default {@link DEFAULT_LOGIN_BUDGET}. */
  loginBudget?: number;
  /**
   * Try the password again even if TAURON rejected it before (an explicit user action): while the
   * lease is held, the account's client may log in with it once. The rejection stays recorded
   * until such a login succeeds.
   */
  retryRejectedPassword?: boolean;
  /** Keep the last HTTP exchanges of the account for diagnostic dumps ({@link AccountSession.recorder}). */
  recordExchanges?: boolean;
  /**
   * Refresh the session after this long idle, ms ({@link AccountSession.keepAlive}: within 2 h of
   * the last call, at most one an hour); 0 or unset = off.
   */
  keepAliveMs?: number;
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
  /** Folder for the accounts' ledgers; unset = memory only (see {@link SessionPool.useStateDir}). */
  stateDir?: string;
}

interface Entry {
  readonly key: string;
  readonly account: string;
  refs: number;
  session: AccountSession | undefined;
  /** The session cookie of the last client, for the next one. */
  cookie: string | undefined;
  readonly cache: DayCache;
  readonly tariffs: Map<string, string | null>;
  /** The last keep-alive request (kept across clients, so a redeploy does not send one sooner). */
  readonly keepAlive: { lastMs?: number };
  /** Leases held with `retryRejectedPassword`: while there is one, a rejected password may log in. */
  retries: number;
}

/** The registry's key of an account: addresses and login, normalised. */
export function accountId(options: Pick<AccountOptions, 'serviceUrl' | 'loginUrl' | 'username'>): string {
  const url = (u: string) => u.trim().replace(/\/+$/, '').toLowerCase();
  return [url(options.serviceUrl), url(options.loginUrl), options.username.trim().toLowerCase()].join('\n');
}

/** The policy of an account's options. */
export function loginPolicy(
  options: Pick<AccountOptions, 'minLoginIntervalMs' | 'loginBudget'>,
): LoginPolicy {
  return {
    budget: Math.max(1, Math.floor(options.loginBudget ?? DEFAULT_LOGIN_BUDGET)),
    minIntervalMs: Math.max(0, options.minLoginIntervalMs ?? DEFAULT_MIN_LOGIN_INTERVAL_MS),
  };
}

function passwordHash(account: string, password: string): string {
  return createHash('sha256').update(account).update('\0').update(password).digest('hex');
}

/** The registry. One instance, {@link sessionPool}, serves the whole process. */
export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly ledgers = new Map<string, LoginLedger>();
  private stateDir: string | undefined;
  private readonly createClient: (options: ElicznikClientOptions) => ElicznikClient;
  private readonly now: () => number;
  private readonly log: ((line: string) => void) | undefined;

  constructor(options: SessionPoolOptions = {}) {
    this.createClient = options.createClient ?? newClient;
    this.now = options.now ?? (() => Date.now());
    this.log = options.log;
    this.stateDir = options.stateDir;
  }

  /**
   * Keeps the accounts' ledgers (login times, blocks, rejected passwords, the encrypted session
   * cookie) as files in this folder from now on, so they hold across restarts; undefined = memory.
   * Ledgers already in use keep their store until {@link clear}.
   */
  useStateDir(dir: string | undefined): void {
    if (dir === this.stateDir) return;
    this.stateDir = dir;
    for (const account of [...this.ledgers.keys()]) {
      const inUse = [...this.entries.values()].some((e) => e.account === account && e.refs > 0);
      if (!inUse) this.ledgers.delete(account);
    }
  }

  /** The ledger of an account (made on first use). */
  ledgerOf(options: Pick<AccountOptions, 'serviceUrl' | 'loginUrl' | 'username'>): LoginLedger {
    const account = accountId(options);
    let ledger = this.ledgers.get(account);
    if (!ledger) {
      const store = this.stateDir
        ? fileLedgerStore(path.join(this.stateDir, ledgerFileName(account)))
        : memoryLedgerStore();
      ledger = new LoginLedger(store, account, this.now);
      this.ledgers.set(account, ledger);
    }
    return ledger;
  }

  /** The account's logins used, left and allowed next, for these credentials and settings. */
  loginReport(options: AccountOptions): Promise<LoginBudgetReport> {
    return this.ledgerOf(options).report(options.password, loginPolicy(options));
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
      entry = {
        key,
        account,
        refs: 0,
        session: undefined,
        cookie: undefined,
        cache: new DayCache(),
        tariffs: new Map(),
        keepAlive: {},
        retries: 0,
      };
      this.entries.set(key, entry);
    }
    for (const other of this.entries.values()) {
      if (other !== entry && other.account === account && other.refs === 0) this.entries.delete(other.key);
    }
    if (!entry.session) entry.session = this.open(entry, options);
    if (options.recordExchanges) entry.session.recordExchanges();
    if (options.keepAliveMs) entry.session.keepAlive(options.keepAliveMs);
    entry.refs += 1;
    const retry = options.retryRejectedPassword === true;
    if (retry) entry.retries += 1;
    const session = entry.session;
    const held = entry;
    let released = false;
    return {
      session,
      release: async () => {
        if (released) return;
        released = true;
        held.refs -= 1;
        if (retry) held.retries -= 1;
        if (held.refs > 0 || held.session !== session) return;
        held.session = undefined;
        await session.close();
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
    this.ledgers.clear();
    await Promise.all(sessions.map((s) => s.close()));
  }

  private open(entry: Entry, options: AccountOptions): AccountSession {
    const ledger = this.ledgerOf(options);
    const policy = loginPolicy(options);
    const { password } = options;
    const hooks = ledgerHooks(ledger, password, policy, {
      memory: {
        get: () => entry.cookie,
        set: (cookie) => {
          entry.cookie = cookie;
        },
      },
      ...(this.log ? { warn: this.log } : {}),
      retryRejected: () => entry.retries > 0,
    });
    const memory: AccountMemory = {
      cache: entry.cache,
      tariffs: entry.tariffs,
      keepAlive: entry.keepAlive,
    };
    const client = this.createClient({
      serviceUrl: options.serviceUrl,
      loginUrl: options.loginUrl,
      username: options.username,
      password,
      minLoginIntervalMs: policy.minIntervalMs,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      sessionStore: hooks.sessionStore,
      now: this.now,
      ...(this.log ? { log: this.log } : {}),
      loginGate: hooks.loginGate,
      onAccountStop: hooks.remember,
      callGate: hooks.callGate,
    });
    return new AccountSession(client, memory);
  }
}

/** The registry every node of this package in the process uses. */
export const sessionPool = new SessionPool();
