/**
 * `getRegisters`: the meter's import and export registers per day, from `/odczyty/api` (one
 * request per register and at most {@link MAX_REGISTER_DAYS} days), joined by date.
 */
import { toServiceDate } from '../energy/time';
import type { ClientContext } from './context';
import { jsonCall } from './data-request';
import { usePoint } from './meter-point';
import { splitRange } from './query';
import { mergeRegisters, parseRegisterResponse, type RegisterEntry, type RegisterReading } from './registers';
import { withSession } from './session';

/** Longest range of one register request, in days. */
export const MAX_REGISTER_DAYS = 366;

/** The readings of every day of `range` the service has one for. */
export async function getRegisters(
  ctx: ClientContext,
  range: { from: string; to: string },
  meterPoint: string | undefined,
): Promise<RegisterReading[]> {
  const importEntries: RegisterEntry[] = [];
  const exportEntries: RegisterEntry[] = [];
  for (const chunk of splitRange(range.from, range.to, MAX_REGISTER_DAYS)) {
    for (const kind of ['energia-pobrana', 'energia-oddana'] as const) {
      const entries = await withSession(ctx, 'registers', async () => {
        await usePoint(ctx, meterPoint);
        const body = await jsonCall(
          ctx,
          '/odczyty/api',
          { from: toServiceDate(chunk.from), to: toServiceDate(chunk.to), type: kind },
          'registers',
        );
        return parseRegisterResponse(body, 'registers');
      });
      (kind === 'energia-pobrana' ? importEntries : exportEntries).push(...entries);
    }
  }
  return mergeRegisters(importEntries, exportEntries).filter(
    (r) => r.date >= range.from && r.date <= range.to,
  );
}
