/**
 * A household meter with solar panels at 10-second resolution, for the heater benchmark and the
 * heater tests: per reading the PV output and the household's draw (kW, mean over the interval
 * ending at the reading), generated from the seeded {@link mulberry32} so every run sees the same
 * month.
 *
 * Months are described by a {@link MeterMonthProfile}: the PV shape (a fixed summer bell, or the
 * clear-sky model of the simulator near Kraków, which follows the season and the clock change),
 * how clouds pass, how the household draws (base shape and appliance spikes, optionally biased to
 * the last minutes of clock hours) and a seed. {@link HEATER_BENCH_MONTHS} are the months the
 * heater benchmark reports.
 */
import { addLocalDays, hoursOfLocalDay, startOfLocalDayMs } from '../energy/time';
import { clearSkyPvPerKwp, mulberry32 } from './data';

const H = 3_600_000;

/** How the sky changes through a day. */
export type CloudModel =
  /** A new transmission target every few minutes (clear, or 15-65 % on a cloud), approached smoothly. */
  | 'drifting'
  /** A clear sky with passing clouds: drops of 50-80 % lasting 1-20 min, with sharp edges. */
  | 'passing';

/** What a month of readings looks like. */
export interface MeterMonthProfile {
  /** Short key (`june`, `cloudy`, …). */
  key: string;
  /** What the month is, for tables. */
  title: string;
  /** First local day and the number of days. */
  from: string;
  days: number;
  seed: number;
  /**
   * `bell`: a sine bell from 4:45 to 21:00 local time peaking at `pvPeakKw` (a summer day, no
   * clock change inside the month); `sky`: `pvPeakKw` kWp times the simulator's clear-sky model.
   */
  pv: 'bell' | 'sky';
  pvPeakKw: number;
  clouds: CloudModel;
  /** Clearness of a day is drawn uniformly from this range (share of clear-sky time/transmission). */
  clearness: [number, number];
  /** Household base draw, kW, and the extra in the morning (6-9 h) and evening (17-22 h). */
  baseKw: number;
  morningKw: number;
  eveningKw: number;
  /** Mean minutes between random appliance spikes (0.8-3 kW for 1-21 min). */
  spikeEveryMin: number;
  /**
   * Chance per daytime clock hour (7-22 h) that a large appliance (kettle, oven, washing machine)
   * starts in its last 15 minutes; 0 = none.
   */
  hourEndSpikeChance: number;
}

/** The readings of a month: time of each reading and the mean PV and household power before it. */
export interface MeterMonth {
  profile: MeterMonthProfile;
  stepMs: number;
  /** Epoch ms of each reading; the reading covers the `stepMs` before it. */
  at: Float64Array;
  /** PV output, kW. */
  pv: Float64Array;
  /** Household draw without any controlled load, kW. */
  house: Float64Array;
}

/** The months the heater benchmark reports (defaults, no tuning per month). */
export const HEATER_BENCH_MONTHS: readonly MeterMonthProfile[] = [
  {
    key: 'june',
    title: 'June 2026: summer, drifting clouds',
    from: '2026-06-01',
    days: 30,
    seed: 20260601,
    pv: 'bell',
    pvPeakKw: 6.5,
    clouds: 'drifting',
    clearness: [0.45, 1],
    baseKw: 0.25,
    morningKw: 0.35,
    eveningKw: 0.6,
    spikeEveryMin: 45,
    hourEndSpikeChance: 0,
  },
  {
    key: 'cloudy',
    title: 'July 2026: fast passing clouds (drops of 50-80 % for 1-20 min)',
    from: '2026-07-01',
    days: 31,
    seed: 20260701,
    pv: 'sky',
    pvPeakKw: 7,
    clouds: 'passing',
    clearness: [0.35, 0.85],
    baseKw: 0.25,
    morningKw: 0.35,
    eveningKw: 0.6,
    spikeEveryMin: 45,
    hourEndSpikeChance: 0,
  },
  {
    key: 'spring',
    title: 'March 2026: short surplus windows, spring clock change',
    from: '2026-03-01',
    days: 31,
    seed: 20260301,
    pv: 'sky',
    pvPeakKw: 6,
    clouds: 'drifting',
    clearness: [0.15, 1],
    baseKw: 0.35,
    morningKw: 0.45,
    eveningKw: 0.8,
    spikeEveryMin: 45,
    hourEndSpikeChance: 0,
  },
  {
    key: 'autumn',
    title: 'October 2026: short surplus windows, autumn clock change',
    from: '2026-10-01',
    days: 31,
    seed: 20261001,
    pv: 'sky',
    pvPeakKw: 6,
    clouds: 'drifting',
    clearness: [0.15, 1],
    baseKw: 0.35,
    morningKw: 0.45,
    eveningKw: 0.8,
    spikeEveryMin: 45,
    hourEndSpikeChance: 0,
  },
  {
    key: 'spiky',
    title: 'August 2026: kettle, oven, washing machine in the last minutes of hours',
    from: '2026-08-01',
    days: 31,
    seed: 20260801,
    pv: 'sky',
    pvPeakKw: 6.5,
    clouds: 'drifting',
    clearness: [0.45, 1],
    baseKw: 0.25,
    morningKw: 0.35,
    eveningKw: 0.6,
    spikeEveryMin: 45,
    hourEndSpikeChance: 0.5,
  },
];

