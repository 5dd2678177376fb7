/**
 * The login ledger of one eLicznik account: what must be remembered across redeploys, restarts and
 * processes so that the package never gets its user's account blocked.
 *
 * - the start of every login attempt in the last 24 hours (the budget is counted in a rolling
 *   24 h window, the shortest interval from the last attempt);
 * - the end of a block TAURON announced (no attempt before it: each one would extend it by 8 h);
 * - the end of the pause after eLicznik said "too many requests" (its `/blokada` page): no request
 *   at all before it;
 * - the passwords TAURON rejected (the last {@link MAX_REJECTED_PASSWORDS}), each as a salted scrypt
 *   hash (no attempt with one of them again, also after another password logged in; a different
 *   password is tried);
 * - the eLicznik session cookie, encrypted (AES-256-GCM) with a key derived from the account's
 *   password, so a copy of the file alone does not give the session away.
 *
 * The state lives in a {@link LedgerStore}: a JSON file (mode 600) for Node-RED and the CLI, or
 * memory. Every operation reads the store, decides and writes back, one at a time per ledger, so
 * an attempt is on disk before the login it allows starts.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  scrypt as scryptCb,
  timingSafeEqual,
} from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SessionStore } from '../client/client';
import {
  AccountBlockedError,
  LoginBudgetError,
  RateLimitedError,
  WrongCredentialsError,
  type ElicznikError,
} from '../errors';
import { MS_PER_HOUR } from '../energy/time';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** How many rejected passwords of an account the ledger remembers (the newest). */
export const MAX_REJECTED_PASSWORDS = 4;

/** Logins per rolling 24 hours when the user sets none. */
export const DEFAULT_LOGIN_BUDGET = 6;
/** The window the budget is counted in. */
export const LOGIN_WINDOW_MS = 24 * MS_PER_HOUR;
/** When the budget is shown as running low: this many logins left, or fewer. */
export const LOW_BUDGET = 2;

/** How many logins an account may start, and how far apart. */
export interface LoginPolicy {
  /** Login attempts allowed in any 24 hours (at least 1). */
  budget: number;
  /** Shortest time between two attempts, ms. */
  minIntervalMs: number;
}

/** The stored state (JSON). */
export interface LedgerState {
  version: 1;
  /** Start times (ms since the epoch) of the login attempts of the last 24 hours, oldest first. */
  logins: number[];
  /** End of a block TAURON announced, ms. */
  blockedUntil?: number;
  /** End of the pause after eLicznik's "too many requests" (`/blokada`), ms. */
  rateLimitedUntil?: number;
  /** The password TAURON rejected last: scrypt hash and its salt (hex), and when. */
  rejected?: RejectedPassword;
  /** Passwords TAURON rejected before {@link rejected}, oldest first. */
  earlierRejected?: RejectedPassword[];
  /** The encrypted session cookie (hex fields). */
  session?: { salt: string; iv: string; tag: string; data: string; savedAt: number };
}

/** A password TAURON rejected: scrypt hash and its salt (hex), and when. */
export interface RejectedPassword {
  salt: string;
  hash: string;
  at: number;
}

/** The rejected passwords of a state, oldest first. */
function rejectedList(state: LedgerState): RejectedPassword[] {
  const earlier = Array.isArray(state.earlierRejected) ? state.earlierRejected : [];
  return [...earlier, ...(state.rejected ? [state.rejected] : [])];
}

/** Sets the rejected passwords of a state (oldest first; only the newest few are kept). */
function setRejected(state: LedgerState, list: RejectedPassword[]): void {
  const kept = list.slice(-MAX_REJECTED_PASSWORDS);
  delete state.rejected;
  delete state.earlierRejected;
  if (kept.length === 0) return;
  state.rejected = kept[kept.length - 1];
  if (kept.length > 1) state.earlierRejected = kept.slice(0, -1);
}

/** Where a ledger keeps its state. */
export interface LedgerStore {
  /** The stored state, or undefined when there is none (or it cannot be read). */
  read(): Promise<LedgerState | undefined>;
  /** Replaces the stored state. */
  write(state: LedgerState): Promise<void>;
}

/** The account's login situation, for a status display or a control message. */
export interface LoginBudgetReport {
  /** Logins allowed in 24 hours. */
  budget: number;
  /** Login attempts in the last 24 hours. */
  used: number;
  /** Logins left now (0 when none). */
  remaining: number;
  /** The last attempt, ISO time, or null. */
  lastLoginAt: string | null;
  /** When the next login is allowed, ISO time; null = now. */
  nextLoginAt: string | null;
  /** End of a block TAURON announced, ISO time, or null. */
  blockedUntil: string | null;
  /** TAURON rejected the current password; no login until it changes. */
  passwordRejected: boolean;
  /** A session cookie is kept (its validity is checked before use). */
  sessionKept: boolean;
}

