/**
 * Shared setup of the `elicznik-config` and `elicznik-fetch` tests: the node modules, a simulator,
 * a fake wall clock (Date only; timers stay real), flows and small waiting helpers.
 */
import helper from 'node-red-node-test-helper';
import sinon from 'sinon';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';
import { sessionPool } from '../../src/session/pool';
import { nodeRedPath } from '../support/node-red';
import configNode = require('../../nodes/elicznik-config/elicznik-config');
import fetchNode = require('../../nodes/elicznik-fetch/elicznik-fetch');

export { helper, configNode, fetchNode };
export const USER = DEMO_ACCOUNT.username;
export const PASS = DEMO_ACCOUNT.password;
export const [G11, G12W, WO] = DEMO_ACCOUNT.meterPoints;
/** The simulated today. */
export const TODAY = '2026-11-23';
/** 12:05 in Warsaw on {@link TODAY}. */
export const NOW = Date.parse('2026-11-23T12:05:00+01:00');

/** A flow as the test helper takes it (node definitions with any properties). */
export type Flow = Parameters<typeof helper.load>[1];
type FlowNode = Record<string, unknown> & { id: string; type: string };

/** Everything a test file needs; call {@link setUpNodeTests} in its `describe`. */
export interface NodeTestContext {
  sim: SimulatorHandle;
  clock: sinon.SinonFakeTimers;
}

/** Starts Node-RED's test helper, one simulator and a fake Date for the enclosing `describe`. */
export function setUpNodeTests(): NodeTestContext {
  const ctx = {} as NodeTestContext;
  before(async function () {
    helper.init(nodeRedPath());
    ctx.sim = await startSimulator({ today: TODAY });
  });
  after(async () => {
    await ctx.sim.close();
  });
  beforeEach(async () => {
    await sessionPool.clear();
    ctx.clock = sinon.useFakeTimers({ now: NOW, toFake: ['Date'] });
    ctx.sim.resetFaults();
    ctx.sim.unblockAccounts();
    ctx.sim.expireSessions();
    ctx.sim.expireSsoSessions();
    ctx.sim.setToday(TODAY);
    ctx.sim.stats.reset();
  });
  afterEach(async () => {
    await helper.unload();
    await sessionPool.clear();
    ctx.clock.restore();
  });
  return ctx;
}

/** A config node for the simulator. */
export function configDef(sim: SimulatorHandle, extra: Record<string, unknown> = {}): FlowNode {
  return {
    id: 'c1',
    type: 'elicznik-config',
    name: 'home',
    meterPoint: G11.id,
    meterPointLabel: `${G11.ppe} G11`,
    serviceUrl: sim.serviceUrl,
    loginUrl: sim.loginUrl,
    timeout: '10',
    minLoginMinutes: '1',
    ...extra,
  };
}

/** A flow: config c1, fetch n1 → helper h1, catch k1 → helper h2. */
export function fetchFlow(
  sim: SimulatorHandle,
  fetch: Record<string, unknown> = {},
  config: Record<string, unknown> = {},
): Flow {
  const nodes: FlowNode[] = [
    { id: 'f1', type: 'tab', label: 'test' },
    configDef(sim, config),
    {
      id: 'n1',
      type: 'elicznik-fetch',
      z: 'f1',
      name: 'fetch',
      account: 'c1',
      range: 'yesterday',
      ecp: true,
      eco: true,
      tauronEcbp: false,
      tauronEcbo: false,
      output: 'hours',
      wires: [['h1']],
      ...fetch,
    },
    { id: 'h1', type: 'helper', z: 'f1' },
    { id: 'k1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['h2']] },
    { id: 'h2', type: 'helper', z: 'f1' },
  ];
  return nodes as Flow;
}

/** The demo account's credentials for config node c1. */
export function credentials(password: string = PASS, username: string = USER) {
  return { c1: { username, password } };
}

/** Resolves with the next `count` messages a helper node receives. */
export function nextMessages(id: string, count = 1): Promise<any[]> {
  const node = helper.getNode(id);
  const got: any[] = [];
  return new Promise((resolve) => {
    const listener = (msg: any) => {
      got.push(msg);
      if (got.length === count) {
        node.removeListener('input', listener);
        resolve(got);
      }
    };
    node.on('input', listener);
  });
}

/** Resolves with the next message a helper node receives. */
export async function nextMessage(id: string): Promise<any> {
  return (await nextMessages(id, 1))[0];
}

/**
 * Calls of a Node method the test helper spies on (`status`, `error`, `send`, …) made by this node;
 * the spies sit on the shared prototype, so calls are picked by their `this`.
 */
export function callsOf(node: any, method: string): sinon.SinonSpyCall[] {
  return (node[method] as sinon.SinonSpy).getCalls().filter((c) => c.thisValue === node);
}

/** The statuses a node has set so far. */
export function statuses(node: any): { fill?: string; shape?: string; text?: string }[] {
  return callsOf(node, 'status').map((c) => c.args[0]);
}

/** The last status a node has set. */
export function lastStatus(node: any): { fill?: string; shape?: string; text?: string } | undefined {
  const all = statuses(node);
  return all[all.length - 1];
}

/** All requests the simulator answered. */
export function totalRequests(sim: SimulatorHandle): number {
  return Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
}

/** Data requests (JSON energy, registers and CSV). */
export function dataRequests(sim: SimulatorHandle): number {
  return sim.stats.dataRequests + sim.stats.csvRequests;
}
