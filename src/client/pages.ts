/**
 * Readers of the HTML pages of the login host and of eLicznik (`elicznik-service.md` §1): the
 * Keycloak login form, the block and maintenance texts, the logged-in user, the meter point list
 * and the tariff marker of the `/ustaw_punkt` answer. The form and the meter points are read as an
 * HTML parser reads them rather than with one-line regular expressions, so attribute order, line
 * breaks and spacing do not matter: by the quick reader of `html-scan.ts` when the page is written
 * plainly (it answers exactly what cheerio would), else with cheerio, loaded when first needed.
 */
import type { CheerioAPI } from 'cheerio';
import { scanForm, scanOptions, type ScannedForm, type ScannedOption } from './html-scan';

/** cheerio's `load`, required when a page first needs it. */
function load(html: string): CheerioAPI {
  return (require('cheerio') as typeof import('cheerio')).load(html);
}

/** The Keycloak login form: where to post and the hidden inputs to send back. */
export interface LoginForm {
  /** Absolute URL of the form action (entities unescaped, resolved against the page URL). */
  action: string;
  /** Hidden inputs of the form (`name` → `value`), e.g. `credentialId`. */
  hidden: Record<string, string>;
}

/**
 * Finds the Keycloak login form `form#kc-form-login` in a page.
 * @param html the page
 * @param pageUrl the URL the page was served from, for a relative `action`
 * @returns the form, or undefined when the page has none (or it has no usable action)
 */
export function parseLoginForm(html: string, pageUrl: string): LoginForm | undefined {
  const scanned = scanForm(html, 'kc-form-login');
  const form = scanned === undefined ? formWithCheerio(html) : scanned;
  if (!form) return undefined;
  const raw = form.action;
  if (!raw) return undefined;
  let action: string;
  try {
    action = new URL(raw.trim(), pageUrl).toString();
  } catch {
    return undefined;
  }
  const hidden: Record<string, string> = {};
  for (const input of form.inputs) {
    const type = (input.type ?? 'text').toLowerCase();
    if (type === 'hidden' && input.name) hidden[input.name] = input.value ?? '';
  }
  return { action, hidden };
}

/** The Keycloak login form as cheerio reads it (what {@link scanForm} gives for a plain page). */
export function formWithCheerio(html: string): ScannedForm | null {
  const $ = load(html);
  const form = $('form#kc-form-login').first();
  if (form.length === 0) return null;
  const inputs: ScannedForm['inputs'] = [];
  form.find('input').each((_, el) => {
    const input = $(el);
    inputs.push({ type: input.attr('type'), name: input.attr('name'), value: input.attr('value') });
  });
  return { action: form.attr('action'), inputs };
}

