/**
 * Throughput of hourly balancing, measured side by side in one run:
 * 1. the pure balance (`balanceHours`) over a year of hour records, against a plain loop doing the
 *    same three formulas on floats (the least any implementation must do);
 * 2. messages per second through the `elicznik-balance` node in a running Node-RED, against a core
 *    `function` node doing the same arithmetic on `{ecp, eco}` in the same flow.
 * Prints the rates and their ratios; absolute numbers depend on the machine.
 *
 *   npm run build && node dist/bench/balance.bench.js [messages]
 */
import path from 'node:path';
import helper from 'node-red-node-test-helper';
import { balanceHours } from '../src/energy/balance';
import { makeHourRecord, type HourRecord } from '../src/energy/hour';
import { hoursOfLocalDay, localDatesInRange } from '../src/energy/time';
import { nodeRedDir, nodeRedPath } from '../test/support/node-red';
import { size } from './support';

function yearOfHours(): HourRecord[] {
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 3;
  const out: HourRecord[] = [];
  for (const date of localDatesInRange('2025-01-01', '2025-12-31')) {
    for (const h of hoursOfLocalDay(date)) {
      out.push(
        makeHourRecord(date, h.hour, h.repeated, {
          ecp: Math.round(rand() * 1000) / 1000,
          eco: Math.round(rand() * 1000) / 1000,
          zone: 'T1',
        }),
      );
    }
  }
  return out;
}

function rate(count: number, ms: number): number {
  return (count / ms) * 1000;
}

function bestOf(rounds: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}

async function throughput(nodeId: string, sinkId: string, count: number): Promise<number> {
  const node = helper.getNode(nodeId);
  const sink = helper.getNode(sinkId);
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
}

async function main(): Promise<void> {
  const messages = Math.max(1000, Number(process.argv[2] ?? size(20000, 1000)));
  const hours = yearOfHours();

  const pureMs = bestOf(5, () => balanceHours(hours));
  const plainMs = bestOf(5, () => {
    let ecbp = 0;
    let ecbo = 0;
    let auto = 0;
    for (const h of hours) {
      ecbp += Math.max(h.ecp! - h.eco!, 0);
      ecbo += Math.max(h.eco! - h.ecp!, 0);
      auto += Math.min(h.ecp!, h.eco!);
    }
    if (ecbp + ecbo + auto < 0) throw new Error('unreachable');
  });
  console.log(`pure balance: ${hours.length} hours (a year, sums per day/zone/month)`);
  console.log(
    `  balanceHours          ${Math.round(rate(hours.length, pureMs)).toLocaleString('en')} hours/s`,
  );
  console.log(
    `  plain float loop      ${Math.round(rate(hours.length, plainMs)).toLocaleString('en')} hours/s`,
  );
  console.log(`  ratio balanceHours / plain loop: ${(plainMs / pureMs).toFixed(3)}`);

  helper.init(nodeRedPath());
  const nrDir = nodeRedDir();
  const fnNode = require(require.resolve('@node-red/nodes/core/function/10-function.js', { paths: [nrDir] }));
  const balanceNode = require('../nodes/elicznik-balance/elicznik-balance');
  const flow = [
    { id: 'f1', type: 'tab' },
    { id: 'b1', type: 'elicznik-balance', z: 'f1', mode: 'history', wires: [['s1']] },
    {
      id: 'fn1',
      type: 'function',
      z: 'f1',
      func:
        'const ecp = Math.round(msg.payload.ecp * 1000), eco = Math.round(msg.payload.eco * 1000);\n' +
        'msg.payload = { ecp: ecp / 1000, eco: eco / 1000, ecbp: Math.max(ecp - eco, 0) / 1000,\n' +
        '  ecbo: Math.max(eco - ecp, 0) / 1000, autoconsumption: Math.min(ecp, eco) / 1000 };\nreturn msg;',
      outputs: 1,
      wires: [['s2']],
    },
    { id: 's1', type: 'helper', z: 'f1' },
    { id: 's2', type: 'helper', z: 'f1' },
  ];
  await helper.load([balanceNode, fnNode], flow as any);
  // warm up both paths, then alternate rounds so both see the same machine state
  await throughput('b1', 's1', 1000);
  await throughput('fn1', 's2', 1000);
  const nodeMs: number[] = [];
  const fnMs: number[] = [];
  for (let round = 0; round < 3; round++) {
    nodeMs.push(await throughput('b1', 's1', messages));
    fnMs.push(await throughput('fn1', 's2', messages));
  }
  await helper.unload();
  const best = (xs: number[]) => Math.min(...xs);
  console.log(
    `\nrunning Node-RED ${require(path.join(nrDir, 'package.json')).version}: ${messages} messages, best of 3`,
  );
  console.log(
    `  elicznik-balance node ${Math.round(rate(messages, best(nodeMs))).toLocaleString('en')} msg/s`,
  );
  console.log(`  core function node    ${Math.round(rate(messages, best(fnMs))).toLocaleString('en')} msg/s`);
  console.log(`  ratio balance node / function node: ${(best(fnMs) / best(nodeMs)).toFixed(3)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
