import assert from 'node:assert/strict';
import { Coalescer } from '../../src/session/coalesce';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('session/coalesce', () => {
  it('runs a task once for callers that ask while it is in flight', async () => {
    const c = new Coalescer();
    const d = deferred<number>();
    let runs = 0;
    const task = () => {
      runs += 1;
      return d.promise;
    };
    const a = c.run('k', task);
    const b = c.run('k', task);
    assert.equal(runs, 1);
    assert.equal(c.size, 1);
    d.resolve(42);
    assert.deepEqual(await Promise.all([a, b]), [42, 42]);
    assert.equal(c.size, 0);
  });

  it('starts afresh after the task settled, and keeps keys apart', async () => {
    const c = new Coalescer();
    let runs = 0;
    const task = async () => ++runs;
    assert.equal(await c.run('k', task), 1);
    assert.equal(await c.run('k', task), 2);
    const [x, y] = await Promise.all([c.run('x', task), c.run('y', task)]);
    assert.deepEqual([x, y].sort(), [3, 4]);
  });

  it('gives every joined caller the rejection and forgets the key', async () => {
    const c = new Coalescer();
    const d = deferred<number>();
    const a = c.run('k', () => d.promise);
    const b = c.run('k', () => d.promise);
    d.reject(new Error('down'));
    await assert.rejects(a, /down/);
    await assert.rejects(b, /down/);
    assert.equal(c.size, 0);
  });

  it('turns a task that throws synchronously into a rejection', async () => {
    const c = new Coalescer();
    await assert.rejects(
      c.run('k', () => {
        throw new Error('sync');
      }),
      /sync/,
    );
    assert.equal(c.size, 0);
  });
});
