/**
 * `elicznik-settlement`: settles balanced hours with the net-metering energy bank or the
 * net-billing deposit and sends statements per hour, day or month. The state is kept in the node
 * context store the user picks, so it survives restarts and redeploys when that store persists.
 *
 * Input: the balance (or fetch) node's output, a list of hour records, or one completed hour.
 * `msg.prices` adds market prices (net-billing). `msg.command` `reset` clears the state;
 * `rebuild` clears it and settles `msg.payload` (a history range) from scratch.
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, NodeStatus } from 'node-red';
import { isElicznikError } from '../../src/errors';
import { SettlementError, badInput } from '../../src/settlement/errors';
import { RceClient, priceBookFromMessage, priceBookOf } from '../../src/settlement/rce';
import { Settlement, recordsOf, type Period, type SavedSettlement } from '../../src/settlement/settlement';
import { SerialInput, type Send } from '../shared/serial-input';
import {
  nodeSettingsOf,
  storePersists,
  type ContextStorage,
  type NodeSettings,
  type SettlementDef,
} from './settings';

/** The context key of the saved state. */
const STATE_KEY = 'settlement';

/** Control commands (`msg.command`). */
type Command = 'reset' | 'rebuild';

/** The command of a message, or undefined for ordinary hours. @throws BAD_INPUT for an unknown one */
function commandOf(msg: { command?: unknown }): Command | undefined {
  if (msg.command === undefined || msg.command === null || msg.command === '') return undefined;
  if (msg.command === 'reset' || msg.command === 'rebuild') return msg.command;
  throw badInput(`msg.command must be "reset" or "rebuild", got ${JSON.stringify(msg.command)}`);
}

