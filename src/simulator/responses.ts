/**
 * Builds the bodies of the eLicznik data endpoints from served hours (pure functions; the server
 * decides which hours are available). Shapes follow `elicznik-service.md` §2.1–2.5.
 *
 * Choices where the real service is not documented:
 * - `profile=full time` over several days answers every hour of the range in one list: `values`,
 *   `labels`, `tooltipLabels` and `allData` have one entry per clock hour (23 on the spring DST
 *   day, 25 on the autumn one), `labels` repeat 1..24 per day, each `allData` entry carries the
 *   `Date` of its own day and `chartZones` lists are as long as `values`.
 * - On DST days `values`/`labels` have 23 or 25 entries; label 3 is missing in spring and appears
 *   twice in autumn, the second `allData` copy with `Extra: "T"`.
 * - `allData[].Date` is the day's UTC midnight written in Warsaw time with milliseconds and offset
 *   (`2026-03-10T01:00:00.000+01:00`, `2026-06-15T02:00:00.000+02:00`), the same for every hour.
 * - `profile=month` answers one value per day of the range (`labels` = day of month,
 *   `tooltipLabels` = `dd.mm.yyyy`); `profile=year` one value per calendar month touched by the
 *   range (`labels` = month number, `tooltipLabels` = `mm.yyyy`). Both carry `zones`, `sum`,
 *   `zonesName`, `workName` and `tariff`, but neither `chartZones` nor `allData`. A period with no
 *   served hour is `null`; a partly served one is the sum of what is served.
 * - Register readings are kWh with three decimals.
 */
import { parseLocalDate, toLocalIso, toServiceDate } from '../energy/time';
import { whToKwh } from '../energy/hour';
import { zoneDisplayName, zonesOfTariff, type TariffZone } from './zones';

/** The four series of the JSON `type` field and the CSV `form[energy][…]` flags. */
export type SimSeries = 'consum' | 'oze' | 'netto' | 'netto_oze';

/** Every series, in the order the CSV export lists them. */
export const ALL_SERIES: readonly SimSeries[] = ['consum', 'oze', 'netto', 'netto_oze'];

/** One hour as served: null flows = no data yet. */
export interface ServedHour {
  date: string;
  hour: number;
  repeated: boolean;
  zone: TariffZone;
  ecpWh: number | null;
  ecoWh: number | null;
  /** Wh added to the balanced import (`netto`) of the hour; see `SimFaults.balancedDifferences`. */
  nettoExtraWh?: number;
  /** Wh added to the balanced export (`netto_oze`). */
  nettoOzeExtraWh?: number;
}

/** Quirks that change the JSON energy answer. */
export interface EnergyQuirks {
  /** Hour labels whose `allData` `EC` is `null` although the hour has a value. */
  ecNullHours?: readonly number[];
  /** Leave `allData` out. */
  missingAllData?: boolean;
}

/**
 * Wh of a series in an hour: raw import/export or the balanced values (the hourly balance, plus
 * the hour's extra Wh when it has some, never below 0).
 */
export function seriesWh(
  hour: Pick<ServedHour, 'ecpWh' | 'ecoWh' | 'nettoExtraWh' | 'nettoOzeExtraWh'>,
  series: SimSeries,
): number | null {
  const { ecpWh, ecoWh } = hour;
  if (ecpWh === null || ecoWh === null) return null;
  switch (series) {
    case 'consum':
      return ecpWh;
    case 'oze':
      return ecoWh;
    case 'netto':
      return Math.max(Math.max(ecpWh - ecoWh, 0) + (hour.nettoExtraWh ?? 0), 0);
    case 'netto_oze':
      return Math.max(Math.max(ecoWh - ecpWh, 0) + (hour.nettoOzeExtraWh ?? 0), 0);
  }
}

