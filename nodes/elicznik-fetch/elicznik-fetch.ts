/**
 * `elicznik-fetch`: any input message fetches eLicznik data for the configured account and meter
 * point and sends it on in the chosen shape. Settings can be overridden per message (see
 * `request.ts`); identical fetches in flight are joined and complete past days come from the
 * account's cache (`src/session`).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';
import { BadInputError, isElicznikError } from '../../src/errors';
import type { HourlyProgress } from '../../src/client/client';
import type { EnergySeries } from '../../src/client/series';
import { INFLUX_PRECISION, influxPoints } from '../../src/energy/influx';
import { rangeLabel, type DateRange } from '../../src/energy/ranges';
import { todayLocal } from '../../src/energy/time';
import { fetchHours, fetchRegisters, fetchSummary, type Fetched } from '../../src/fetch/fetch';
import {
  resolveFetchRequest,
  UnreadableSetting,
  type FetchOverrides,
  type FetchRequest,
  type FetchSettings,
} from '../../src/fetch/request';
import type { AccountUser, ElicznikAccountNode } from '../elicznik-config/account';
import {
  budgetStatus,
  doneStatus,
  errorStatus,
  fetchingStatus,
  partialStatus,
  progressStatus,
  waitStatus,
  withBudget,
  type Translate,
} from './status';

interface FetchDef extends NodeDef {
  account?: string;
  range?: string;
  day?: string;
  dayType?: string;
  days?: string;
  daysType?: string;
  from?: string;
  fromType?: string;
  to?: string;
  toType?: string;
  ecp?: boolean;
  eco?: boolean;
  tauronEcbp?: boolean;
  tauronEcbo?: boolean;
  output?: string;
  measurement?: string;
}

type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (err?: Error) => void;

const NO_ACCOUNT_MESSAGE = 'No eLicznik account is set in this node (or its configuration node is missing).';

function seriesOf(def: FetchDef): EnergySeries[] {
  const ticked = (['ecp', 'eco', 'tauronEcbp', 'tauronEcbo'] as const).filter((s) => def[s] === true);
  return ticked.length > 0 || [def.ecp, def.eco, def.tauronEcbp, def.tauronEcbo].some((v) => v === false)
    ? ticked
    : ['ecp', 'eco'];
}

export = function (RED: NodeAPI) {
  function ElicznikFetchNode(this: Node, def: FetchDef) {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: FetchDef) {
    const t: Translate = (key, params) => RED._(key, params);
    // Set on close: a fetch still running then (a redeploy) ends without a status or a message, so
    // it cannot overwrite the status of the node that replaced this one (the same id) or send for
    // it; the input is still done, and an error still goes to done (Catch nodes).
    let closed = false;
    const setStatus = (status: NodeStatus) => {
      if (!closed) node.status(status);
    };
    const account = def.account ? (RED.nodes.getNode(def.account) as ElicznikAccountNode | null) : null;
    const user: AccountUser = {
      showAccountProblem: (code) => setStatus(code ? errorStatus(code) : {}),
    };
    if (account) account.addUser(user);
    else setStatus(errorStatus('NO_ACCOUNT'));

    const evaluate = (name: string, value: string | undefined, type: string | undefined, msg: NodeMessage) =>
      new Promise<unknown>((resolve) => {
        if (value === undefined || value === '') {
          resolve(undefined);
          return;
        }
        RED.util.evaluateNodeProperty(value, type || 'str', node, msg, (err, result) => {
          resolve(
            err ? new UnreadableSetting(`The ${name} setting could not be read: ${err.message}`) : result,
          );
        });
      });

    async function settingsFor(msg: NodeMessage): Promise<FetchSettings> {
      const [day, days, from, to] = await Promise.all([
        evaluate('day', def.day, def.dayType, msg),
        evaluate('days', def.days, def.daysType, msg),
        evaluate('from', def.from, def.fromType, msg),
        evaluate('to', def.to, def.toType, msg),
      ]);
      return {
        range: def.range || 'yesterday',
        day,
        days,
        from,
        to,
        series: seriesOf(def),
        output: def.output || 'hours',
        measurement: def.measurement,
      };
    }

    /** Days fetched so far in the status while a long fetch runs. */
    function showProgress(label: string) {
      return (p: HourlyProgress) => {
        if (p.doneDays < p.totalDays) setStatus(progressStatus(t, label, p.doneDays, p.totalDays));
      };
    }

    /** Green with the figure, or yellow with what is missing. */
    function statusOf(fetched: Fetched<unknown>): NodeStatus {
      const now = Date.now();
      return fetched.gap ? partialStatus(t, now, fetched.gap) : doneStatus(t, now, fetched.figure);
    }

    async function run(
      msg: NodeMessageInFlow,
      send: Send,
      today: string,
      request: FetchRequest,
      acc: ElicznikAccountNode,
    ): Promise<NodeStatus> {
      const session = acc.session();
      const { series } = request;
      const meterPoint = acc.meterPoint;

      if (request.output === 'summary') {
        const label = t('elicznik-fetch.status.summary');
        setStatus(fetchingStatus(t, label));
        const summary = await fetchSummary(session, meterPoint, series, today, showProgress(label));
        msg.payload = summary.payload;
        send(msg);
        return statusOf(summary);
      }

      const range = request.range as DateRange;
      const label = rangeLabel(range);
      setStatus(fetchingStatus(t, label));

      if (request.output === 'registers') {
        const registers = await fetchRegisters(session, meterPoint, range);
        msg.payload = registers.payload;
        send(msg);
        return statusOf(registers);
      }

      const fetched = await fetchHours(session, meterPoint, range, series, today, showProgress(label));
      const payload = fetched.payload;
      if (request.output === 'hours') {
        msg.payload = payload;
        send(msg);
        return statusOf(fetched);
      }
      if (request.output === 'influx') {
        msg.payload = influxPoints(payload.hours, {
          measurement: request.measurement,
          meterPoint: payload.meterPoint,
        });
        (msg as NodeMessage & { precision?: string }).precision = INFLUX_PRECISION;
        send(msg);
        return statusOf(fetched);
      }
      const topic = typeof msg.topic === 'string' && msg.topic ? msg.topic : `elicznik/${payload.meterPoint}`;
      const count = payload.hours.length;
      const messages = payload.hours.map((hour, index) => {
        const out = RED.util.cloneMessage(msg) as NodeMessageInFlow & Record<string, unknown>;
        const parts: Record<string, unknown> = { id: msg._msgid, index, count, type: 'array', len: 1 };
        if (msg.parts) parts.parts = msg.parts;
        out.payload = hour;
        out.topic = topic;
        out.timestamp = Date.parse(hour.hourStart);
        out.parts = parts as unknown as NodeMessageInFlow['parts'];
        return out;
      });
      send([messages]);
      return statusOf(fetched);
    }

    /** The account's login report, or undefined when it cannot be read (the status then goes without it). */
    async function reportOf(acc: ElicznikAccountNode) {
      try {
        return await acc.loginReport();
      } catch {
        return undefined;
      }
    }

    /** Writes a dump of the failed call when the account has a dump folder; never fails. */
    async function dumpFailure(acc: ElicznikAccountNode, err: unknown, sinceMs: number) {
      if (!acc.dumpDir || !isElicznikError(err) || err.code === 'BAD_INPUT') return;
      try {
        const folder = await acc.dump(err, sinceMs);
        if (folder)
          node.warn(`eLicznik: the answers of the failed request are in ${folder} (secrets removed)`);
      } catch (dumpErr) {
        node.warn(`eLicznik: the dump could not be written: ${(dumpErr as Error).message}`);
      }
    }

    /**
     * Settled when the trigger before the latest one has sent its output (or its error): each
     * trigger's fetch starts at once (identical ones join), but what it sends waits for its turn,
     * so outputs leave in the order the triggers came, also one served from the cache at once.
     */
    let previousTurn: Promise<void> = Promise.resolve();

    async function handle(msg: NodeMessageInFlow, sendOut: Send, done: Done) {
      const started = Date.now();
      if (account && (msg as { command?: unknown }).command === 'login-budget') {
        // fetches nothing, so it answers at once
        try {
          const report = await account.loginReport();
          msg.topic = 'login-budget';
          msg.payload = report;
          setStatus(budgetStatus(t, report, Date.now()));
          if (!closed) sendOut(msg);
          done();
        } catch (err) {
          done(err instanceof Error ? err : new Error(String(err)));
        }
        return;
      }
      const turn = previousTurn;
      let endTurn!: () => void;
      previousTurn = new Promise((resolve) => (endTurn = resolve));
      const outbox: Parameters<Send>[0][] = [];
      const send: Send = (out) => outbox.push(out);
      let finish: () => void;
      try {
        if (!account) throw new BadInputError(NO_ACCOUNT_MESSAGE, { step: 'config' });
        const today = todayLocal(Date.now());
        const request = resolveFetchRequest(await settingsFor(msg), msg as FetchOverrides, today);
        const status = await run(msg, send, today, request, account);
        const report = await reportOf(account);
        finish = () => {
          for (const out of outbox) if (!closed) sendOut(out);
          setStatus(withBudget(t, status, report));
          done();
        };
      } catch (err) {
        const code = isElicznikError(err) ? err.code : undefined;
        const until = isElicznikError(err) ? err.retryAfter : undefined;
        if (account) await dumpFailure(account, err, started);
        finish = () => {
          setStatus(
            account
              ? (waitStatus(t, code, until, Date.now()) ?? errorStatus(code))
              : errorStatus('NO_ACCOUNT'),
          );
          done(err instanceof Error ? err : new Error(String(err)));
        };
      }
      try {
        await turn;
        finish();
      } finally {
        endTurn();
      }
    }

    node.on('input', (msg, send, done) => {
      void handle(msg, send, done);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      account?.removeUser(user);
      done();
    });
  }

  RED.nodes.registerType(
    'elicznik-fetch',
    ElicznikFetchNode as unknown as (this: Node, def: NodeDef) => void,
  );
};
