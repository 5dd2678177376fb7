/**
 * What the session registry saves: a year of hourly data for one meter point fetched through an
 * account session cold (from the local simulator), warm (complete days from the cache), and four
 * identical triggers at once (joined into one request) against four one after another on cold
 * sessions. Measured side by side in one run (alternating rounds, median); prints requests and
 * time ratios, absolute times depend on the machine.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/session-cache.bench.js [rounds]
 */
import { addLocalDays } from '../src/energy/time';
import { SessionPool, type AccountOptions } from '../src/session/pool';
import { DEMO_ACCOUNT, startSimulator, type SimulatorHandle } from '../src/simulator';
import { median, run, size, timeAsync as timed } from './support';

const TODAY = '2026-06-16';
const NOW = Date.parse(`${TODAY}T10:30:00+02:00`);
const FROM = addLocalDays(TODAY, -365);
const TO = addLocalDays(TODAY, -1);
const POINT = DEMO_ACCOUNT.meterPoints[0].id;

function requests(sim: SimulatorHandle): number {
  return Object.values(sim.stats.requests).reduce((a, b) => a + b, 0);
}

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(process.argv[2] ?? size(3, 1)));
  // Every round logs in six times on fresh sessions (that is what it compares), more than TAURON's
  // daily login limit the simulator enforces by default; the limit is not what is measured here.
  const sim = await startSimulator({ now: () => NOW, dailyLoginLimit: 6 * rounds + 1 });
  const account: AccountOptions = {
    serviceUrl: sim.serviceUrl,
    loginUrl: sim.loginUrl,
    username: DEMO_ACCOUNT.username,
    password: DEMO_ACCOUNT.password,
    minLoginIntervalMs: 0,
  };
  const query = { meterPoint: POINT, from: FROM, to: TO, series: ['ecp', 'eco'] as const };
  const times = {
    cold: [] as number[],
    warm: [] as number[],
    joined: [] as number[],
    sequential: [] as number[],
  };
  const reqs = { cold: 0, warm: 0, joined: 0, sequential: 0 };
  try {
    for (let round = 0; round < rounds; round++) {
      // Cold, then warm, on one session (logged in before timing).
      let pool = new SessionPool({ now: () => NOW });
      let lease = pool.acquire(account);
      await lease.session.meterPoints();
      sim.stats.reset();
      times.cold.push(await timed(() => lease.session.hours({ ...query, series: [...query.series] }, TODAY)));
      reqs.cold = requests(sim);
      sim.stats.reset();
      times.warm.push(await timed(() => lease.session.hours({ ...query, series: [...query.series] }, TODAY)));
      reqs.warm = requests(sim);
      await pool.clear();

      // Four identical triggers at once on a cold session.
      pool = new SessionPool({ now: () => NOW });
      lease = pool.acquire(account);
      await lease.session.meterPoints();
      sim.stats.reset();
      times.joined.push(
        await timed(() =>
          Promise.all(
            Array.from({ length: 4 }, () =>
              lease.session.hours({ ...query, series: [...query.series] }, TODAY),
            ),
          ),
        ),
      );
      reqs.joined = requests(sim);
      await pool.clear();

      // Four one after another, each on a cold session (what a node without the registry would do).
      const sessions: { p: SessionPool; l: ReturnType<SessionPool['acquire']> }[] = [];
      for (let i = 0; i < 4; i++) {
        const p = new SessionPool({ now: () => NOW });
        const l = p.acquire(account);
        await l.session.meterPoints();
        sessions.push({ p, l });
      }
      sim.stats.reset();
      times.sequential.push(
        await timed(async () => {
          for (const { l } of sessions) await l.session.hours({ ...query, series: [...query.series] }, TODAY);
        }),
      );
      reqs.sequential = requests(sim);
      for (const { p } of sessions) await p.clear();
    }
  } finally {
    await sim.close();
  }
  const m = {
    cold: median(times.cold),
    warm: median(times.warm),
    joined: median(times.joined),
    sequential: median(times.sequential),
  };
  console.log(`one year of hourly ecp+eco, ${FROM}..${TO}, ${rounds} round(s), median of each`);
  console.log(`  cold session:              ${reqs.cold} requests, ${m.cold.toFixed(0)} ms`);
  console.log(`  warm (cache):              ${reqs.warm} requests, ${m.warm.toFixed(1)} ms`);
  console.log(`  cold / warm time:          ${(m.cold / m.warm).toFixed(0)}x`);
  console.log(`  4 triggers joined:         ${reqs.joined} requests, ${m.joined.toFixed(0)} ms`);
  console.log(`  4 triggers one by one:     ${reqs.sequential} requests, ${m.sequential.toFixed(0)} ms`);
  console.log(`  one-by-one / joined time:  ${(m.sequential / m.joined).toFixed(1)}x`);
}

run(main);
