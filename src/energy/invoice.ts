/**
 * The figures to check a prosumer invoice with, as TAURON advises: the balanced import (ECBP) and
 * export (ECBO) summed over all tariff zones for exactly the invoice period, with ECP, ECO and
 * autoconsumption beside them, per zone and in total; every clock hour of the period (23 or 25 on
 * DST days), the hours without data listed and left out of the sums (never counted as 0); and
 * TAURON's own balanced series next to ours ({@link compareWithTauron}). Pure.
 */
import { BadInputError } from '../errors';
import { balanceHours, sumBy, zoneKey, type BalanceSums, type BalancedHour } from './balance';
import { compareWithTauron, tauronQuantities, type BalanceCheck } from './check';
import { hourKey, hourTimeFields, type HourRecord } from './hour';
import { hoursOfLocalDay, isLocalDate, localDatesInRange } from './time';

/** Sums of one tariff zone, with the zone's name when the service gave it. */
export type InvoiceZone = BalanceSums & { zoneName: string | null };

/** What the invoice of a period should show, from the account's hour records. */
export interface InvoiceSummary {
  /** First and last local date of the period, both included. */
  from: string;
  to: string;
  meterPoint: string | null;
  tariff: string | null;
  /** Sums over all zones; `hours` counts every clock hour of the period, `missingHours` those without data. */
  total: BalanceSums;
  /** Sums per zone code (`all` when the service gave no zone). */
  zones: Record<string, InvoiceZone>;
  /** Start instants of the hours without ECP or ECO, in time order. */
  missing: string[];
  /** True when every hour of the period has ECP and ECO. */
  complete: boolean;
  /** Our balance next to TAURON's balanced series; null when those were not fetched. */
  tauron: BalanceCheck | null;
  /** Every clock hour of the period in time order, balanced; hours the records lack have null values. */
  hours: BalancedHour[];
}

/**
 * Sums and checks the hours of an invoice period.
 * @param records hour records of one meter point (any order; hours outside the period are ignored)
 * @param from first local date `YYYY-MM-DD` of the period
 * @param to last local date, included
 * @throws BadInputError for an invalid period or two records of the same clock hour
 */
export function invoiceSummary(records: readonly HourRecord[], from: string, to: string): InvoiceSummary {
  if (!isLocalDate(from) || !isLocalDate(to)) {
    throw new BadInputError(`The period needs two dates YYYY-MM-DD, got ${from} … ${to}`);
  }
  if (to < from) throw new BadInputError(`The period ends (${to}) before it starts (${from})`);
  const inPeriod = records.filter((r) => r.date >= from && r.date <= to);
  const have = new Set(inPeriod.map(hourKey));
  const meterPoint = inPeriod.find((r) => r.meterPoint)?.meterPoint ?? null;
  const tariff = inPeriod.find((r) => r.tariff)?.tariff ?? null;
  const quantities = tauronQuantities(inPeriod);
  const absent: HourRecord[] = [];
  for (const date of localDatesInRange(from, to)) {
    for (const h of hoursOfLocalDay(date)) {
      if (have.has(h.startMs)) continue;
      const record: HourRecord = {
        ...hourTimeFields(h),
        zone: null,
        zoneName: null,
        ecp: null,
        eco: null,
        dayComplete: false,
      };
      if (quantities.includes('ecbp')) record.tauronEcbp = null;
      if (quantities.includes('ecbo')) record.tauronEcbo = null;
      if (meterPoint !== null) record.meterPoint = meterPoint;
      absent.push(record);
    }
  }
  const all = absent.length ? [...inPeriod, ...absent] : inPeriod;
  const result = balanceHours(all);
  // A missing hour whose zone the service did not say belongs to no zone; it counts in the total.
  const anyZone = result.hours.some((h) => h.zone !== null);
  const zoned = anyZone ? result.hours.filter((h) => h.zone !== null || h.ecbp !== null) : result.hours;
  const names = new Map<string, string>();
  for (const h of result.hours)
    if (h.zone !== null && h.zoneName && !names.has(h.zone)) names.set(h.zone, h.zoneName);
  const sums = sumBy(zoned, zoneKey);
  const zones: Record<string, InvoiceZone> = {};
  for (const code of Object.keys(sums).sort())
    zones[code] = { ...sums[code], zoneName: names.get(code) ?? null };
  return {
    from,
    to,
    meterPoint,
    tariff,
    total: result.total,
    zones,
    missing: result.missing,
    complete: result.total.complete,
    tauron: compareWithTauron(result.hours),
    hours: result.hours,
  };
}
