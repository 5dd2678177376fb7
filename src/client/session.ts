/**
 * The client's eLicznik session: restored from the session store or made by a login, checked with
 * the start page, dropped when it is gone, and replaced by one new login at most once per call.
 */
import { ServiceChangedError } from '../errors';
import { SessionLost, getPage, maintenanceRetry, settleSave, type ClientContext } from './context';
import { logIn } from './login';
import { parseMeterPoints } from './pages';

/** Makes sure there is a session: restores a stored one or logs in. */
export async function ensureSession(ctx: ClientContext): Promise<void> {
  if (ctx.session) return;
  if (ctx.sessionStore && !ctx.storeLoaded) {
    ctx.storeLoaded = true;
    const cookie = await ctx.sessionStore.load();
    if (cookie) {
      await ctx.http.restoreCookies(ctx.serviceUrl, cookie);
      let valid: boolean;
      try {
        valid = await checkSession(ctx, 'restore-session');
      } catch (err) {
        // not known to be gone (a network error, a 5xx, maintenance): the next call checks it again
        ctx.storeLoaded = false;
        throw err;
      }
      if (valid) {
        ctx.log('restored the stored eLicznik session');
        return;
      }
      ctx.log('the stored eLicznik session is no longer valid');
      await ctx.http.dropCookies(ctx.serviceUrl);
      await ctx.sessionStore.save(undefined);
    }
  }
  await logIn(ctx, 'first');
}

/**
 * GETs the eLicznik start page with the current cookies. True (and the meter points read) when
 * it shows the user; false when the session is gone. A maintenance page is asked again after a
 * pause unless `retry` is false (the keep-alive).
 */
export async function checkSession(ctx: ClientContext, step: string, retry = true): Promise<boolean> {
  const html = await maintenanceRetry(
    ctx,
    step,
    async () => {
      try {
        return await getPage(ctx, '/', step);
      } catch (err) {
        if (err instanceof SessionLost) return undefined;
        throw err;
      }
    },
    retry ? ctx.retries : 0,
  );
  if (html === undefined) return false;
  ctx.session = { meterPoints: parseMeterPoints(html), selected: ctx.session?.selected };
  return true;
}

/** Forgets the session, its cookies and the stored cookie. */
export async function dropSession(ctx: ClientContext): Promise<void> {
  ctx.session = undefined;
  await ctx.http.dropCookies(ctx.serviceUrl);
  await settleSave(ctx);
  if (ctx.sessionStore) await ctx.sessionStore.save(undefined);
}

/**
 * Runs `fn` with a session. When the session turns out to be lost, logs in again once and runs
 * `fn` once more; losing it again is an error.
 */
export async function withSession<T>(ctx: ClientContext, step: string, fn: () => Promise<T>): Promise<T> {
  await ensureSession(ctx);
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof SessionLost)) throw err;
  }
  ctx.log('the eLicznik session expired; logging in again');
  await dropSession(ctx);
  await logIn(ctx, 'session-expired');
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SessionLost) {
      throw new ServiceChangedError(step, 'eLicznik asked for a login again right after a successful login');
    }
    throw err;
  }
}
