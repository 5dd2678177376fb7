/**
 * Tariff zones the simulator assigns to hours, and the names eLicznik shows for them.
 *
 * Zone times are read from the local clock hour an interval starts at (label − 1), on the local
 * date. Chosen rules (TAURON's published hours, simplified):
 * - `G11`, `C11` and any code not listed below: one zone `T1` "Cała doba".
 * - `G12W`: `T1` "Szczyt" on Monday–Friday 06:00–13:00 and 15:00–22:00; `T2` "Poza szczytem" at
 *   every other hour and all of Saturday and Sunday. Public holidays are not modelled (they are
 *   served like the weekday they fall on).
 * - `G12`: `T1` 06:00–13:00 and 15:00–22:00 every day, `T2` otherwise.
 * - `G13`: on Monday–Friday `T1` "Szczyt przedpołudniowy" 07:00–13:00, `T2` "Szczyt popołudniowy"
 *   16:00–21:00 from October to March and 19:00–22:00 from April to September; `T3` "Reszta dnia"
 *   at every other hour and at weekends.
 */
import { parseLocalDate } from '../energy/time';

/** One zone of a tariff as eLicznik lists it. */
export interface TariffZone {
  /** The key eLicznik uses in `zones`, `zonesName`, `chartZones` and `allData[].Zone`: `'1'`, `'2'`, `'3'`. */
  key: string;
  /** Short code, `T1`…`T3` (`workName`, CSV `Strefa`). */
  code: string;
  /** Name without the code suffix (`allData[].ZoneName`). */
  name: string;
}

const ALL_DAY: TariffZone[] = [{ key: '1', code: 'T1', name: 'Cała doba' }];
const TWO_ZONES: TariffZone[] = [
  { key: '1', code: 'T1', name: 'Szczyt' },
  { key: '2', code: 'T2', name: 'Poza szczytem' },
];
const THREE_ZONES: TariffZone[] = [
  { key: '1', code: 'T1', name: 'Szczyt przedpołudniowy' },
  { key: '2', code: 'T2', name: 'Szczyt popołudniowy' },
  { key: '3', code: 'T3', name: 'Reszta dnia' },
];

/** The zones of a tariff, in key order. */
export function zonesOfTariff(tariff: string): TariffZone[] {
  switch (tariff.toUpperCase()) {
    case 'G12':
    case 'G12W':
      return TWO_ZONES;
    case 'G13':
      return THREE_ZONES;
    default:
      return ALL_DAY;
  }
}

/** Day of week of a local date, 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  const { year, month, day } = parseLocalDate(date);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/**
 * The zone of the hour that starts at local clock hour `startHour` (0..23) on `date`.
 * @param tariff tariff code
 * @param date local date `YYYY-MM-DD`
 * @param startHour local clock hour the interval starts at (service label − 1)
 */
export function zoneAt(tariff: string, date: string, startHour: number): TariffZone {
  const zones = zonesOfTariff(tariff);
  if (zones.length === 1) return zones[0];
  const dow = dayOfWeek(date);
  const weekend = dow === 0 || dow === 6;
  const code = tariff.toUpperCase();
  if (code === 'G13') {
    if (weekend) return zones[2];
    if (startHour >= 7 && startHour < 13) return zones[0];
    const month = parseLocalDate(date).month;
    const summer = month >= 4 && month <= 9;
    const [from, to] = summer ? [19, 22] : [16, 21];
    if (startHour >= from && startHour < to) return zones[1];
    return zones[2];
  }
  if (code === 'G12W' && weekend) return zones[1];
  const peak = (startHour >= 6 && startHour < 13) || (startHour >= 15 && startHour < 22);
  return peak ? zones[0] : zones[1];
}

/** `zonesName` text of a zone: the name with the code in brackets, e.g. `Cała doba (T1)`. */
export function zoneDisplayName(zone: TariffZone): string {
  return `${zone.name} (${zone.code})`;
}
