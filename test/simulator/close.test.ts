import assert from 'node:assert/strict';
import http from 'node:http';
import { startSimulator } from '../../src/simulator';

/** Counts of the TCP handles this process holds, by kind. */
function tcpHandles(): { servers: number; sockets: number } {
  const info = process.getActiveResourcesInfo();
  return {
    servers: info.filter((r) => r === 'TCPServerWrap').length,
    sockets: info.filter((r) => r === 'TCPSocketWrap').length,
  };
}

/** A GET over a keep-alive agent; resolves with the status and the socket, left open. */
function keepAliveGet(
  agent: http.Agent,
  url: string,
): Promise<{ status: number; socket: import('node:net').Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: req.socket! }));
    });
    req.on('error', reject);
  });
}

/** Waits (at most 2 s) until `check` holds; handles close a few event loop turns after `close()`. */
async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

describe('simulator: close', () => {
  it('closes both servers and every keep-alive socket, leaving no handles', async () => {
    const before = tcpHandles();
    const sim = await startSimulator();
    assert.ok(tcpHandles().servers >= before.servers + 2);
    const agent = new http.Agent({ keepAlive: true });
    const a = await keepAliveGet(agent, `${sim.serviceUrl}/blokada`);
    const b = await keepAliveGet(agent, `${sim.loginUrl}/login`);
    assert.equal(a.status, 200);
    assert.equal(b.status, 302);
    assert.ok(!a.socket.destroyed && !b.socket.destroyed, 'the idle sockets stay open before close');
    const closedA = new Promise((r) => a.socket.once('close', r));
    const closedB = new Promise((r) => b.socket.once('close', r));
    await sim.close();
    await Promise.all([closedA, closedB]);
    agent.destroy();
    assert.ok(
      await eventually(() => JSON.stringify(tcpHandles()) === JSON.stringify(before)),
      'no TCP handles left',
    );
  });

  it('closes promptly while a request waits for the latency fault, and can be called twice', async () => {
    const before = tcpHandles();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await new Promise((r) => setImmediate(r)); // mocha arms its own timeout timer after the test starts
    const timersBefore = timers();
    const sim = await startSimulator();
    sim.faults.latencyMs = 60_000;
    // node:http rather than fetch, whose pool keeps timers of its own.
    const pending = new Promise<string>((resolve) => {
      const req = http.get(`${sim.loginUrl}/login`, { agent: false }, () => resolve('answered'));
      req.on('error', () => resolve('aborted'));
    });
    while (!sim.stats.requests['/login']) await new Promise((r) => setTimeout(r, 5));
    await Promise.all([sim.close(), sim.close()]);
    assert.equal(await pending, 'aborted');
    assert.ok(await eventually(() => tcpHandles().servers === before.servers), 'no servers left');
    assert.ok(await eventually(() => timers() <= timersBefore), 'the latency timer is cleared');
  });

  it('refuses connections after close', async () => {
    const sim = await startSimulator();
    await sim.close();
    await assert.rejects(fetch(`${sim.serviceUrl}/`));
  });
});
