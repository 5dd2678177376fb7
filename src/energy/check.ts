/**
 * Our hourly balance next to TAURON's own: eLicznik publishes balanced series of its own (`netto`
 * and `netto_oze`, the hour record's `tauronEcbp` and `tauronEcbo`), which the invoice is built
 * from. This module compares them with the balance made here from ECP and ECO, hour by hour, and
 * says which hours differ and by how much. Pure; every sum is made in integer Wh.
 *
 * An hour is compared when ECP and ECO both have a value and every fetched TAURON series has one
 * too. Hours without ECP or ECO, or without TAURON's value, are listed apart and never counted as 0.
 */
import { balanceWh } from './balance';
import { kwhToWh, sortHours, whToKwh, type HourRecord } from './hour';

/** A balanced quantity TAURON publishes: balanced import (ECBP) or balanced export (ECBO). */
export type BalancedQuantity = 'ecbp' | 'ecbo';

/** The TAURON series of each balanced quantity. */
const TAURON_FIELD = { ecbp: 'tauronEcbp', ecbo: 'tauronEcbo' } as const;

/** kWh of each compared quantity; a quantity TAURON's series was not fetched for is absent. */
export type BalancedTotals = Partial<Record<BalancedQuantity, number>>;

/** One hour where TAURON's balanced series and our balance differ. */
export interface BalanceDifference {
  hourStart: string;
  hourEnd: string;
  date: string;
  /** TAURON's label, 1..24 (hour ending). */
  hour: number;
  /** The second copy of label 3 on the autumn DST day. */
  repeated: boolean;
  zone: string | null;
  /** Our balanced values, kWh (only the compared quantities). */
  ours: BalancedTotals;
  /** TAURON's, kWh. */
  tauron: BalancedTotals;
  /** TAURON's minus ours, kWh (0 for a quantity that agrees in this hour). */
  difference: BalancedTotals;
}

/** Sums of both sides over the compared hours. */
export interface BalanceComparison {
  /** Hours where both sides have a value. */
  hoursCompared: number;
  /** Compared hours that differ. */
  hoursDiffering: number;
  /** Our ECBP / ECBO over the compared hours, kWh. */
  ours: BalancedTotals;
  /** TAURON's over the same hours, kWh. */
  tauron: BalancedTotals;
  /** TAURON's minus ours, kWh. */
  difference: BalancedTotals;
}

/** The comparison of a range of hours with TAURON's balanced series. */
export interface BalanceCheck extends BalanceComparison {
  /** The quantities compared: those whose TAURON series the records carry. */
  quantities: BalancedQuantity[];
  /** True when every compared hour agrees (hours missing on either side aside). */
  matches: boolean;
  /** The hours that differ, in time order. */
  differences: BalanceDifference[];
  /** The same sums per zone code (`all` when the service gave no zone). */
  zones: Record<string, BalanceComparison>;
  /** Start instants of hours left out of the comparison. */
  missing: {
    /** Hours without ECP or ECO: no balance of ours. */
    ours: string[];
    /** Hours with ECP and ECO but without TAURON's value in a compared series. */
    tauron: string[];
  };
}

/** The quantities whose TAURON series some record carries (a fetched series is null, never absent). */
export function tauronQuantities(records: readonly HourRecord[]): BalancedQuantity[] {
  const out: BalancedQuantity[] = [];
  if (records.some((r) => r.tauronEcbp !== undefined)) out.push('ecbp');
  if (records.some((r) => r.tauronEcbo !== undefined)) out.push('ecbo');
  return out;
}

interface Acc {
  hours: number;
  differing: number;
  ours: Record<BalancedQuantity, number>;
  tauron: Record<BalancedQuantity, number>;
}

function emptyAcc(): Acc {
  return { hours: 0, differing: 0, ours: { ecbp: 0, ecbo: 0 }, tauron: { ecbp: 0, ecbo: 0 } };
}

function kwhOf(
  whs: Record<BalancedQuantity, number>,
  quantities: readonly BalancedQuantity[],
): BalancedTotals {
  const out: BalancedTotals = {};
  for (const q of quantities) out[q] = whToKwh(whs[q]);
  return out;
}

function comparison(acc: Acc, quantities: readonly BalancedQuantity[]): BalanceComparison {
  const diff = { ecbp: acc.tauron.ecbp - acc.ours.ecbp, ecbo: acc.tauron.ecbo - acc.ours.ecbo };
  return {
    hoursCompared: acc.hours,
    hoursDiffering: acc.differing,
    ours: kwhOf(acc.ours, quantities),
    tauron: kwhOf(acc.tauron, quantities),
    difference: kwhOf(diff, quantities),
  };
}

/**
 * Compares our hourly balance of each record (from its ECP and ECO) with TAURON's balanced series
 * on the same record.
 * @param records hour records of one meter point, in any order (balanced or not)
 * @returns null when no record carries a TAURON series (they were not fetched)
 */
export function compareWithTauron(records: readonly HourRecord[]): BalanceCheck | null {
  const quantities = tauronQuantities(records);
  if (quantities.length === 0) return null;
  const total = emptyAcc();
  const zones = new Map<string, Acc>();
  const differences: BalanceDifference[] = [];
  const missingOurs: string[] = [];
  const missingTauron: string[] = [];
  for (const r of sortHours(records)) {
    if (r.ecp === null || r.eco === null) {
      missingOurs.push(r.hourStart);
      continue;
    }
    const theirs = quantities.map((q) => r[TAURON_FIELD[q]]);
    if (theirs.some((v) => v === null || v === undefined)) {
      missingTauron.push(r.hourStart);
      continue;
    }
    const ours = balanceWh(kwhToWh(r.ecp), kwhToWh(r.eco));
    const key = r.zone ?? 'all';
    let zone = zones.get(key);
    if (!zone) zones.set(key, (zone = emptyAcc()));
    const hourOurs: BalancedTotals = {};
    const hourTauron: BalancedTotals = {};
    const hourDiff: BalancedTotals = {};
    let differs = false;
    quantities.forEach((q, i) => {
      const t = kwhToWh(theirs[i] as number);
      const o = ours[q];
      for (const acc of [total, zone]) {
        acc.ours[q] += o;
        acc.tauron[q] += t;
      }
      hourOurs[q] = whToKwh(o);
      hourTauron[q] = whToKwh(t);
      hourDiff[q] = whToKwh(t - o);
      if (t !== o) differs = true;
    });
    total.hours += 1;
    zone.hours += 1;
    if (differs) {
      total.differing += 1;
      zone.differing += 1;
      differences.push({
        hourStart: r.hourStart,
        hourEnd: r.hourEnd,
        date: r.date,
        hour: r.hour,
        repeated: r.repeated,
        zone: r.zone,
        ours: hourOurs,
        tauron: hourTauron,
        difference: hourDiff,
      });
    }
  }
  const byZone: Record<string, BalanceComparison> = {};
  for (const [code, acc] of [...zones].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    byZone[code] = comparison(acc, quantities);
  }
  return {
    quantities,
    ...comparison(total, quantities),
    matches: differences.length === 0,
    differences,
    zones: byZone,
    missing: { ours: missingOurs, tauron: missingTauron },
  };
}
