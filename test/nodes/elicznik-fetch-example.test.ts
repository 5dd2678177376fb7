import assert from 'node:assert/strict';
import path from 'node:path';
import { nodeRedPath } from '../support/node-red';
import {
  PASS,
  USER,
  configNode,
  fetchNode,
  helper,
  nextMessage,
  nextMessages,
  setUpNodeTests,
  type Flow,
} from './elicznik-config.support';

type AnyNode = Record<string, unknown> & { id: string; type: string };

/** A core node module of the Node-RED under test. */
function coreNode(file: string) {
  const base = path.dirname(
    require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(nodeRedPath())] }),
  );
  return require(path.join(base, 'core', file));
}

describe('examples/fetch.json', function () {
  this.timeout(20_000);
  const ctx = setUpNodeTests();
  const example = require('../../../examples/fetch.json') as AnyNode[];

  /** The example as shipped, pointed at the simulator, with Debug nodes replaced by test sinks. */
  async function loadExample(password: string) {
    const flow = example
      .filter((n) => n.type !== 'comment')
      .map((n) => {
        if (n.type === 'debug') return { id: n.id, type: 'helper', z: n.z };
        if (n.type === 'elicznik-config')
          return { ...n, serviceUrl: ctx.sim.serviceUrl, loginUrl: ctx.sim.loginUrl };
        return { ...n };
      });
    const modules = [
      configNode,
      fetchNode,
      coreNode('common/20-inject.js'),
      coreNode('function/10-switch.js'),
    ];
    await helper.load(modules, flow as unknown as Flow, { 'fx-acc': { username: USER, password } });
  }

  it('uses only its own account node, without credentials, and core nodes', () => {
    const types = new Set(example.map((n) => n.type));
    assert.deepEqual(
      [...types].sort(),
      ['catch', 'comment', 'debug', 'elicznik-config', 'elicznik-fetch', 'inject', 'switch', 'tab'].sort(),
    );
    assert.ok(example.every((n) => n.credentials === undefined));
    const account = example.find((n) => n.type === 'elicznik-config');
    assert.equal(account?.serviceUrl, 'https://elicznik.tauron-dystrybucja.pl');
  });

  it("sends yesterday's hours, last month hour by hour and the summary", async () => {
    await loadExample(PASS);
    const hours = nextMessage('fx-d1');
    helper.getNode('fx-i1').receive({});
    assert.equal((await hours).payload.hours.length, 24);

    const perHour = nextMessages('fx-d1', 745);
    helper.getNode('fx-i2').receive({});
    const october = await perHour;
    assert.equal(october[0].payload.hourStart, '2026-10-01T00:00:00+02:00');
    assert.equal(october[744].payload.hourStart, '2026-10-31T23:00:00+01:00');

    const summary = nextMessage('fx-d2');
    helper.getNode('fx-i3').receive({});
    assert.equal((await summary).payload.daily.from, '2026-11-22');
  });

  it('routes a wrong password to "fix the account" by its code', async () => {
    await loadExample('wrong');
    const fix = nextMessage('fx-d3');
    helper.getNode('fx-i1').receive({});
    const msg = await fix;
    assert.equal(msg.error.code, 'WRONG_CREDENTIALS');
    assert.equal(msg.error.source.id, 'fx-f1');
  });
});
