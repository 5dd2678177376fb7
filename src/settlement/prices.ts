/**
 * Tariff prices per zone (what the user copies from the invoice or the seller's price list) and
 * the order in which zones are covered by the net-metering bank.
 *
 * Prices are PLN per kWh. Enter them consistently gross (with VAT, comparable with the amount to
 * pay) or net; the library only multiplies.
 */
import { isLocalDate } from '../energy/time';
import { badInput } from './errors';

/** Prices of one tariff zone, PLN/kWh. */
export interface ZonePrice {
  /** Active energy price (the seller's part of the bill). */
  energy: number;
  /** Variable (per-kWh) distribution price, when known. */
  distribution?: number;
}

/** Zone prices in force from a date on. */
export interface TariffPeriod {
  /** First local date `YYYY-MM-DD` the prices apply to; absent = from the beginning. */
  from?: string;
  /** Prices per zone code (`T1`, `T2`, …); `*` applies to any zone not listed. */
  zones: Record<string, ZonePrice>;
}

/** Zone prices over time, in any order (sorted by {@link checkTariffPrices}). */
export type TariffPrices = TariffPeriod[];

/** Zone prices as settings accept them: periods, or one zone map for all time. */
export type TariffPricesInput = TariffPrices | Record<string, ZonePrice>;

function isPrice(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 100;
}

/**
 * Validates tariff prices and sorts the periods by date. Accepts one period's zone map
 * (`{T1: {energy, distribution}}`) as a shorthand for `[{zones: …}]`.
 * @throws SettlementError `BAD_INPUT` naming the first bad entry
 */
export function checkTariffPrices(value: unknown, what = 'prices'): TariffPrices {
  const list: unknown[] = Array.isArray(value)
    ? value
    : value && typeof value === 'object' && !('zones' in value)
      ? [{ zones: value }]
      : [value];
  const out: TariffPeriod[] = [];
  for (const [i, item] of list.entries()) {
    const where = list.length > 1 ? `${what}[${i}]` : what;
    if (!item || typeof item !== 'object') throw badInput(`${where} must be an object with zone prices`);
    const { from, zones } = item as { from?: unknown; zones?: unknown };
    if (from !== undefined && from !== null && from !== '' && !isLocalDate(from)) {
      throw badInput(`${where}.from must be a date YYYY-MM-DD, got ${JSON.stringify(from)}`);
    }
    if (!zones || typeof zones !== 'object' || Array.isArray(zones)) {
      throw badInput(`${where}.zones must map zone codes to prices`);
    }
    const checked: Record<string, ZonePrice> = {};
    for (const [zone, price] of Object.entries(zones as Record<string, unknown>)) {
      const p = price as { energy?: unknown; distribution?: unknown } | null;
      if (!p || typeof p !== 'object' || !isPrice(p.energy)) {
        throw badInput(`${where}: zone ${zone} needs an energy price in PLN/kWh (a number from 0 to 100)`);
      }
      if (p.distribution !== undefined && p.distribution !== null && !isPrice(p.distribution)) {
        throw badInput(
          `${where}: the distribution price of zone ${zone} must be a number from 0 to 100 PLN/kWh`,
        );
      }
      checked[zone] =
        typeof p.distribution === 'number'
          ? { energy: p.energy, distribution: p.distribution }
          : { energy: p.energy };
    }
    out.push(typeof from === 'string' && from !== '' ? { from, zones: checked } : { zones: checked });
  }
  return out.sort((a, b) => (a.from ?? '').localeCompare(b.from ?? ''));
}

/** The zone prices in force on a local date, or undefined when none apply yet. */
export function tariffAt(
  prices: readonly TariffPeriod[] | undefined,
  date: string,
): TariffPeriod | undefined {
  if (!prices) return undefined;
  let found: TariffPeriod | undefined;
  for (const p of prices) {
    if ((p.from ?? '') <= date) found = p;
    else break;
  }
  return found;
}

/** The price of a zone on a date (the zone's own entry, else `*`), or undefined. */
export function zonePriceAt(
  prices: readonly TariffPeriod[] | undefined,
  date: string,
  zone: string,
): ZonePrice | undefined {
  const period = tariffAt(prices, date);
  return period ? (period.zones[zone] ?? period.zones['*']) : undefined;
}

/**
 * How the net-metering bank orders zones when energy in the bank is scarce within a month:
 * - `distribution`: the zone with the highest variable distribution price first (TAURON's rule as
 *   reported; zones without a price come last), ties by zone code;
 * - `time`: no zone priority, hours are covered in time order;
 * - a list of zone codes: that order, unlisted zones after them by code.
 */
export type ZonePriority = 'distribution' | 'time' | readonly string[];

/**
 * Rank of every zone (lower is covered first) for a month.
 * @param zones the zone codes that occur
 * @param priority the rule
 * @param prices tariff prices, for `distribution`
 * @param date the date whose prices decide (the month's first day)
 */
export function zoneRanks(
  zones: Iterable<string>,
  priority: ZonePriority,
  prices: readonly TariffPeriod[] | undefined,
  date: string,
): Map<string, number> {
  const codes = [...new Set(zones)].sort();
  const ranks = new Map<string, number>();
  if (priority === 'time') {
    for (const z of codes) ranks.set(z, 0);
    return ranks;
  }
  let ordered: string[];
  if (priority === 'distribution') {
    const price = (z: string) => zonePriceAt(prices, date, z)?.distribution;
    ordered = [...codes].sort((a, b) => {
      const pa = price(a);
      const pb = price(b);
      if (pa === undefined || pb === undefined) {
        if (pa === pb) return a.localeCompare(b);
        return pa === undefined ? 1 : -1;
      }
      return pb - pa || a.localeCompare(b);
    });
  } else {
    const listed = priority.filter((z) => codes.includes(z));
    ordered = [...new Set(listed), ...codes.filter((z) => !priority.includes(z))];
  }
  ordered.forEach((z, i) => ranks.set(z, i));
  return ranks;
}

/** A zone code as eLicznik writes them (`T1`, `T2`, …; a letter or two and a number). */
const ZONE_CODE = /^[A-Z]{0,2}\d{1,2}$/i;

/**
 * Validates a zone priority setting: `distribution`, `time`, a list of zone codes or a
 * comma-separated text of them (`T1,T2`).
 */
export function checkZonePriority(value: unknown): ZonePriority {
  if (value === undefined || value === null || value === '' || value === 'distribution')
    return 'distribution';
  if (value === 'time') return 'time';
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((z) => typeof z === 'string' && ZONE_CODE.test(z))
  ) {
    return list as string[];
  }
  throw badInput(
    `The zone priority must be "distribution", "time" or a list of zone codes such as "T1,T2"; got ${JSON.stringify(value)}`,
  );
}
