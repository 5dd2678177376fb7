/**
 * `elicznik-config`: one TAURON eLicznik account and meter point. Holds a lease on the account's
 * process-wide session (opened on first use, given back on close), shows account problems on the
 * status of every node that uses it, and serves the dialog's meter point list.
 */
import type { NodeAPI, NodeDef, Node } from 'node-red';
import { ServiceUnavailableError, type ElicznikErrorCode } from '../../src/errors';
import type { AccountState } from '../../src/session/account-session';
import { sessionPool, type SessionLease } from '../../src/session/pool';
import {
  ACCOUNT_ERROR_CODES,
  accountOptions,
  dumpDirOf,
  stateDirOf,
  type AccountCredentials,
  type AccountSettings,
  type AccountUser,
  type ElicznikAccountNode,
} from './account';
import { meterPointsAnswer } from './meter-points';

interface ConfigDef extends NodeDef {
  meterPoint?: string;
  meterPointLabel?: string;
  serviceUrl?: string;
  loginUrl?: string;
  timeout?: string | number;
  minLoginMinutes?: string | number;
  loginBudget?: string | number;
  keepAliveMinutes?: string | number;
  dumpDir?: string;
}

type ConfigNode = ElicznikAccountNode & Node<AccountCredentials> & { settings: AccountSettings };

export = function (RED: NodeAPI) {
  const userDir = (RED.settings as { userDir?: unknown }).userDir;
  sessionPool.useStateDir(stateDirOf(userDir));

  function ElicznikConfigNode(this: ConfigNode, def: ConfigDef) {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: ConfigNode, def: ConfigDef) {
    const users = new Set<AccountUser>();
    let lease: SessionLease | undefined;
    let stopListening: (() => void) | undefined;
    let problem: ElicznikErrorCode | null = null;

    Object.defineProperty(node, 'meterPoint', { value: (def.meterPoint ?? '').trim(), enumerable: true });
    Object.defineProperty(node, 'meterPointLabel', { value: def.meterPointLabel ?? '', enumerable: true });
    Object.defineProperty(node, 'dumpDir', { value: dumpDirOf(def.dumpDir, userDir), enumerable: true });
    node.settings = {
      serviceUrl: def.serviceUrl,
      loginUrl: def.loginUrl,
      timeout: def.timeout,
      minLoginMinutes: def.minLoginMinutes,
      loginBudget: def.loginBudget,
      keepAliveMinutes: def.keepAliveMinutes,
    };

    const showState = (state: AccountState) => {
      if (!state.ok && ACCOUNT_ERROR_CODES.includes(state.error.code)) {
        problem = state.error.code;
        for (const user of users) user.showAccountProblem(problem);
      } else if (state.ok && problem) {
        problem = null;
        for (const user of users) user.showAccountProblem(null);
      }
    };

    let closed = false;
    node.session = () => {
      if (closed) {
        throw new ServiceUnavailableError('The eLicznik configuration node has been stopped (redeployed).', {
          step: 'closed',
        });
      }
      if (!lease) {
        lease = sessionPool.acquire({
          ...accountOptions(node.settings, node.credentials ?? {}),
          recordExchanges: node.dumpDir !== null,
        });
        stopListening = lease.session.onState(showState);
      }
      return lease.session;
    };
    node.loginReport = () => sessionPool.loginReport(accountOptions(node.settings, node.credentials ?? {}));
    node.dump = async (error: unknown, sinceMs: number) => {
      const recorder = lease?.session.recorder;
      if (!node.dumpDir || !recorder) return null;
      const exchanges = recorder.since(sinceMs);
      if (exchanges.length === 0) return null;
      const credentials = node.credentials ?? {};
      // Loaded here: the dump writer needs the HTML parser, which only a failing fetch should load.
      const { writeDump } =
        require('../../src/diagnostics/dump') as typeof import('../../src/diagnostics/dump');
      return writeDump(node.dumpDir, {
        error,
        exchanges,
        known: { username: credentials.username, password: credentials.password },
      });
    };
    node.addUser = (user: AccountUser) => {
      users.add(user);
      if (problem) user.showAccountProblem(problem);
    };
    node.removeUser = (user: AccountUser) => {
      users.delete(user);
    };

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      stopListening?.();
      stopListening = undefined;
      users.clear();
      const held = lease;
      lease = undefined;
      if (!held) {
        done();
        return;
      }
      held.release().then(
        () => done(),
        (err: unknown) => {
          node.warn(err instanceof Error ? err.message : String(err));
          done();
        },
      );
    });
  }

  RED.nodes.registerType(
    'elicznik-config',
    ElicznikConfigNode as unknown as (this: Node, def: NodeDef) => void,
    {
      credentials: {
        username: { type: 'text' },
        password: { type: 'password' },
      },
    },
  );

  RED.httpAdmin.post(
    '/elicznik-config/meter-points',
    RED.auth.needsPermission('elicznik-config.write'),
    (req, res) => {
      meterPointsAnswer(req.body, {
        acquire: (options) => sessionPool.acquire(options),
        deployed: (id) => {
          const found = RED.nodes.getNode(id) as ConfigNode | null;
          if (!found || found.type !== 'elicznik-config') return undefined;
          return { settings: found.settings, credentials: found.credentials ?? {} };
        },
        env: (name, id) => {
          const found = RED.nodes.getNode(id);
          const value: unknown = RED.util.getSetting(
            (found?.type === 'elicznik-config' ? found : null) as Node,
            name,
          );
          return value === undefined || value === null ? undefined : String(value);
        },
      }).then(
        (answer) => res.status(answer.status).json(answer.body),
        () => res.status(500).json({ code: 'INTERNAL_ERROR', message: 'The meter point list failed.' }),
      );
    },
  );
};
