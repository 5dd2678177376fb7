/**
 * Turns the settlement node's editor settings (strings, as the editor stores them) into the
 * library's settings, with `BAD_INPUT` errors that name the setting.
 */
import { badInput } from '../../src/settlement/errors';
import type { NetBillingOptions } from '../../src/settlement/net-billing';
import type { NetMeteringOptions } from '../../src/settlement/net-metering';
import { checkTariffPrices, type ZonePrice } from '../../src/settlement/prices';
import { PSE_RCE_URL, priceBookFromMessage, type NegativePriceRule } from '../../src/settlement/rce';
import { settlementSettingsOf, type SettlementSettingsInput } from '../../src/settlement/settings';
import type { OutputPeriod } from '../../src/settlement/settlement';

/** One row of the zone price list in the editor. */
export interface ZonePriceRow {
  zone?: string;
  energy?: string | number;
  distribution?: string | number;
}

/** The node's properties as the editor saves them: the shared settlement settings and the node's own. */
export interface SettlementDef extends SettlementSettingsInput {
  zonePrices?: ZonePriceRow[];
  rceSource?: string;
  rceUrl?: string;
  rcemTable?: string;
  output?: string;
  store?: string;
}

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

/** A number typed in the editor; NaN when empty (the price check then names what is missing). */
function num(value: string | number | undefined, what: string): number {
  if (value === undefined || value === '') return NaN;
  const n = typeof value === 'number' ? value : Number(String(value).trim().replace(',', '.'));
  if (!Number.isFinite(n)) throw badInput(`${what} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Zone prices from the editor's rows (empty rows are skipped; with `skipUnpriced`, also rows that
 * name a zone but give it no price, such as the editor's first row left as it is).
 */
export function zonePricesOf(
  rows: readonly ZonePriceRow[] | undefined,
  skipUnpriced = false,
): Record<string, ZonePrice> {
  const out: Record<string, ZonePrice> = {};
  for (const row of rows ?? []) {
    const zone = String(row.zone ?? '').trim();
    const noEnergy = row.energy === undefined || String(row.energy).trim() === '';
    const noDistribution = row.distribution === undefined || String(row.distribution).trim() === '';
    if (!zone && noEnergy) continue;
    if (skipUnpriced && noEnergy && noDistribution) continue;
    if (!zone) throw badInput('Every row of the zone prices needs a zone code (T1, T2, …)');
    const energy = num(row.energy, `The energy price of ${zone}`);
    const distribution =
      row.distribution === undefined || row.distribution === ''
        ? undefined
        : num(row.distribution, `The distribution price of ${zone}`);
    out[zone] = distribution === undefined ? { energy } : { energy, distribution };
  }
  return out;
}

/**
 * The RCEm table typed in the node: `YYYY-MM=price` separated by commas, semicolons or new lines;
 * a price may have a decimal comma (`2025-03=412,55`): a comma separates entries only before the
 * next month.
 */
export function rcemTableOf(text: string | undefined): Record<string, number> {
  const entries: Record<string, string> = {};
  for (const part of String(text ?? '').split(/[\n;]+|,(?=\s*\d{4}-\d{2}\s*[=:])/)) {
    const line = part.trim().replace(/,$/, '').trim();
    if (!line) continue;
    const m = /^(\d{4}-\d{2})\s*[=:]\s*(-?\d+(?:[.,]\d+)?)$/.exec(line);
    if (!m) throw badInput(`RCEm table: "${line}" is not YYYY-MM=price (PLN/MWh)`);
    entries[m[1]] = m[2].replace(',', '.');
  }
  return priceBookFromMessage(entries).monthly ?? {};
}

function outputOf(value: string | undefined): OutputPeriod {
  const out = value || 'month';
  if (out !== 'hour' && out !== 'day' && out !== 'month') throw badInput(`Unknown output "${out}"`);
  return out;
}

/**
 * Checks the node's settings (the shared ones through {@link settlementSettingsOf}, with the same
 * names and defaults as `elicznik settle`).
 * @throws SettlementError `BAD_INPUT`
 */
export function nodeSettingsOf(def: SettlementDef): NodeSettings {
  const output = outputOf(def.output);
  const store = def.store ?? '';
  // Net-metering needs no prices (they only add costs), so a zone row without prices is left out.
  const zones = zonePricesOf(def.zonePrices, (def.system || 'net-metering') === 'net-metering');
  const prices = Object.keys(zones).length > 0 ? checkTariffPrices(zones) : undefined;
  const choice = settlementSettingsOf(def, prices);
  if (choice.system === 'net-metering') return { system: choice.system, bank: choice.bank, output, store };
  return {
    system: choice.system,
    deposit: choice.deposit,
    rceSource: def.rceSource === 'msg' ? 'msg' : 'url',
    rceUrl: (def.rceUrl || '').trim() || PSE_RCE_URL,
    negativePrices: choice.negativePrices,
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
