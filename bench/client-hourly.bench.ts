/**
 * A year of hourly data for one meter point, fetched from the local simulator through the CSV export
 * and through day-by-day JSON, measured side by side in one run (alternating rounds, median time).
 * Prints requests and the time ratio; absolute times depend on the machine.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/client-hourly.bench.js [rounds]
 */
import { ElicznikClient, type HourlySource } from '../src/client';
import { addLocalDays } from '../src/energy/time';
import { DEMO_ACCOUNT, startSimulator } from '../src/simulator';
import { median, run, size } from './support';

const TODAY = '2026-06-16';
const NOW = Date.parse(`${TODAY}T10:30:00+02:00`);

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(process.argv[2] ?? size(3, 1)));
  const sim = await startSimulator({ now: () => NOW });
  const from = addLocalDays(TODAY, -365);
  const to = addLocalDays(TODAY, -1);
  const times: Record<HourlySource, number[]> = { auto: [], csv: [], json: [] };
  const requests: Record<HourlySource, number> = { auto: 0, csv: 0, json: 0 };
  try {
    for (let round = 0; round < rounds; round++) {
      for (const source of ['csv', 'json'] as const) {
        const client = new ElicznikClient({
          serviceUrl: sim.serviceUrl,
          loginUrl: sim.loginUrl,
          username: DEMO_ACCOUNT.username,
          password: DEMO_ACCOUNT.password,
          now: () => NOW,
          minLoginIntervalMs: 0,
        });
        await client.login();
        sim.stats.reset();
        const started = process.hrtime.bigint();
        const records = await client.getHourly({ from, to, source });
        times[source].push(Number(process.hrtime.bigint() - started) / 1e6);
        requests[source] = Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
        if (records.length !== 365 * 24) throw new Error(`unexpected ${records.length} records`);
        await client.close();
      }
    }
  } finally {
    await sim.close();
  }
  const csv = median(times.csv);
  const json = median(times.json);
  console.log(`one year of hourly ecp+eco, ${from}..${to}, ${rounds} round(s), median of each`);
  console.log(`  CSV export:       ${requests.csv} requests, ${csv.toFixed(0)} ms`);
  console.log(`  day-by-day JSON:  ${requests.json} requests, ${json.toFixed(0)} ms`);
  console.log(`  JSON / CSV time:  ${(json / csv).toFixed(1)}x`);
  console.log(`  JSON / CSV requests: ${(requests.json / requests.csv).toFixed(0)}x`);
}

run(main);