function zoneMaps(tariff: string): {
  zones: TariffZone[];
  zonesName: Record<string, string>;
  workName: Record<string, string>;
} {
  const zones = zonesOfTariff(tariff);
  const zonesName: Record<string, string> = {};
  const workName: Record<string, string> = {};
  for (const z of zones) {
    zonesName[z.key] = zoneDisplayName(z);
    workName[z.key] = z.code;
  }
  return { zones, zonesName, workName };
}

function zoneSums(zones: TariffZone[], hours: Iterable<{ zoneKey: string; wh: number | null }>) {
  const sums: Record<string, number> = {};
  for (const z of zones) sums[z.key] = 0;
  let total = 0;
  for (const h of hours) {
    if (h.wh === null) continue;
    sums[h.zoneKey] = (sums[h.zoneKey] ?? 0) + h.wh;
    total += h.wh;
  }
  const zonesKwh: Record<string, number> = {};
  for (const key of Object.keys(sums)) zonesKwh[key] = whToKwh(sums[key]);
  return { zones: zonesKwh, sum: whToKwh(total) };
}

/** `allData[].Date` of a day: its UTC midnight in Warsaw time, e.g. `2026-03-10T01:00:00.000+01:00`. */
export function allDataDate(date: string): string {
  const { year, month, day } = parseLocalDate(date);
  return toLocalIso(Date.UTC(year, month - 1, day)).replace(/([+-]\d\d:\d\d)$/, '.000$1');
}

/**
 * The `data` object of `/energia/api` with `profile=full time`: one entry per served clock hour of
 * the given days, in order.
 */
export function energyFullTime(
  tariff: string,
  hours: readonly ServedHour[],
  series: SimSeries,
  quirks: EnergyQuirks = {},
): Record<string, unknown> {
  const { zones, zonesName, workName } = zoneMaps(tariff);
  const whs = hours.map((h) => seriesWh(h, series));
  const chartZones: Record<string, boolean[]> = {};
  for (const z of zones) {
    chartZones[z.key] = hours.map((h) => zones.length > 1 && h.zone.key === z.key);
  }
  const { zones: zoneKwh, sum } = zoneSums(
    zones,
    hours.map((h, i) => ({ zoneKey: h.zone.key, wh: whs[i] })),
  );
  const data: Record<string, unknown> = {
    values: whs.map((wh) => (wh === null ? null : whToKwh(wh))),
    zones: zoneKwh,
    sum,
    chartZones,
    labels: hours.map((h) => h.hour),
    tooltipLabels: hours.map((h) => `${h.hour - 1}:00 - ${h.hour}:00`),
    zonesName,
    tariff,
    workName,
  };
  if (!quirks.missingAllData) {
    const ecNull = new Set(quirks.ecNullHours ?? []);
    data.allData = hours.map((h, i) => {
      const wh = whs[i];
      return {
        EC: wh === null || ecNull.has(h.hour) ? null : String(whToKwh(wh)),
        Date: allDataDate(h.date),
        Hour: String(h.hour),
        Status: wh === null ? null : '0',
        Extra: h.repeated ? 'T' : 'N',
        Zone: h.zone.key,
        ZoneName: h.zone.name,
        Taryfa: tariff,
        WorkName: h.zone.code,
      };
    });
  }
  return data;
}

/** A group of served hours (a day or a month) with its labels, for the month and year profiles. */
export interface ServedPeriod {
  label: number;
  tooltip: string;
  hours: readonly ServedHour[];
}

/** Groups days of served hours into days (`profile=month`). */
export function periodsByDay(days: readonly (readonly ServedHour[])[]): ServedPeriod[] {
  return days
    .filter((d) => d.length > 0)
    .map((d) => ({ label: parseLocalDate(d[0].date).day, tooltip: toServiceDate(d[0].date), hours: d }));
}

/** Groups days of served hours into calendar months (`profile=year`). */
export function periodsByMonth(days: readonly (readonly ServedHour[])[]): ServedPeriod[] {
  const out: ServedPeriod[] = [];
  for (const d of days) {
    if (d.length === 0) continue;
    const { year, month } = parseLocalDate(d[0].date);
    const tooltip = `${String(month).padStart(2, '0')}.${year}`;
    const last = out[out.length - 1];
    if (last && last.tooltip === tooltip) (last.hours as ServedHour[]).push(...d);
    else out.push({ label: month, tooltip, hours: [...d] });
  }
  return out;
}

