/**
 * The configuration dialog's "list meter points" request: logs in with the typed credentials (or
 * the stored ones of a deployed node) through the shared session registry and answers the
 * account's meter points. Kept apart from Node-RED so it can be tested on its own.
 */
import { isElicznikError } from '../../src/errors';
import type { MeterPointInfo } from '../../src/session/account-session';
import type { AccountOptions, SessionLease } from '../../src/session/pool';
import {
  DEFAULT_LOGIN_URL,
  DEFAULT_SERVICE_URL,
  accountOptions,
  envReference,
  httpStatusOf,
  withoutSecrets,
  type AccountCredentials,
  type AccountSettings,
} from './account';

/** What the editor sends instead of a password that is stored and unchanged. */
export const PASSWORD_PLACEHOLDER = '__PWRD__';

/** A deployed config node as the endpoint sees it. */
export interface DeployedAccount {
  settings: AccountSettings;
  credentials: AccountCredentials;
}

/** What the request needs from its surroundings. */
export interface MeterPointsDeps {
  /** Takes a lease on the account's session. */
  acquire(options: AccountOptions): SessionLease;
  /** The deployed config node with this id, if there is one. */
  deployed(id: string): DeployedAccount | undefined;
  /**
   * The environment variable `name` as a `${name}` credential of config node `id` reads it when
   * deployed; undefined when it is not set.
   */
  env(name: string, id: string): string | undefined;
}

/** An answer: HTTP status and JSON body. */
export interface ApiAnswer {
  status: number;
  body: { meterPoints: MeterPointInfo[] } | { code: string; message: string };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function sameUrl(a: unknown, b: unknown, fallback: string): boolean {
  const norm = (v: unknown) => (text(v).trim() || fallback).replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

function badInput(message: string): ApiAnswer {
  return { status: 400, body: { code: 'BAD_INPUT', message } };
}

/**
 * Answers a meter point request.
 *
 * Body: `id` (the config node), `username`, `password` (typed, or the editor's placeholder for a
 * stored one), `serviceUrl`, `loginUrl`, `timeout` (s), `minLoginMinutes`. An empty field is
 * empty, as a deploy would store it. A stored password is used only with the deployed node's
 * addresses, so it can never be sent to a host typed into an undeployed dialog; the same holds for
 * a whole `${NAME}` value, read from the environment as the deployed node reads it, which is also
 * read for TAURON's own addresses. The answer never contains the password.
 */
export async function meterPointsAnswer(body: unknown, deps: MeterPointsDeps): Promise<ApiAnswer> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const id = text(b.id);
  const deployed = id ? deps.deployed(id) : undefined;
  const atDeployed =
    deployed !== undefined &&
    sameUrl(b.serviceUrl, deployed.settings.serviceUrl, DEFAULT_SERVICE_URL) &&
    sameUrl(b.loginUrl, deployed.settings.loginUrl, DEFAULT_LOGIN_URL);
  const atTauron =
    sameUrl(b.serviceUrl, DEFAULT_SERVICE_URL, DEFAULT_SERVICE_URL) &&
    sameUrl(b.loginUrl, DEFAULT_LOGIN_URL, DEFAULT_LOGIN_URL);
  let settings: AccountSettings;
  let credentials: AccountCredentials;
  if (text(b.password) === PASSWORD_PLACEHOLDER) {
    if (!deployed?.credentials.password) {
      return badInput(
        'Type the password. A stored password can be used only after the configuration has been deployed.',
      );
    }
    if (!atDeployed) {
      return badInput(
        'The eLicznik or login address differs from the deployed one. Deploy the change first, or type the password again.',
      );
    }
    settings = deployed.settings;
    credentials = { username: text(b.username), password: deployed.credentials.password };
  } else {
    settings = b;
    credentials = { username: text(b.username), password: text(b.password) };
  }
  for (const field of ['username', 'password'] as const) {
    const name = envReference(credentials[field] ?? '');
    if (name === null) continue;
    if (!atDeployed && !atTauron) {
      return badInput(
        `The ${field === 'username' ? 'e-mail' : 'password'} is read from the environment variable ${name}, which is used only with TAURON's addresses or the deployed ones. Deploy the configuration first, or type the value.`,
      );
    }
    // not set: the reference stays, and accountOptions says so
    credentials[field] = deps.env(name, id) ?? credentials[field];
  }
  let lease: SessionLease | undefined;
  try {
    const options = accountOptions(settings, credentials);
    lease = deps.acquire({ ...options, retryRejectedPassword: true });
    const meterPoints = await lease.session.meterPoints();
    return { status: 200, body: { meterPoints } };
  } catch (err) {
    const secrets = [credentials.password];
    if (isElicznikError(err)) {
      return {
        status: httpStatusOf(err.code),
        body: { code: err.code, message: withoutSecrets(err.message, secrets) },
      };
    }
    const message = err instanceof Error ? err.message : String(err);
    return { status: 500, body: { code: 'INTERNAL_ERROR', message: withoutSecrets(message, secrets) } };
  } finally {
    await lease?.release();
  }
}
