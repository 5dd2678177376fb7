/**
 * Status lines of `elicznik-fetch`. Pure: the translation function and the clock come in as
 * parameters, so the texts can be checked without a runtime.
 */
import type { NodeStatus } from 'node-red';
import { ERROR_CODES } from '../../src/errors';
import { localDateOf, toLocalIso } from '../../src/energy/time';
import { LOW_BUDGET, type LoginBudgetReport } from '../../src/session/login-ledger';
import type { Gap, StatusFigure } from '../../src/fetch/payloads';

/** Node-RED's `RED._`: a catalog key and its `__name__` parameters to text. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/** Local Warsaw time `HH:mm` of an instant. */
export function clockTime(now: number): string {
  return toLocalIso(now).slice(11, 16);
}

/** A kWh figure for a status line: one decimal. */
export function formatKwh(kwh: number): string {
  return (Math.round(kwh * 10) / 10).toFixed(1);
}

/** Blue dot while a fetch runs. */
export function fetchingStatus(t: Translate, label: string): NodeStatus {
  return { fill: 'blue', shape: 'dot', text: t('elicznik-fetch.status.fetching', { range: label }) };
}

/** Blue dot with the days fetched so far of a long fetch. */
export function progressStatus(t: Translate, label: string, done: number, total: number): NodeStatus {
  return {
    fill: 'blue',
    shape: 'dot',
    text: t('elicznik-fetch.status.progress', { range: label, done, total }),
  };
}

/** Green dot with the time and a short figure. */
export function doneStatus(t: Translate, now: number, figure: StatusFigure): NodeStatus {
  const time = clockTime(now);
  const vIn = figure.in === null ? null : formatKwh(figure.in);
  const vOut = figure.out === null ? null : formatKwh(figure.out);
  let text: string;
  if (vIn !== null && vOut !== null) text = t('elicznik-fetch.status.done', { time, in: vIn, out: vOut });
  else if (vIn !== null) text = t('elicznik-fetch.status.doneIn', { time, in: vIn });
  else if (vOut !== null) text = t('elicznik-fetch.status.doneOut', { time, out: vOut });
  else text = t('elicznik-fetch.status.doneEmpty', { time });
  return { fill: 'green', shape: 'dot', text };
}

/**
 * Yellow dot when data is missing: "no data yet for …" when the days that lack values have none
 * at all, else the number of hours missing.
 */
export function partialStatus(t: Translate, now: number, missing: Gap): NodeStatus {
  const text = missing.allEmpty
    ? t('elicznik-fetch.status.noData', { range: missing.label })
    : t('elicznik-fetch.status.partial', { time: clockTime(now), count: missing.hours });
  return { fill: 'yellow', shape: 'dot', text };
}

/** Codes with a short reason in the catalog (`elicznik-fetch.reason.<code>`): every error code, and the node's own. */
const REASONS: readonly string[] = [...ERROR_CODES, 'NO_ACCOUNT'];

/**
 * Red ring with the short reason of an error code. The text is the catalog key, which the editor
 * shows in each user's own language.
 */
export function errorStatus(code: string | undefined): NodeStatus {
  const key = code && REASONS.includes(code) ? code : 'UNKNOWN';
  return { fill: 'red', shape: 'ring', text: `elicznik-fetch.reason.${key}` };
}

/** `HH:mm` of an instant in Warsaw, with the day `d.MM` in front when it is not the day of `now`. */
export function whenText(instant: number, now: number): string {
  const iso = toLocalIso(instant);
  const time = iso.slice(11, 16);
  return localDateOf(instant) === localDateOf(now)
    ? time
    : `${Number(iso.slice(8, 10))}.${iso.slice(5, 7)} ${time}`;
}

/** The status text key of each error code that says until when the account waits. */
const WAIT_KEYS: ReadonlyMap<string | undefined, string> = new Map([
  ['LOGIN_BUDGET', 'elicznik-fetch.status.loginsPaused'],
  ['ACCOUNT_BLOCKED', 'elicznik-fetch.status.blockedUntil'],
  ['RATE_LIMITED', 'elicznik-fetch.status.rateLimitedUntil'],
]);

/**
 * Red ring saying until when the account waits, for a refused login (`LOGIN_BUDGET`), a block
 * (`ACCOUNT_BLOCKED`) or the pause after too many requests (`RATE_LIMITED`) with a known end; null
 * for other errors.
 */
export function waitStatus(
  t: Translate,
  code: string | undefined,
  until: Date | undefined,
  now: number,
): NodeStatus | null {
  const key = WAIT_KEYS.get(code);
  if (!until || key === undefined) return null;
  return { fill: 'red', shape: 'ring', text: t(key, { time: whenText(until.getTime(), now) }) };
}

/** A status with the logins left added when they run low ({@link LOW_BUDGET} or fewer). */
export function withBudget(
  t: Translate,
  status: NodeStatus,
  report: LoginBudgetReport | undefined,
): NodeStatus {
  if (!report || report.remaining > LOW_BUDGET || typeof status.text !== 'string') return status;
  const note = t('elicznik-fetch.status.loginsLeft', { count: report.remaining, budget: report.budget });
  return { ...status, text: `${status.text} · ${note}` };
}

/** The status after a `login-budget` control message. */
export function budgetStatus(t: Translate, report: LoginBudgetReport, now: number): NodeStatus {
  const text = t('elicznik-fetch.status.budget', { used: report.used, budget: report.budget });
  if (report.nextLoginAt === null) return { fill: 'green', shape: 'ring', text };
  const next = t('elicznik-fetch.status.nextLogin', { time: whenText(Date.parse(report.nextLoginAt), now) });
  return { fill: 'yellow', shape: 'ring', text: `${text} · ${next}` };
}
