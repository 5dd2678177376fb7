/**
 * The eLicznik data endpoints (`elicznik-service.md` §2), for the meter point the session selected:
 * - `POST /energia/api`, `/energia/wo/api`: the JSON energy series. They use the selected point, or
 *   the first one when none was selected; a `WO` point answers only on the `wo` path, others only on
 *   the plain one (`{"success":false}` otherwise). Bad dates, types or profiles, an end before the
 *   start, or more than {@link MAX_RANGE_DAYS} days (`year`: {@link MAX_YEAR_RANGE_DAYS}) answer
 *   `{"success":false}`.
 * - `POST /odczyty/api`: register readings, only for complete days.
 * - `GET /energia/do/dane`: the hourly CSV export; needs an explicitly selected point (else the start
 *   page, HTML) and at most {@link MAX_RANGE_DAYS} days (else an HTML error page); only
 *   `form[type]=godzin` and CSV.
 */
import { addLocalDays, fromServiceDate, localDatesInRange, localDaysBetween } from '../energy/time';
import { hashString } from './data';
import { ecNullHours } from './faults';
import { html, json, type Reply } from './host';
import { maintenancePage, messagePage, startPage } from './pages';
import {
  ALL_SERIES,
  csvExport,
  energyByPeriod,
  energyFullTime,
  periodsByDay,
  periodsByMonth,
  registerReading,
  type RegisterReading,
  type SimSeries,
} from './responses';
import { dayTotals, type ServedData } from './served-data';
import { zonesOfTariff } from './zones';
import type { SimAccount, SimFaults, SimMeterPoint } from './types';

/** Longest range, in days, of one CSV export and of one JSON `full time`/`month` request. */
export const MAX_RANGE_DAYS = 366;

/** Longest range, in days, of one JSON `year` request. */
export const MAX_YEAR_RANGE_DAYS = 3660;

/** Register counting starts here; earlier days count backwards from the base. */
const REGISTER_ANCHOR = '2025-01-01';

const SUCCESS_FALSE = { success: false };

/** Parses `from`/`to` (`d.m.yyyy`) into an inclusive list of dates, or undefined when invalid. */
function range(from: string | null, to: string | null, maxDays: number): string[] | undefined {
  try {
    const a = fromServiceDate(from ?? '');
    const b = fromServiceDate(to ?? '');
    const n = localDaysBetween(a, b);
    if (n < 0 || n + 1 > maxDays) return undefined;
    return localDatesInRange(a, b);
  } catch {
    return undefined;
  }
}

/** Register (Wh) at the end of `date`: a per-point base plus every day's energy since the anchor. */
function registersAt(
  point: SimMeterPoint,
  date: string,
  exportRegister: boolean,
): { total: number; zones: number[] } {
  const zoneCount = zonesOfTariff(point.tariff).length;
  const seed = hashString(`${point.id}|${exportRegister ? 'oddana' : 'pobrana'}`);
  const baseKwh = exportRegister ? (point.pvKw > 0 ? 1500 + (seed % 9000) : 0) : 6000 + (seed % 24000);
  const zones = Array.from({ length: zoneCount }, (_, i) =>
    zoneCount === 1
      ? baseKwh * 1000
      : Math.round((baseKwh * 1000 * (zoneCount - i)) / ((zoneCount * (zoneCount + 1)) / 2)),
  );
  const add = (d: string, sign: 1 | -1) => {
    const t = dayTotals(point, d);
    const per = exportRegister ? t.ecoZoneWh : t.ecpZoneWh;
    for (let i = 0; i < zoneCount; i++) zones[i] += sign * per[i];
  };
  if (date >= REGISTER_ANCHOR) {
    for (let d = REGISTER_ANCHOR; d <= date; d = addLocalDays(d, 1)) add(d, 1);
  } else {
    for (let d = addLocalDays(date, 1); d < REGISTER_ANCHOR; d = addLocalDays(d, 1)) add(d, -1);
  }
  return { total: zones.reduce((a, b) => a + b, 0), zones };
}

/** The answers of the data endpoints of one running simulator. */
export class DataEndpoints {
  constructor(
    private readonly data: ServedData,
    private readonly faults: SimFaults,
  ) {}

