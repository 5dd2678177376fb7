/**
 * The simulator's meter data: deterministic, plausible hourly grid import (ECP) and export (ECO)
 * of a meter point, seeded by the meter point id and the date, so every run, test and demo sees the
 * same numbers for the same day.
 *
 * Model, per quarter hour (then summed to the hour and rounded to whole Wh, i.e. kWh with three
 * decimals, the service's resolution):
 * - Household load: a base load (higher in winter), a morning peak around 07:00 (09:00 at weekends),
 *   a bigger evening peak (earlier and higher in winter), some weekend midday cooking, random noise
 *   and short appliance spikes (kettle, washing machine). Business points (`type` `WO` or a `C…`
 *   tariff) draw a daytime plateau on working days and a base load otherwise.
 * - PV: clear-sky output of a south-facing array tilted 35° near Kraków (50.06° N, 19.94° E) from
 *   the sun's position at that instant, so the bell's height and width follow the season, times a
 *   cloudiness factor that is shared by every point on a date (the region's weather: sunny, mixed or
 *   overcast days, more sunny days in summer) and varies from quarter to quarter.
 * - Grid flows: each quarter imports `max(load − pv, 0)` and exports `max(pv − load, 0)` (the meter
 *   nets the phases instantly, not over the hour). Export therefore only happens while PV exceeds
 *   consumption; an hour around sunrise, sunset or a cloud can show both import and export, which is
 *   what makes hourly balancing (`netto`, `netto_oze`) differ from the raw series.
 */
import { hoursOfLocalDay, parseLocalDate, MS_PER_HOUR, type DayHour } from '../energy/time';
import type { SimMeterPoint } from './types';
import { dayOfWeek, zoneAt, type TariffZone } from './zones';

/** The parts of a meter point the data depends on. */
export type GeneratorPoint = Pick<SimMeterPoint, 'id' | 'tariff' | 'pvKw' | 'type'>;

/** One generated hour: its clock hour, zone and the two grid flows in whole Wh. */
export interface GeneratedHour extends DayHour {
  zone: TariffZone;
  /** Energy taken from the grid, Wh. */
  ecpWh: number;
  /** Energy given to the grid, Wh. */
  ecoWh: number;
}

/** Weather of a day: the kind and the mean PV clearness factor (0..1). */
export interface DayWeather {
  kind: 'sunny' | 'mixed' | 'overcast';
  clearness: number;
}

const LATITUDE = 50.06;
const LONGITUDE = 19.94;
const TILT = 35;
const DEG = Math.PI / 180;
const QUARTERS = 4;
const QUARTER_MS = MS_PER_HOUR / QUARTERS;

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A small deterministic pseudo-random generator (mulberry32); each call returns the next number in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A {@link mulberry32} generator seeded by the given strings. */
export function seededRandom(...parts: string[]): () => number {
  return mulberry32(hashString(parts.join('\u0000')));
}

/** Day of the year, 1..366, of a local date. */
export function dayOfYear(date: string): number {
  const { year, month, day } = parseLocalDate(date);
  return Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
}

/** 0 in mid-July … 1 in mid-January: how wintry a date is. */
function winterness(n: number): number {
  return (1 + Math.cos((2 * Math.PI * (n - 15)) / 365)) / 2;
}

/**
 * PV output in kW per installed kWp under a clear sky at an instant (0 at night): the sun's
 * elevation and its angle to a 35° south-facing array, with air-mass attenuation and some diffuse
 * light, times 82 % system efficiency.
 */
export function clearSkyPvPerKwp(instantMs: number): number {
  const d = new Date(instantMs);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  const n = Math.floor((instantMs - start) / 86_400_000) + 1;
  const utcHours = (instantMs - Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())) / MS_PER_HOUR;
  const declination = 23.44 * DEG * Math.sin((2 * Math.PI * (284 + n)) / 365);
  const b = (2 * Math.PI * (n - 81)) / 364;
  const equationOfTimeMin = 9.87 * Math.sin(2 * b) - 7.53 * Math.cos(b) - 1.5 * Math.sin(b);
  const solarTime = utcHours + LONGITUDE / 15 + equationOfTimeMin / 60;
  const hourAngle = 15 * DEG * (solarTime - 12);
  const lat = LATITUDE * DEG;
  const sinElevation =
    Math.sin(lat) * Math.sin(declination) + Math.cos(lat) * Math.cos(declination) * Math.cos(hourAngle);
  if (sinElevation <= 0.01) return 0;
  const elevationDeg = Math.asin(sinElevation) / DEG;
  const airMass = 1 / (sinElevation + 0.50572 * Math.pow(6.07995 + elevationDeg, -1.6364));
  const direct = 1353 * Math.pow(0.7, Math.pow(airMass, 0.678));
  const tiltLat = (LATITUDE - TILT) * DEG;
  const cosIncidence = Math.max(
    0,
    Math.sin(declination) * Math.sin(tiltLat) +
      Math.cos(declination) * Math.cos(tiltLat) * Math.cos(hourAngle),
  );
  const diffuse = 0.12 * direct * sinElevation * ((1 + Math.cos(TILT * DEG)) / 2) + 20 * sinElevation;
  const irradiance = direct * cosIncidence + diffuse;
  return Math.min(0.95, (irradiance / 1000) * 0.82);
}

