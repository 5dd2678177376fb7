/**
 * What every benchmark shares: the smoke switch, timing, and the statistics of repeated runs.
 *
 * `BENCH_SMOKE=1` (set by `npm run bench -- --smoke`, which CI runs) makes each benchmark run once
 * on small inputs, so that it is checked to work without spending the time a measurement needs.
 */

/** True when the benchmarks run as a smoke test (small inputs, one round). */
export const smoke = process.env.BENCH_SMOKE === '1';

/** `full` normally, `small` in a smoke run. */
export function size(full: number, small: number): number {
  return smoke ? small : full;
}

/** Milliseconds since an earlier `process.hrtime.bigint()`. */
export function msSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Milliseconds one synchronous call takes. */
export function timeSync(fn: () => unknown): number {
  const t = process.hrtime.bigint();
  fn();
  return msSince(t);
}

/** Milliseconds one asynchronous call takes. */
export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return msSince(t);
}

/** The middle value (the upper one of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The smallest value. */
export function best(values: readonly number[]): number {
  return Math.min(...values);
}

/** `min–max` of values, rounded to `digits`. */
export function range(values: readonly number[], digits = 0): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

/**
 * Runs each case `rounds` times, alternating between the cases in every round so that all of them
 * see the same state of a shared machine, and returns every time per case, in milliseconds.
 */
export async function alternate<K extends string>(
  rounds: number,
  cases: Record<K, () => Promise<number> | number>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(cases) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    // Swap the order every round, so neither case always runs first.
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) out[name].push(await cases[name]());
  }
  return out;
}

/** Runs an async `main`, printing a failure and setting a failing exit code. */
export function run(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
