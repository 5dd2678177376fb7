/**
 * One fetch of eLicznik data for a meter point through the account's session: the hours of a range,
 * the register readings of a range, or the summary (the newest complete day, its month and its year
 * to that day). Each gives its payload, what is missing in it and a short in/out figure.
 */
import type { HourlyProgress } from '../client/client';
import type { EnergySeries } from '../client/series';
import type { DateRange } from '../energy/ranges';
import { firstOfYear } from '../energy/ranges';
import { addLocalDays } from '../energy/time';
import type { AccountSession } from '../session/account-session';
import {
  figureOfHours,
  figureOfRegisters,
  figureOfSummary,
  gapOf,
  hoursPayload,
  newestCompleteDay,
  registersPayload,
  summaryPayload,
  type Gap,
  type HoursPayload,
  type RegistersPayload,
  type StatusFigure,
  type SummaryPayload,
} from './payloads';

/** How many days back the summary looks for the newest complete day. */
export const SUMMARY_LOOKBACK_DAYS = 7;

/** A payload, what is missing in it (undefined when nothing is) and its in/out figure. */
export interface Fetched<P> {
  payload: P;
  gap: Gap | undefined;
  figure: StatusFigure;
}

/** Every clock hour of `range` in `series`. */
export async function fetchHours(
  session: AccountSession,
  meterPoint: string,
  range: DateRange,
  series: EnergySeries[],
  today: string,
  onProgress?: (progress: HourlyProgress) => void,
): Promise<Fetched<HoursPayload>> {
  const result = await session.hours(
    { meterPoint, from: range.from, to: range.to, series },
    today,
    onProgress,
  );
  const payload = hoursPayload(meterPoint, range, series, result.records);
  return { payload, gap: gapOf(payload.hours, series), figure: figureOfHours(payload.hours, series) };
}

/** The register readings of `range`; incomplete when the range's last day has none. */
export async function fetchRegisters(
  session: AccountSession,
  meterPoint: string,
  range: DateRange,
): Promise<Fetched<RegistersPayload>> {
  const readings = await session.registers({ meterPoint, from: range.from, to: range.to });
  const payload = registersPayload(meterPoint, range, readings);
  return {
    payload,
    gap: payload.complete ? undefined : { label: range.to, allEmpty: true, hours: 0 },
    figure: figureOfRegisters(payload.latest),
  };
}

/**
 * The summary: the newest complete day of the last {@link SUMMARY_LOOKBACK_DAYS} days (yesterday
 * when none is), and its month and year to that day. `onProgress` follows the year's fetch.
 */
export async function fetchSummary(
  session: AccountSession,
  meterPoint: string,
  series: EnergySeries[],
  today: string,
  onProgress?: (progress: HourlyProgress) => void,
): Promise<Fetched<SummaryPayload>> {
  const yesterday = addLocalDays(today, -1);
  const look = await session.hours(
    { meterPoint, from: addLocalDays(yesterday, 1 - SUMMARY_LOOKBACK_DAYS), to: yesterday, series },
    today,
  );
  const day = newestCompleteDay(look.records, series) ?? yesterday;
  const year = await session.hours(
    { meterPoint, from: firstOfYear(day), to: day, series },
    today,
    onProgress,
  );
  const payload = summaryPayload(meterPoint, day, series, year.records);
  return {
    payload,
    gap: payload.daily.complete ? gapOf(year.records, series) : gapOf(look.records, series),
    figure: figureOfSummary(payload.daily, series),
  };
}
