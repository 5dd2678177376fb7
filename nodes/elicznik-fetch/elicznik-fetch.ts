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
import { firstOfYear, rangeLabel, type DateRange } from '../../src/energy/ranges';
import { addLocalDays, todayLocal } from '../../src/energy/time';
import type { AccountSession } from '../../src/session/account-session';
import type { AccountUser, ElicznikAccountNode } from '../elicznik-config/account';
import {
  figureOfHours,
  figureOfRegisters,
  figureOfSummary,
  hoursPayload,
  gapOf,
  newestCompleteDay,
  registersPayload,
  summaryPayload,
} from './output';
import {
  resolveFetchRequest,
  UnreadableSetting,
  type FetchOverrides,
  type FetchRequest,
  type FetchSettings,
} from './request';
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

/** How many days back the summary looks for the newest complete day. */
const SUMMARY_LOOKBACK_DAYS = 7;

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
    const account = def.account ? (RED.nodes.getNode(def.account) as ElicznikAccountNode | null) : null;
    const user: AccountUser = {
      showAccountProblem: (code) => node.status(code ? errorStatus(code) : {}),
    };
    if (account) account.addUser(user);
    else node.status(errorStatus('NO_ACCOUNT'));

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

    async function fetchHours(
      session: AccountSession,
      meterPoint: string,
      range: DateRange,
      request: FetchRequest,
      today: string,
    ) {
      const label = rangeLabel(range);
      const result = await session.hours(
        { meterPoint, from: range.from, to: range.to, series: request.series },
        today,
        showProgress(label),
      );
      return hoursPayload(meterPoint, range, request.series, result.records);
    }

    /** Days fetched so far in the status while a long fetch runs. */
    function showProgress(label: string) {
      return (p: HourlyProgress) => {
        if (p.doneDays < p.totalDays) node.status(progressStatus(t, label, p.doneDays, p.totalDays));
      };
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
      const now = () => Date.now();

      if (request.output === 'summary') {
        node.status(fetchingStatus(t, t('elicznik-fetch.status.summary')));
        const yesterday = addLocalDays(today, -1);
        const look = await session.hours(
          { meterPoint, from: addLocalDays(yesterday, 1 - SUMMARY_LOOKBACK_DAYS), to: yesterday, series },
          today,
        );
        const day = newestCompleteDay(look.records, series) ?? yesterday;
        const year = await session.hours(
          { meterPoint, from: firstOfYear(day), to: day, series },
          today,
          showProgress(t('elicznik-fetch.status.summary')),
        );
        const payload = summaryPayload(meterPoint, day, series, year.records);
        msg.payload = payload;
        const gap = payload.daily.complete ? gapOf(year.records, series) : gapOf(look.records, series);
        send(msg);
        return gap
          ? partialStatus(t, now(), gap)
          : doneStatus(t, now(), figureOfSummary(payload.daily, series));
      }

      const range = request.range as DateRange;
      node.status(fetchingStatus(t, rangeLabel(range)));

      if (request.output === 'registers') {
        const readings = await session.registers({ meterPoint, from: range.from, to: range.to });
        const payload = registersPayload(meterPoint, range, readings);
        msg.payload = payload;
        send(msg);
        return payload.complete
          ? doneStatus(t, now(), figureOfRegisters(payload.latest))
          : partialStatus(t, now(), { label: range.to, allEmpty: true, hours: 0 });
      }

      const payload = await fetchHours(session, meterPoint, range, request, today);
      const gap = gapOf(payload.hours, series);
      const status = gap
        ? partialStatus(t, now(), gap)
        : doneStatus(t, now(), figureOfHours(payload.hours, series));
      if (request.output === 'hours') {
        msg.payload = payload;
        send(msg);
        return status;
      }
      if (request.output === 'influx') {
        msg.payload = influxPoints(payload.hours, {
          measurement: request.measurement,
          meterPoint: payload.meterPoint,
        });
        (msg as NodeMessage & { precision?: string }).precision = INFLUX_PRECISION;
        send(msg);
        return status;
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
      return status;
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

    async function handle(msg: NodeMessageInFlow, send: Send, done: Done) {
      const started = Date.now();
      try {
        if (!account) {
          node.status(errorStatus('NO_ACCOUNT'));
          done(new BadInputError(NO_ACCOUNT_MESSAGE, { step: 'config' }));
          return;
        }
        if ((msg as { command?: unknown }).command === 'login-budget') {
          const report = await account.loginReport();
          msg.topic = 'login-budget';
          msg.payload = report;
          node.status(budgetStatus(t, report, Date.now()));
          send(msg);
          done();
          return;
        }
        const today = todayLocal(Date.now());
        const request = resolveFetchRequest(await settingsFor(msg), msg as FetchOverrides, today);
        const status = await run(msg, send, today, request, account);
        node.status(withBudget(t, status, await reportOf(account)));
        done();
      } catch (err) {
        const code = isElicznikError(err) ? err.code : undefined;
        const until = isElicznikError(err) ? err.retryAfter : undefined;
        node.status(waitStatus(t, code, until, Date.now()) ?? errorStatus(code));
        if (account) await dumpFailure(account, err, started);
        done(err instanceof Error ? err : new Error(String(err)));
      }
    }

    node.on('input', (msg, send, done) => {
      void handle(msg, send, done);
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      account?.removeUser(user);
      done();
    });
  }

  RED.nodes.registerType(
    'elicznik-fetch',
    ElicznikFetchNode as unknown as (this: Node, def: NodeDef) => void,
  );
};