/** True when a page carries the Keycloak login form (also a page that re-renders it with an error). */
export function hasLoginForm(html: string): boolean {
  return /id\s*=\s*["']?kc-form-login/i.test(html);
}

/**
 * Texts TAURON shows when logins for an account are blocked (2022, 2023 and the Java client's
 * variant), see §4 "Login rate limiting / account block".
 */
const BLOCK_RES: readonly RegExp[] = [
  /przekroczono\s+maksymaln\p{L}*\s+(?:liczb\p{L}*|ilo\p{L}*)\s+logowa/iu,
  /przekroczeni\p{L}*\s+liczby\s+mo\p{L}*\s+logowa/iu,
];

/** True when a page tells that the account is blocked after too many logins. */
export function hasBlockText(html: string): boolean {
  return BLOCK_RES.some((re) => re.test(html));
}

const MAINTENANCE_RE =
  /przerwa\s+techniczn|prac\p{L}*\s+(?:serwisow|konserwacyjn|techniczn)|serwis\s+(?:jest\s+)?(?:chwilowo\s+)?niedost\p{L}*pn|us\p{L}*uga\s+jest\s+chwilowo\s+niedost|maintenance|temporarily\s+unavailable/iu;

/** True when a page looks like a maintenance or "temporarily unavailable" page. */
export function isMaintenancePage(html: string): boolean {
  return MAINTENANCE_RE.test(html);
}

/** True when a body looks like an HTML page rather than JSON or CSV. */
export function looksLikeHtml(text: string): boolean {
  const head = text
    .slice(0, 2048)
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  return head.startsWith('<') || head.includes('<html') || head.includes('<!doctype');
}

/**
 * True when an eLicznik page shows the logged-in user: the login (an e-mail) appears in the page,
 * compared case-insensitively, as text or in the markup (§1.1: the e-mail in the top-right corner;
 * one client looks for it in the raw HTML). Callers check for the login form first, since a
 * Keycloak page that re-renders the form carries the username in its input.
 */
export function pageShowsUser(html: string, username: string): boolean {
  const user = username.trim().toLowerCase();
  if (!user) return false;
  if (html.toLowerCase().includes(user)) return true;
  return load(html).root().text().toLowerCase().includes(user);
}

/** One meter point (punkt poboru) of the account. */
export interface MeterPoint {
  /** Site id the eLicznik API uses, `<digits>_<digits>_<digits>`. */
  id: string;
  /** The option's text (PPE number and address), whitespace collapsed. */
  name: string;
  /** The 18-digit PPE number (`5903…`) when the text shows one, else null. */
  ppe: string | null;
  /** The `type` of the option's `data-data` JSON (`''` when absent; `WO` = business). */
  type: string;
  /** True for business (`WO`) points, whose energy data is at `/energia/wo/api`. */
  isBusiness: boolean;
}

const SITE_ID_RE = /^\d+_\d+_\d+$/;
const PPE_RE = /(?<!\d)5903\d{14}(?!\d)/;

/** Reads `type` from a `data-data` attribute such as `{"type": "WO"}` (any spacing or quotes). */
export function parseOptionType(dataData: string | undefined): string {
  if (!dataData) return '';
  try {
    const parsed = JSON.parse(dataData) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string') {
      return ((parsed as { type: string }).type ?? '').trim();
    }
  } catch {
    // not strict JSON; fall through to the tolerant match
  }
  const m = /["']?type["']?\s*:\s*["']([^"']*)["']/i.exec(dataData);
  return m ? m[1].trim() : '';
}

/**
 * Reads the meter points from an eLicznik page: every `<option>` whose value is a site id, once
 * per id, in page order.
 */
export function parseMeterPoints(html: string): MeterPoint[] {
  const out: MeterPoint[] = [];
  const seen = new Set<string>();
  for (const option of scanOptions(html) ?? optionsWithCheerio(html)) {
    const id = (option.value ?? '').trim();
    if (!SITE_ID_RE.test(id) || seen.has(id)) continue;
    seen.add(id);
    const name = option.text.replace(/\s+/g, ' ').trim();
    const ppe = PPE_RE.exec(name)?.[0] ?? null;
    const type = parseOptionType(option.dataData);
    out.push({ id, name, ppe, type, isBusiness: type.toUpperCase() === 'WO' });
  }
  return out;
}

/** Every `<option>` as cheerio reads it (what {@link scanOptions} gives for a plain page). */
export function optionsWithCheerio(html: string): ScannedOption[] {
  const $ = load(html);
  return $('option')
    .toArray()
    .map((el) => {
      const option = $(el);
      return { value: option.attr('value'), dataData: option.attr('data-data'), text: option.text() };
    });
}

/**
 * Reads the tariff of the selected meter point from the `/ustaw_punkt` answer: `Tariff: 'G12W',`
 * (since late 2025) or `'Tariff' : 'G11',` (before), never a key that merely ends in `_Tariff`.
 * @returns the tariff code, or null when the page has no such marker
 */
export function parseTariff(html: string): string | null {
  const re = /(?<![\w$])(?:'Tariff'|"Tariff"|Tariff)\s*:\s*(['"])([^'"]*)\1\s*,/g;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const value = m[2].trim();
    if (value) return value;
  }
  return null;
}

/** The path of a URL, or '' when it is not one. */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** True when a URL is the `/blokada` (too many requests) page. */
export function isRateLimitUrl(url: string): boolean {
  return /^\/blokada\/?$/i.test(pathOf(url));
}
