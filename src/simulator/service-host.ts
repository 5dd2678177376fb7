/**
 * The simulator's eLicznik host: its sessions and pages (`elicznik-service.md` §1.3), and the
 * routes to the data endpoints (`endpoints.ts`) and the RCE prices (`rce.ts`).
 *
 * - `GET /sso/callback?…&code=…` takes the login host's code, sets `PHPSESSID` (HttpOnly, path /)
 *   and 302s to `/`, the start page with the e-mail and the meter points.
 * - Every other page needs a live `PHPSESSID`, else 302 to the login entry.
 * - `POST /ustaw_punkt` (`site[client]`) selects the session's meter point; an unknown id selects the
 *   account's first point, as users who typed the PPE number saw.
 * - `GET /applogout` ends the eLicznik session and the Keycloak one.
 * - `GET /api/rce-pln` is a stand-in for PSE's RCE price report (no session; see `rce.ts`).
 * - `faults.rateLimited` sends everything but the callback to `/blokada`; `faults.maintenancePages`
 *   answers a maintenance page instead of the next pages.
 */
import type * as http from 'node:http';
import { warsawMinutesOfDay } from '../settlement/clock';
import { DataEndpoints } from './endpoints';
import { maintenanceNow } from './faults';
import {
  html,
  liveSession,
  notFound,
  parseCookies,
  redirect,
  token,
  type Reply,
  type SimContext,
} from './host';
import { keycloakLogoutUrl, type LoginHost } from './login-host';
import { maintenancePage, rateLimitPage, startPage } from './pages';
import { RCE_PATH, rceReply } from './rce';
import type { ServedData } from './served-data';
import type { SimAccount, SimMeterPoint } from './types';

interface ElicznikSession {
  account: SimAccount;
  selectedId?: string;
  lastSeenMs: number;
}

/** The eLicznik host of one running simulator: its sessions and routes. */
export class ServiceHost {
  private readonly sessions = new Map<string, ElicznikSession>();
  private readonly endpoints: DataEndpoints;

  constructor(
    private readonly ctx: SimContext,
    private readonly data: ServedData,
    private readonly login: LoginHost,
    private readonly sessionTtlMs: number,
  ) {
    this.endpoints = new DataEndpoints(data, ctx.faults);
  }

  expireSessions(): void {
    this.sessions.clear();
  }

  route(req: http.IncomingMessage, url: URL, body: string): Reply {
    const { faults, stats, serviceUrl } = this.ctx;
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === RCE_PATH && method === 'GET') {
      return rceReply(url, serviceUrl, this.data.today(), warsawMinutesOfDay(this.data.virtualNowMs()));
    }
    if (path === '/blokada') return html(rateLimitPage());
    if (faults.rateLimited) return redirect(`${serviceUrl}/blokada`);
    if (path === '/sso/callback' && method === 'GET') return this.callback(url);
    if (maintenanceNow(this.ctx, path)) return html(maintenancePage());
    const session = this.session(req);
    if (!session) return redirect(this.loginEntry());
    if (path === '/' && method === 'GET') return html(startPage(session.account));
    if (path === '/ustaw_punkt' && method === 'POST') return this.selectPoint(session, body);
    if ((path === '/energia/api' || path === '/energia/wo/api') && method === 'POST') {
      stats.dataRequests += 1;
      return this.endpoints.energy(this.currentPoint(session), path === '/energia/wo/api', body);
    }
    if (path === '/odczyty/api' && method === 'POST') {
      stats.dataRequests += 1;
      return this.endpoints.readings(this.currentPoint(session), body);
    }
    if (path === '/energia/do/dane' && method === 'GET') {
      stats.csvRequests += 1;
      const selected = session.account.meterPoints.find((p) => p.id === session.selectedId);
      return this.endpoints.csv(session.account, selected, url);
    }
    if (path === '/applogout' && method === 'GET') {
      const id = parseCookies(req.headers.cookie).PHPSESSID;
      if (id) this.sessions.delete(id);
      return redirect(keycloakLogoutUrl(this.ctx), {
        'Set-Cookie': 'PHPSESSID=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; path=/; HttpOnly',
      });
    }
    return notFound();
  }

  private loginEntry(): string {
    return `${this.ctx.loginUrl}/login?service=${encodeURIComponent(this.ctx.serviceUrl)}`;
  }

  private session(req: http.IncomingMessage): ElicznikSession | undefined {
    return liveSession(this.sessions, req, 'PHPSESSID', this.sessionTtlMs, this.ctx.now());
  }

  private callback(url: URL): Reply {
    const account = this.login.takeCode(url.searchParams.get('code') ?? '');
    if (!account) return redirect(this.loginEntry());
    const id = token(13);
    this.sessions.set(id, { account, lastSeenMs: this.ctx.now() });
    this.ctx.stats.sessionsCreated += 1;
    return redirect(`${this.ctx.serviceUrl}/`, { 'Set-Cookie': `PHPSESSID=${id}; path=/; HttpOnly` });
  }

  private selectPoint(session: ElicznikSession, body: string): Reply {
    const wanted = new URLSearchParams(body).get('site[client]') ?? '';
    const points = session.account.meterPoints;
    const point = points.find((p) => p.id === wanted) ?? points[0];
    session.selectedId = point?.id;
    return html(startPage(session.account, point));
  }

  /** The selected point, or the account's first one when none was selected. */
  private currentPoint(session: ElicznikSession): SimMeterPoint | undefined {
    const points = session.account.meterPoints;
    return points.find((p) => p.id === session.selectedId) ?? points[0];
  }
}
