/**
 * The simulator's clock and what data it serves: which day is today, which hours are available
 * yet, and the faults that take hours away or change TAURON's balanced series.
 *
 * Days before today are complete, today is served hour by hour only when a delay is set
 * (`todayDelayHours`), later days are null; `faults.missingDays` and `faults.nullFromHour` take
 * hours away; `faults.balancedDifferences` change the balanced series of chosen hours.
 */
import { addLocalDays, localDateOf, startOfLocalDayMs, MS_PER_HOUR } from '../energy/time';
import { generateDay, type GeneratedHour } from './data';
import { seriesWh, type ServedHour } from './responses';
import { zonesOfTariff } from './zones';
import type { SimAccount, SimFaults, SimHourTruth, SimMeterPoint } from './types';

/** Daily Wh totals of one meter point, for the registers. */
export interface DayTotals {
  ecpWh: number;
  ecoWh: number;
  ecpZoneWh: number[];
  ecoZoneWh: number[];
}

/** Bounded memo of generated days and daily totals, shared by every simulator in the process. */
const dayCache = new Map<string, GeneratedHour[]>();
const totalsCache = new Map<string, DayTotals>();

function pointKey(point: SimMeterPoint): string {
  return `${point.id}|${point.tariff}|${point.pvKw}|${point.type}`;
}

function generatedDay(point: SimMeterPoint, date: string): GeneratedHour[] {
  const key = `${pointKey(point)}|${date}`;
  let day = dayCache.get(key);
  if (!day) {
    if (dayCache.size >= 2000) dayCache.clear();
    day = generateDay(point, date);
    dayCache.set(key, day);
  }
  return day;
}

/** The generated day's totals, per zone too (whether served or not). */
export function dayTotals(point: SimMeterPoint, date: string): DayTotals {
  const key = `${pointKey(point)}|${date}`;
  let totals = totalsCache.get(key);
  if (!totals) {
    const zoneCount = zonesOfTariff(point.tariff).length;
    totals = {
      ecpWh: 0,
      ecoWh: 0,
      ecpZoneWh: new Array(zoneCount).fill(0),
      ecoZoneWh: new Array(zoneCount).fill(0),
    };
    for (const h of generatedDay(point, date)) {
      const z = Number(h.zone.key) - 1;
      totals.ecpWh += h.ecpWh;
      totals.ecoWh += h.ecoWh;
      totals.ecpZoneWh[z] += h.ecpWh;
      totals.ecoZoneWh[z] += h.ecoWh;
    }
    if (totalsCache.size >= 50_000) totalsCache.clear();
    totalsCache.set(key, totals);
  }
  return totals;
}

/** Wh → kWh, keeping null. */
function whOrNull(wh: number | null): number | null {
  return wh === null ? null : wh / 1000;
}

/** The clock and the served hours of one running simulator. */
export class ServedData {
  private fixedToday: string | undefined;
  private todayDelayHours: number | null;

  constructor(
    private readonly accounts: readonly SimAccount[],
    private readonly faults: SimFaults,
    private readonly now: () => number,
    today: string | undefined,
    todayDelayHours: number | null,
  ) {
    this.todayDelayHours = todayDelayHours;
    if (today !== undefined) this.setToday(today);
  }

  setToday(date: string): void {
    startOfLocalDayMs(date); // validates
    this.fixedToday = date;
  }

  setTodayDelay(hours: number | null): void {
    if (hours !== null && !(hours >= 0))
      throw new RangeError('The delay must be a number of hours ≥ 0 or null');
    this.todayDelayHours = hours;
  }

  today(): string {
    return this.fixedToday ?? localDateOf(this.now());
  }

  /** The clock moved to `today` keeping the time of day of `now()`. */
  virtualNowMs(): number {
    const now = this.now();
    if (this.fixedToday === undefined) return now;
    return startOfLocalDayMs(this.fixedToday) + (now - startOfLocalDayMs(localDateOf(now)));
  }

  /** Served hours of a day before the `nullFromHour` fault. */
  private baseServedDay(point: SimMeterPoint, date: string): ServedHour[] {
    const today = this.today();
    const hours = generatedDay(point, date);
    let available: (h: GeneratedHour) => boolean;
    if (date > today || this.faults.missingDays.includes(date)) available = () => false;
    else if (date === today) {
      const delay = this.todayDelayHours;
      const now = this.virtualNowMs();
      available = delay === null ? () => false : (h) => h.endMs + delay * MS_PER_HOUR <= now;
    } else available = () => true;
    return hours.map((h) => {
      const ok = available(h);
      return {
        date: h.date,
        hour: h.hour,
        repeated: h.repeated,
        zone: h.zone,
        ecpWh: ok ? h.ecpWh : null,
        ecoWh: ok ? h.ecoWh : null,
      };
    });
  }

  /** The newest day with any served hour (today when some of it is served, else the day before …). */
  private newestDay(point: SimMeterPoint): string {
    const today = this.today();
    for (let i = 0; i < 62; i++) {
      const date = addLocalDays(today, -i);
      if (this.baseServedDay(point, date).some((h) => h.ecpWh !== null)) return date;
    }
    return addLocalDays(today, -1);
  }

  /** The hours of a day exactly as the endpoints serve them. */
  servedDay(point: SimMeterPoint, date: string): ServedHour[] {
    const served = this.baseServedDay(point, date);
    const from = this.faults.nullFromHour;
    if (from !== null && date <= this.today() && date === this.newestDay(point)) {
      for (const h of served) {
        if (h.hour >= from) {
          h.ecpWh = null;
          h.ecoWh = null;
        }
      }
    }
    for (const d of this.faults.balancedDifferences) {
      if (d.date !== date) continue;
      const h = served.find((x) => x.hour === d.hour && x.repeated === (d.repeated ?? false));
      if (!h) continue;
      if (d.ecbp) h.nettoExtraWh = (h.nettoExtraWh ?? 0) + Math.round(d.ecbp * 1000);
      if (d.ecbo) h.nettoOzeExtraWh = (h.nettoOzeExtraWh ?? 0) + Math.round(d.ecbo * 1000);
    }
    return served;
  }

  findPoint(meterPointId: string): SimMeterPoint | undefined {
    for (const a of this.accounts) {
      const p = a.meterPoints.find((m) => m.id === meterPointId);
      if (p) return p;
    }
    return undefined;
  }

  /** The hours served for a meter point and day, in kWh, for tests to compare against. */
  hourly(meterPointId: string, date: string): SimHourTruth[] {
    const point = this.findPoint(meterPointId);
    if (!point) throw new RangeError(`No meter point ${meterPointId} in the simulated accounts`);
    return this.servedDay(point, date).map((h) => ({
      hour: h.hour,
      repeated: h.repeated,
      ecp: h.ecpWh === null ? null : h.ecpWh / 1000,
      eco: h.ecoWh === null ? null : h.ecoWh / 1000,
      zone: h.zone.code,
      tauronEcbp: whOrNull(seriesWh(h, 'netto')),
      tauronEcbo: whOrNull(seriesWh(h, 'netto_oze')),
    }));
  }
}
