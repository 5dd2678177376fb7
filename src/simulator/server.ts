/**
 * The two HTTP servers of the simulator and the plumbing every request goes through: counting,
 * latency, injected 5xx answers, then the login host (`login-host.ts`) or the eLicznik host
 * (`service-host.ts`, with the data endpoints in `endpoints.ts` and RCE prices in `rce.ts`). The
 * clock and the served data live in `served-data.ts`, the faults' defaults in `faults.ts`; one
 * {@link SimContext} per running simulator holds the faults, counters, clock and base URLs.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEMO_ACCOUNT } from './demo-account';
import { DEFAULT_DAILY_LOGIN_LIMIT, ServerErrors, defaultFaults } from './faults';
import { html, newStats, type SimContext } from './host';
import { LoginHost } from './login-host';
import { messagePage } from './pages';
import { ServedData } from './served-data';
import { ServiceHost } from './service-host';
import type { SimulatorHandle, SimulatorOptions } from './types';

/** One running simulator: its parts and the request plumbing of both hosts. */
class Simulator {
  readonly ctx: SimContext;
  readonly data: ServedData;
  readonly login: LoginHost;
  readonly service: ServiceHost;
  /** The daily login limit the simulator was started with (what `resetFaults` restores). */
  readonly dailyLoginLimit: number;
  private readonly serverErrors: ServerErrors;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(options: SimulatorOptions) {
    const accounts = options.accounts ?? [DEMO_ACCOUNT];
    this.dailyLoginLimit = options.dailyLoginLimit ?? DEFAULT_DAILY_LOGIN_LIMIT;
    this.ctx = {
      faults: defaultFaults(this.dailyLoginLimit),
      stats: newStats(),
      now: options.now ?? Date.now,
      log: options.log ?? (() => undefined),
      serviceUrl: '',
      loginUrl: '',
    };
    this.data = new ServedData(
      accounts,
      this.ctx.faults,
      this.ctx.now,
      options.today,
      options.todayDelayHours ?? null,
    );
    this.login = new LoginHost(this.ctx, accounts, options.ssoTtlMs ?? 30 * 60_000);
    this.service = new ServiceHost(this.ctx, this.data, this.login, options.sessionTtlMs ?? 15 * 60_000);
    this.serverErrors = new ServerErrors(this.ctx.faults);
  }

  /** Handles one request of either host: counting, latency, injected 5xx, then the route. */
  async handle(
    host: 'login' | 'service',
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const { faults, stats, log } = this.ctx;
    const url = new URL(req.url ?? '/', host === 'login' ? this.ctx.loginUrl : this.ctx.serviceUrl);
    const path = url.pathname;
    stats.requests[path] = (stats.requests[path] ?? 0) + 1;
    const started = Date.now();
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (faults.latencyMs > 0) await this.delay(faults.latencyMs);
    let reply = this.serverErrors.next();
    if (!reply) {
      try {
        reply = host === 'login' ? this.login.route(req, url, body) : this.service.route(req, url, body);
      } catch (err) {
        log(`${host} ${req.method} ${path} failed: ${(err as Error).message}`);
        reply = html(messagePage('Błąd', 'Wystąpił nieoczekiwany błąd.'), 500);
      }
    }
    if (res.destroyed) return;
    res.writeHead(reply.status, reply.headers ?? {});
    res.end(reply.body ?? '');
    log(`${host} ${req.method} ${path} ${reply.status} ${Date.now() - started}ms`);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** Stops pending latency timers (their requests are dropped with their sockets). */
  stopTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Reads a request body as text (at most 1 MB; more is cut off). */
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_000_000) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** An HTTP server that remembers its sockets so `close()` can end keep-alive connections at once. */
function trackedServer(handler: http.RequestListener): { server: http.Server; sockets: Set<Socket> } {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return { server, sockets };
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeAllConnections();
    for (const s of sockets) s.destroy();
  });
}

/**
 * Starts the eLicznik host on 127.0.0.1 and the login host on localhost (127.0.0.1, and ::1 on the
 * same port when IPv6 is there), on free ports unless given.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const sim = new Simulator(options);
  const { ctx, data, login } = sim;
  const handler =
    (host: 'login' | 'service'): http.RequestListener =>
    (req, res) => {
      sim.handle(host, req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500);
          res.end();
        }
      });
    };
  const service = trackedServer(handler('service'));
  const loginServer = trackedServer(handler('login'));
  const loginServer6 = trackedServer(handler('login'));
  const servicePort = await listen(service.server, options.port ?? 0, '127.0.0.1');
  let loginPort: number;
  try {
    loginPort = await listen(loginServer.server, options.loginPort ?? 0, '127.0.0.1');
  } catch (err) {
    await closeServer(service.server, service.sockets);
    throw err;
  }
  await listen(loginServer6.server, loginPort, '::1').catch(() => undefined);
  ctx.serviceUrl = `http://127.0.0.1:${servicePort}`;
  ctx.loginUrl = `http://localhost:${loginPort}`;

  let closing: Promise<void> | undefined;
  return {
    serviceUrl: ctx.serviceUrl,
    loginUrl: ctx.loginUrl,
    stats: ctx.stats,
    faults: ctx.faults,
    resetFaults: () => {
      Object.assign(ctx.faults, defaultFaults(sim.dailyLoginLimit));
    },
    setToday: (date) => data.setToday(date),
    setTodayDelay: (hours) => data.setTodayDelay(hours),
    expireSessions: () => sim.service.expireSessions(),
    expireSsoSessions: () => login.expireSsoSessions(),
    blockedUntil: (username) => login.blockedUntil(username),
    unblockAccounts: () => login.unblockAccounts(),
    loginAttemptsInLastDay: (username) => login.loginAttemptsInLastDay(username),
    hourly: (id, date) => data.hourly(id, date),
    close: () => {
      closing ??= (async () => {
        sim.stopTimers();
        await Promise.all([
          closeServer(service.server, service.sockets),
          closeServer(loginServer.server, loginServer.sockets),
          closeServer(loginServer6.server, loginServer6.sockets),
        ]);
      })();
      return closing;
    },
  };
}
