/** Record builders for the settlement tests. */
import { makeHourRecord, type HourRecord } from '../../src/energy/hour';
import { shiftDate, warsawHoursOfDay, warsawIso } from '../../src/settlement/clock';
import { seededRandom } from '../../src/simulator/data';

/** A balanced hour: import `ecbp` kWh or export `ecbo` kWh in the hour labelled `hour` of `date`. */
export function hourOf(
  date: string,
  hour: number,
  energy: { ecbp?: number; ecbo?: number; zone?: string; repeated?: boolean },
): HourRecord {
  const ecbp = energy.ecbp ?? 0;
  const ecbo = energy.ecbo ?? 0;
  return makeHourRecord(date, hour, energy.repeated ?? false, {
    ecp: ecbp,
    eco: ecbo,
    ecbp,
    ecbo,
    zone: energy.zone ?? 'T1',
    dayComplete: true,
  });
}

/**
 * Seeded random hours over a date range: evenings import, sunny middays export, zones of a
 * G12-like two-zone tariff (T2 at night and 13–15), some hours missing.
 */
export function randomHours(seed: string, from: string, to: string, missingShare = 0.02): HourRecord[] {
  const rnd = seededRandom('settlement-test', seed);
  const out: HourRecord[] = [];
  for (let date = from; date <= to; date = shiftDate(date, 1)) {
    const month = Number(date.slice(5, 7));
    const summer = month >= 4 && month <= 9;
    for (const h of warsawHoursOfDay(date)) {
      if (rnd() < missingShare) continue;
      const start = h.hour - 1;
      const sunny = start >= 8 && start < 17 && rnd() < (summer ? 0.8 : 0.3);
      const zone = start >= 22 || start < 6 || (start >= 13 && start < 15) ? 'T2' : 'T1';
      const kwh = Math.round(rnd() * (sunny ? 6000 : 1200)) / 1000;
      out.push({
        hourStart: warsawIso(h.startMs),
        hourEnd: warsawIso(h.endMs),
        date,
        hour: h.hour,
        repeated: h.repeated,
        zone,
        zoneName: null,
        ecp: sunny ? 0 : kwh,
        eco: sunny ? kwh : 0,
        dayComplete: true,
      });
    }
  }
  return out;
}
