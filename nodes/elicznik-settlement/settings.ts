/**
 * Turns the settlement node's editor settings (strings, as the editor stores them) into the
 * library's settings, with `BAD_INPUT` errors that name the setting.
 */
import { isLocalDate } from '../../src/energy/time';
import { badInput } from '../../src/settlement/errors';
import type { NetBillingOptions, PriceMode } from '../../src/settlement/net-billing';
import type { NetMeteringOptions } from '../../src/settlement/net-metering';
import { checkTariffPrices, checkZonePriority, type ZonePrice } from '../../src/settlement/prices';
import { PSE_RCE_URL, priceBookFromMessage, type NegativePriceRule } from '../../src/settlement/rce';

/** One row of the zone price list in the editor. */
export interface ZonePriceRow {
  zone?: string;
  energy?: string | number;
  distribution?: string | number;
}

/** The node's properties as the editor saves them. */
export interface SettlementDef {
  system?: string;
  ratio?: string | number;
  windowDays?: string | number;
  zonePriority?: string;
  zonePrices?: ZonePriceRow[];
  priceMode?: string;
  rceFrom?: string;
  rceSource?: string;
  rceUrl?: string;
  negativePrices?: string;
  rcemTable?: string;
  coefficient?: string | number;
  coefficientFrom?: string;
  coefficientRetroactive?: boolean;
  switchedToRce?: boolean;
  refundCapBase?: string;
  validityMonths?: string | number;
  output?: string;
  store?: string;
}

/** Statement granularity of the node's output. */
export type OutputPeriod = 'hour' | 'day' | 'month';

/** Everything the runtime needs, checked. */
export type NodeSettings =
  | {
      system: 'net-metering';
      bank: NetMeteringOptions;
      output: OutputPeriod;
      store: string;
    }
  | {
      system: 'net-billing';
      deposit: NetBillingOptions;
      /** Where hourly RCE comes from when the price mode is `rce`. */
      rceSource: 'url' | 'msg';
      rceUrl: string;
      negativePrices: NegativePriceRule;
      /** RCEm entered in the node, PLN/MWh by month. */
      rcem: Record<string, number>;
      output: OutputPeriod;
      store: string;
    };

function num(value: string | number | undefined, what: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'number' ? value : Number(String(value).trim().replace(',', '.'));
  if (!Number.isFinite(n)) throw badInput(`${what} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/** Zone prices from the editor's rows (empty rows are skipped). */
export function zonePricesOf(rows: readonly ZonePriceRow[] | undefined): Record<string, ZonePrice> {
  const out: Record<string, ZonePrice> = {};
  for (const row of rows ?? []) {
    const zone = String(row.zone ?? '').trim();
    if (!zone && (row.energy === undefined || row.energy === '')) continue;
    if (!zone) throw badInput('Every row of the zone prices needs a zone code (T1, T2, …)');
    const energy = num(row.energy, `The energy price of ${zone}`, NaN);
    const distribution =
      row.distribution === undefined || row.distribution === ''
        ? undefined
        : num(row.distribution, `The distribution price of ${zone}`, NaN);
    out[zone] = distribution === undefined ? { energy } : { energy, distribution };
  }
  return out;
}

/** The RCEm table typed in the node: `YYYY-MM=price` separated by commas, semicolons or new lines. */
export function rcemTableOf(text: string | undefined): Record<string, number> {
  const entries: Record<string, string> = {};
  for (const part of String(text ?? '').split(/[\n;,]+/)) {
    const line = part.trim();
    if (!line) continue;
    const m = /^(\d{4}-\d{2})\s*[=:]\s*(-?[\d.]+)$/.exec(line);
    if (!m) throw badInput(`RCEm table: "${line}" is not YYYY-MM=price (PLN/MWh)`);
    entries[m[1]] = m[2];
  }
  return priceBookFromMessage(entries).monthly ?? {};
}

function outputOf(value: string | undefined): OutputPeriod {
  const out = value || 'month';
  if (out !== 'hour' && out !== 'day' && out !== 'month') throw badInput(`Unknown output "${out}"`);
  return out;
}

/**
 * Checks the node's settings.
 * @throws SettlementError `BAD_INPUT`
 */
export function nodeSettingsOf(def: SettlementDef): NodeSettings {
  const system = def.system || 'net-metering';
  const output = outputOf(def.output);
  const store = def.store ?? '';
  const zones = zonePricesOf(def.zonePrices);
  const prices = Object.keys(zones).length > 0 ? checkTariffPrices(zones) : undefined;
  if (system === 'net-metering') {
    const bank: NetMeteringOptions = {
      ratio: num(def.ratio, 'The ratio', 0.8),
      windowDays: num(def.windowDays, 'The bank window', 365),
      zonePriority: checkZonePriority(def.zonePriority),
      ...(prices ? { prices } : {}),
    };
    return { system, bank, output, store };
  }
  if (system !== 'net-billing') throw badInput(`Unknown system "${system}"`);
  if (!prices) throw badInput('Net-billing needs the energy price of every zone of the tariff');
  const priceMode = (def.priceMode || 'rcem') as PriceMode;
  if (def.rceFrom && !isLocalDate(def.rceFrom)) throw badInput('The RCE start date must be YYYY-MM-DD');
  const switched = def.switchedToRce === true;
  const deposit: NetBillingOptions = {
    prices,
    priceMode,
    coefficient: num(def.coefficient, 'The coefficient', 1.23),
    coefficientFrom: def.coefficientFrom || '2024-12-27',
    coefficientRetroactive: def.coefficientRetroactive === true,
    validityMonths: num(def.validityMonths, 'The validity', 12),
    refundCapPercent: switched ? 30 : 20,
    refundCapBase: def.refundCapBase === 'deposit' ? 'deposit' : 'market',
    ...(def.rceFrom ? { rceFrom: def.rceFrom } : {}),
  };
  const negativePrices = (def.negativePrices || 'average-then-clip') as NegativePriceRule;
  if (negativePrices !== 'average-then-clip' && negativePrices !== 'clip-then-average') {
    throw badInput(`Unknown negative price rule "${negativePrices}"`);
  }
  const rceSource = def.rceSource === 'msg' ? 'msg' : 'url';
  return {
    system,
    deposit,
    rceSource,
    rceUrl: (def.rceUrl || '').trim() || PSE_RCE_URL,
    negativePrices,
    rcem: rcemTableOf(def.rcemTable),
    output,
    store,
  };
}

/** Context store settings as `settings.js` gives them. */
export type ContextStorage = Record<string, string | { module?: unknown }> | undefined;

/**
 * True when the named context store (or the default one, for `''`) keeps data across restarts,
 * i.e. it exists and is not the memory module.
 */
export function storePersists(storage: ContextStorage, store: string): boolean {
  if (!storage || Object.keys(storage).length === 0) return false;
  let name = store || 'default';
  let entry = storage[name];
  if (entry === undefined && name === 'default') {
    name = Object.keys(storage)[0];
    entry = storage[name];
  }
  if (typeof entry === 'string') entry = storage[entry];
  if (!entry || typeof entry !== 'object') return false;
  return entry.module !== 'memory' && entry.module !== undefined;
}