/** A store in memory (the state lives as long as the ledger). */
export function memoryLedgerStore(): LedgerStore {
  let state: LedgerState | undefined;
  return {
    read: async () => (state ? structuredClone(state) : undefined),
    write: async (next) => {
      state = structuredClone(next);
    },
  };
}

function isState(value: unknown): value is LedgerState {
  const v = value as Partial<LedgerState> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === 1 &&
    Array.isArray(v.logins) &&
    v.logins.every((t) => typeof t === 'number' && Number.isFinite(t))
  );
}

/**
 * A store in a JSON file, readable only by the user (mode 600, its folder 700). Writes go to a
 * temporary file renamed over the old one, so a crash never leaves half a file. A file that cannot
 * be read or parsed counts as no state, except that its login times are lost: callers that need
 * to be safe then rely on the block and rejection TAURON reports.
 */
export function fileLedgerStore(file: string): LedgerStore {
  return {
    async read() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        return undefined;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        return isState(parsed) ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
    async write(state) {
      const dir = path.dirname(file);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
        await chmod(tmp, 0o600);
        await rename(tmp, file);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    },
  };
}

/** The file name of an account's ledger in a folder: a hash of the account, no e-mail in it. */
export function ledgerFileName(accountKey: string): string {
  return `account-${createHash('sha256').update(accountKey).digest('hex').slice(0, 20)}.json`;
}

async function passwordKey(password: string, salt: Buffer): Promise<Buffer> {
  return scrypt(password, salt, 32);
}

/** The ledger of one account. Operations run one at a time. */
export class LoginLedger {
  private chain: Promise<unknown> = Promise.resolve();

