/**
 * A small HTTP proxy in front of both simulator hosts, for client tests that need an answer the
 * simulator has no fault for (a CSV with an unknown header, an HTML page without maintenance text,
 * a 503 to the credentials POST) or need to see the request headers. It forwards everything else
 * and rewrites the simulator's URLs (in `Location` headers and HTML) to its own.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SimulatorHandle } from '../../src/simulator';

/** A request as the proxy saw it. */
export interface SeenRequest {
  host: 'service' | 'login';
  method: string;
  path: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An answer the test gives instead of the simulator's. */
export interface ProxyReply {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** Returns a reply to answer a request itself, or undefined to forward it. */
export type Intercept = (req: SeenRequest) => ProxyReply | undefined;

export interface ProxyHandle {
  serviceUrl: string;
  loginUrl: string;
  /** Every request, in order. */
  requests: SeenRequest[];
  /** Replaced at will by tests. */
  intercept: Intercept | undefined;
  /** Changes forwarded HTML pages (after the URL rewriting), when set. */
  rewriteHtml: ((req: SeenRequest, html: string) => string) | undefined;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function tracked(handler: http.RequestListener): { server: http.Server; sockets: Set<Socket> } {
  const server = http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { server, sockets };
}

/** Starts the proxy for a running simulator. */
export async function startProxy(sim: SimulatorHandle, intercept?: Intercept): Promise<ProxyHandle> {
  const map: [string, string][] = [];
  const rewrite = (text: string, back = false): string => {
    let out = text;
    for (const [from, to] of map) {
      const [a, b] = back ? [to, from] : [from, to];
      out = out.split(a).join(b).split(encodeURIComponent(a)).join(encodeURIComponent(b));
    }
    return out;
  };
  const handle: ProxyHandle = {
    serviceUrl: '',
    loginUrl: '',
    requests: [],
    intercept,
    rewriteHtml: undefined,
    close: async () => undefined,
  };
  const handler =
    (host: 'service' | 'login'): http.RequestListener =>
    (req, res) => {
      void (async () => {
        const body = await readBody(req);
        const base = host === 'service' ? handle.serviceUrl : handle.loginUrl;
        const url = new URL(req.url ?? '/', base);
        const seen: SeenRequest = {
          host,
          method: req.method ?? 'GET',
          path: url.pathname,
          url,
          headers: req.headers,
          body,
        };
        handle.requests.push(seen);
        const own = handle.intercept?.(seen);
        if (own) {
          res.writeHead(own.status, own.headers ?? {});
          res.end(own.body ?? '');
          return;
        }
        const target = new URL(rewrite(url.toString(), true));
        const headers = { ...req.headers };
        delete headers.host;
        delete headers['content-length'];
        const forwardBody = rewrite(body, true);
        if (forwardBody) headers['content-length'] = String(Buffer.byteLength(forwardBody));
        const upstream = http.request(target, { method: req.method, headers }, (up) => {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            let out = Buffer.concat(chunks);
            const outHeaders: http.OutgoingHttpHeaders = { ...up.headers };
            if (typeof outHeaders.location === 'string') outHeaders.location = rewrite(outHeaders.location);
            if (String(up.headers['content-type'] ?? '').includes('text/html')) {
              let html = rewrite(out.toString('utf8'));
              if (handle.rewriteHtml) html = handle.rewriteHtml(seen, html);
              out = Buffer.from(html, 'utf8');
            }
            outHeaders['content-length'] = String(out.length);
            delete outHeaders['transfer-encoding'];
            delete outHeaders.connection;
            res.writeHead(up.statusCode ?? 502, outHeaders);
            res.end(out);
          });
        });
        upstream.on('error', () => {
          res.writeHead(502);
          res.end();
        });
        upstream.end(forwardBody || undefined);
      })();
    };
  const service = tracked(handler('service'));
  const login = tracked(handler('login'));
  const login6 = tracked(handler('login'));
  const servicePort = await listen(service.server, 0, '127.0.0.1');
  const loginPort = await listen(login.server, 0, '127.0.0.1');
  await listen(login6.server, loginPort, '::1').catch(() => undefined);
  handle.serviceUrl = `http://127.0.0.1:${servicePort}`;
  handle.loginUrl = `http://localhost:${loginPort}`;
  map.push([sim.serviceUrl, handle.serviceUrl], [sim.loginUrl, handle.loginUrl]);
  handle.close = async () => {
    for (const t of [service, login, login6]) {
      if (!t.server.listening) continue;
      await new Promise<void>((resolve) => {
        t.server.close(() => resolve());
        t.server.closeAllConnections();
        for (const s of t.sockets) s.destroy();
      });
    }
  };
  return handle;
}
