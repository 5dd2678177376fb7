/**
 * Removes secrets from what the eLicznik service sent and answered, so that a dump can be attached
 * to a bug report: the password, cookies and session ids, e-mail addresses, PPE and meter numbers,
 * names and addresses. It prefers removing too much: the structure (tags, JSON keys, CSV headers,
 * cookie and parameter names) stays readable.
 *
 * Two passes: the values known to be secret (the password and login, every cookie value and hidden
 * form value seen in any exchange of the dump, the meter point texts of any eLicznik page in it)
 * are replaced wherever they occur, in plain, URL-encoded and HTML-escaped form; then patterns
 * catch what was not known (e-mail addresses, long numbers, session parameters, tokens, addresses).
 */
import type { HttpExchange } from '../client/http';
import { parseMeterPoints } from '../client/pages';

/** Secrets the caller knows: the credentials and anything else to remove. */
export interface KnownSecrets {
  password?: string;
  username?: string;
  extra?: readonly string[];
}

/** Query, form and JSON parameters whose values identify a session or a login. */
const SESSION_PARAMS =
  'session_code|execution|tab_id|code|state|nonce|client_data|ticket|session_state|access_token|id_token|refresh_token|token|auth_session_id|sessionid|phpsessid|jsessionid';

const COOKIE_NAME_RE =
  /^(?:PHPSESSID|JSESSIONID|KEYCLOAK_[A-Z_]+|AUTH_SESSION_ID[A-Z_]*|KC_[A-Z_]+|.*SESS.*)$/i;

interface Replacement {
  value: string;
  mark: string;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function variants(value: string): string[] {
  const out = new Set([value]);
  try {
    out.add(encodeURIComponent(value));
    out.add(new URLSearchParams({ v: value }).toString().slice(2));
  } catch {
    // a lone surrogate cannot be encoded; the plain value is enough
  }
  out.add(escapeHtml(value));
  out.add(JSON.stringify(value).slice(1, -1));
  return [...out];
}

/** Cookie values of a `Cookie` header (`a=1; b=2`). */
function cookieHeaderValues(header: string): string[] {
  return header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p.includes('='))
    .map((p) => p.slice(p.indexOf('=') + 1));
}

/** The value of a `Set-Cookie` line. */
function setCookieValue(line: string): string {
  const first = line.split(';')[0] ?? '';
  return first.includes('=') ? first.slice(first.indexOf('=') + 1) : '';
}