  /**
   * @param store where the state lives
   * @param accountKey identifies the account (bound into the cookie's encryption)
   * @param now the clock
   */
  constructor(
    private readonly store: LedgerStore,
    private readonly accountKey: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Asks for a login with this password under this policy. Records the attempt before returning,
   * so it counts even if the process stops during the login.
   * @param retryRejected let a password TAURON rejected before be tried once more (an explicit
   *   user action); its rejection stays recorded until a login with it succeeds, so a retry that
   *   is refused here, or rejected again, changes nothing for other users of the account
   * @throws WrongCredentialsError when TAURON rejected this password before (and no retry is asked)
   * @throws AccountBlockedError while a block TAURON announced lasts
   * @throws LoginBudgetError when the budget or the shortest interval does not allow a login now
   */
  beforeLogin(password: string, policy: LoginPolicy, retryRejected = false): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      const now = this.now();
      if (!retryRejected && (await this.isRejected(state, password))) {
        throw new WrongCredentialsError(
          'TAURON rejected this username and password before, so no login is tried with them again ' +
            '(each attempt counts towards a block). Change the password in the configuration (for the command line: ELICZNIK_PASSWORD) to try again.',
          { step: 'login-gate' },
        );
      }
      if (state.blockedUntil !== undefined && now < state.blockedUntil) {
        throw new AccountBlockedError(new Date(state.blockedUntil), { step: 'login-gate' });
      }
      const next = nextAllowed(state.logins, policy, now);
      if (next !== null) {
        const used = state.logins.length;
        const reason =
          used >= policy.budget
            ? `This account has used its ${policy.budget} ${policy.budget === 1 ? 'login' : 'logins'} of the last 24 hours (the login budget), ` +
              'so no new login is made, to keep TAURON from blocking the account.'
            : `This account logged in less than ${formatInterval(policy.minIntervalMs)} ago, ` +
              'and logins are kept at least that far apart.';
        throw new LoginBudgetError(new Date(next), reason);
      }
      state.logins.push(now);
      await this.store.write(state);
    });
  }

  /**
   * Records that a login succeeded with this password: a remembered block is dropped, and so is a
   * rejection of this password. Other rejected passwords stay rejected.
   */
  loginSucceeded(password: string): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      const list = rejectedList(state);
      const left = await this.without(list, password);
      if (left.length === list.length && state.blockedUntil === undefined) return;
      setRejected(state, left);
      delete state.blockedUntil;
      await this.store.write(state);
    });
  }

  /** Records that TAURON rejected this password. */
  passwordRejected(password: string): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      if (await this.isRejected(state, password)) return;
      const salt = randomBytes(16);
      const hash = await passwordKey(password, salt);
      setRejected(state, [
        ...rejectedList(state),
        { salt: salt.toString('hex'), hash: hash.toString('hex'), at: this.now() },
      ]);
      // the kept session goes only when it was saved with this password (another one's still works)
      if (state.session && (await this.decryptCookie(state.session, password)) !== undefined) {
        delete state.session;
      }
      await this.store.write(state);
    });
  }

  /** Records a block TAURON announced, ending at `until` (ms). */
  blocked(until: number): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      if (state.blockedUntil !== undefined && state.blockedUntil >= until) return;
      state.blockedUntil = until;
      await this.store.write(state);
    });
  }

  /**
   * Records that eLicznik said "too many requests" (`/blokada`) and no request should be sent to it
   * before `until` (ms).
   */
  rateLimited(until: number): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      if (state.rateLimitedUntil !== undefined && state.rateLimitedUntil >= until) return;
      state.rateLimitedUntil = until;
      await this.store.write(state);
    });
  }

  /**
   * Asks whether a call may send requests to eLicznik now (the login gate asks for logins).
   * @throws RateLimitedError while the pause after "too many requests" lasts, saying until when
   */
  beforeCall(): Promise<void> {
    return this.serial(async () => {
      const until = (await this.load()).rateLimitedUntil;
      if (until !== undefined) throw new RateLimitedError({ step: 'call-gate', retryAfter: new Date(until) });
    });
  }

  /**
   * Forgets that TAURON rejected this password (an explicit user action: "try this password
   * again"); without a password, every rejected one.
   */
  forgetRejection(password?: string): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      const list = rejectedList(state);
      const left = password === undefined ? [] : await this.without(list, password);
      if (left.length === list.length) return;
      setRejected(state, left);
      await this.store.write(state);
    });
  }

  /** The kept session cookie, when there is one and it was saved with this password. */
  loadCookie(password: string): Promise<string | undefined> {
    return this.serial(async () => {
      const s = (await this.load()).session;
      if (!s) return undefined;
      return this.decryptCookie(s, password);
    });
  }

  /** Keeps (or, with undefined, drops) the session cookie, encrypted with this password. */
  saveCookie(password: string, cookie: string | undefined): Promise<void> {
    return this.serial(async () => {
      const state = await this.load();
      if (cookie === undefined) {
        if (!state.session) return;
        delete state.session;
      } else {
        const salt = randomBytes(16);
        const iv = randomBytes(12);
        const key = await passwordKey(password, salt);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        cipher.setAAD(Buffer.from(this.accountKey));
        const data = Buffer.concat([cipher.update(cookie, 'utf8'), cipher.final()]);
        state.session = {
          salt: salt.toString('hex'),
          iv: iv.toString('hex'),
          tag: cipher.getAuthTag().toString('hex'),
          data: data.toString('hex'),
          savedAt: this.now(),
        };
      }
      await this.store.write(state);
    });
  }

  /** The account's login situation for this password and policy. */
  report(password: string, policy: LoginPolicy): Promise<LoginBudgetReport> {
    return this.serial(async () => {
      const state = await this.load();
      const now = this.now();
      const rejected = await this.isRejected(state, password);
      const blockedUntil =
        state.blockedUntil !== undefined && state.blockedUntil > now ? state.blockedUntil : null;
      let next = nextAllowed(state.logins, policy, now);
      if (blockedUntil !== null) next = Math.max(next ?? 0, blockedUntil);
      const last = state.logins.length > 0 ? state.logins[state.logins.length - 1] : null;
      return {
        budget: policy.budget,
        used: state.logins.length,
        remaining: Math.max(0, policy.budget - state.logins.length),
        lastLoginAt: last === null ? null : new Date(last).toISOString(),
        nextLoginAt: next === null ? null : new Date(next).toISOString(),
        blockedUntil: blockedUntil === null ? null : new Date(blockedUntil).toISOString(),
        passwordRejected: rejected,
        sessionKept: state.session !== undefined,
      };
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The stored state with attempts older than the window dropped. */
  private async load(): Promise<LedgerState> {
    const stored = await this.store.read();
    const now = this.now();
    const state: LedgerState = stored ?? { version: 1, logins: [] };
    state.logins = state.logins
      .filter((t) => now - t < LOGIN_WINDOW_MS && t <= now + MS_PER_HOUR)
      .sort((a, b) => a - b);
    if (state.blockedUntil !== undefined && state.blockedUntil <= now) delete state.blockedUntil;
    if (state.rateLimitedUntil !== undefined && !(state.rateLimitedUntil > now))
      delete state.rateLimitedUntil;
    return state;
  }

  /** The session cookie, when it was saved with this password. */
  private async decryptCookie(
    s: NonNullable<LedgerState['session']>,
    password: string,
  ): Promise<string | undefined> {
    try {
      const key = await passwordKey(password, Buffer.from(s.salt, 'hex'));
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'hex'));
      decipher.setAAD(Buffer.from(this.accountKey));
      decipher.setAuthTag(Buffer.from(s.tag, 'hex'));
      return Buffer.concat([decipher.update(Buffer.from(s.data, 'hex')), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  /** True when TAURON rejected this password before. */
  private async isRejected(state: LedgerState, password: string): Promise<boolean> {
    for (const r of rejectedList(state)) if (await this.matches(r, password)) return true;
    return false;
  }

  /** The rejected passwords other than this one. */
  private async without(list: RejectedPassword[], password: string): Promise<RejectedPassword[]> {
    const left: RejectedPassword[] = [];
    for (const r of list) if (!(await this.matches(r, password))) left.push(r);
    return left;
  }

  private async matches(rejected: RejectedPassword, password: string): Promise<boolean> {
    const hash = await passwordKey(password, Buffer.from(rejected.salt, 'hex'));
    const stored = Buffer.from(rejected.hash, 'hex');
    return stored.length === hash.length && timingSafeEqual(stored, hash);
  }
}

/**
 * When the next login is allowed given the attempts of the last 24 h (oldest first); null = now.
 */
export function nextAllowed(logins: readonly number[], policy: LoginPolicy, now: number): number | null {
  let next = 0;
  const budget = Math.max(1, Math.floor(policy.budget));
  if (logins.length >= budget) next = logins[logins.length - budget] + LOGIN_WINDOW_MS;
  if (logins.length > 0) next = Math.max(next, logins[logins.length - 1] + policy.minIntervalMs);
  return next > now ? next : null;
}

function formatInterval(ms: number): string {
  if (ms >= 60_000) {
    const min = Math.round(ms / 60_000);
    return `${min} minute${min === 1 ? '' : 's'}`;
  }
  const s = Math.max(1, Math.round(ms / 1000));
  return `${s} second${s === 1 ? '' : 's'}`;
}

/** What a client needs to spend logins through a ledger (see {@link ledgerHooks}). */
export interface LedgerHooks {
  /** Keeps the session cookie, encrypted, in the ledger (and in `memory` when given). */
  sessionStore: SessionStore;
  /** Asks the ledger before every login. */
  loginGate: () => Promise<void>;
  /** Asks the ledger before every call: refuses calls during a pause after "too many requests". */
  callGate: () => Promise<void>;
  /**
   * Records what an error that stopped a client says about the account: a rejected password, a
   * block or a pause after "too many requests" (the client's `onAccountStop`).
   */
  remember(error: ElicznikError): Promise<void>;
}

/** Options of {@link ledgerHooks}. */
export interface LedgerHookOptions {
  /** Keep and restore the session cookie (default true). */
  keepSession?: boolean;
  /** A faster place for the cookie in this process, asked before the ledger. */
  memory?: { get(): string | undefined; set(cookie: string | undefined): void };
  /** Told when the ledger cannot be written (the call itself goes on). */
  warn?: (line: string) => void;
  /**
   * Asked before every login: true lets a rejected password be tried again (see
   * {@link LoginLedger.beforeLogin}); default never.
   */
  retryRejected?: () => boolean;
}

/**
 * Connects a client with the credentials `password` to a ledger: every login asks the ledger
 * first (and is recorded before it starts), a successful one clears a remembered rejection or
 * block, the session cookie is kept encrypted, and rejections and blocks are recorded.
 */
export function ledgerHooks(
  ledger: LoginLedger,
  password: string,
  policy: LoginPolicy,
  options: LedgerHookOptions = {},
): LedgerHooks {
  const keep = options.keepSession !== false;
  const warn = (what: string) => (err: unknown) =>
    options.warn?.(`could not ${what}: ${err instanceof Error ? err.message : String(err)}`);
  return {
    sessionStore: {
      load: async () => {
        if (!keep) return undefined;
        return options.memory?.get() ?? (await ledger.loadCookie(password));
      },
      save: async (cookie) => {
        options.memory?.set(cookie);
        if (cookie !== undefined) await ledger.loginSucceeded(password).catch(warn('record the login'));
        if (keep || cookie === undefined)
          await ledger.saveCookie(password, cookie).catch(warn('keep the session'));
      },
    },
    loginGate: () => ledger.beforeLogin(password, policy, options.retryRejected?.() ?? false),
    callGate: () => ledger.beforeCall(),
    async remember(error) {
      if (error.step === 'login-gate' || error.step === 'call-gate') return;
      if (error.code === 'WRONG_CREDENTIALS') {
        await ledger.passwordRejected(password).catch(warn('record the rejected password'));
      }
      if (error.code === 'ACCOUNT_BLOCKED' && error.blockedUntil) {
        await ledger.blocked(error.blockedUntil.getTime()).catch(warn('record the block'));
      }
      if (error.code === 'RATE_LIMITED' && error.retryAfter) {
        await ledger.rateLimited(error.retryAfter.getTime()).catch(warn('record the pause'));
      }
    },
  };
}
