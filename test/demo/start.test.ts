import assert from 'node:assert/strict';
import {
  dashboardExample,
  demoFlows,
  pointsAtSimulator,
  retargetFlows,
  type FlowNode,
} from '../../src/demo/start';
import { DEMO_ACCOUNT } from '../../src/simulator';

const sim = { serviceUrl: 'http://127.0.0.1:18881', loginUrl: 'http://localhost:18882' };

describe('demo launcher', () => {
  it('points the dashboard example at the simulator with the demo login and first meter point', () => {
    const example = dashboardExample();
    const flows = demoFlows(sim, example);
    assert.equal(flows.length, example.length);
    const accounts = flows.filter((n) => n.type === 'elicznik-config');
    assert.equal(accounts.length, 1);
    assert.equal(accounts[0].serviceUrl, sim.serviceUrl);
    assert.equal(accounts[0].loginUrl, sim.loginUrl);
    assert.equal(accounts[0].meterPoint, DEMO_ACCOUNT.meterPoints[0].id);
    assert.deepEqual(accounts[0].credentials, { username: 'demo@example.com', password: 'demo' });
    // the example itself is left as shipped
    assert.equal(example.find((n) => n.type === 'elicznik-config')?.credentials, undefined);
  });

  it('tells a simulator account from a TAURON one', () => {
    const node = (serviceUrl: string): FlowNode => ({ id: 'c', type: 'elicznik-config', serviceUrl });
    assert.equal(pointsAtSimulator(node('http://127.0.0.1:5000')), true);
    assert.equal(pointsAtSimulator(node('http://localhost:5000/')), true);
    assert.equal(pointsAtSimulator(node('https://elicznik.tauron-dystrybucja.pl')), false);
    assert.equal(pointsAtSimulator(node('http://127.0.0.1.example.com')), false);
  });

  it('moves only simulator accounts to the new ports and keeps everything else', () => {
    const flows: FlowNode[] = [
      { id: 't', type: 'tab' },
      {
        id: 'a',
        type: 'elicznik-config',
        serviceUrl: 'http://127.0.0.1:1',
        loginUrl: 'http://localhost:2',
        name: 'x',
      },
      {
        id: 'b',
        type: 'elicznik-config',
        serviceUrl: 'https://elicznik.tauron-dystrybucja.pl',
        loginUrl: 'https://l',
      },
    ];
    const moved = retargetFlows(flows, sim);
    assert.ok(moved);
    assert.deepEqual(moved[1], { ...flows[1], ...sim });
    assert.equal(moved[0], flows[0]);
    assert.equal(moved[2], flows[2]);
    assert.equal(retargetFlows(moved, sim), null, 'nothing to change the second time');
  });
});
