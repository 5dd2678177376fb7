/**
 * The HTTP layer of the client: Node's own http/https with a tough-cookie jar applied by hand
 * (axios, which honours the `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` variables, when
 * one of the first three is set; it is not loaded otherwise, which keeps a new process quick). Redirects are
 * followed here, one hop at a time (`maxRedirects: 0`), so that every hop's `Set-Cookie` is stored,
 * every hop gets the cookies of its own host, and the caller sees the final URL (`/blokada`) or can
 * stop before a hop (a data call that is sent to the login host has lost its session).
 *
 * Every request carries the package's user agent, `cache-control: no-cache` and
 * `Accept-Encoding: identity`; bodies are taken as raw bytes (the CSV's `Content-Encoding: UTF-8`
 * is not a compression). Each hop has a timeout; network errors, timeouts and 5xx answers are
 * retried with capped exponential backoff unless the request says otherwise (the credentials POST).
 * `close()` aborts what is in flight, except a POST that asks to finish (the credentials POST, whose
 * answer must be seen): once sent, it gets {@link CLOSE_GRACE_MS} more for its answer.
 * TLS verification is never turned off.
 */
import http from 'node:http';
import https from 'node:https';
import type { AxiosInstance } from 'axios';
import { CookieJar } from 'tough-cookie';
import { decodeText, decompressBody } from './decode';
import { ElicznikError, ServiceChangedError, ServiceUnavailableError } from '../errors';

/** Waits `ms` milliseconds; rejects when `signal` aborts first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The default {@link Sleep}: a timer that is cleared when the signal aborts. */
export const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Options of {@link HttpSession}. */
export interface HttpOptions {
  /** Time limit of one hop (request and whole answer), ms. */
  timeoutMs: number;
  /** Extra attempts after a network error, timeout or 5xx answer. */
  retries: number;
  /** First backoff delay, ms; doubles per attempt. */
  retryBaseMs: number;
  /** Longest backoff delay, ms. */
  retryMaxMs: number;
  /** Waits between attempts (tests pass a fast one). */
  sleep: Sleep;
  /** `User-Agent` header. */
  userAgent: string;
  /** Receives one line per hop (method, host and path, status); never query strings, bodies or cookies. */
  log?: (line: string) => void;
  /**
   * Receives every hop in full, secrets included (for diagnostic dumps, which redact them before
   * writing). A hook that throws is ignored.
   */
  onExchange?: (exchange: HttpExchange) => void;
}

/** Longest body text an {@link HttpExchange} carries. */
export const EXCHANGE_BODY_LIMIT = 512 * 1024;

/**
 * One HTTP hop as sent and answered, for diagnostics. Holds secrets (cookies, the password in a
 * login form): never log it; redact it before writing (`src/diagnostics`).
 */
export interface HttpExchange {
  /** The client step of the request. */
  step: string;
  /** When the hop started, ISO time. */
  at: string;
  durationMs: number;
  method: string;
  /** The full URL, query included. */
  url: string;
  /** Headers as sent, `Cookie` included. */
  requestHeaders: Record<string, string>;
  /** The POST form as sent. */
  requestForm?: Record<string, string>;
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** Answer headers, names in lower case (`set-cookie` as a list). */
  responseHeaders: Record<string, string | string[]>;
  /** The answer as text, cut to {@link EXCHANGE_BODY_LIMIT} characters. */
  body: string;
  /** Why no answer came (timeout, network error). */
  error?: string;
}

/** One request, with the redirects it may lead to. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  /** Form fields, sent `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Extra headers (e.g. `Accept`). */
  headers?: Record<string, string>;
  /** The client step, for errors. */
  step: string;
  /** Retry this request's first hop on network errors and 5xx (default true; false for credentials). */
  retry?: boolean;
  /** Decides whether to follow a redirect to `next`; default: follow every redirect. */
  follow?: (next: URL) => boolean;
  /**
   * When the session closes while this POST is on its way, let its answer come (at most
   * {@link CLOSE_GRACE_MS} more) instead of aborting it; no redirect is followed after it. For the
   * credentials POST: the service has the password then, and its answer (rejected, blocked) must
   * not be lost, or the same password would be sent again later.
   */
  finishOnClose?: boolean;
}

/** The answer at the end of the followed redirects. */
export interface HttpResponse {
  /** HTTP status of the last hop. */
  status: number;
  /** URL of the last hop. */
  url: string;
  /** Headers of the last hop, names in lower case. */
  headers: Record<string, string | undefined>;
  /** Raw body of the last hop (decompressed when it was really compressed). */
  body: Buffer;
  /** The target of a redirect the `follow` callback declined, when one was. */
  redirectTo?: string;
  /** Every URL visited, in order (the first one is the request's). */
  hops: string[];
}

