/**
 * Hourly balancing, measured side by side in one run:
 * 1. `balanceHours` over 10 years of hour records (87,672 hours, sums per day, zone, day-and-zone
 *    and month) against the grouping form it replaced (one pass per kind of sum; the tests' reference),
 *    a plain float loop doing only the three formulas, and the floor any implementation that keeps
 *    the output pays (a new balanced record per hour); alternating, best of N, with the 10 ms
 *    target as a ratio;
 * 2. messages per second through an `elicznik-balance` node (history mode, defaults, one
 *    `{ecp, eco}` hour per message) against a core `function` node doing the same arithmetic, both
 *    in one Node-RED runtime embedded in this process (no test helper, so no spies on the nodes);
 *    alternating rounds, best of N.
 *
 *   npm run bench -- balance [messages]
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { balanceHours } from '../src/energy/balance';
import { EMPTY_HOUR_RECORD, makeHourRecord, type HourRecord } from '../src/energy/hour';
import { hoursOfLocalDay, localDatesInRange } from '../src/energy/time';
import { mulberry32 } from '../src/simulator/data';
import { referenceBalanceHours } from '../test/energy/balance-reference';
import { nodeRedDir, nodeRedPath } from '../test/support/node-red';
import { alternate, best, median, range, run, size, timeSync } from './support';

const root = path.join(__dirname, '../..');
const TARGET_MS = 10;

function yearsOfHours(from: string, to: string): HourRecord[] {
  const rand = mulberry32(7);
  const out: HourRecord[] = [];
  for (const date of localDatesInRange(from, to)) {
    for (const h of hoursOfLocalDay(date)) {
      out.push(
        makeHourRecord(date, h.hour, h.repeated, {
          ecp: Math.round(rand() * 3000) / 1000,
          eco: Math.round(rand() * 3000) / 1000,
          zone: h.hour >= 14 && h.hour <= 15 ? 'T2' : 'T1',
          dayComplete: true,
        }),
      );
    }
  }
  return out;
}

function plainLoop(hours: readonly HourRecord[]): void {
  let ecbp = 0;
  let ecbo = 0;
  let auto = 0;
  for (const h of hours) {
    ecbp += Math.max(h.ecp! - h.eco!, 0);
    ecbo += Math.max(h.eco! - h.ecp!, 0);
    auto += Math.min(h.ecp!, h.eco!);
  }
  if (ecbp + ecbo + auto < 0) throw new Error('unreachable');
}

function balancedCopy(
  h: HourRecord,
  ecbp: number | null,
  ecbo: number | null,
  autoconsumption: number | null,
) {
  return {
    hourStart: h.hourStart,
    hourEnd: h.hourEnd,
    date: h.date,
    hour: h.hour,
    repeated: h.repeated,
    zone: h.zone,
    zoneName: h.zoneName,
    ecp: h.ecp,
    eco: h.eco,
    dayComplete: h.dayComplete,
    ecbp,
    ecbo,
    autoconsumption,
  };
}
// Kept, as balanceHours keeps its own (see src/energy/balanced-hour.ts): the energy fields hold references.
export const emptyCopy = balancedCopy({ ...EMPTY_HOUR_RECORD }, null, null, null);

/**
 * What any balanceHours must do that keeps its output: one new balanced record per hour (13
 * fields, one new number for the hour's ECBP or ECBO, ECP, ECO and autoconsumption shared), and
 * nothing else: no instants, no sums.
 */
function copyFloor(hours: readonly HourRecord[]): unknown[] {
  const out: unknown[] = new Array(hours.length);
  for (let i = 0; i < hours.length; i++) {
    const h = hours[i];
    const ecp = Math.round(h.ecp! * 1000);
    const eco = Math.round(h.eco! * 1000);
    out[i] =
      ecp > eco
        ? balancedCopy(h, (ecp - eco) / 1000, 0, h.eco)
        : balancedCopy(h, 0, (eco - ecp) / 1000, h.ecp);
  }
  return out;
}

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en');

