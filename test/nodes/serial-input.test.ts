import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import type { Node, NodeMessageInFlow } from 'node-red';
import { SerialInput, errorStatus } from '../../nodes/shared/serial-input';

/** A node stand-in: the input and close events, and what went to `node.error`. */
class FakeNode extends EventEmitter {
  readonly errors: unknown[] = [];
  error(err: unknown): void {
    this.errors.push(err);
  }
  asNode(): Node {
    return this as unknown as Node;
  }
  /** Emits an input; resolves with what `done` got. */
  input(payload: unknown): Promise<Error | undefined> {
    return new Promise((resolve) => {
      const msg = { _msgid: 'm', payload } as NodeMessageInFlow;
      this.emit(
        'input',
        msg,
        () => undefined,
        (err?: Error) => resolve(err),
      );
    });
  }
  /** Emits the close; resolves when the node says it is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => this.emit('close', resolve));
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('nodes/shared: SerialInput', () => {
  it('handles inputs one after another once ready, async ones too, and errors go to done and the status', async () => {
    const node = new FakeNode();
    const log: string[] = [];
    let ready!: () => void;
    const shown: string[] = [];
    new SerialInput(
      node.asNode(),
      async (msg) => {
        log.push(`start ${msg.payload}`);
        await tick();
        if (msg.payload === 'bad') throw new Error('bad input');
        log.push(`end ${msg.payload}`);
      },
      {
        ready: new Promise((resolve) => (ready = resolve)),
        onError: (err) => shown.push(errorStatus(err).text as string),
      },
    );
    const results = [node.input(1), node.input('bad'), node.input(2)];
    await tick();
    assert.deepEqual(log, [], 'nothing before the state is restored');
    ready();
    const [a, b, c] = await Promise.all(results);
    assert.deepEqual(log, ['start 1', 'end 1', 'start bad', 'start 2', 'end 2']);
    assert.equal(a, undefined);
    assert.equal(b?.message, 'bad input');
    assert.equal(c, undefined);
    assert.deepEqual(shown, ['bad input']);
  });

  it('tells Node-RED it is closed only after the inputs received, and skips them when asked', async () => {
    for (const skipWhenClosed of [false, true]) {
      const node = new FakeNode();
      const handled: unknown[] = [];
      let ready!: () => void;
      new SerialInput(node.asNode(), (msg) => void handled.push(msg.payload), {
        ready: new Promise((resolve) => (ready = resolve)),
        skipWhenClosed,
        onError: () => undefined,
      });
      const input = node.input('early');
      let closed = false;
      const closing = node.close().then(() => (closed = true));
      await tick();
      assert.equal(closed, false, 'waits for the input received before the close');
      ready();
      await Promise.all([input, closing]);
      assert.deepEqual(handled, skipWhenClosed ? [] : ['early']);
    }
  });

  describe('ticker', () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: 1_000_000 });
    });
    afterEach(() => clock.restore());

    it('ticks again after each run, also after an error, starts anew on restart and stops at the close', async () => {
      const node = new FakeNode();
      const serial = new SerialInput(node.asNode(), () => undefined, { onError: () => undefined });
      const runs: string[] = [];
      let fail = false;
      const ticker = serial.ticker(
        () => 1000,
        () => {
          runs.push(`tick ${Date.now() - 1_000_000}`);
          if (fail) throw new Error('tick failed');
        },
      );
      ticker.restart(100, () => runs.push('first'));
      clock.tick(100);
      clock.tick(1000);
      assert.deepEqual(runs, ['first', 'tick 1100']);
      fail = true;
      clock.tick(1000);
      clock.tick(1000);
      assert.deepEqual(runs.slice(2), ['tick 2100', 'tick 3100']);
      assert.equal(node.errors.length, 2);
      fail = false;
      clock.tick(500);
      ticker.restart();
      clock.tick(999);
      assert.equal(runs.length, 4, 'a restart waits the whole delay again');
      clock.tick(1);
      assert.equal(runs.length, 5);
      ticker.now();
      assert.equal(runs.length, 6);
      const closed = node.close();
      await clock.runAllAsync();
      await closed;
      clock.tick(10_000);
      ticker.now();
      ticker.restart(1);
      clock.tick(10);
      assert.equal(runs.length, 6, 'nothing after the close');
    });
  });
});
