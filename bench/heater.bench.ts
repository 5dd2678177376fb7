/**
 * The heater control over whole months of 10-second meter readings, against a threshold switch and
 * an oracle, side by side on the same readings.
 *
 * Months (`src/simulator/household-meter.ts`, seeded with mulberry32, the same every run): June
 * (summer, drifting clouds), July with fast passing clouds (drops of 50-80 % for 1-20 min), March
 * and October (short surplus windows, the clock changes), and August with a household whose kettle,
 * oven or washing machine starts in the last 15 minutes of half of its daytime hours.
 *
 * Loads behind the same meter: one 2 kW heater on a relay; a 3 kW boiler with three 1 kW stages; two
 * prioritised loads (a 2 kW boiler first, then a 1.5 kW heater); a 2 kW heater on a percentage
 * output (SSR/thyristor controller).
 *
 * Controllers, each deciding after a reading for the next 10 s:
 *   budget     `src/energy/heater.ts` with its defaults, fed the running balance of the hour;
 *   threshold  what a smart-plug rule does: a step goes on when the meter's instantaneous export
 *              exceeds the step's power, the last step goes off when the meter shows import, with
 *              the same minimum on and off times per load (5 min) and no on-delay; on a percentage
 *              output it is a diverter that sets the power to the instantaneous export;
 *   oracle     knows each hour's surplus without the loads in advance and spends all of it up to
 *              the loads' full power for the hour (nothing in hours smaller than the first step
 *              for its minimum on time), never tipping an hour: an upper bound, not a controller.
 *
 * Per month and load it prints: the share of the hourly surplus (what each hour would have exported
 * net without the loads) the loads used within the same hour, its ratio to the threshold switch and
 * to the oracle, the hours the loads tipped from net export into net import, the net import they
 * caused in all hours (kWh and share of their energy; the threshold switch's beside it), relay
 * switches, and µs per reading.
 *
 * Run: `npm run build && node dist/bench/heater.bench.js` (`--month june|cloudy|spring|autumn|spiky` for one month; `--earlier 7`
 * for other random draws of the same months: each generated from 7 days before it, those days run
 * first and not counted); a smoke run
 * (`BENCH_SMOKE=1`) drives two days of each month.
 */
import { performance } from 'node:perf_hooks';
import {
  createHeaterState,
  DEFAULT_HEATER_OPTIONS,
  heaterInput,
  type HeaterLoad,
  type HeaterOptions,
  type HeaterState,
} from '../src/energy/heater';
import {
  HEATER_BENCH_MONTHS,
  householdMonth,
  type MeterMonth,
  type MeterMonthProfile,
} from '../src/simulator/household-meter';
import { size } from './support';
import { addLocalDays, startOfLocalDayMs } from '../src/energy/time';

const H = 3_600_000;

/** The loads the bench drives. */
export interface LoadSetup {
  key: string;
  title: string;
  loads: HeaterLoad[];
}

export const LOAD_SETUPS: readonly LoadSetup[] = [
  { key: 'one', title: 'one 2 kW heater', loads: [{ name: 'heater', kw: 2, stages: 1, kind: 'relay' }] },
  {
    key: 'stages',
    title: '3-stage 3 kW boiler',
    loads: [{ name: 'boiler', kw: 3, stages: 3, kind: 'relay' }],
  },
  {
    key: 'two',
    title: 'boiler 2 kW, then heater 1.5 kW',
    loads: [
      { name: 'boiler', kw: 2, stages: 1, kind: 'relay' },
      { name: 'heater', kw: 1.5, stages: 1, kind: 'relay' },
    ],
  },
  {
    key: 'percent',
    title: '2 kW on a percentage output',
    loads: [{ name: 'heater', kw: 2, stages: 1, kind: 'percent' }],
  },
];

/** Per clock hour: the net without the loads, the net with them, the loads' energy. */
export interface RunResult {
  baseNet: Float64Array;
  net: Float64Array;
  loadKwh: Float64Array;
  switches: number;
  ms: number;
}

/** Decides the loads' power (kW) for the next interval after a reading. */
type Controller = (
  i: number,
  hourStartMs: number,
  hourNet: number,
  ecp: number,
  eco: number,
  powerKw: number,
) => { powerKw: number; switches: number };

