import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { nodeRedPath } from './support/node-red';

helper.init(nodeRedPath());

const root = path.join(__dirname, '../..');
const examplesDir = path.join(root, 'examples');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Our node modules, from the built package. */
const ours = Object.values(pkg['node-red'].nodes as Record<string, string>).map((file) =>
  require(path.join(root, file)),
);

/** The core nodes the examples use, from the Node-RED under test. */
const core = [
  'common/20-inject.js',
  'common/21-debug.js',
  'common/25-catch.js',
  'common/60-link.js',
  'common/90-comment.js',
  'function/10-function.js',
  'function/10-switch.js',
  'function/15-change.js',
].map((f) => require(require.resolve(`@node-red/nodes/core/${f}`, { paths: [path.dirname(nodeRedPath())] })));

const dashboardPkg = JSON.parse(
  fs.readFileSync(require.resolve('@flowfuse/node-red-dashboard/package.json'), 'utf8'),
) as { 'node-red': { nodes: Record<string, string> } };
const dashboardTypes = new Set(Object.keys(dashboardPkg['node-red'].nodes));

/** node-red-contrib-influxdb (a devDependency): its node types, from its editor file, and its runtime. */
const influxDir = path.dirname(require.resolve('node-red-contrib-influxdb/package.json'));
const influxTypes = new Set(
  [
    ...fs
      .readFileSync(path.join(influxDir, 'influxdb.html'), 'utf8')
      .matchAll(/RED\.nodes\.registerType\(\s*['"]([^'"]+)['"]/g),
  ].map((m) => m[1]),
);
const influxNodes = require(path.join(influxDir, 'influxdb.js'));

type FlowNode = { id: string; type: string; wires?: string[][]; [k: string]: unknown };

function readExample(file: string): FlowNode[] {
  return JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as FlowNode[];
}

const files = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.json'));

describe('examples/', function () {
  this.timeout(20_000);

  afterEach(async () => {
    await helper.unload();
  });

  it('has the examples of every node, and every node type of the package appears in one', () => {
    for (const f of [
      'fetch-yesterday.json',
      'balance-history.json',
      'balance-live-surplus.json',
      'fetch-and-balance.json',
      'dashboard-needs-flowfuse-dashboard.json',
      'check-invoice-needs-flowfuse-dashboard.json',
      'history-to-influxdb-needs-node-red-contrib-influxdb.json',
    ])
      assert.ok(files.includes(f), f);
    const used = new Set(files.flatMap((f) => readExample(f).map((n) => n.type)));
    for (const type of Object.keys(pkg['node-red'].nodes))
      assert.ok(used.has(type), `${type} is in no example`);
  });

  it('shares one dashboard base and theme between the dashboard examples, so importing both gives one dashboard', () => {
    const dashboards = files.filter((f) => readExample(f).some((n) => n.type === 'ui-base'));
    assert.ok(dashboards.length >= 2, dashboards.join());
    const [first, ...others] = dashboards.map((f) =>
      readExample(f).filter((n) => n.type === 'ui-base' || n.type === 'ui-theme'),
    );
    for (const shared of others) assert.deepEqual(shared, first);
    const pages = dashboards.flatMap((f) => readExample(f).filter((n) => n.type === 'ui-page'));
    assert.equal(new Set(pages.map((p) => p.path)).size, pages.length, 'each example has its own page path');
    assert.equal(new Set(pages.map((p) => p.id)).size, pages.length);
  });

  it('ships config nodes without credentials', () => {
    for (const f of files)
      for (const node of readExample(f)) {
        assert.equal(node.credentials, undefined, `${f}: ${node.id} carries credentials`);
        if (node.type === 'elicznik-config')
          assert.match(
            String(node.serviceUrl),
            /^https:\/\/elicznik\.tauron-dystrybucja\.pl/,
            `${f}: ${node.id}`,
          );
      }
  });

  for (const file of files) {
    it(`${file} deploys with no unknown type and every node started`, async () => {
      const nodes = readExample(file);
      const ids = new Set(nodes.map((n) => n.id));
      for (const n of nodes) {
        for (const out of n.wires ?? [])
          for (const target of out) assert.ok(ids.has(target), `${n.id} wires to ${target}`);
        if (n.type === 'elicznik-fetch')
          assert.ok(ids.has(String(n.account)), `${n.id}: its account is in the file`);
      }
      // Dashboard nodes: their types must be the dashboard package's, their references resolve in
      // the file; the rest of the flow deploys without them.
      const dashboard = nodes.filter((n) => n.type.startsWith('ui-'));
      for (const n of dashboard) {
        assert.ok(dashboardTypes.has(n.type), `${n.type} is not a @flowfuse/node-red-dashboard type`);
        for (const ref of ['group', 'page', 'ui', 'theme'])
          if (typeof n[ref] === 'string' && n[ref] !== '')
            assert.ok(ids.has(n[ref] as string), `${n.id}.${ref}`);
      }
      if (dashboard.length) {
        assert.ok(
          ['ui-base', 'ui-page', 'ui-group', 'ui-theme'].every((t) => dashboard.some((n) => n.type === t)),
          'the dashboard example brings its base, page, group and theme',
        );
      }
      // InfluxDB nodes: their types must be node-red-contrib-influxdb's and their server node in the
      // file; they deploy with that package's runtime.
      const influx = nodes.filter((n) => n.type.startsWith('influxdb'));
      for (const n of influx) {
        assert.ok(influxTypes.has(n.type), `${n.type} is not a node-red-contrib-influxdb type`);
        if (n.type !== 'influxdb') assert.ok(ids.has(String(n.influxdb)), `${n.id}.influxdb`);
      }
      const uiIds = new Set(dashboard.map((n) => n.id));
      const flow = nodes
        .filter((n) => !uiIds.has(n.id))
        .map((n) => (n.wires ? { ...n, wires: n.wires.map((out) => out.filter((t) => !uiIds.has(t))) } : n));
      await helper.load([...core, ...ours, ...(influx.length ? [influxNodes] : [])], flow as never);
      for (const n of flow) {
        if (n.type === 'tab') continue;
        assert.ok(helper.getNode(n.id), `${file}: ${n.type} ${n.id} did not start`);
      }
    });
  }

  it('balance-history.json balances the three worked hours to ECBP 2 and ECBO 2 kWh', async () => {
    const nodes = readExample('balance-history.json').map((n) =>
      n.type === 'debug' ? { id: n.id, z: n.z, type: 'helper' } : n,
    );
    await helper.load([...core, ...ours], nodes as never);
    const total = new Promise<Record<string, number>>((resolve) =>
      helper.getNode('bh-d2').on('input', (msg: any) => resolve(msg.payload.total)),
    );
    const inject = nodes.find((n) => n.type === 'inject') as FlowNode;
    helper.getNode(inject.id).receive({});
    const t = await total;
    assert.deepEqual(
      { ecp: t.ecp, eco: t.eco, ecbp: t.ecbp, ecbo: t.ecbo, autoconsumption: t.autoconsumption },
      { ecp: 4.5, eco: 4.5, ecbp: 2, ecbo: 2, autoconsumption: 2.5 },
    );
  });
});