/** The `data` object of `/energia/api` with `profile=month` or `year`: one value per period. */
export function energyByPeriod(
  tariff: string,
  periods: readonly ServedPeriod[],
  series: SimSeries,
): Record<string, unknown> {
  const { zones, zonesName, workName } = zoneMaps(tariff);
  const all: { zoneKey: string; wh: number | null }[] = [];
  const values = periods.map((p) => {
    let total = 0;
    let any = false;
    for (const h of p.hours) {
      const wh = seriesWh(h, series);
      all.push({ zoneKey: h.zone.key, wh });
      if (wh !== null) {
        total += wh;
        any = true;
      }
    }
    return any ? whToKwh(total) : null;
  });
  const { zones: zoneKwh, sum } = zoneSums(zones, all);
  return {
    values,
    zones: zoneKwh,
    sum,
    labels: periods.map((p) => p.label),
    tooltipLabels: periods.map((p) => p.tooltip),
    zonesName,
    tariff,
    workName,
  };
}

/** One `/odczyty/api` entry. */
export interface RegisterReading {
  Date: string;
  C: number;
  S1: number | null;
  S2: number | null;
  S3: number | null;
}

/**
 * A register reading at the end of `date`: `C` the total register, `S1..S3` the zone registers of
 * a multi-zone tariff (null otherwise), all from Wh counters.
 */
export function registerReading(
  date: string,
  totalWh: number,
  zoneWh: readonly number[] | null,
): RegisterReading {
  const zone = (i: number) => (zoneWh && i < zoneWh.length ? whToKwh(zoneWh[i]) : null);
  return {
    Date: `${toServiceDate(date)} 23:59:59`,
    C: whToKwh(totalWh),
    S1: zone(0),
    S2: zone(1),
    S3: zone(2),
  };
}

const CSV_KIND: Record<SimSeries, string> = {
  consum: 'pobór',
  oze: 'oddanie',
  netto: 'pobrana po zbilansowaniu',
  netto_oze: 'oddana po zbilansowaniu',
};

/** CSV header line of each variant (see {@link SimCsvHeader} in types). */
export const CSV_HEADERS = {
  '2023': 'Data; Wartość kWh;Rodzaj;',
  '2025': 'Data; Strefa; Wartość kWh;Rodzaj;',
  '2026': 'Data; Strefa; Wartość ;Rodzaj;Status;',
} as const;

/**
 * The hourly CSV export (`/energia/do/dane`, `form[type]=godzin`): the header, then for each
 * requested series (in {@link ALL_SERIES} order) every served hour of the range in order; hours
 * without data have no row. `YYYY-MM-DD H:MM` hour-ending labels, decimal comma, trailing `;`,
 * LF line ends.
 */
export function csvExport(
  hours: readonly ServedHour[],
  series: readonly SimSeries[],
  header: keyof typeof CSV_HEADERS = '2025',
  bom = false,
): string {
  const lines: string[] = [CSV_HEADERS[header]];
  for (const s of ALL_SERIES) {
    if (!series.includes(s)) continue;
    for (const h of hours) {
      const wh = seriesWh(h, s);
      if (wh === null) continue;
      const when = `${h.date} ${h.hour}:00`;
      const value = (wh / 1000).toFixed(3).replace('.', ',');
      if (header === '2023') lines.push(`${when};${value};${CSV_KIND[s]};`);
      else if (header === '2025') lines.push(`${when};${h.zone.code};${value};${CSV_KIND[s]};`);
      else lines.push(`${when};${h.zone.code};${value};${CSV_KIND[s]} [kWh];licznik;`);
    }
  }
  return (bom ? '\ufeff' : '') + lines.join('\n') + '\n';
}
