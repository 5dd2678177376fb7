/**
 * One request of an eLicznik data endpoint, with the checks every data answer gets: the block
 * text, `/blokada`, a lost session, maintenance pages (asked again after a pause), HTML or
 * something else where data was expected; and the energy request of a meter point, which tries the
 * business path once when the plain one answers `success: false`.
 */
import { ServiceChangedError, redactExcerpt } from '../errors';
import {
  MaintenancePage,
  SessionLost,
  accountBlocked,
  maintenanceRetry,
  rateLimited,
  type ClientContext,
} from './context';
import { responseText, type HttpRequest } from './http';
import { isBusiness } from './meter-point';
import {
  hasBlockText,
  hasLoginForm,
  isMaintenancePage,
  isRateLimitUrl,
  looksLikeHtml,
  pageShowsUser,
} from './pages';
import type { MeterPoint } from './pages';
import { checkSession } from './session';

/** A data endpoint answered something that is not its data while the session is fine. */
export class NotData extends Error {
  constructor(
    readonly what: string,
    readonly excerpt: string,
    readonly httpStatus: number,
  ) {
    super(what);
  }
}

/** A data answer: its text, and the parsed JSON when JSON was expected. */
export type DataAnswer = { text: string; json?: unknown };

/** One request of a data endpoint; a maintenance page is asked again after a pause. */
export function dataCall(ctx: ClientContext, req: HttpRequest, expect: 'json' | 'csv'): Promise<DataAnswer> {
  return maintenanceRetry(ctx, req.step, () => dataAttempt(ctx, req, expect));
}

async function dataAttempt(
  ctx: ClientContext,
  req: HttpRequest,
  expect: 'json' | 'csv',
): Promise<DataAnswer> {
  const res = await ctx.http.send({ ...req, follow: (next) => next.origin === ctx.serviceOrigin });
  if (res.redirectTo !== undefined) {
    if (isRateLimitUrl(res.redirectTo)) throw rateLimited(ctx, req.step);
    throw new SessionLost();
  }
  if (isRateLimitUrl(res.url)) throw rateLimited(ctx, req.step);
  const text = responseText(res);
  if (hasBlockText(text)) throw accountBlocked(ctx, req.step);
  if (res.status === 429) throw rateLimited(ctx, req.step, res);
  if (res.status === 401 || res.status === 403) throw new SessionLost();
  if (looksLikeHtml(text)) await htmlInsteadOfData(ctx, text, req.step, res.status);
  if (res.status !== 200) {
    throw new NotData(
      `HTTP ${res.status} where data was expected`,
      redactExcerpt(text, [ctx.username]),
      res.status,
    );
  }
  if (expect === 'csv') return { text };
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch {
    throw new NotData('an answer that is not JSON', redactExcerpt(text, [ctx.username]), res.status);
  }
}

/** Decides what an HTML page in place of data means; always throws. */
async function htmlInsteadOfData(
  ctx: ClientContext,
  html: string,
  step: string,
  status: number,
): Promise<never> {
  if (hasLoginForm(html)) throw new SessionLost();
  if (isMaintenancePage(html)) throw new MaintenancePage(step, status);
  const excerpt = redactExcerpt(html, [ctx.username]);
  if (pageShowsUser(html, ctx.username)) throw new NotData('an HTML page instead of data', excerpt, status);
  ctx.log('an HTML page instead of data; checking the session');
  if (!(await checkSession(ctx, `${step}-session-check`))) throw new SessionLost();
  throw new NotData('an HTML page instead of data', excerpt, status);
}

/** A JSON data request (`POST` of a form, as the eLicznik pages send it); anything else is `SERVICE_CHANGED`. */
export async function jsonCall(
  ctx: ClientContext,
  path: string,
  form: Record<string, string>,
  step: string,
): Promise<unknown> {
  try {
    const answer = await dataCall(
      ctx,
      {
        method: 'POST',
        url: `${ctx.serviceUrl}${path}`,
        form,
        step,
        headers: {
          Accept: 'application/json, text/javascript, */*; q=0.01',
          'X-Requested-With': 'XMLHttpRequest',
        },
      },
      'json',
    );
    return answer.json;
  } catch (err) {
    if (err instanceof NotData) {
      throw new ServiceChangedError(step, err.what, { excerpt: err.excerpt, httpStatus: err.httpStatus });
    }
    throw err;
  }
}

/**
 * An energy request for the selected point. A point not marked business whose answer is
 * `success: false` is tried once on the business path `/energia/wo/api` (as one client does);
 * when that works the point is treated as business from then on.
 */
export async function energyCall(
  ctx: ClientContext,
  point: MeterPoint,
  form: Record<string, string>,
  step: string,
): Promise<unknown> {
  const business = isBusiness(ctx, point);
  const body = await jsonCall(ctx, business ? '/energia/wo/api' : '/energia/api', form, step);
  if (business || ctx.woTried.has(point.id) || isSuccess(body)) return body;
  ctx.woTried.add(point.id);
  ctx.log(`"success": false for ${point.id}; trying the business endpoint once`);
  const wo = await jsonCall(ctx, '/energia/wo/api', form, step);
  if (isSuccess(wo)) {
    ctx.businessByFallback.add(point.id);
    return wo;
  }
  return body;
}

function isSuccess(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { success?: unknown }).success === true;
}
