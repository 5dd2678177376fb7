/**
 * What the `elicznik` command keeps between runs, so that runs from cron or a shell loop spend
 * logins like the Node-RED nodes do: the account's login ledger (logins of the last 24 hours,
 * a block, a rejected password, the session cookie encrypted with the password) in one file per
 * account, readable only by the user.
 *
 * Where: `--session-file PATH` when given; else `$ELICZNIK_CACHE_DIR`, `$XDG_CACHE_HOME/elicznik`
 * or `$HOME/.cache/elicznik` (the first that is set), one `account-<hash>.json` per account; with
 * none of them set the ledger lives only as long as the run.
 */
import path from 'node:path';
import {
  LoginLedger,
  fileLedgerStore,
  ledgerFileName,
  ledgerHooks,
  memoryLedgerStore,
  type LedgerHooks,
  type LoginPolicy,
} from '../session/login-ledger';
import { accountId } from '../session/pool';

/** The environment variables this module reads. */
export type StateEnv = Readonly<Record<string, string | undefined>>;

/** The folder for account files, or undefined when the environment names none. */
export function cliStateDir(env: StateEnv): string | undefined {
  if (env.ELICZNIK_CACHE_DIR) return path.resolve(env.ELICZNIK_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), 'elicznik');
  if (env.HOME) return path.join(path.resolve(env.HOME), '.cache', 'elicznik');
  return undefined;
}

/** The account and how its logins are kept. */
export interface CliStateOptions {
  serviceUrl: string;
  loginUrl: string;
  username: string;
  password: string;
  policy: LoginPolicy;
  /** `--session-file`: this file instead of the cache folder. */
  file?: string;
  /** False with `--no-session-cache`: logins are still counted, the session is not kept. */
  keepSession: boolean;
  /** Debug lines. */
  log?: (line: string) => void;
}

/** The ledger of the run's account and the client hooks that use it. */
export interface CliState {
  ledger: LoginLedger;
  hooks: LedgerHooks;
  /** The file, or undefined when nothing is kept. */
  file: string | undefined;
}

/** Opens the account's ledger for a run. */
export function cliState(options: CliStateOptions, env: StateEnv, now: () => number = Date.now): CliState {
  const account = accountId(options);
  const dir = cliStateDir(env);
  const file = options.file
    ? path.resolve(options.file)
    : dir
      ? path.join(dir, ledgerFileName(account))
      : undefined;
  const ledger = new LoginLedger(file ? fileLedgerStore(file) : memoryLedgerStore(), account, now);
  const hooks = ledgerHooks(ledger, options.password, options.policy, {
    keepSession: options.keepSession,
    ...(options.log ? { warn: options.log } : {}),
  });
  return { ledger, hooks, file };
}
