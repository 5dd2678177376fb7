/**
 * What the `elicznik-config` node offers the nodes that use it, and the pure parts of it: reading
 * its settings, and the HTTP status and short status reason of each error code.
 */
import path from 'node:path';
import type { Node } from 'node-red';
import { DEFAULT_LOGIN_URL, DEFAULT_SERVICE_URL } from '../../src/client/urls';
import { BadInputError, type ElicznikErrorCode } from '../../src/errors';
import { DEFAULT_KEEP_ALIVE_MS, type AccountSession } from '../../src/session/account-session';
import { DEFAULT_LOGIN_BUDGET, type LoginBudgetReport } from '../../src/session/login-ledger';
import type { AccountOptions } from '../../src/session/pool';

export { DEFAULT_LOGIN_URL, DEFAULT_SERVICE_URL };

/** Request time limit when the node sets none, seconds. */
export const DEFAULT_TIMEOUT_S = 30;
/** Shortest time between logins when the node sets none, minutes. */
export const DEFAULT_MIN_LOGIN_MINUTES = 1;
/** Logins per 24 hours when the node sets none. */
export { DEFAULT_LOGIN_BUDGET };
/** The most logins per 24 hours the node accepts. */
export const MAX_LOGIN_BUDGET = 48;
/** Idle minutes after which the session is refreshed, when the node sets none (30). */
export const DEFAULT_KEEP_ALIVE_MINUTES = DEFAULT_KEEP_ALIVE_MS / 60_000;

/** A node that shows the account's problems on its status. */
export interface AccountUser {
  /**
   * Called when a call of the account ends with a problem of the whole account (wrong password,
   * block, rate limit, login held back), and with null when a later call succeeds.
   */
  showAccountProblem(code: ElicznikErrorCode | null): void;
}

/** The runtime face of an `elicznik-config` node. */
export interface ElicznikAccountNode extends Node {
  /** Site id of the meter point, `''` = the account's first. */
  readonly meterPoint: string;
  /** Display text of the meter point (PPE number, type, tariff), as chosen in the dialog. */
  readonly meterPointLabel: string;
  /**
   * The account's shared session, opened on first use.
   * @throws BadInputError when the username or password is missing or a setting is not valid
   */
  session(): AccountSession;
  /** Adds a user to tell about the account's problems; it is told at once when one is showing. */
  addUser(user: AccountUser): void;
  /** Removes a user added with {@link addUser}. */
  removeUser(user: AccountUser): void;
  /**
   * Logins used in the last 24 hours, logins left and when the next one is allowed; logs in never.
   * @throws BadInputError when the username or password is missing or a setting is not valid
   */
  loginReport(): Promise<LoginBudgetReport>;
  /** Folder for diagnostic dumps of failing requests (absolute), or null when off. */
  readonly dumpDir: string | null;
  /**
   * Writes the account's HTTP exchanges since `sinceMs`, every secret removed, with the error to
   * a new folder in {@link dumpDir}.
   * @returns the folder, or null when dumps are off or nothing was recorded
   */
  dump(error: unknown, sinceMs: number): Promise<string | null>;
}

/** The settings of the config node as the editor stores them (numbers may arrive as text). */
export interface AccountSettings {
  serviceUrl?: unknown;
  loginUrl?: unknown;
  /** Request time limit, seconds. */
  timeout?: unknown;
  /** Shortest time between logins, minutes. */
  minLoginMinutes?: unknown;
  /** Logins allowed in 24 hours. */
  loginBudget?: unknown;
  /** Idle minutes after which the session is refreshed; 0 = never. */
  keepAliveMinutes?: unknown;
}

/** The stored credentials of the config node. */
export interface AccountCredentials {
  username?: string;
  password?: string;
}

