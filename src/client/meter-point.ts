/**
 * The account's meter points: read from the start page, found by site id or PPE number, and
 * selected for the session (`POST /ustaw_punkt`, skipped when already selected), which shows the
 * point's tariff.
 */
import { BadInputError, ServiceChangedError, redactExcerpt } from '../errors';
import { SessionLost, expectPage, getPage, maintenanceRetry, type ClientContext } from './context';
import { parseMeterPoints, parseTariff, type MeterPoint } from './pages';

/** The session's meter points, read from the start page again when the login page had none. */
export async function meterPoints(ctx: ClientContext): Promise<MeterPoint[]> {
  const session = ctx.session;
  if (!session) throw new SessionLost();
  if (session.meterPoints.length === 0) {
    const html = await maintenanceRetry(ctx, 'meter-points', () => getPage(ctx, '/', 'meter-points'));
    session.meterPoints = parseMeterPoints(html);
    if (session.meterPoints.length === 0) {
      throw new ServiceChangedError('meter-points', 'no meter points on the eLicznik start page');
    }
  }
  return session.meterPoints;
}

/** The point `wanted` names (site id or PPE number), else the client's default, else the first. */
export async function resolvePoint(ctx: ClientContext, wanted: string | undefined): Promise<MeterPoint> {
  const points = await meterPoints(ctx);
  const id = (wanted ?? ctx.defaultMeterPoint)?.trim();
  if (!id) return points[0];
  const digits = id.replace(/\D/g, '');
  const found =
    points.find((p) => p.id === id) ??
    (digits.length === 18 ? points.find((p) => p.ppe === digits) : undefined);
  if (!found) {
    throw new BadInputError(
      `The account has no meter point "${redactExcerpt(id, [], 40)}". Known site ids: ${points.map((p) => p.id).join(', ')} (\`elicznik meters\` lists them with their PPE numbers).`,
      { step: 'meter-point' },
    );
  }
  return found;
}

/** True for a business point: marked so in the list, or its data came from the business endpoint. */
export function isBusiness(ctx: ClientContext, point: MeterPoint): boolean {
  return point.isBusiness || ctx.businessByFallback.has(point.id);
}

/** Selects the point for the session unless it already is; returns its tariff. */
export async function selectPoint(ctx: ClientContext, point: MeterPoint): Promise<string | null> {
  const session = ctx.session;
  if (!session) throw new SessionLost();
  if (session.selected === point.id) return ctx.tariffs.get(point.id) ?? null;
  const html = await maintenanceRetry(ctx, 'select-meter-point', async () => {
    const res = await ctx.http.send({
      method: 'POST',
      url: `${ctx.serviceUrl}/ustaw_punkt`,
      form: { 'site[client]': point.id },
      step: 'select-meter-point',
      follow: (next) => next.origin === ctx.serviceOrigin,
    });
    return expectPage(ctx, res, 'select-meter-point');
  });
  const tariff = parseTariff(html);
  ctx.tariffs.set(point.id, tariff);
  session.selected = point.id;
  ctx.log(`selected meter point ${point.id}${tariff ? ` (${tariff})` : ''}`);
  return tariff;
}

/** Resolves the point and selects it; the point and its tariff. */
export async function usePoint(
  ctx: ClientContext,
  wanted: string | undefined,
): Promise<{ point: MeterPoint; tariff: string | null }> {
  const point = await resolvePoint(ctx, wanted);
  return { point, tariff: await selectPoint(ctx, point) };
}
