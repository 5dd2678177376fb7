/**
 * What the settlement node reads from a message and what it sends: hour records in, statements
 * out. Pure functions.
 */
import type { HourRecord } from '../../src/energy/hour';
import { warsawDateOf, warsawIso, warsawMinutesOfDay } from '../../src/settlement/clock';
import { badInput } from '../../src/settlement/errors';
import type { Period } from './engine';
import type { OutputPeriod } from './settings';

/** Control commands (`msg.command`). */
export type Command = 'reset' | 'rebuild';

/** The command of a message, or undefined for ordinary hours. @throws BAD_INPUT for an unknown one */
export function commandOf(msg: { command?: unknown }): Command | undefined {
  if (msg.command === undefined || msg.command === null || msg.command === '') return undefined;
  if (msg.command === 'reset' || msg.command === 'rebuild') return msg.command;
  throw badInput(`msg.command must be "reset" or "rebuild", got ${JSON.stringify(msg.command)}`);
}

function looksLikeHour(value: unknown): value is Record<string, unknown> {
  return (
    !!value && typeof value === 'object' && typeof (value as { hourStart?: unknown }).hourStart === 'string'
  );
}

/**
 * Hour records from `msg.payload`: the balance or fetch node's output (`{hours: […]}`), a list of
 * records, or one record. Records need `hourStart` (ISO 8601 with offset); `date` and `hour` are
 * filled in from it when missing.
 * @throws SettlementError `BAD_INPUT`
 */
export function recordsOf(payload: unknown): HourRecord[] {
  let list: unknown[];
  if (Array.isArray(payload)) list = payload;
  else if (payload && typeof payload === 'object' && Array.isArray((payload as { hours?: unknown }).hours)) {
    list = (payload as { hours: unknown[] }).hours;
  } else if (looksLikeHour(payload)) list = [payload];
  else {
    throw badInput(
      'msg.payload must be hour records: the balance or fetch node output ({hours: [...]}), a list, or one hour',
    );
  }
  return list.map((item, i) => {
    if (!looksLikeHour(item)) throw badInput(`Hour ${i + 1} of msg.payload has no hourStart`);
    const startMs = Date.parse(item.hourStart as string);
    if (!Number.isFinite(startMs))
      throw badInput(`Hour ${i + 1}: hourStart ${JSON.stringify(item.hourStart)} is not a time`);
    const record = { ...item } as unknown as HourRecord;
    if (typeof record.date !== 'string') record.date = warsawDateOf(startMs);
    if (typeof record.hour !== 'number') record.hour = Math.floor(warsawMinutesOfDay(startMs) / 60) + 1;
    if (typeof record.repeated !== 'boolean') record.repeated = false;
    if (record.zone === undefined) record.zone = null;
    if (typeof record.hourEnd !== 'string') record.hourEnd = warsawIso(startMs + 3_600_000);
    return record;
  });
}

/**
 * The statements to send for one message: every closed month (at the chosen granularity, final),
 * then the open month's provisional ones; for days and hours only those from `sinceMs` on (the
 * first hour settled by this message), so that live hours do not repeat the whole month.
 */
export function statementsOf(
  output: OutputPeriod,
  closed: readonly Period[],
  open: Period | null,
  sinceMs: number | null,
): unknown[] {
  const out: unknown[] = [];
  const sinceDate = sinceMs === null ? null : warsawDateOf(sinceMs);
  for (const p of closed) {
    if (output === 'month') out.push(p.month);
    else if (output === 'day') out.push(...p.days);
    else out.push(...p.hours);
  }
  if (!open) return out;
  if (output === 'month') out.push(open.month);
  else if (output === 'day') {
    out.push(...(open.days as { label: string }[]).filter((d) => sinceDate === null || d.label >= sinceDate));
  } else {
    out.push(
      ...(open.hours as { hourStart: string }[]).filter(
        (h) => sinceMs === null || Date.parse(h.hourStart) >= sinceMs,
      ),
    );
  }
  return out;
}