/** The region's weather on a date (the same for every meter point). */
export function dayWeather(date: string): DayWeather {
  const rnd = seededRandom('weather', date);
  const summer = 1 - winterness(dayOfYear(date));
  const r = rnd();
  const pSunny = 0.15 + 0.3 * summer;
  const pOvercast = 0.5 - 0.3 * summer;
  if (r < pSunny) return { kind: 'sunny', clearness: 0.88 + 0.12 * rnd() };
  if (r < pSunny + pOvercast) return { kind: 'overcast', clearness: 0.08 + 0.22 * rnd() };
  return { kind: 'mixed', clearness: 0.35 + 0.4 * rnd() };
}

/** Clearness factor per quarter hour of a day (100 entries, enough for the 25-hour day). */
function quarterClearness(date: string, weather: DayWeather): number[] {
  const rnd = seededRandom('clouds', date);
  const out: number[] = [];
  let level = weather.clearness;
  for (let i = 0; i < 25 * QUARTERS; i++) {
    if (weather.kind === 'sunny') {
      out.push(Math.min(1, weather.clearness + (rnd() - 0.5) * 0.06));
    } else if (weather.kind === 'overcast') {
      out.push(Math.max(0.05, weather.clearness + (rnd() - 0.5) * 0.08));
    } else {
      level += (rnd() - 0.5) * 0.35;
      level += (weather.clearness - level) * 0.25;
      level = Math.min(1, Math.max(0.1, level));
      out.push(level);
    }
  }
  return out;
}

function bell(x: number, centre: number, width: number): number {
  const z = (x - centre) / width;
  return Math.exp(-0.5 * z * z);
}

const hoursCache = new Map<string, readonly DayHour[]>();

/** `hoursOfLocalDay`, memoised: the time zone arithmetic costs more than the rest of a day's model. */
function clockHours(date: string): readonly DayHour[] {
  let hours = hoursCache.get(date);
  if (!hours) {
    if (hoursCache.size >= 4000) hoursCache.clear();
    hours = hoursOfLocalDay(date);
    hoursCache.set(date, hours);
  }
  return hours;
}

/** True for business points: type `WO` or a `C…` tariff. */
export function isBusinessPoint(point: Pick<SimMeterPoint, 'type' | 'tariff'>): boolean {
  return point.type.toUpperCase() === 'WO' || /^C/i.test(point.tariff);
}

/**
 * Mean load in kW (before noise) of a household at local clock time `clock` (hours, 0..24).
 * @param n day of the year
 * @param weekend Saturday or Sunday
 */
function householdLoadKw(clock: number, n: number, weekend: boolean): number {
  const w = winterness(n);
  let base = 0.16 + 0.12 * w;
  if (clock >= 1 && clock < 5) base *= 0.85;
  const morning = (weekend ? 0.45 : 0.7) * bell(clock, weekend ? 9 : 6.9, 0.9);
  const midday = weekend ? 0.35 * bell(clock, 13.5, 1.5) : 0.1 * bell(clock, 13, 2);
  const evening = (1.0 + 0.5 * w) * bell(clock, 20.5 - 2 * w, 1.7);
  return base + morning + midday + evening;
}

/** Mean load in kW of a small business at local clock time `clock`. */
function businessLoadKw(clock: number, weekend: boolean): number {
  if (weekend) return 0.8;
  const rise = 1 / (1 + Math.exp(-(clock - 7) * 3));
  const fall = 1 / (1 + Math.exp((clock - 17) * 3));
  return 0.9 + 3.6 * rise * fall;
}

/**
 * The hours of one local day of a meter point with both grid flows in Wh: 24 hours, 23 on the
 * spring DST day (no label 3), 25 on the autumn one (label 3 twice, the second `repeated`).
 * Pure and deterministic: the same point and date always give the same numbers.
 */
export function generateDay(point: GeneratorPoint, date: string): GeneratedHour[] {
  const n = dayOfYear(date);
  const dow = dayOfWeek(date);
  const weekend = dow === 0 || dow === 6;
  const business = isBusinessPoint(point);
  const scale = business ? 1 : 0.8 + 0.5 * (hashString(point.id) / 4294967296);
  const clearness = point.pvKw > 0 ? quarterClearness(date, dayWeather(date)) : [];
  const rnd = seededRandom('load', point.id, date);
  const hours = clockHours(date);
  return hours.map((h, index) => {
    let importKwh = 0;
    let exportKwh = 0;
    for (let q = 0; q < QUARTERS; q++) {
      const clock = h.hour - 1 + (q + 0.5) / QUARTERS;
      let load = business ? businessLoadKw(clock, weekend) : householdLoadKw(clock, n, weekend) * scale;
      load *= 0.8 + 0.4 * rnd();
      const spikeChance = clock >= 7 && clock < 23 ? 0.07 : 0.01;
      if (rnd() < spikeChance) load += (business ? 3 : 1.2) + rnd();
      const pv =
        point.pvKw > 0
          ? point.pvKw *
            clearSkyPvPerKwp(h.startMs + (q + 0.5) * QUARTER_MS) *
            clearness[index * QUARTERS + q]
          : 0;
      const net = (load - pv) / QUARTERS;
      if (net >= 0) importKwh += net;
      else exportKwh -= net;
    }
    return {
      ...h,
      zone: zoneAt(point.tariff, date, h.hour - 1),
      ecpWh: Math.round(importKwh * 1000),
      ecoWh: Math.round(exportKwh * 1000),
    };
  });
}