async function pureBalance(): Promise<void> {
  const hours = yearsOfHours(size(2016, 2025) + '-01-01', '2025-12-31');
  const rounds = size(15, 2);
  for (let i = 0; i < 2; i++) {
    balanceHours(hours);
    referenceBalanceHours(hours);
    copyFloor(hours);
  }
  const cpu: number[] = [];
  const t = await alternate(rounds, {
    balanceHours: () => {
      const used = process.cpuUsage();
      const ms = timeSync(() => balanceHours(hours));
      const { user, system } = process.cpuUsage(used);
      cpu.push((user + system) / 1000);
      return ms;
    },
    reference: () => timeSync(() => referenceBalanceHours(hours)),
    plain: () => timeSync(() => plainLoop(hours)),
    copy: () => timeSync(() => copyFloor(hours)),
  });
  const b = best(t.balanceHours);
  const floor = best(t.copy);
  console.log(`balanceHours: ${hours.length} hours with day/zone/month sums, best of ${rounds}, alternating`);
  console.log(
    `  balanceHours          ${b.toFixed(1)} ms (runs ${range(t.balanceHours, 1)}, median ${median(t.balanceHours).toFixed(1)}), ${rate(hours.length, b)} hours/s`,
  );
  console.log(
    `  balanceHours, CPU time of the process (its garbage collector's threads included): best ${best(cpu).toFixed(1)} ms, median ${median(cpu).toFixed(1)}`,
  );
  console.log(`  grouping reference    ${best(t.reference).toFixed(1)} ms (runs ${range(t.reference, 1)})`);
  console.log(`  plain float loop      ${best(t.plain).toFixed(2)} ms`);
  console.log(
    `  floor: a new balanced record per hour, nothing else   ${best(t.copy).toFixed(1)} ms (median ${median(t.copy).toFixed(1)})`,
  );
  console.log(`  speed-up over the grouping form: ${(best(t.reference) / b).toFixed(1)}x`);
  console.log(`  ratio to the ${TARGET_MS} ms target: ${(b / TARGET_MS).toFixed(2)} (<= 1 meets it)`);
  console.log(
    `  the floor: ${floor.toFixed(1)} ms, ${((floor / b) * 100).toFixed(0)}% of balanceHours; ` +
      `the sums, balancing and order checks take the other ${Math.max(b - floor, 0).toFixed(1)} ms`,
  );
  console.log(`  ratio to the plain loop: ${(b / best(t.plain)).toFixed(0)}x`);
}

interface NodeLike {
  receive(msg: unknown): void;
  on(event: 'input', fn: (msg: unknown) => void): void;
  removeListener(event: 'input', fn: (msg: unknown) => void): void;
}

async function nodeThroughput(): Promise<void> {
  const messages = Math.max(1000, Number(process.argv[2] ?? size(20000, 1000)));
  const rounds = size(5, 1);
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'elicznik-bench-balance-'));
  const flows = [
    { id: 't1', type: 'tab', label: 'bench' },
    { id: 'b1', type: 'elicznik-balance', z: 't1', mode: 'history', wires: [['j1']] },
    {
      id: 'fn1',
      type: 'function',
      z: 't1',
      func:
        'const ecp = Math.round(msg.payload.ecp * 1000), eco = Math.round(msg.payload.eco * 1000);\n' +
        'msg.payload = { ecp: ecp / 1000, eco: eco / 1000, ecbp: Math.max(ecp - eco, 0) / 1000,\n' +
        '  ecbo: Math.max(eco - ecp, 0) / 1000, autoconsumption: Math.min(ecp, eco) / 1000 };\nreturn msg;',
      outputs: 1,
      wires: [['j2']],
    },
    { id: 'j1', type: 'junction', z: 't1', wires: [] },
    { id: 'j2', type: 'junction', z: 't1', wires: [] },
  ];
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
  const RED = require(nodeRedPath());
  const server = http.createServer();
  RED.init(server, {
    userDir,
    flowFile: 'flows.json',
    nodesDir: [root],
    httpAdminRoot: false,
    httpNodeRoot: false,
    credentialSecret: 'bench',
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    telemetry: { enabled: false },
    diagnostics: { enabled: false },
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
  });
  await RED.start();
  const getNode = (id: string): NodeLike => RED.nodes.getNode(id);
  for (let i = 0; i < 100 && !(getNode('b1') && getNode('fn1')); i++)
    await new Promise((r) => setTimeout(r, 100));
  if (!getNode('b1') || !getNode('fn1')) throw new Error('the flow did not start');

  const throughput = async (nodeId: string, sinkId: string, count: number): Promise<number> => {
    const node = getNode(nodeId);
    const sink = getNode(sinkId);
    let seen = 0;
    const done = new Promise<void>((resolve) => {
      const on = () => {
        if (++seen === count) {
          sink.removeListener('input', on);
          resolve();
        }
      };
      sink.on('input', on);
    });
    const t = process.hrtime.bigint();
    for (let i = 0; i < count; i++) node.receive({ payload: { ecp: (i % 7) / 3, eco: (i % 5) / 2 } });
    await done;
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  try {
    await throughput('b1', 'j1', 2000);
    await throughput('fn1', 'j2', 2000);
    const t = await alternate(rounds, {
      balance: () => throughput('b1', 'j1', messages),
      fn: () => throughput('fn1', 'j2', messages),
    });
    const version = JSON.parse(fs.readFileSync(path.join(nodeRedDir(), 'package.json'), 'utf8')).version;
    console.log(
      `\nNode-RED ${version} runtime, ${messages} one-hour messages, best of ${rounds}, alternating`,
    );
    console.log(
      `  elicznik-balance node ${rate(messages, best(t.balance))} msg/s (runs ${range(t.balance)} ms)`,
    );
    console.log(`  core function node    ${rate(messages, best(t.fn))} msg/s (runs ${range(t.fn)} ms)`);
    console.log(`  ratio balance node / function node: ${(best(t.fn) / best(t.balance)).toFixed(3)}`);
  } finally {
    await RED.stop();
    server.close();
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

run(async () => {
  await pureBalance();
  await nodeThroughput();
  // Node-RED's runtime keeps timers; the figures are printed.
  process.exit(process.exitCode ?? 0);
});
