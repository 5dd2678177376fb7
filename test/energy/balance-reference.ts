/**
 * The straightforward form of `balanceHours` (sort, balance each hour, then one grouping pass per
 * kind of sum), kept as the reference the single-pass implementation is checked against and
 * measured beside (bench/balance.bench.ts).
 */
import { BadInputError } from '../../src/errors';
import {
  accumulate,
  balanceHour,
  emptyAccumulator,
  sumBy,
  toSums,
  zoneKey,
  type BalancedHour,
  type BalanceResult,
  type BalanceSums,
} from '../../src/energy/balance';
import { sortHours, type HourRecord } from '../../src/energy/hour';

export function referenceBalanceHours(records: readonly HourRecord[]): BalanceResult {
  const sorted = sortHours(records);
  for (let i = 1; i < sorted.length; i++) {
    if (Date.parse(sorted[i].hourStart) === Date.parse(sorted[i - 1].hourStart)) {
      throw new BadInputError(`Hour ${sorted[i].hourStart} appears twice in the input`);
    }
  }
  const hours = sorted.map(balanceHour);
  const dayZones: Record<string, Record<string, BalanceSums>> = {};
  const byDay = new Map<string, BalancedHour[]>();
  for (const h of hours) {
    let list = byDay.get(h.date);
    if (!list) byDay.set(h.date, (list = []));
    list.push(h);
  }
  for (const [date, list] of byDay) dayZones[date] = sumBy(list, zoneKey);
  const total = toSums(hours.reduce(accumulate, emptyAccumulator()));
  return {
    hours,
    days: sumBy(hours, (h) => h.date),
    zones: sumBy(hours, zoneKey),
    dayZones,
    months: sumBy(hours, (h) => h.date.slice(0, 7)),
    total,
    from: hours.length ? hours[0].date : null,
    to: hours.length ? hours[hours.length - 1].date : null,
    missing: hours.filter((h) => h.ecbp === null).map((h) => h.hourStart),
  };
}