export = function (RED: NodeAPI) {
  function ElicznikSettlementNode(this: Node, def: NodeDef & SettlementDef) {
    RED.nodes.createNode(this, def);
    setUp(this, def);
  }

  function setUp(node: Node, def: SettlementDef) {
    const t = (key: string, params?: Record<string, string | number>) =>
      RED._(`elicznik-settlement.${key}`, params);
    let settings: NodeSettings | undefined;
    let settingsError: Error | undefined;
    try {
      settings = nodeSettingsOf(def);
    } catch (err) {
      settingsError = err as Error;
    }
    const store = def.store || undefined;
    const persistent = storePersists(
      (RED.settings as unknown as { contextStorage?: ContextStorage }).contextStorage,
      def.store ?? '',
    );
    const context = node.context();
    let rce: RceClient | undefined;
    let settlement: Settlement | undefined;

    const setStatus = (status: NodeStatus) => node.status(status);

    function statusOf(s: Settlement, open?: Period | null): NodeStatus {
      const sum = s.summary(open);
      const through = sum.settledThrough ? sum.settledThrough.slice(5, 10) : '–';
      const text =
        sum.system === 'net-metering'
          ? t('status.bank', { kwh: (sum.bankKwh ?? 0).toFixed(1), through })
          : t('status.deposit', { pln: (sum.depositPln ?? 0).toFixed(2), through });
      const waiting = s.waiting;
      if (waiting) {
        const why = t('status.waiting', { month: waiting.month, hours: waiting.hours });
        return { fill: 'yellow', shape: 'ring', text: `${text} · ${why}` };
      }
      return {
        fill: persistent ? 'green' : 'yellow',
        shape: 'dot',
        text: persistent ? text : `${text} · ${t('status.memoryOnly')}`,
      };
    }

    function load(): Promise<Settlement> {
      return new Promise((resolve, reject) => {
        if (!settings) {
          reject(settingsError);
          return;
        }
        const ready = settings;
        context.get(STATE_KEY, store as string, (err: Error | undefined, saved: unknown) => {
          if (err) {
            reject(new SettlementError('BAD_INPUT', `The context store could not be read: ${err.message}`));
            return;
          }
          try {
            const s = new Settlement(ready, (saved as SavedSettlement | undefined) ?? null);
            if (s.discarded) node.warn(t('warn.discarded'));
            resolve(s);
          } catch (e) {
            node.warn(t('warn.unreadable', { message: (e as Error).message }));
            resolve(new Settlement(ready, null));
          }
        });
      });
    }

    function save(s: Settlement): Promise<void> {
      return new Promise((resolve, reject) => {
        context.set(STATE_KEY, s.toJSON(), store as string, (err?: Error) => (err ? reject(err) : resolve()));
      });
    }

    const loading = load().then(
      (s) => {
        settlement = s;
        setStatus(statusOf(s));
        return s;
      },
      (err: Error) => {
        setStatus({ fill: 'red', shape: 'ring', text: t('status.settings') });
        throw err;
      },
    );
    loading.catch(() => undefined);

    /** Fetches hourly RCE from the PSE URL for the hours about to be settled (net-billing). */
    async function fetchPrices(s: Settlement, records: ReturnType<typeof recordsOf>): Promise<void> {
      if (!settings || settings.system !== 'net-billing' || settings.rceSource !== 'url') return;
      const todo = s.hoursNeedingRce(records);
      if (todo.length === 0) return;
      rce ??= new RceClient({ url: settings.rceUrl, negativePrices: settings.negativePrices });
      setStatus({ fill: 'blue', shape: 'dot', text: t('status.prices') });
      const prices = await rce.pricesFor(todo);
      s.addPrices(priceBookOf(prices.hours));
    }

    let statusTimer: NodeJS.Timeout | undefined;

    async function handle(msg: NodeMessageInFlow, send: Send): Promise<void> {
      await loading;
      // The settlement in use: the one loaded at start, or the one a reset or rebuild made since.
      let s = settlement!;
      const command = commandOf(msg as { command?: unknown });
      if (command === 'reset' || command === 'rebuild') {
        const before = s;
        s = new Settlement(settings!, null);
        // Market prices are not the bank or deposit: RCEm tables that came in messages are kept.
        if (s.system === 'net-billing' && Object.keys(before.rcem).length > 0) {
          s.addPrices({ monthly: { ...before.rcem } });
        }
        if (command === 'reset') {
          await save(s);
          settlement = s;
          setStatus(statusOf(s));
          msg.payload = { command, statements: [], ...s.summary() };
          send(msg);
          return;
        }
      }
      const prices = (msg as { prices?: unknown }).prices;
      if (prices !== undefined) {
        if (s.system !== 'net-billing') throw badInput('msg.prices is only used by net-billing');
        s.addPrices(
          priceBookFromMessage(
            prices,
            settings!.system === 'net-billing' ? settings!.negativePrices : undefined,
          ),
        );
      }
      const hasHours = msg.payload !== undefined && msg.payload !== null && msg.payload !== '';
      const records = hasHours ? recordsOf(msg.payload) : [];
      if (records.length === 0 && prices === undefined && command !== 'rebuild') {
        throw badInput('msg.payload has no hours to settle');
      }
      await fetchPrices(s, records);
      setStatus({ fill: 'blue', shape: 'dot', text: t('status.settling') });
      const outcome = s.settle(records);
      // An hour that could not be settled: with none settled before it nothing has changed.
      if (outcome.error && outcome.settled === 0) throw outcome.error;
      const open = s.preview();
      await save(s);
      settlement = s;
      setStatus(statusOf(s, open));
      const report = s.report(settings!.output, outcome, open, command);
      if (outcome.error) {
        // What was settled before it is kept and sent (marked with the error); the error then goes
        // to done, so a Catch node gets it with the message that came in.
        send({ ...msg, payload: report });
        throw outcome.error;
      }
      msg.payload = report;
      send(msg);
    }

    // Messages are handled one after another, so the state is never settled twice at once.
    new SerialInput(node, handle, {
      onError: (err) => {
        const code = isElicznikError(err) ? err.code : undefined;
        setStatus({ fill: 'red', shape: 'ring', text: code ? t(`reason.${code}`) : t('status.error') });
        clearTimeout(statusTimer);
        statusTimer = setTimeout(() => settlement && setStatus(statusOf(settlement)), 10_000);
      },
    });

    node.on('close', () => {
      clearTimeout(statusTimer);
      rce?.close();
    });
  }

  RED.nodes.registerType('elicznik-settlement', ElicznikSettlementNode);
};
