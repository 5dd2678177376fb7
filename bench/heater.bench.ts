/**
 * A simulated summer month (June 2026, Warsaw time) of 10-second meter readings: PV panels with a
 * bell-shaped day and passing clouds, a household with a base load and appliance spikes (fixed
 * seed, so every run sees the same month), and a 2 kW heater behind the same meter. Two
 * controllers drive the heater side by side:
 *
 *   (a) the hour-budget control of `src/energy/heater.ts` fed the running balance of the hour;
 *       (also with a 0.1 kWh margin, to show what a larger reserve buys);
 *   (b) a plain threshold switch on instantaneous power: on when the house exports at least the
 *       heater's power, off as soon as the meter shows import.
 *
 * For each it prints the share of the month's hourly surplus (what the hours would have exported
 * net without the heater) that the heater used within the same hour, the hourly net import the
 * heater caused (hours pushed into, or deeper into, net import), the energy it ran on, the number
 * of switches, and the time per reading as a ratio of the two.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/heater.bench.js`
 */
import { performance } from 'node:perf_hooks';
import {
  createHeaterState,
  DEFAULT_HEATER_OPTIONS,
  heaterInput,
  type HeaterOptions,
} from '../src/energy/heater';
import { hourContaining, startOfLocalDayMs } from '../src/energy/time';
import { mulberry32 } from '../src/simulator/data';

const STEP_MS = 10_000;
const H = 3_600_000;
const LOAD_KW = 2;
const PV_PEAK_KW = 6.5;

/** The seeded generator the property tests share with the simulator, so runs repeat. */
const rng = mulberry32;

interface Sample {
  at: number;
  /** PV output and household draw, kW, over the 10 s before `at`. */
  pv: number;
  house: number;
}

/** The month's readings: PV bell between about 4:45 and 21:00 local time, clouds, household. */
function month(): Sample[] {
  const rand = rng(20260601);
  const from = startOfLocalDayMs('2026-06-01');
  const to = startOfLocalDayMs('2026-07-01');
  const out: Sample[] = [];
  let cloud = 1; // transmission 0.2..1
  let cloudTarget = 1;
  let dayClearness = 1;
  let spike = 0;
  let spikeLeft = 0;
  for (let at = from + STEP_MS; at <= to; at += STEP_MS) {
    const localHour = (at - from - Math.floor((at - from) / (24 * H)) * 24 * H) / H; // no DST change in June
    if (Math.abs(localHour) < STEP_MS / H) dayClearness = 0.45 + 0.55 * rand(); // a new day's weather
    // clouds: a new target every few minutes, approached smoothly
    if (rand() < STEP_MS / (6 * 60_000)) cloudTarget = rand() < dayClearness ? 1 : 0.15 + 0.5 * rand();
    cloud += (cloudTarget - cloud) * 0.15;
    const sun = Math.max(Math.sin((Math.PI * (localHour - 4.75)) / 16.25), 0);
    const pv = PV_PEAK_KW * sun ** 1.3 * cloud;
    // household: base, daily shape, appliance spikes (kettle, oven, washing machine)
    const shape =
      0.25 + (localHour > 6 && localHour < 9 ? 0.35 : 0) + (localHour > 17 && localHour < 22 ? 0.6 : 0);
    if (spikeLeft <= 0 && rand() < STEP_MS / (45 * 60_000)) {
      spike = 0.8 + 2.2 * rand();
      spikeLeft = 60_000 + rand() * 20 * 60_000;
    }
    spikeLeft -= STEP_MS;
    const house = shape + 0.1 * rand() + (spikeLeft > 0 ? spike : 0);
    out.push({ at, pv, house });
  }
  return out;
}

interface Result {
  name: string;
  /** Hourly net without the heater and with it, and the heater's energy, per hour. */
  baseNet: number[];
  net: number[];
  loadKwh: number[];
  switches: number;
  ms: number;
}

type Controller = (
  s: Sample,
  hour: { startMs: number; endMs: number },
  hourNet: number,
  ecp: number,
  eco: number,
) => boolean;

function run(name: string, samples: Sample[], make: () => Controller): Result {
  const control = make();
  const baseNet: number[] = [];
  const net: number[] = [];
  const loadKwh: number[] = [];
  let hour = hourContaining(samples[0].at - 1);
  let i = -1;
  let on = false;
  let switches = 0;
  let ecp = 0;
  let eco = 0;
  const dtH = STEP_MS / H;
  let spent = 0;
  for (const s of samples) {
    if (i < 0 || s.at - STEP_MS >= hour.endMs) {
      if (i >= 0) hour = hourContaining(s.at - 1);
      i += 1;
      baseNet.push(0);
      net.push(0);
      loadKwh.push(0);
      ecp = 0;
      eco = 0;
    }
    const load = on ? LOAD_KW : 0;
    const grid = (s.pv - s.house - load) * dtH; // + export, − import
    baseNet[i] += (s.pv - s.house) * dtH;
    net[i] += grid;
    loadKwh[i] += load * dtH;
    if (grid > 0) eco += grid;
    else ecp -= grid;
    const t0 = performance.now();
    const next = control(s, hour, net[i], ecp, eco);
    spent += performance.now() - t0;
    if (next !== on) switches += 1;
    on = next;
  }
  return { name, baseNet, net, loadKwh, switches, ms: spent };
}

