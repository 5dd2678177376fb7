/**
 * `elicznik-heater`: switches a heater, boiler or charger on this clock hour's surplus without
 * letting the hour end in net import. Input: the running balance of the hour (the live output of
 * `elicznik-balance` or any object with net or ecp/eco). One relay: output 1 sends the "on" value,
 * output 2 the "off" value, only when the state changes (optionally repeated), output 3 every
 * decision. Several loads or stages: one output per relay stage (on/off value) and per percentage
 * load (0-100), in priority order, then the decision (see `heaterPorts`).
 * The control lives in `src/energy/heater.ts`; this file reads settings and messages, keeps the
 * state in the chosen context store, runs the timer and sends.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { loadKeptState, saveKeptState } from '../shared/kept-state';
import { SerialInput, errorStatus, type Send } from '../shared/serial-input';
import {
  createHeaterState,
  heaterDueAt,
  heaterEvaluate,
  heaterInput,
  heaterInputOf,
  heaterOverride,
  isHeaterState,
  type HeaterDecision,
  type HeaterOptions,
  type HeaterState,
  type HeaterStep,
} from '../../src/energy/heater';
import {
  commandOf,
  heaterOptionsOf,
  optionsWithConfig,
  heaterPorts,
  heaterStatus,
  loadIndexOf,
  outputValue,
  portValue,
  type HeaterDef,
  type HeaterPort,
  type Translate,
} from './adapter';

type Def = NodeDef & HeaterDef;

const STATE_KEY = 'heater';
/**
 * How often at least the timer re-evaluates between inputs (hour end, minimum times); the fail-safe,
 * the end of an override and the daily limit come at their instant (`heaterDueAt`).
 */
const TICK_MS = 15_000;
/** The first send waits until the flow has started, so the nodes wired after this one receive it. */
const START_DELAY_MS = 100;

