/**
 * Memory a year of hour records holds, measured side by side in one run (the heap after a full
 * garbage collection, with the records kept and without them):
 * - a year of hourly ECP+ECO of one meter point as the client builds it from the CSV export
 *   (`buildHourRecords`), against the same records built with object spread as they were before
 *   (`{ ...timeFields, zone, …, ...values }`, which gives V8 a hidden class per record);
 * - the `balanceHours` result of that year (balanced hours and the day, zone and month sums).
 * Prints MB and the ratio to the 10 MB target.
 *
 *   npm run bench -- heap
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildHourRecords, daysTimeFields, type SeriesHour } from '../src/client/hourly';
import { balanceHours } from '../src/energy/balance';
import type { HourRecord } from '../src/energy/hour';
import { localDatesInRange } from '../src/energy/time';
import { mulberry32 } from '../src/simulator/data';
import { median, run, size } from './support';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const FROM = '2025-01-01';
const TO = '2025-12-31';
const TARGET_MB = 10;

function values(): SeriesHour[] {
  const rand = mulberry32(3);
  const out: SeriesHour[] = [];
  for (const { date, hours } of daysTimeFields(FROM, TO)) {
    for (const h of hours) {
      for (const series of ['ecp', 'eco'] as const) {
        out.push({
          series,
          date,
          hour: h.hour,
          repeated: h.repeated,
          value: Math.round(rand() * 3000) / 1000,
          zone: 'T1',
        });
      }
    }
  }
  return out;
}

/** The records with object spread, as `buildHourRecords` made them before. */
function spreadRecords(vals: SeriesHour[]): HourRecord[] {
  const byKey = new Map(vals.map((v) => [`${v.date}|${v.hour}|${v.repeated}|${v.series}`, v.value]));
  const out: HourRecord[] = [];
  for (const { date, hours } of daysTimeFields(FROM, TO)) {
    for (const h of hours) {
      const k = `${date}|${h.hour}|${h.repeated}`;
      const fields: Partial<HourRecord> = {
        ecp: byKey.get(`${k}|ecp`) ?? null,
        eco: byKey.get(`${k}|eco`) ?? null,
        zone: 'T1',
        zoneName: 'Cała doba',
        dayComplete: true,
        meterPoint: 'PPE',
        tariff: 'G11',
      };
      out.push({ ...h, zone: null, zoneName: null, ecp: null, eco: null, dayComplete: false, ...fields });
    }
  }
  return out;
}

/** Heap bytes that `make`'s result keeps alive (after full collections), median of `rounds`. */
function retained(make: () => unknown, rounds: number): number {
  const sizes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: unknown[] = [make()];
    gc();
    gc();
    sizes.push(process.memoryUsage().heapUsed - before);
    if (kept[0] === undefined) throw new Error('nothing kept');
    kept.pop();
  }
  return median(sizes);
}

async function main(): Promise<void> {
  const rounds = size(5, 1);
  const vals = values();
  const records = () =>
    buildHourRecords({
      from: FROM,
      to: TO,
      series: ['ecp', 'eco'],
      values: vals,
      meterPoint: 'PPE',
      tariff: 'G11',
      zoneNames: { T1: 'Cała doba' },
    });
  const year = records();
  const hours = year.length;
  if (hours !== localDatesInRange(FROM, TO).length * 24) throw new Error(`unexpected ${hours} hours`);
  // Alternate the cases round by round.
  const built: number[] = [];
  const spread: number[] = [];
  const balanced: number[] = [];
  for (let i = 0; i < rounds; i++) {
    built.push(retained(records, 1));
    spread.push(retained(() => spreadRecords(vals), 1));
    balanced.push(retained(() => balanceHours(year), 1));
  }
  const mb = (b: number) => b / 1024 / 1024;
  const b = mb(median(built));
  const s = mb(median(spread));
  const r = mb(median(balanced));
  console.log(
    `heap held by a year of hour records (${hours} hours, ECP+ECO, one meter point), median of ${rounds}`,
  );
  console.log(
    `  records as the client builds them   ${b.toFixed(2)} MB (${((b * 1024 * 1024) / hours).toFixed(0)} bytes/hour)`,
  );
  console.log(`  the same built with object spread   ${s.toFixed(2)} MB`);
  console.log(`  balanceHours result of the year     ${r.toFixed(2)} MB`);
  console.log(
    `  records: ratio to the ${TARGET_MB} MB target ${(b / TARGET_MB).toFixed(2)}; spread / built ${(s / b).toFixed(2)}x`,
  );
}

run(main);