/** Drives a controller over a month; the hour of a reading is the hour its interval starts in. */
export function runMonth(m: MeterMonth, control: Controller): RunResult {
  const n = m.at.length;
  const first = Math.floor((m.at[0] - m.stepMs) / H);
  const hours = Math.floor((m.at[n - 1] - m.stepMs) / H) - first + 1;
  const baseNet = new Float64Array(hours);
  const net = new Float64Array(hours);
  const loadKwh = new Float64Array(hours);
  const dtH = m.stepMs / H;
  let power = 0;
  let switches = 0;
  let ms = 0;
  let hour = -1;
  let ecp = 0;
  let eco = 0;
  for (let i = 0; i < n; i++) {
    // Warsaw clock hours start on UTC hours (whole-hour offsets), so this is the clock hour
    const h = Math.floor((m.at[i] - m.stepMs) / H) - first;
    if (h !== hour) {
      hour = h;
      ecp = 0;
      eco = 0;
    }
    const spare = m.pv[i] - m.house[i];
    const grid = (spare - power) * dtH; // + export, − import
    baseNet[h] += spare * dtH;
    net[h] += grid;
    loadKwh[h] += power * dtH;
    if (grid > 0) eco += grid;
    else ecp -= grid;
    const t0 = performance.now();
    const next = control(i, (h + first) * H, net[h], ecp, eco, power);
    ms += performance.now() - t0;
    switches += next.switches;
    power = next.powerKw;
  }
  return { baseNet, net, loadKwh, switches, ms };
}

function loadPower(load: HeaterLoad, level: number): number {
  return load.kind === 'percent' ? load.kw * level : (load.kw / load.stages) * level;
}

/** The library with its defaults and the given loads. */
export function budgetController(
  m: MeterMonth,
  loads: HeaterLoad[],
  opts?: Partial<HeaterOptions>,
): Controller {
  const o: HeaterOptions = { ...DEFAULT_HEATER_OPTIONS, ...opts, loads };
  let state: HeaterState = createHeaterState(loads.length);
  return (i, hourStartMs, hourNet, ecp, eco) => {
    const step = heaterInput(
      state,
      { at: m.at[i], net: hourNet, ecp, eco, hourStartMs, hourEndMs: hourStartMs + H },
      o,
    );
    state = step.state;
    let p = 0;
    let switches = 0;
    for (let k = 0; k < loads.length; k++) {
      p += loadPower(loads[k], state.loads[k].level);
      if (step.decision.loads[k].changed) switches += 1;
    }
    return { powerKw: p, switches };
  };
}

/**
 * The threshold switch (smart-plug rule) on the meter's instantaneous power, per load step, with
 * the same minimum on/off times as the library's defaults; a diverter on a percentage output.
 */
export function thresholdController(m: MeterMonth, loads: HeaterLoad[]): Controller {
  const minOn = DEFAULT_HEATER_OPTIONS.minOnMs;
  const minOff = DEFAULT_HEATER_OPTIONS.minOffMs;
  const level = loads.map(() => 0);
  const switchedAt = loads.map(() => -Infinity);
  return (i) => {
    const now = m.at[i];
    const spare = m.pv[i] - m.house[i]; // what the meter would export with the loads off
    let power = 0;
    for (let k = 0; k < loads.length; k++) power += loadPower(loads[k], level[k]);
    const exportKw = spare - power; // what the meter shows now (+ export, − import)
    let switches = 0;
    if (exportKw < 0) {
      // import: the last relay step goes off after its minimum on time
      for (let k = loads.length - 1; k >= 0; k--) {
        if (loads[k].kind === 'percent' || level[k] === 0) continue;
        if (now - switchedAt[k] >= minOn) {
          level[k] -= 1;
          switchedAt[k] = now;
          switches += 1;
        }
        break;
      }
    } else {
      // export above the next step's power: one more step after the minimum off time
      const k = loads.findIndex((l, j) => l.kind === 'relay' && level[j] < l.stages);
      const before = k < 0 ? true : loads.slice(0, k).every((l, j) => l.kind === 'relay' || level[j] >= 1);
      if (k >= 0 && before) {
        const step = loads[k].kw / loads[k].stages;
        if (exportKw > step && now - switchedAt[k] >= minOff) {
          level[k] += 1;
          switchedAt[k] = now;
          switches += 1;
        }
      }
    }
    // percentage outputs divert the instantaneous export left by the relays before them
    let relays = 0;
    for (let k = 0; k < loads.length; k++) {
      if (loads[k].kind === 'relay') {
        relays += loadPower(loads[k], level[k]);
        continue;
      }
      const was = level[k] > 0;
      level[k] = Math.min(Math.max((spare - relays) / loads[k].kw, 0), 1);
      if (level[k] < 0.01) level[k] = 0;
      if (was !== level[k] > 0) switches += 1;
      relays += loadPower(loads[k], level[k]);
    }
    let p = 0;
    for (let k = 0; k < loads.length; k++) p += loadPower(loads[k], level[k]);
    return { powerKw: p, switches };
  };
}