export = function (RED: NodeAPI) {
  function ElicznikHeaterNode(this: Node, def: Def) {
    RED.nodes.createNode(this, def);
    const node = this;
    const t: Translate = (key, params) => RED._(key, params);
    let options: HeaterOptions;
    let onValue: unknown;
    let offValue: unknown;
    let ports: HeaterPort[];
    try {
      options = heaterOptionsOf(def);
      ports = heaterPorts(options.loads);
      onValue = outputValue(def.onValue, def.onValueType, true);
      offValue = outputValue(def.offValue, def.offValueType, false);
    } catch (err) {
      node.status(errorStatus(err as Error));
      node.error(err);
      return;
    }
    const repeatMs = Math.max(Number(String(def.repeat ?? '0').replace(',', '.')) || 0, 0) * 60_000;
    const loadProperty = def.loadProperty || '';
    const store = def.store || undefined;
    let state: HeaterState = createHeaterState(options.loads.length);
    /** What each stage/percentage port sent last (undefined before the first send). */
    const sentValues: (boolean | number | null | undefined)[] = ports.map(() => undefined);
    let lastSwitchSentAt = 0;
    /** True until the state has been sent once after the start (an early input sends it then). */
    let startPending = true;

    const save = () => {
      saveKeptState(node, STATE_KEY, store, state, 'heater state');
    };

    const switchMessage = (on: boolean): NodeMessage => ({
      payload: on ? onValue : offValue,
      topic: 'heater',
    });
    const portMessage = (port: HeaterPort, value: boolean | number, d: HeaterDecision): NodeMessage => {
      const load = d.loads['load' in port ? port.load : 0];
      const topic = port.kind === 'stage' && load.stages > 1 ? `${load.name}/${port.stage + 1}` : load.name;
      return { payload: typeof value === 'number' ? value : value ? onValue : offValue, topic };
    };
    /** The decision, with the node's status text (in Node-RED's language) for a dashboard. */
    const decisionMessage = (d: HeaterDecision, statusText: string | undefined): NodeMessage =>
      ({ payload: { ...d, statusText }, topic: 'heater' }) as NodeMessage;

    /** Sends the step: on/off when it changed (or `force`), the decision when asked. */
    const emit = (step: HeaterStep, sendFn: Send, withDecision: boolean, force = false) => {
      if (startPending) {
        startPending = false;
        force = true;
      }
      state = step.state;
      const d = step.decision;
      const status = heaterStatus(t, d);
      const now = Date.now();
      const repeatDue = repeatMs > 0 && now - lastSwitchSentAt >= repeatMs;
      const out: (NodeMessage | null)[] = ports.map(() => null);
      let any = false;
      if (ports[0].kind === 'on') {
        if (d.changed || force || repeatDue) {
          out[d.on ? 0 : 1] = switchMessage(d.on);
          lastSwitchSentAt = now;
          any = true;
        }
      } else {
        let sentSwitch = false;
        ports.forEach((port, i) => {
          const value = portValue(port, d);
          if (value === null) return;
          if (value !== sentValues[i] || force || repeatDue) {
            out[i] = portMessage(port, value, d);
            sentValues[i] = value;
            sentSwitch = true;
            any = true;
          }
        });
        if (sentSwitch) lastSwitchSentAt = now;
      }
      if (withDecision || d.changed || force) {
        out[ports.length - 1] = decisionMessage(d, status.text);
        any = true;
      }
      if (any) sendFn(out);
      node.status(status);
      save();
    };

    /** Handles one message; false for a reading no newer than the latest (the timer then keeps running). */
    const handle = (msg: NodeMessageInFlow, send: Send): boolean => {
      const now = Date.now();
      const payload = msg.payload;
      const cmd = commandOf(payload, def.name || '');
      if (cmd) {
        // the whole command is checked before anything changes
        const next = cmd.config ? optionsWithConfig(options, cmd.config, ports) : options;
        const load =
          cmd.override?.load === undefined ? undefined : loadIndexOf(next.loads, cmd.override.load);
        options = next;
        const step = cmd.override
          ? heaterOverride(state, cmd.override.mode, now, options, cmd.override.durationMs, load)
          : heaterEvaluate(state, now, options);
        emit(step, send, true);
        return true;
      }
      const live = (msg as NodeMessage & { live?: unknown }).live;
      const source = live && typeof live === 'object' ? live : payload;
      const input = heaterInputOf(source, now);
      if (loadProperty) {
        const measured = RED.util.getMessageProperty(msg, loadProperty);
        if (measured !== undefined && measured !== null && measured !== '') {
          const kw = Number(String(measured).replace(',', '.'));
          if (Number.isFinite(kw) && kw >= 0) input.loadKw = kw;
        }
      }
      const before = state.lastInputAt;
      let step = heaterInput(state, input, options);
      const newer = step.state.lastInputAt !== null && (before === null || step.state.lastInputAt > before);
      if (!newer) {
        // the same or an older reading again (a source stuck on its last one): no newer reading
        // for the fail-safe time switches the loads off as the timer would
        const late = heaterEvaluate(step.state, now, options);
        if (late.decision.reason === 'fail-safe') {
          step = {
            state: late.state,
            decision: { ...late.decision, changed: late.decision.changed || step.decision.changed },
          };
        }
      }
      emit(step, send, true);
      return newer;
    };

    // Restore the state (a redeploy or restart keeps it in a persistent store), then re-send the
    // current state so the relay and the node agree; the fail-safe turns a stale "on" off. Inputs
    // are handled in order; the timer re-evaluates between them every TICK_MS (hour end, minimum
    // times), and sooner when the fail-safe, an override's end or the daily limit is due.
    const input = new SerialInput(
      node,
      (msg, send) => {
        if (handle(msg, send)) ticks.restart();
      },
      {
        ready: loadKeptState(node, STATE_KEY, store, isHeaterState).then((kept) => {
          if (kept) state = kept;
          ticks.restart(START_DELAY_MS, () => {
            startPending = false;
            emit(heaterEvaluate(state, Date.now(), options), (m) => node.send(m), true, true);
          });
        }),
        skipWhenClosed: true,
        onError: (err) => node.status(errorStatus(err)),
      },
    );
    const nextTickMs = () => {
      const due = heaterDueAt(state, options);
      return due === null ? TICK_MS : Math.min(Math.max(due - Date.now(), 0), TICK_MS);
    };
    const ticks = input.ticker(nextTickMs, () =>
      emit(heaterEvaluate(state, Date.now(), options), (m) => node.send(m), false),
    );
  }

  RED.nodes.registerType('elicznik-heater', ElicznikHeaterNode);
};