/** The body of an answer as text (UTF-8 or Windows-1250, BOM removed). */
export function responseText(res: HttpResponse): string {
  return decodeText(res.body);
}

/** What one attempt of a hop got back: the status, the headers as Node gives them, the raw body. */
interface RawResponse {
  status: number;
  headers: Record<string, unknown>;
  data: Buffer;
}

/** One request on the wire, without redirects, cookies or retries. */
type Transport = (request: {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  data: string | undefined;
  signal: AbortSignal;
}) => Promise<RawResponse>;

/** Longest answer body accepted, bytes. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * How long a POST sent with {@link HttpRequest.finishOnClose} may still wait for its answer once
 * the session closes: 10 s, within Node-RED's 15 s for closing a node on a redeploy or a stop.
 */
export const CLOSE_GRACE_MS = 10_000;

/** An error with a Node-style `code`. */
function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** True when the environment names a proxy for outgoing requests (the variables axios reads). */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return ['http_proxy', 'https_proxy', 'all_proxy'].some((k) => !!(env[k] || env[k.toUpperCase()]));
}

/** Requests through Node's http/https with the session's keep-alive agents. */
function nodeTransport(httpAgent: http.Agent, httpsAgent: https.Agent): Transport {
  return ({ method, url, headers, data, signal }) =>
    new Promise<RawResponse>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const secure = url.protocol === 'https:';
      const sent = { ...headers };
      if (data !== undefined) sent['Content-Length'] = String(Buffer.byteLength(data));
      const request = (secure ? https : http).request(url, {
        method,
        headers: sent,
        agent: secure ? httpsAgent : httpAgent,
      });
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        reject(err);
      };
      const onAbort = () => {
        request.destroy();
        fail(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', fail);
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            request.destroy();
            fail(codedError(`maxContentLength size of ${MAX_BODY_BYTES} exceeded`, 'ERR_BAD_RESPONSE'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('aborted', () => fail(codedError('the answer was cut off', 'ECONNRESET')));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, unknown>,
            data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size),
          });
        });
      });
      request.end(data);
    });
}