export interface Summary {
  surplus: number;
  used: number;
  share: number;
  ran: number;
  importCaused: number;
  hoursTipped: number;
  hoursWithImport: number;
}

export function summarise(r: RunResult): Summary {
  let surplus = 0;
  let used = 0;
  let importCaused = 0;
  let ran = 0;
  let hoursTipped = 0;
  let hoursWithImport = 0;
  for (let i = 0; i < r.net.length; i++) {
    const base = r.baseNet[i];
    surplus += Math.max(base, 0);
    used += Math.min(r.loadKwh[i], Math.max(base, 0));
    const extra = Math.max(-r.net[i], 0) - Math.max(-base, 0);
    if (extra > 1e-9) {
      importCaused += extra;
      hoursWithImport += 1;
    }
    if (base >= 0 && r.net[i] < -1e-9) hoursTipped += 1;
    ran += r.loadKwh[i];
  }
  return { surplus, used, share: used / surplus, importCaused, ran, hoursTipped, hoursWithImport };
}

/** The oracle's share: each hour's surplus up to the loads' full power, if the first step can run its minimum. */
export function oracleShare(r: RunResult, loads: HeaterLoad[]): number {
  const full = loads.reduce((a, l) => a + l.kw, 0);
  const first = loads[0].kind === 'percent' ? 0 : loads[0].kw / loads[0].stages;
  const least = (first * DEFAULT_HEATER_OPTIONS.minOnMs) / H;
  let surplus = 0;
  let used = 0;
  for (let i = 0; i < r.baseNet.length; i++) {
    const s = Math.max(r.baseNet[i], 0);
    surplus += s;
    if (s > 0 && s >= least) used += Math.min(s, full);
  }
  return used / surplus;
}

export interface Row {
  month: string;
  setup: string;
  surplus: number;
  budget: Summary & { switches: number; usPerReading: number };
  threshold: Summary & { switches: number };
  oracle: number;
}

/** The hours of a run from hour `from` on. */
function hoursFrom(r: RunResult, from: number): RunResult {
  if (from <= 0) return r;
  return { ...r, baseNet: r.baseNet.slice(from), net: r.net.slice(from), loadKwh: r.loadKwh.slice(from) };
}

/**
 * One month's rows. With `earlier` days, the month is generated from that many days before its
 * first day (other random draws of the same profile), and those days run first and are not counted
 * (the control has learned them).
 */
export function benchMonth(
  profile: MeterMonthProfile,
  setups = LOAD_SETUPS,
  earlier = 0,
): { month: MeterMonth; rows: Row[] } {
  const days = size(profile.days, 2);
  const month = householdMonth({
    ...profile,
    from: addLocalDays(profile.from, -earlier),
    days: days + earlier,
  });
  const counted = Math.round((startOfLocalDayMs(profile.from) - (month.at[0] - month.stepMs)) / H);
  const rows: Row[] = [];
  for (const setup of setups) {
    const a = hoursFrom(runMonth(month, budgetController(month, setup.loads)), counted);
    const b = hoursFrom(runMonth(month, thresholdController(month, setup.loads)), counted);
    const sa = summarise(a);
    const sb = summarise(b);
    rows.push({
      month: profile.key,
      setup: setup.key,
      surplus: sa.surplus,
      budget: { ...sa, switches: a.switches, usPerReading: (a.ms * 1000) / month.at.length },
      threshold: { ...sb, switches: b.switches },
      oracle: oracleShare(a, setup.loads),
    });
  }
  return { month, rows };
}