/** Values found in the exchanges that are secret wherever they appear. */
function secretsIn(exchanges: readonly HttpExchange[], known: KnownSecrets): Replacement[] {
  const list: Replacement[] = [];
  const add = (value: string | undefined, mark: string, min = 3) => {
    const v = (value ?? '').trim();
    if (v.length >= min) list.push({ value: v, mark });
  };
  add(known.password, '[password]', 1);
  add(known.username, '[e-mail]');
  if (known.username?.includes('@')) add(known.username.split('@')[0], '[e-mail]', 4);
  for (const e of known.extra ?? []) add(e, '[secret]');
  for (const ex of exchanges) {
    for (const [name, value] of Object.entries(ex.requestHeaders)) {
      if (name.toLowerCase() === 'cookie') for (const v of cookieHeaderValues(value)) add(v, '[cookie]');
      if (name.toLowerCase() === 'authorization') add(value.replace(/^\S+\s+/, ''), '[secret]');
    }
    const setCookie = ex.responseHeaders['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      add(setCookieValue(line), '[cookie]');
    }
    for (const [name, value] of Object.entries(ex.requestForm ?? {})) {
      if (/pass/i.test(name)) add(value, '[password]', 1);
      else if (/user|login|mail/i.test(name)) add(value, '[e-mail]');
      else if (new RegExp(`^(?:${SESSION_PARAMS})$`, 'i').test(name)) add(value, '[session]');
    }
    for (const m of ex.body.matchAll(/<input\b[^>]*>/gi)) {
      const tag = m[0];
      if (!/type\s*=\s*["']?hidden/i.test(tag)) continue;
      add(/value\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1], '[session]');
    }
    if (/<option\b/i.test(ex.body)) {
      let points: ReturnType<typeof parseMeterPoints>;
      try {
        points = parseMeterPoints(ex.body);
      } catch {
        points = [];
      }
      for (const p of points) {
        add(p.name, '[meter point]');
        const rest = p.name
          .replace(p.ppe ?? '', '')
          .replace(/\b\d{18}\b/g, '')
          .replace(/^[\s,;:-]+|[\s,;:-]+$/g, '');
        add(rest, '[address]');
        for (const part of rest.split(/[,;]/)) add(part, '[address]', 4);
      }
    }
  }
  const unique = new Map<string, Replacement>();
  for (const r of list) {
    for (const v of variants(r.value)) if (!unique.has(v)) unique.set(v, { value: v, mark: r.mark });
  }
  return [...unique.values()].sort((a, b) => b.value.length - a.value.length);
}

const PATTERNS: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  [/eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]+/g, '[token]'],
  [/[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+/g, '[e-mail]'],
  [
    /\b([A-Za-z_][\w-]*)=([^;,\s&"'<>]+)/g,
    (all, name) => (COOKIE_NAME_RE.test(name) ? `${name}=[cookie]` : all),
  ],
  [
    new RegExp(`\\b(${SESSION_PARAMS})(=|"\\s*:\\s*")([^&\\s"'<>]+)`, 'gi'),
    (_a, name, sep) => `${name}${sep}[session]`,
  ],
  [
    /(<input\b[^>]*\bvalue\s*=\s*["'])([^"']+)(["'][^>]*>)/gi,
    (all, a, _v, b) => (/hidden/i.test(all) ? `${a}[session]${b}` : all),
  ],
  [/\b59\d{16}\b/g, '[ppe]'],
  [/\b\d{5,}_\d{2,}_\d{2,}\b/g, '[meter]'],
  [/\b\d{8,}\b/g, '[number]'],
  [
    /\b(?:ul\.|al\.|os\.|pl\.|ulica|aleja|osiedle)\s*[\p{L}\d .'-]{1,60}?\s\d+[a-zA-Z]?(?:\s*\/\s*\d+[a-zA-Z]?)?/giu,
    '[address]',
  ],
  [/\b\d{2}-\d{3}(?:\s+\p{Lu}[\p{L}-]+){1,3}/gu, '[address]'],
];

/** Replaces the known secrets, then the patterns. */
function apply(text: string, secrets: readonly Replacement[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s.value).join(s.mark);
  for (const [re, mark] of PATTERNS) {
    out =
      typeof mark === 'string' ? out.replace(re, mark) : out.replace(re, mark as (...m: string[]) => string);
  }
  return out;
}

/** A text without the known secrets and without anything that looks like one. */
export function redactText(text: string, known: KnownSecrets): string {
  return apply(text, secretsIn([], known));
}

function redactOne(ex: HttpExchange, secrets: readonly Replacement[]): HttpExchange {
  const requestHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(ex.requestHeaders)) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      requestHeaders[name] = value
        .split(';')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => `${p.split('=')[0]}=[cookie]`)
        .join('; ');
    } else if (lower === 'authorization') {
      requestHeaders[name] = '[secret]';
    } else {
      requestHeaders[name] = apply(value, secrets);
    }
  }
  const responseHeaders: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(ex.responseHeaders)) {
    if (name === 'set-cookie') {
      const lines = Array.isArray(value) ? value : [value];
      responseHeaders[name] = lines.map((line) => {
        const [first, ...attrs] = line.split(';');
        const cookieName = first.includes('=') ? first.slice(0, first.indexOf('=')).trim() : first.trim();
        return [`${cookieName}=[cookie]`, ...attrs.map((a) => apply(a, secrets))].join(';');
      });
    } else {
      responseHeaders[name] = Array.isArray(value)
        ? value.map((v) => apply(v, secrets))
        : apply(value, secrets);
    }
  }
  let requestForm: Record<string, string> | undefined;
  if (ex.requestForm) {
    requestForm = {};
    for (const [name, value] of Object.entries(ex.requestForm)) {
      requestForm[name] = /pass/i.test(name) ? '[password]' : apply(value, secrets);
    }
  }
  return {
    ...ex,
    url: apply(ex.url, secrets),
    requestHeaders,
    ...(requestForm ? { requestForm } : {}),
    responseHeaders,
    body: apply(ex.body, secrets),
    ...(ex.error !== undefined ? { error: apply(ex.error, secrets) } : {}),
  };
}

/** One exchange with every secret removed. */
export function redactExchange(ex: HttpExchange, known: KnownSecrets): HttpExchange {
  return redactOne(ex, secretsIn([ex], known));
}

/**
 * Exchanges with every secret removed; a value secret in one of them (a cookie, a hidden form
 * value, a meter point's address) is removed from all.
 */
export function redactExchanges(exchanges: readonly HttpExchange[], known: KnownSecrets): HttpExchange[] {
  const secrets = secretsIn(exchanges, known);
  return exchanges.map((ex) => redactOne(ex, secrets));
}

/** A text with the secrets of these exchanges and the known ones removed. */
export function redactWith(text: string, exchanges: readonly HttpExchange[], known: KnownSecrets): string {
  return apply(text, secretsIn(exchanges, known));
}
