/**
 * `elicznik-balance`: hourly balancing (ECBP, ECBO, autoconsumption) of hour records from the
 * fetch node or any source (history mode), and the running balance of the current clock hour from
 * a local meter with a surplus signal for heaters and boilers (live mode). All arithmetic lives in
 * `src/energy/balance.ts`, `src/energy/check.ts` and `src/energy/live.ts`; this file reads settings and messages, keeps
 * the live state in the chosen context store and sends.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { balanceHours, normaliseHours } from '../../src/energy/balance';
import { compareWithTauron } from '../../src/energy/check';
import { DEFAULT_MEASUREMENT, INFLUX_PRECISION, influxPoints, measurementOf } from '../../src/energy/influx';
import { loadKeptState, saveKeptState } from '../shared/kept-state';
import { SerialInput, errorStatus, type Done, type Send } from '../shared/serial-input';
import { StatusThrottle } from '../shared/status-throttle';
import {
  historyStatus,
  liveOptionsOf,
  liveStatus,
  readingOf,
  timeOf,
  type BalanceDef,
  type Translate,
} from './adapter';
import {
  createLiveState,
  isLiveState,
  liveEvaluate,
  liveReading,
  msToHourEnd,
  type LiveOptions,
  type LiveSignal,
  type LiveState,
} from '../../src/energy/live';

type Def = NodeDef & BalanceDef;

const STATE_KEY = 'liveBalance';
/**
 * The hour that ended while the flow was stopped is closed this long after the start, once the
 * flow has started: a message sent before the nodes wired after this one exist is lost.
 */
const START_DELAY_MS = 100;

export = function (RED: NodeAPI) {
  function ElicznikBalanceNode(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const mode = def.mode === 'live' ? 'live' : 'history';
    const property = def.property || 'payload';
    const perHour = def.output === 'perHour';
    const influx = def.output === 'influx';
    const measurementSetting = def.measurement?.trim() ? def.measurement : DEFAULT_MEASUREMENT;
    const t: Translate = (key, params) => RED._(key, params);
    const status = new StatusThrottle((s) => node.status(s));
    node.on('close', () => status.cancel());

    if (mode === 'history') {
      node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
        try {
          const input = RED.util.getMessageProperty(msg, property);
          const result = balanceHours(normaliseHours(input));
          // TAURON's own balanced series, when the hours carry them (the fetch node's tauronEcbp/-Ecbo).
          const check = compareWithTauron(result.hours);
          status.update(() => historyStatus(t, result, check));
          if (influx) {
            const meterPoint = (input as { meterPoint?: unknown } | null)?.meterPoint;
            msg.payload = influxPoints(result.hours, {
              measurement: measurementOf(measurementSetting, 'The measurement setting'),
              ...(typeof meterPoint === 'string' ? { meterPoint } : {}),
            });
            (msg as NodeMessage & { precision?: string }).precision = INFLUX_PRECISION;
            send(msg);
          } else if (perHour) {
            send([
              result.hours.map((h) => {
                const m = RED.util.cloneMessage(msg);
                m.payload = h;
                m.topic = (msg.topic as string) || 'balance';
                (m as NodeMessage & { timestamp?: number }).timestamp = Date.parse(h.hourStart);
                return m;
              }),
            ]);
          } else {
            msg.payload = check ? { ...result, check } : result;
            send(msg);
          }
          done();
        } catch (err) {
          status.immediately(errorStatus(err as Error));
          done(err as Error);
        }
      });
      return;
    }

    // Live mode.
    let options: LiveOptions;
    try {
      options = liveOptionsOf(def);
    } catch (err) {
      node.status(errorStatus(err as Error));
      node.error(err);
      // every message still ends, with the settings' error, so a Catch node sees it
      node.on('input', (_msg: NodeMessageInFlow, _send: Send, done: Done) => done(err as Error));
      return;
    }
    const store = def.store || undefined;
    let state: LiveState = createLiveState();
    let lastMsg: NodeMessage | undefined;

    const save = () => saveKeptState(node, STATE_KEY, store, state, 'live balance');

    const signalMessage = (signal: LiveSignal, base?: NodeMessage): NodeMessage => {
      const m: NodeMessage & { live?: LiveSignal } = base ? RED.util.cloneMessage(base) : {};
      m.payload = signal.surplus;
      m.live = signal;
      return m;
    };

    const hourMessages = (hours: ReturnType<typeof liveEvaluate>['closed']): NodeMessage[] =>
      hours.map((h) => ({ topic: 'hour', payload: balanceHours([h]) }) as NodeMessage);

    /** At each hour's end (a few ms past it, so the clock is inside the new hour): close the hour. */
    function onHourEnd() {
      const step = liveEvaluate(state, Date.now(), options);
      state = step.state;
      const out1 = hourMessages(step.closed);
      const out2 = step.signal.changed ? signalMessage(step.signal, lastMsg) : null;
      if (out1.length || out2) node.send([out1.length ? out1 : null, out2]);
      if (state.hourStartMs !== null) status.update(() => liveStatus(t, step.signal));
      save();
    }

    // Restore the state kept in context (a redeploy within the same hour continues the hour), close
    // an hour that ended while the flow was stopped once the flow has started, and handle inputs in
    // order.
    const input = new SerialInput(
      node,
      (msg, send) => {
        const arrival = Date.now();
        const at = timeOf(
          def.timeProperty ? RED.util.getMessageProperty(msg, def.timeProperty) : undefined,
          arrival,
        );
        const reading = readingOf(msg, RED.util.getMessageProperty(msg, property), at);
        const step = liveReading(state, reading, options);
        state = step.state;
        lastMsg = msg;
        save();
        status.update(() => liveStatus(t, step.signal));
        send([step.closed.length ? hourMessages(step.closed) : null, signalMessage(step.signal, msg)]);
      },
      {
        ready: loadKeptState(node, STATE_KEY, store, isLiveState).then((kept) => {
          if (kept) state = kept;
          hourEnds.restart(START_DELAY_MS, onHourEnd);
        }),
        onError: (err) => status.immediately(errorStatus(err)),
      },
    );
    const hourEnds = input.ticker(() => msToHourEnd(Date.now()) + 20, onHourEnd);
  }

  RED.nodes.registerType('elicznik-balance', ElicznikBalanceNode);
};