function numberSetting(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim().replace(',', '.'));
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new BadInputError(
      `The ${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

function urlSetting(value: unknown, fallback: string): string {
  return typeof value === 'string' && value.trim() ? value.trim() : fallback;
}

/** The variable a whole `${NAME}` value refers to (what Node-RED reads from the environment), else null. */
export function envReference(value: string): string | null {
  const m = /^\$\{(\S+)\}$/.exec(value);
  return m ? m[1] : null;
}

/**
 * Turns the node's settings and credentials into session registry options.
 * @throws BadInputError naming the missing or bad value
 */
export function accountOptions(settings: AccountSettings, credentials: AccountCredentials): AccountOptions {
  const username = (credentials.username ?? '').trim();
  const password = credentials.password ?? '';
  if (!username) throw new BadInputError('The eLicznik configuration has no username (e-mail).');
  // Node-RED deletes a blank credential when it is deployed
  if (!password.trim()) throw new BadInputError('The eLicznik configuration has no password.');
  // Node-RED leaves a reference to a variable that is not set as it is: never send it as a login
  for (const [what, value] of [
    ['username (e-mail)', username],
    ['password', password],
  ]) {
    const name = envReference(value);
    if (name !== null) {
      throw new BadInputError(
        `The eLicznik ${what} is taken from the environment variable ${name}, which is not set.`,
      );
    }
  }
  const timeoutS = numberSetting('request timeout (s)', settings.timeout, DEFAULT_TIMEOUT_S, 1, 600);
  const minLoginMinutes = numberSetting(
    'minimum time between logins (min)',
    settings.minLoginMinutes,
    DEFAULT_MIN_LOGIN_MINUTES,
    0,
    24 * 60,
  );
  const loginBudget = numberSetting(
    'login budget (logins per 24 hours)',
    settings.loginBudget,
    DEFAULT_LOGIN_BUDGET,
    1,
    MAX_LOGIN_BUDGET,
  );
  const keepAliveMinutes = numberSetting(
    'keep-alive interval (min)',
    settings.keepAliveMinutes,
    DEFAULT_KEEP_ALIVE_MINUTES,
    0,
    120,
  );
  return {
    serviceUrl: urlSetting(settings.serviceUrl, DEFAULT_SERVICE_URL),
    loginUrl: urlSetting(settings.loginUrl, DEFAULT_LOGIN_URL),
    username,
    password,
    timeoutMs: Math.round(timeoutS * 1000),
    minLoginIntervalMs: Math.round(minLoginMinutes * 60_000),
    loginBudget: Math.floor(loginBudget),
    keepAliveMs: Math.round(keepAliveMinutes * 60_000),
  };
}

/** Codes that concern the whole account, so every node using it shows them. */
export const ACCOUNT_ERROR_CODES: readonly ElicznikErrorCode[] = [
  'WRONG_CREDENTIALS',
  'ACCOUNT_BLOCKED',
  'RATE_LIMITED',
  'LOGIN_BUDGET',
];

/**
 * HTTP status for an error code in an admin API answer. Wrong credentials are 422, not 401: the
 * editor takes a 401 as its own login having expired.
 */
export function httpStatusOf(code: string): number {
  switch (code) {
    case 'BAD_INPUT':
      return 400;
    case 'WRONG_CREDENTIALS':
      return 422;
    case 'ACCOUNT_BLOCKED':
      return 423;
    case 'RATE_LIMITED':
    case 'LOGIN_BUDGET':
      return 429;
    case 'SERVICE_CHANGED':
      return 502;
    case 'SERVICE_UNAVAILABLE':
      return 503;
    default:
      return 500;
  }
}

/** Replaces every occurrence of the given secrets in a text. */
export function withoutSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** Where the accounts' login ledgers live: `<userDir>/elicznik`, or memory when there is no userDir. */
export function stateDirOf(userDir: unknown): string | undefined {
  return typeof userDir === 'string' && userDir ? path.join(userDir, 'elicznik') : undefined;
}

/** The dump folder of a setting: absolute, or relative to the user directory; null when empty. */
export function dumpDirOf(setting: unknown, userDir: unknown): string | null {
  const dir = typeof setting === 'string' ? setting.trim() : '';
  if (!dir) return null;
  if (path.isAbsolute(dir)) return dir;
  return path.resolve(typeof userDir === 'string' && userDir ? userDir : process.cwd(), dir);
}
