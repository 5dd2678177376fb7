/**
 * Settling a year: 8 760 balanced hours (the simulator's G12W prosumer, 2025) through the
 * net-metering bank and the net-billing deposit with hourly RCE prices (the simulator's price
 * model), with hour statements. Prints the median and the best time of each next to the 5 ms
 * target as a ratio (the best run shows the cost without other processes competing for the CPU),
 * and the median next to a plain pass over the same hours measured in the same run.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/settlement.bench.js`
 */
import type { HourRecord } from '../src/energy/hour';
import { shiftDate, warsawHoursOfDay, warsawIso } from '../src/settlement/clock';
import { settleNetBilling } from '../src/settlement/net-billing';
import { settleNetMetering } from '../src/settlement/net-metering';
import { generateDay } from '../src/simulator/data';
import { DEMO_ACCOUNT } from '../src/simulator/demo-account';
import { simulatedQuarterPrices } from '../src/simulator/rce';
import { size } from './support';

const TARGET_MS = 5;
const RUNS = size(25, 2);
const point = DEMO_ACCOUNT.meterPoints[1];

function yearOfHours(): HourRecord[] {
  const out: HourRecord[] = [];
  for (let date = '2025-01-01'; date <= '2025-12-31'; date = shiftDate(date, 1)) {
    const clock = warsawHoursOfDay(date);
    generateDay(point, date).forEach((h, i) => {
      const ecbp = Math.max(h.ecpWh - h.ecoWh, 0) / 1000;
      const ecbo = Math.max(h.ecoWh - h.ecpWh, 0) / 1000;
      out.push({
        hourStart: warsawIso(clock[i].startMs),
        hourEnd: warsawIso(clock[i].endMs),
        date,
        hour: h.hour,
        repeated: h.repeated,
        zone: h.zone.code,
        zoneName: h.zone.name,
        ecp: h.ecpWh / 1000,
        eco: h.ecoWh / 1000,
        ecbp,
        ecbo,
        dayComplete: true,
      });
    });
  }
  return out;
}

function hourlyPrices(): Map<number, number> {
  const prices = new Map<number, number>();
  for (let date = '2025-01-01'; date <= '2025-12-31'; date = shiftDate(date, 1)) {
    const quarters = simulatedQuarterPrices(date);
    for (let i = 0; i < quarters.length; i += 4) {
      prices.set(
        quarters[i].startMs,
        (quarters[i].price + quarters[i + 1].price + quarters[i + 2].price + quarters[i + 3].price) / 4,
      );
    }
  }
  return prices;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => unknown): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const hours = yearOfHours();
const hourly = hourlyPrices();
const tariff = { T1: { energy: 0.62, distribution: 0.38 }, T2: { energy: 0.45, distribution: 0.09 } };
const cases: [string, () => unknown][] = [
  ['plain pass (sum ECBO)', () => hours.reduce((s, h) => s + (h.ecbo ?? 0), 0)],
  ['net-metering, year', () => settleNetMetering(hours, { prices: tariff })],
  ['net-billing RCE, year', () => settleNetBilling(hours, { prices: tariff, priceMode: 'rce' }, { hourly })],
  [
    'net-billing RCEm, year',
    () =>
      settleNetBilling(
        hours,
        { prices: tariff },
        {
          monthly: Object.fromEntries(
            Array.from({ length: 12 }, (_, m) => [`2025-${String(m + 1).padStart(2, '0')}`, 420]),
          ),
        },
      ),
  ],
];
// Warm up, then measure the cases interleaved so that they share the machine's state.
for (const [, fn] of cases) for (let i = 0; i < 3; i++) fn();
const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
for (let run = 0; run < RUNS; run++) for (const [name, fn] of cases) times.get(name)!.push(time(fn));
const plain = median(times.get(cases[0][0])!);
console.log(`settle a year: ${hours.length} hours, ${RUNS} runs each, interleaved`);
for (const [name] of cases.slice(1)) {
  const all = times.get(name)!;
  const ms = median(all);
  const best = Math.min(...all);
  console.log(
    `${name.padEnd(24)} median ${ms.toFixed(2).padStart(6)} ms (ratio to the ${TARGET_MS} ms target ${(ms / TARGET_MS).toFixed(2)})` +
      `   best ${best.toFixed(2).padStart(6)} ms (ratio ${(best / TARGET_MS).toFixed(2)})` +
      `   = ${(ms / plain).toFixed(0)}× a plain pass (${plain.toFixed(3)} ms)`,
  );
}
