import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ElicznikClient } from '../../src/client';
import sinon from 'sinon';
import { CLOSE_GRACE_MS, HttpSession, proxyConfigured } from '../../src/client/http';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../../src/simulator';

const NOW = Date.parse('2026-06-16T10:30:00+02:00');
const PROXY_VARS = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'no_proxy',
  'NO_PROXY',
];

function session(): HttpSession {
  return new HttpSession({
    timeoutMs: 5000,
    retries: 0,
    retryBaseMs: 1,
    retryMaxMs: 1,
    sleep: async () => undefined,
    userAgent: 'test',
  });
}

describe('client: HTTP transport', function () {
  this.timeout(30_000);
  let sim: SimulatorHandle;
  const saved: Record<string, string | undefined> = {};

  before(() => {
    for (const k of PROXY_VARS) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  });

  after(() => {
    for (const k of PROXY_VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  beforeEach(async () => {
    sim = await startSimulator({ now: () => NOW });
  });

  afterEach(async () => {
    for (const k of PROXY_VARS) delete process.env[k];
    await sim.close();
  });

  it('sees a proxy in any of the variables axios reads, in either case', () => {
    assert.equal(proxyConfigured({}), false);
    assert.equal(proxyConfigured({ NO_PROXY: '*' }), false);
    assert.equal(proxyConfigured({ https_proxy: 'http://p:3128' }), true);
    assert.equal(proxyConfigured({ HTTP_PROXY: 'http://p:3128' }), true);
    assert.equal(proxyConfigured({ ALL_PROXY: 'http://p:3128', HTTPS_PROXY: '' }), true);
  });

  it('fetches through Node without a proxy and through the proxy the environment names (axios) with one', async () => {
    const fetchDay = async () => {
      const client = new ElicznikClient({
        serviceUrl: sim.serviceUrl,
        loginUrl: sim.loginUrl,
        username: DEMO_ACCOUNT.username,
        password: DEMO_ACCOUNT.password,
        now: () => NOW,
        sleep: async () => undefined,
        minLoginIntervalMs: 0,
      });
      try {
        return await client.getHourly({ from: '2026-06-01', to: '2026-06-01' });
      } finally {
        await client.close();
      }
    };
    const direct = await fetchDay();
    assert.equal(direct.length, 24);
    // A forward proxy that counts what it is asked and forwards it.
    const asked: string[] = [];
    const proxy = http.createServer((req, res) => {
      asked.push(String(req.url));
      const target = new URL(String(req.url));
      const out = http.request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(out);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      process.env.HTTP_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const proxied = await fetchDay();
      assert.deepEqual(proxied, direct);
      assert.ok(
        asked.some((u) => u.includes('/energia/do/dane')),
        asked.join('\n'),
      );
      process.env.NO_PROXY = '127.0.0.1,localhost';
      const count = asked.length;
      assert.deepEqual(await fetchDay(), direct);
      assert.equal(asked.length, count, 'NO_PROXY hosts are asked directly');
    } finally {
      proxy.close();
    }
  });

  it('answers the raw bytes, the headers with set-cookie as a list, and the status of a hop', async () => {
    const server = http.createServer((req, res) => {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('Content-Type', 'text/plain');
      res.writeHead(req.method === 'POST' ? 201 : 200);
      req.pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = session();
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
      const res = await s.send({ method: 'POST', url, form: { q: 'zażółć' }, step: 'test' });
      assert.equal(res.status, 201);
      assert.equal(res.body.toString('utf8'), new URLSearchParams({ q: 'zażółć' }).toString());
      assert.equal(res.headers['content-type'], 'text/plain');
      assert.equal(await s.cookieHeader(url), 'a=1; b=2');
    } finally {
      s.close();
      server.close();
    }
  });

  it('lets a sent POST that asks to finish get its answer after close, for 10 s at most; aborts the rest', async () => {
    const arrived: (() => void)[] = [];
    const nextRequest = () => new Promise<void>((resolve) => arrived.push(resolve));
    let answer: (() => void) | undefined;
    const server = http.createServer((req, res) => {
      if (req.url === '/answered') answer = () => res.end('rejected');
      req.resume();
      arrived.shift()?.();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const slowSession = () =>
      new HttpSession({
        timeoutMs: 60_000,
        retries: 0,
        retryBaseMs: 1,
        retryMaxMs: 1,
        sleep: async () => undefined,
        userAgent: 'test',
      });
    const credentialsPost = (s: HttpSession, path: string) =>
      s.send({
        method: 'POST',
        url: `${base}${path}`,
        form: { password: 'x' },
        step: 'login-post',
        retry: false,
        finishOnClose: true,
      });
    const closed = (e: unknown) => (e as { step?: string }).step === 'closed';
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const s = slowSession();
      let arriving = nextRequest();
      const post = credentialsPost(s, '/answered');
      await arriving;
      arriving = nextRequest();
      const get = s.send({ method: 'GET', url: `${base}/silent`, step: 'data' });
      await arriving;
      s.close();
      await assert.rejects(get, closed, 'a GET is aborted at once');
      answer?.();
      assert.equal((await post).body.toString('utf8'), 'rejected', 'the POST got its answer');

      const t = slowSession();
      arriving = nextRequest();
      const silent = credentialsPost(t, '/silent');
      await arriving;
      t.close();
      let settled = false;
      void silent.catch(() => undefined).finally(() => (settled = true));
      await clock.tickAsync(CLOSE_GRACE_MS - 100);
      assert.equal(settled, false, 'still waiting for the answer');
      await clock.tickAsync(200);
      await assert.rejects(silent, closed, 'given up 10 s after close');
    } finally {
      clock.restore();
      server.closeAllConnections();
      server.close();
    }
  });

  it('does not send a POST that must not be retried again when a 307 redirect keeps it a POST', async () => {
    let posts = 0;
    const server = http.createServer((req, res) => {
      if (req.url === '/login') {
        res.writeHead(307, { Location: '/again' });
        res.end();
        return;
      }
      if (req.method === 'POST') posts += 1;
      res.writeHead(503);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const s = new HttpSession({
      timeoutMs: 5000,
      retries: 2,
      retryBaseMs: 1,
      retryMaxMs: 1,
      sleep: async () => undefined,
      userAgent: 'test',
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/login`;
      await assert.rejects(
        s.send({ method: 'POST', url, form: { password: 'x' }, step: 'login-post', retry: false }),
        (e: unknown) => (e as { code?: string }).code === 'SERVICE_UNAVAILABLE',
      );
      assert.equal(posts, 1, 'the redirected POST was sent once');
    } finally {
      s.close();
      server.close();
    }
  });
});
