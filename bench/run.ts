/**
 * Runs every benchmark (`dist/bench/*.bench.js`), one after another in its own process, and fails
 * when one of them fails. Figures are printed by each benchmark; nothing here judges them.
 *
 *   npm run bench                      every benchmark, full size
 *   npm run bench -- --smoke           every benchmark once on small inputs (what CI runs)
 *   npm run bench -- balance cli       only the benchmarks whose file name contains a word
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function main(): number {
  const args = process.argv.slice(2);
  const smoke = args.includes('--smoke');
  const words = args.filter((a) => !a.startsWith('--'));
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => words.length === 0 || words.some((w) => f.includes(w)))
    .sort();
  if (files.length === 0) {
    console.error(`no benchmark matches ${words.join(', ')}`);
    return 1;
  }
  const failed: string[] = [];
  for (const file of files) {
    console.log(`\n== ${file.replace(/\.js$/, '')}${smoke ? ' (smoke)' : ''}`);
    const started = Date.now();
    const result = spawnSync(process.execPath, [path.join(__dirname, file)], {
      stdio: 'inherit',
      env: { ...process.env, BENCH_SMOKE: smoke ? '1' : '0' },
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.status !== 0) {
      failed.push(file);
      console.log(`!! ${file} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    } else {
      console.log(`-- ${seconds} s`);
    }
  }
  console.log(`\n${files.length - failed.length} benchmark(s) ran, ${failed.length} failed`);
  if (failed.length) console.log(`failed: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

process.exitCode = main();