function budgetController(opts: HeaterOptions): () => Controller {
  return () => {
    let state = createHeaterState();
    return (s, hour, hourNet, ecp, eco) => {
      state = heaterInput(
        state,
        { at: s.at, net: hourNet, ecp, eco, hourStartMs: hour.startMs, hourEndMs: hour.endMs },
        opts,
      ).state;
      return state.on;
    };
  };
}

function thresholdController(): Controller {
  let on = false;
  return (s) => {
    const spare = s.pv - s.house; // instantaneous export without the heater
    if (!on && spare >= LOAD_KW) on = true;
    else if (on && spare - LOAD_KW < 0) on = false;
    return on;
  };
}

function summarise(r: Result) {
  let surplus = 0;
  let used = 0;
  let importCaused = 0;
  let ran = 0;
  let hoursIntoImport = 0;
  for (let i = 0; i < r.net.length; i++) {
    const base = r.baseNet[i];
    surplus += Math.max(base, 0);
    used += Math.min(r.loadKwh[i], Math.max(base, 0));
    const extra = Math.max(-r.net[i], 0) - Math.max(-base, 0);
    importCaused += Math.max(extra, 0);
    if (extra > 1e-9) hoursIntoImport += 1;
    ran += r.loadKwh[i];
  }
  return { surplus, used, share: used / surplus, importCaused, ran, hoursIntoImport };
}

function main(): void {
  const t0 = performance.now();
  const samples = month();
  const genMs = performance.now() - t0;
  const opts: HeaterOptions = { ...DEFAULT_HEATER_OPTIONS, loadKw: LOAD_KW };
  const a = run('hour budget (elicznik-heater)', samples, budgetController(opts));
  const a2 = run('hour budget, margin 0.1 kWh', samples, budgetController({ ...opts, marginKwh: 0.1 }));
  const b = run('threshold on instantaneous export', samples, thresholdController);
  const sa = summarise(a);
  const sa2 = summarise(a2);
  const sb = summarise(b);
  const fmt = (x: number, d = 1) => x.toFixed(d).padStart(9);
  console.log(
    `June 2026, ${samples.length} readings every ${STEP_MS / 1000} s (generated in ${genMs.toFixed(0)} ms), ` +
      `${a.net.length} clock hours, heater ${LOAD_KW} kW, PV peak ${PV_PEAK_KW} kW`,
  );
  console.log(`hourly surplus without the heater: ${sa.surplus.toFixed(1)} kWh`);
  console.log('');
  console.log(
    `${'controller'.padEnd(36)}${'used kWh'.padStart(9)}${'share'.padStart(9)}${'ran kWh'.padStart(9)}` +
      `${'import'.padStart(9)}${'hours'.padStart(9)}${'switches'.padStart(9)}${'µs/read'.padStart(9)}`,
  );
  for (const [r, s] of [
    [a, sa],
    [a2, sa2],
    [b, sb],
  ] as const) {
    console.log(
      `${r.name.padEnd(36)}${fmt(s.used)}${fmt(s.share * 100)}%`.replace(/%$/, '%') +
        `${fmt(s.ran)}${fmt(s.importCaused, 2)}${fmt(s.hoursIntoImport, 0)}${fmt(r.switches, 0)}` +
        `${fmt((r.ms * 1000) / samples.length, 2)}`,
    );
  }
  console.log('');
  console.log(`share used, budget / threshold: ${(sa.share / sb.share).toFixed(2)}×`);
  console.log(
    `net import caused: budget ${sa.importCaused.toFixed(2)} kWh in ${sa.hoursIntoImport} hours, ` +
      `budget with margin 0.1 kWh ${sa2.importCaused.toFixed(2)} kWh in ${sa2.hoursIntoImport} hours, ` +
      `threshold ${sb.importCaused.toFixed(2)} kWh in ${sb.hoursIntoImport} hours`,
  );
  console.log(`switches, budget / threshold: ${a.switches} / ${b.switches}`);
  console.log(`time per reading, budget / threshold: ${(a.ms / b.ms).toFixed(1)}×`);
}

main();
