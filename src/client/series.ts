/**
 * The four hourly series eLicznik serves and their names in each place: the hour record field, the
 * JSON `type` (with its `energy` flag) and the CSV `form[energy][…]` flag and `Rodzaj` text.
 */
import type { EnergySeries } from '../energy/totals';

export type { EnergySeries } from '../energy/totals';

/** Every series in the order the CSV export lists them. */
export const ALL_SERIES: readonly EnergySeries[] = ['ecp', 'eco', 'tauronEcbp', 'tauronEcbo'];

/** The series asked for when a caller names none: grid import and export. */
export const DEFAULT_SERIES: readonly EnergySeries[] = ['ecp', 'eco'];

/** How a series is named by the service. */
export interface SeriesNames {
  /** JSON `type` of `/energia/api` and the key of the CSV flag `form[energy][…]`. */
  apiType: 'consum' | 'oze' | 'netto' | 'netto_oze';
  /** JSON `energy` field sent with the type (clients send it with consum and oze only). */
  energy?: string;
  /** CSV `Rodzaj` value (without a ` [kWh]` suffix). */
  csvKind: string;
}

/** Service names of every series. */
export const SERIES_NAMES: Readonly<Record<EnergySeries, SeriesNames>> = {
  ecp: { apiType: 'consum', energy: '1', csvKind: 'pobór' },
  eco: { apiType: 'oze', energy: '2', csvKind: 'oddanie' },
  tauronEcbp: { apiType: 'netto', csvKind: 'pobrana po zbilansowaniu' },
  tauronEcbo: { apiType: 'netto_oze', csvKind: 'oddana po zbilansowaniu' },
};

/** True when `value` names a series. */
export function isEnergySeries(value: unknown): value is EnergySeries {
  return typeof value === 'string' && (ALL_SERIES as readonly string[]).includes(value);
}