function pct(x: number, d = 1): string {
  return `${(x * 100).toFixed(d)}%`;
}

function main(): void {
  const only = process.argv.indexOf('--month');
  const months =
    only > 0 ? HEATER_BENCH_MONTHS.filter((p) => p.key === process.argv[only + 1]) : HEATER_BENCH_MONTHS;
  if (months.length === 0) {
    const keys = HEATER_BENCH_MONTHS.map((p) => p.key).join(', ');
    console.error(`--month takes one of: ${keys} (got ${JSON.stringify(process.argv[only + 1])})`);
    process.exitCode = 2;
    return;
  }
  const e = process.argv.indexOf('--earlier');
  const earlier = e > 0 ? Math.max(Math.floor(Number(process.argv[e + 1])) || 0, 0) : 0;
  if (earlier > 0)
    console.log(
      `each month generated from ${earlier} days before it; those days run first and are not counted`,
    );
  const all: Row[] = [];
  for (const profile of months) {
    const t0 = performance.now();
    const { month, rows } = benchMonth(profile, LOAD_SETUPS, earlier);
    all.push(...rows);
    console.log(
      `\n${profile.title}: ${month.at.length} readings every ${month.stepMs / 1000} s, ` +
        `hourly surplus without the loads ${rows[0].surplus.toFixed(1)} kWh (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
    );
    const head = [
      'loads',
      'share',
      'thresh.',
      '×thr',
      'oracle',
      '×orc',
      'tipped',
      'thr.tip',
      'import kWh',
      'thr.import',
      'switches',
      'µs/read',
    ];
    const w = [32, 7, 8, 6, 7, 6, 7, 8, 17, 17, 13, 8];
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('');
    console.log(line(head));
    for (const r of rows) {
      const setup = LOAD_SETUPS.find((s) => s.key === r.setup)!;
      const b = r.budget;
      console.log(
        line([
          setup.title,
          pct(b.share),
          pct(r.threshold.share),
          `${(b.share / r.threshold.share).toFixed(2)}×`,
          pct(r.oracle),
          `${(b.share / r.oracle).toFixed(2)}×`,
          String(b.hoursTipped),
          String(r.threshold.hoursTipped),
          `${b.importCaused.toFixed(2)} (${pct(b.importCaused / b.ran, 2)})`,
          `${r.threshold.importCaused.toFixed(2)} (${pct(r.threshold.importCaused / r.threshold.ran, 2)})`,
          `${b.switches}/${r.threshold.switches}`,
          b.usPerReading.toFixed(1),
        ]),
      );
    }
  }
  console.log(
    '\nshare: of the hourly surplus, used by the loads in the same hour; thresh./thr.tip: the threshold switch; ' +
      '×thr, ×orc: budget ÷ threshold, budget ÷ oracle; tipped: hours the loads turned from net export into net import; ' +
      'import kWh, thr.import: net import the loads caused in all hours (share of their energy); switches: budget/threshold relay changes.',
  );
  const worst = (f: (r: Row) => number) => all.reduce((a, r) => Math.min(a, f(r)), Infinity);
  console.log(
    `worst over months and loads: ×thr ${worst((r) => r.budget.share / r.threshold.share).toFixed(2)}, ` +
      `×orc ${worst((r) => r.budget.share / r.oracle).toFixed(2)}, ` +
      `tipped ${Math.max(...all.map((r) => r.budget.hoursTipped))}, ` +
      `import ${pct(Math.max(...all.map((r) => r.budget.importCaused / r.budget.ran)), 2)} of the loads' energy, ` +
      `µs/read ${Math.max(...all.map((r) => r.budget.usPerReading)).toFixed(1)}`,
  );
}

if (require.main === module) main();