  /** `/energia/api` (`woPath` false) and `/energia/wo/api` for the point in use. */
  energy(point: SimMeterPoint | undefined, woPath: boolean, body: string): Reply {
    if (this.faults.htmlInsteadOfJson) return html(maintenancePage());
    if (this.faults.successFalse) return json(SUCCESS_FALSE);
    const form = new URLSearchParams(body);
    if (!point || (point.type.toUpperCase() === 'WO') !== woPath) return json(SUCCESS_FALSE);
    const series = form.get('type') as SimSeries | null;
    if (!series || !ALL_SERIES.includes(series)) return json(SUCCESS_FALSE);
    const profile = (form.get('profile') ?? '').trim();
    const max = profile === 'year' ? MAX_YEAR_RANGE_DAYS : MAX_RANGE_DAYS;
    const dates = range(form.get('from'), form.get('to'), max);
    if (!dates) return json(SUCCESS_FALSE);
    const days = dates.map((d) => this.data.servedDay(point, d));
    if (profile === 'full time') {
      const data = energyFullTime(point.tariff, days.flat(), series, {
        ecNullHours: ecNullHours(this.faults),
        missingAllData: this.faults.missingAllData,
      });
      return json({ success: true, data });
    }
    if (profile === 'month')
      return json({ success: true, data: energyByPeriod(point.tariff, periodsByDay(days), series) });
    if (profile === 'year') {
      return json({ success: true, data: energyByPeriod(point.tariff, periodsByMonth(days), series) });
    }
    return json(SUCCESS_FALSE);
  }

  /** `/odczyty/api`: the import or export register at the end of every complete day. */
  readings(point: SimMeterPoint | undefined, body: string): Reply {
    if (this.faults.htmlInsteadOfJson) return html(maintenancePage());
    if (this.faults.successFalse) return json(SUCCESS_FALSE);
    const form = new URLSearchParams(body);
    const kind = form.get('type');
    if (kind !== 'energia-pobrana' && kind !== 'energia-oddana') return json(SUCCESS_FALSE);
    const dates = range(form.get('from'), form.get('to'), MAX_YEAR_RANGE_DAYS);
    if (!point || !dates) return json(SUCCESS_FALSE);
    const exportRegister = kind === 'energia-oddana';
    const zoneCount = zonesOfTariff(point.tariff).length;
    const data: RegisterReading[] = [];
    let reg: { total: number; zones: number[] } | undefined;
    for (const date of dates) {
      if (reg) {
        const t = dayTotals(point, date);
        const per = exportRegister ? t.ecoZoneWh : t.ecpZoneWh;
        reg = {
          total: reg.total + (exportRegister ? t.ecoWh : t.ecpWh),
          zones: reg.zones.map((z, i) => z + per[i]),
        };
      }
      const served = this.data.servedDay(point, date);
      if (served.some((h) => h.ecpWh === null)) continue;
      reg ??= registersAt(point, date, exportRegister);
      data.push(registerReading(date, reg.total, zoneCount > 1 ? reg.zones : null));
    }
    return json({ success: true, data });
  }

  /** `/energia/do/dane` for the account's explicitly selected point (`selected`), if any. */
  csv(account: SimAccount, selected: SimMeterPoint | undefined, url: URL): Reply {
    if (this.faults.htmlInsteadOfJson) return html(maintenancePage());
    if (!selected) {
      return html(startPage(account));
    }
    const q = url.searchParams;
    const dates = range(q.get('form[from]'), q.get('form[to]'), Number.MAX_SAFE_INTEGER);
    if (!dates) return html(messagePage('Błąd', 'Nieprawidłowy zakres dat.'));
    if (dates.length > MAX_RANGE_DAYS) {
      return html(messagePage('Błąd', 'Zakres dat nie może być dłuższy niż jeden rok.'));
    }
    if ((q.get('form[type]') ?? 'godzin') !== 'godzin' || (q.get('form[fileType]') ?? 'CSV') !== 'CSV') {
      return html(messagePage('Błąd', 'Nieobsługiwany format eksportu.'));
    }
    const series = ALL_SERIES.filter((s) => q.get(`form[energy][${s}]`) === '1');
    const hours = dates.flatMap((d) => this.data.servedDay(selected, d));
    const text = csvExport(hours, series, this.faults.csvHeader, this.faults.csvBom);
    return {
      status: 200,
      body: text,
      headers: {
        'Content-Type': 'text/csv; charset=UTF-8',
        'Content-Encoding': 'UTF-8',
        'Content-Disposition': `attachment; filename="Dane-${dates[0]}-${dates[dates.length - 1]}.csv"`,
      },
    };
  }
}
