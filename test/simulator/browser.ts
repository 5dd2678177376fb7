/**
 * A minimal browser for the simulator tests, on Node's own `fetch`: a cookie jar keyed by host
 * name and path, manual redirects (302/303 turn into GET, like browsers do) and the chain of URLs
 * visited. Deliberately independent of the package's client.
 */

export interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  httpOnly: boolean;
}

export interface Page {
  status: number;
  url: string;
  body: string;
  headers: Headers;
  /** Every URL requested, the first one included. */
  chain: string[];
  /** The status of every response on the way. */
  statuses: number[];
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  form?: Record<string, string>;
  follow?: boolean;
  headers?: Record<string, string>;
}

export class Browser {
  readonly cookies: StoredCookie[] = [];

  /** Cookies the jar would send to `url`. */
  cookiesFor(url: string): StoredCookie[] {
    const u = new URL(url);
    return this.cookies.filter((c) => c.host === u.hostname && u.pathname.startsWith(c.path));
  }

  cookie(host: string, name: string): StoredCookie | undefined {
    return this.cookies.find((c) => c.host === host && c.name === name);
  }

  private store(url: string, setCookies: string[]): void {
    const u = new URL(url);
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let httpOnly = false;
      let remove = false;
      for (const a of attrs) {
        const [k, v] = a.split('=');
        const key = k.toLowerCase();
        if (key === 'path' && v) path = v;
        if (key === 'httponly') httpOnly = true;
        if (key === 'max-age' && Number(v) <= 0) remove = true;
      }
      const i = this.cookies.findIndex((c) => c.host === u.hostname && c.name === name && c.path === path);
      if (i >= 0) this.cookies.splice(i, 1);
      if (!remove) this.cookies.push({ name, value, host: u.hostname, path, httpOnly });
    }
  }

  async request(url: string, options: RequestOptions = {}): Promise<Page> {
    let method = options.method ?? (options.form ? 'POST' : 'GET');
    let body: string | undefined = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const chain: string[] = [];
    const statuses: number[] = [];
    let current = url;
    for (let hop = 0; hop < 15; hop++) {
      chain.push(current);
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      const jar = this.cookiesFor(current);
      if (jar.length) headers.cookie = jar.map((c) => `${c.name}=${c.value}`).join('; ');
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method, headers, body, redirect: 'manual' });
      this.store(current, res.headers.getSetCookie());
      statuses.push(res.status);
      const location = res.headers.get('location');
      if (options.follow !== false && location && [301, 302, 303, 307, 308].includes(res.status)) {
        await res.arrayBuffer();
        current = new URL(location, current).toString();
        if (res.status !== 307 && res.status !== 308) {
          method = 'GET';
          body = undefined;
        }
        continue;
      }
      // Decoded without dropping a byte order mark, so tests see the text as sent.
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
      return {
        status: res.status,
        url: current,
        body: text,
        headers: res.headers,
        chain,
        statuses,
      };
    }
    throw new Error(`Too many redirects from ${url}`);
  }

  get(url: string, follow = true): Promise<Page> {
    return this.request(url, { follow });
  }

  post(url: string, form: Record<string, string>, follow = true): Promise<Page> {
    return this.request(url, { method: 'POST', form, follow });
  }
}

/** The `action` of the Keycloak login form, unescaped, or undefined when the page has no form. */
export function formAction(html: string): string | undefined {
  const m = /<form\b[^>]*\bid="kc-form-login"[^>]*\baction="([^"]+)"/s.exec(html);
  return m?.[1].replace(/&amp;/g, '&');
}

/** Opens the login entry and posts the credentials; returns the final page. */
export async function logIn(
  browser: Browser,
  sim: { serviceUrl: string; loginUrl: string },
  username: string,
  password: string,
): Promise<Page> {
  const page = await browser.get(`${sim.loginUrl}/login?service=${sim.serviceUrl}`);
  const action = formAction(page.body);
  if (!action) return page;
  return browser.post(action, { username, password, credentialId: '' });
}

/** Posts a JSON data request and parses the answer. */
export async function postJson(browser: Browser, url: string, form: Record<string, string>): Promise<any> {
  const page = await browser.post(url, form);
  return JSON.parse(page.body);
}