/** One large appliance run: start, end, power. */
interface Appliance {
  from: number;
  to: number;
  kw: number;
}

/** Appliance runs starting in the last 15 min of daytime clock hours of one local day. */
function hourEndAppliances(date: string, chance: number, rand: () => number): Appliance[] {
  const out: Appliance[] = [];
  if (chance <= 0) return out;
  for (const h of hoursOfLocalDay(date)) {
    const clock = h.hour - 1;
    if (clock < 7 || clock >= 22 || rand() >= chance) continue;
    const kind = rand();
    const from = h.endMs - (1 + rand() * 14) * 60_000;
    if (kind < 0.5)
      out.push({ from, to: from + (2 + rand() * 2) * 60_000, kw: 2.2 }); // kettle
    else if (kind < 0.8)
      out.push({ from, to: from + (10 + rand() * 15) * 60_000, kw: 2.5 + rand() }); // oven
    else out.push({ from, to: from + (10 + rand() * 5) * 60_000, kw: 2 }); // washing machine heating
  }
  return out;
}

/** Generates a month of readings every `stepMs` (10 s by default). Deterministic for a profile. */
export function householdMonth(profile: MeterMonthProfile, stepMs = 10_000): MeterMonth {
  const rand = mulberry32(profile.seed);
  const extra = mulberry32(profile.seed ^ 0x5bd1e995); // hour-end appliances, kept apart
  const from = startOfLocalDayMs(profile.from);
  const to = startOfLocalDayMs(addLocalDays(profile.from, profile.days));
  const n = Math.floor((to - from) / stepMs);
  const at = new Float64Array(n);
  const pvOut = new Float64Array(n);
  const houseOut = new Float64Array(n);
  const [cMin, cMax] = profile.clearness;
  let cloud = 1; // transmission 0.2..1
  let cloudTarget = 1;
  let dayClearness = cMax; // the first day is clear; each later day draws its weather at midnight
  let spike = 0;
  let spikeLeft = 0;
  let passingLeft = 0; // passing clouds: ms left of the current cloud or gap
  let date = profile.from;
  let hours = hoursOfLocalDay(date);
  let appliances = hourEndAppliances(date, profile.hourEndSpikeChance, extra);
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const t = from + (i + 1) * stepMs;
    if (t >= hours[hours.length - 1].endMs && t < to) {
      date = addLocalDays(date, 1);
      hours = hoursOfLocalDay(date);
      hi = 0;
      dayClearness = cMin + (cMax - cMin) * rand(); // a new day's weather
      appliances = hourEndAppliances(date, profile.hourEndSpikeChance, extra);
    }
    while (hi < hours.length - 1 && t >= hours[hi].endMs) hi += 1;
    const localHour = hours[hi].hour - 1 + (t - hours[hi].startMs) / H;
    const mid = t - stepMs / 2;
    if (profile.clouds === 'drifting') {
      // a new target every few minutes, approached smoothly
      if (rand() < stepMs / (6 * 60_000)) cloudTarget = rand() < dayClearness ? 1 : 0.15 + 0.5 * rand();
      cloud += (cloudTarget - cloud) * 0.15;
    } else {
      passingLeft -= stepMs;
      if (passingLeft <= 0) {
        if (cloudTarget < 1) {
          // a gap between clouds: shorter on a cloudier day
          cloudTarget = 1;
          passingLeft = (1 + 30 * dayClearness * rand()) * 60_000;
        } else {
          cloudTarget = 0.2 + 0.3 * rand(); // a drop of 50-80 %
          passingLeft = (1 + 19 * rand()) * 60_000;
        }
      }
      cloud += (cloudTarget - cloud) * 0.5;
    }
    let pv: number;
    if (profile.pv === 'bell') {
      const sun = Math.max(Math.sin((Math.PI * (localHour - 4.75)) / 16.25), 0);
      pv = profile.pvPeakKw * sun ** 1.3 * cloud;
    } else {
      pv = profile.pvPeakKw * clearSkyPvPerKwp(mid) * cloud;
    }
    // household: base, daily shape, appliance spikes
    const shape =
      profile.baseKw +
      (localHour > 6 && localHour < 9 ? profile.morningKw : 0) +
      (localHour > 17 && localHour < 22 ? profile.eveningKw : 0);
    if (spikeLeft <= 0 && rand() < stepMs / (profile.spikeEveryMin * 60_000)) {
      spike = 0.8 + 2.2 * rand();
      spikeLeft = 60_000 + rand() * 20 * 60_000;
    }
    spikeLeft -= stepMs;
    let house = shape + 0.1 * rand() + (spikeLeft > 0 ? spike : 0);
    for (const a of appliances) if (mid >= a.from && mid < a.to) house += a.kw;
    at[i] = t;
    pvOut[i] = pv;
    houseOut[i] = house;
  }
  return { profile, stepMs, at, pv: pvOut, house: houseOut };
}