/** Requests through axios, which sends them through the proxy the environment names. */
function axiosTransport(httpAgent: http.Agent, httpsAgent: https.Agent): Transport {
  const axios = (require('axios') as typeof import('axios')).default;
  const instance: AxiosInstance = axios.create({
    adapter: 'http',
    maxRedirects: 0,
    decompress: false,
    responseType: 'arraybuffer',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxContentLength: MAX_BODY_BYTES,
    httpAgent,
    httpsAgent,
  });
  return async ({ method, url, headers, data, signal }) => {
    const res = await instance.request<Buffer>({ method, url: url.toString(), headers, data, signal });
    return {
      status: res.status,
      headers: res.headers as Record<string, unknown>,
      data: Buffer.from(res.data ?? Buffer.alloc(0)),
    };
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_HOPS = 15;
const TLS_CODE_RE = /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_CERT)/;

/** Marks an abort caused by the hop's own timer. */
class HopTimeout extends Error {}

/** The error a closed session answers every call with. */
export function closedError(): ServiceUnavailableError {
  return new ServiceUnavailableError('The eLicznik client was closed.', { step: 'closed' });
}

/**
 * A cookie-keeping HTTP session. One per client; `close()` aborts whatever is in flight, cancels
 * backoff waits and destroys the keep-alive sockets.
 */
export class HttpSession {
  /** The cookies of every host this session talked to. */
  readonly jar = new CookieJar();
  private readonly transport: Transport;
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 2 });
  private readonly master = new AbortController();
  private closed = false;
  /** Requests let finish after {@link close} (their sockets stay until they end). */
  private finishing = 0;
  /** Receives every hop in full (see {@link HttpOptions.onExchange}); may be changed at any time. */
  onExchange: ((exchange: HttpExchange) => void) | undefined;

  constructor(private readonly options: HttpOptions) {
    this.onExchange = options.onExchange;
    this.transport = (proxyConfigured(process.env) ? axiosTransport : nodeTransport)(
      this.httpAgent,
      this.httpsAgent,
    );
  }

  /** True once {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The signal that aborts when the session closes. */
  get signal(): AbortSignal {
    return this.master.signal;
  }

  /**
   * Aborts requests in flight (but a sent {@link HttpRequest.finishOnClose} POST) and backoff
   * waits, and closes the sockets (those of a POST let finish once it has).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.master.abort(closedError());
    if (this.finishing === 0) this.destroyAgents();
  }

  private destroyAgents(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** The `Cookie` header value the jar holds for `url` ('' when none). */
  cookieHeader(url: string): Promise<string> {
    return this.jar.getCookieString(url);
  }

  /** Stores cookies given as a `Cookie` header value (`a=1; b=2`) for `url`. */
  async restoreCookies(url: string, header: string): Promise<void> {
    for (const part of header.split(';')) {
      const pair = part.trim();
      if (pair.includes('=')) await this.jar.setCookie(`${pair}; Path=/`, url, { ignoreError: true });
    }
  }

  /** Forgets every cookie of `url`'s host (e.g. an expired eLicznik session). */
  async dropCookies(url: string): Promise<void> {
    const cookies = await this.jar.getCookies(url);
    for (const c of cookies) {
      await this.jar.setCookie(
        `${c.key}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=${c.path ?? '/'}`,
        url,
        {
          ignoreError: true,
        },
      );
    }
  }

  /** Sends a request and follows its redirects (as allowed by `follow`). */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let method = req.method;
    let url = new URL(req.url);
    let form = req.form;
    const hops: string[] = [url.toString()];
    let retry = req.retry ?? true;
    for (;;) {
      const res = await this.hop(method, url, form, req, retry);
      const location = res.headers.location;
      if (!REDIRECT_STATUSES.has(res.status) || !location) {
        return { ...res, url: url.toString(), hops };
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new ServiceChangedError(req.step, 'a redirect to an invalid address', {
          httpStatus: res.status,
        });
      }
      if (req.follow && !req.follow(next)) {
        return { ...res, url: url.toString(), hops, redirectTo: next.toString() };
      }
      if (hops.length >= MAX_HOPS) {
        throw new ServiceChangedError(req.step, 'too many redirects', { httpStatus: res.status });
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        form = undefined;
      }
      url = next;
      hops.push(url.toString());
      // a 307/308 sends the same POST again: it is retried only when the request allows it
      if (method === 'GET') retry = true;
    }
  }

  private async hop(
    method: 'GET' | 'POST',
    url: URL,
    form: Record<string, string> | undefined,
    req: HttpRequest,
    retry: boolean,
  ): Promise<Omit<HttpResponse, 'url' | 'hops'>> {
    const attempts = retry ? Math.max(0, this.options.retries) + 1 : 1;
    let lastError: ElicznikError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        const delay = Math.min(this.options.retryBaseMs * 2 ** (attempt - 1), this.options.retryMaxMs);
        try {
          await this.options.sleep(delay, this.master.signal);
        } catch {
          throw closedError();
        }
      }
      if (this.closed) throw closedError();
      let res: RawResponse;
      try {
        res = await this.attempt(method, url, form, req);
      } catch (err) {
        lastError = this.networkError(err, url, req.step);
        if (this.closed || !isRetryableNetworkError(err)) throw lastError;
        continue;
      }
      const headers = plainHeaders(res.headers);
      await this.storeCookies(res.headers['set-cookie'], url);
      const body = decompressBody(res.data, headers['content-encoding']);
      if (res.status >= 500) {
        lastError = new ServiceUnavailableError(
          `eLicznik (${url.host}) is not working right now (HTTP ${res.status}). Try again later.`,
          { step: req.step, httpStatus: res.status },
        );
        continue;
      }
      return { status: res.status, headers, body };
    }
    throw lastError ?? closedError();
  }

  private async attempt(
    method: 'GET' | 'POST',
    url: URL,
    form: Record<string, string> | undefined,
    req: HttpRequest,
  ): Promise<RawResponse> {
    const started = Date.now();
    const sent: { headers: Record<string, string> } = { headers: {} };
    const controller = new AbortController();
    const finish = req.finishOnClose === true && method === 'POST';
    let sending = false;
    let grace: NodeJS.Timeout | undefined;
    const onMasterAbort = () => {
      if (!(finish && sending)) {
        controller.abort(this.master.signal.reason);
        return;
      }
      this.finishing += 1;
      grace = setTimeout(() => controller.abort(this.master.signal.reason), CLOSE_GRACE_MS);
    };
    this.master.signal.addEventListener('abort', onMasterAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new HopTimeout()), this.options.timeoutMs);
    try {
      const headers: Record<string, string> = {
        'User-Agent': this.options.userAgent,
        'Cache-Control': 'no-cache',
        'Accept-Encoding': 'identity',
        Accept: 'text/html,application/json,text/csv;q=0.9,*/*;q=0.8',
        'Accept-Language': 'pl-PL,pl;q=0.9,en;q=0.5',
        ...req.headers,
      };
      const cookie = await this.jar.getCookieString(url.toString());
      if (cookie) headers.Cookie = cookie;
      let data: string | undefined;
      if (form && method === 'POST') {
        data = new URLSearchParams(form).toString();
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
      }
      sent.headers = headers;
      sending = true;
      const res = await this.transport({ method, url, headers, data, signal: controller.signal });
      this.options.log?.(`${method} ${url.origin}${url.pathname} ${res.status} ${Date.now() - started}ms`);
      this.report({ method, url, form, req, started, headers: sent.headers, res });
      return res;
    } catch (err) {
      const timedOut = controller.signal.aborted && controller.signal.reason instanceof HopTimeout;
      this.report({
        method,
        url,
        form,
        req,
        started,
        headers: sent.headers,
        error: timedOut ? `no answer within ${this.options.timeoutMs} ms` : errorText(err),
      });
      if (timedOut) throw controller.signal.reason;
      throw err;
    } finally {
      clearTimeout(timer);
      this.master.signal.removeEventListener('abort', onMasterAbort);
      if (grace !== undefined) {
        clearTimeout(grace);
        this.finishing -= 1;
        if (this.finishing === 0) this.destroyAgents();
      }
    }
  }

  /** Tells the exchange hook about a hop; never fails the request. */
  private report(hop: {
    method: string;
    url: URL;
    form: Record<string, string> | undefined;
    req: HttpRequest;
    started: number;
    headers: Record<string, string>;
    res?: RawResponse;
    error?: string;
  }): void {
    const hook = this.onExchange;
    if (!hook) return;
    try {
      const responseHeaders: Record<string, string | string[]> = {};
      let body = '';
      if (hop.res) {
        const raw = hop.res.headers;
        const source =
          typeof (raw as { toJSON?: unknown }).toJSON === 'function'
            ? (raw as unknown as { toJSON(): Record<string, unknown> }).toJSON()
            : raw;
        for (const [name, value] of Object.entries(source)) {
          if (value === undefined || value === null) continue;
          responseHeaders[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
        }
        const encoding = responseHeaders['content-encoding'];
        const bytes = decompressBody(hop.res.data, typeof encoding === 'string' ? encoding : undefined);
        body = decodeText(bytes).slice(0, EXCHANGE_BODY_LIMIT);
      }
      hook({
        step: hop.req.step,
        at: new Date(hop.started).toISOString(),
        durationMs: Date.now() - hop.started,
        method: hop.method,
        url: hop.url.toString(),
        requestHeaders: { ...hop.headers },
        ...(hop.form && hop.method === 'POST' ? { requestForm: { ...hop.form } } : {}),
        status: hop.res?.status ?? 0,
        responseHeaders,
        body,
        ...(hop.error !== undefined ? { error: hop.error } : {}),
      });
    } catch {
      // diagnostics must never break a request
    }
  }

  private async storeCookies(setCookie: unknown, url: URL): Promise<void> {
    const list = Array.isArray(setCookie) ? setCookie : typeof setCookie === 'string' ? [setCookie] : [];
    for (const c of list) {
      if (typeof c === 'string') await this.jar.setCookie(c, url.toString(), { ignoreError: true });
    }
  }

  private networkError(err: unknown, url: URL, step: string): ElicznikError {
    if (this.closed) return closedError();
    if (err instanceof ElicznikError) return err;
    if (err instanceof HopTimeout) {
      return new ServiceUnavailableError(
        `eLicznik (${url.host}) did not answer within ${Math.round(this.options.timeoutMs / 1000)} s. Try again later.`,
        { step },
      );
    }
    const code = errorCode(err);
    if (code && TLS_CODE_RE.test(code)) {
      return new ServiceUnavailableError(
        `The TLS certificate of ${url.host} could not be verified (${code}); the client does not connect without verification.`,
        { step },
      );
    }
    return new ServiceUnavailableError(
      `Could not reach eLicznik (${url.host})${code ? ` (${code})` : ''}. Check the network and try again later.`,
      { step },
    );
  }
}

function errorText(err: unknown): string {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${message}` : message;
}

function errorCode(err: unknown): string | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  if (e.cause && typeof e.cause.code === 'string') return e.cause.code;
  return typeof e.code === 'string' ? e.code : undefined;
}

function isRetryableNetworkError(err: unknown): boolean {
  if (err instanceof HopTimeout) return true;
  const code = errorCode(err);
  return !(code && TLS_CODE_RE.test(code));
}

function plainHeaders(raw: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  const source =
    typeof (raw as { toJSON?: unknown }).toJSON === 'function'
      ? ((raw as unknown as { toJSON(): Record<string, unknown> }).toJSON() as Record<string, unknown>)
      : raw;
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || value === null) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
