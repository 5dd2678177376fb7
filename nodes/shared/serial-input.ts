/**
 * Input messages handled one after another, a timer, and a close that waits for the inputs: the
 * shape of the nodes that keep state between messages (the live balance, the heater, the
 * settlement). The first input waits for `ready` (the kept state restored); every input waits for
 * the ones before it, so the state never changes under a message. On close the timer stops and
 * Node-RED is told the node is closed once the inputs already received are done.
 */
import type { Node, NodeMessage, NodeMessageInFlow, NodeStatus } from 'node-red';

/** The `send` of an input handler. */
export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
/** The `done` of an input handler. */
export type Done = (err?: Error) => void;

/** A red ring with the start of an error's message. */
export function errorStatus(err: Error): NodeStatus {
  return { fill: 'red', shape: 'ring', text: err.message.slice(0, 60) };
}

/** Options of {@link SerialInput}. */
export interface SerialInputOptions {
  /** What the first input waits for: the kept state restored, and what follows it. */
  ready?: Promise<void>;
  /** Inputs handled after the close are finished without being handled. */
  skipWhenClosed?: boolean;
  /** Shows an input's error (the status); the error then goes to `done`. */
  onError(err: Error): void;
}

/** A tick that runs again after each run (see {@link SerialInput.ticker}). */
export interface Ticker {
  /** Waits anew: the next tick after its delay, or after `ms` with `first` run instead of the tick. */
  restart(ms?: number, first?: () => void): void;
  /** Runs a tick now (not after the close), then waits for the next. */
  now(): void;
}

/** A node's inputs handled one after another, its timer and its close. */
export class SerialInput {
  private queue: Promise<void>;
  private closing = false;
  private timer: NodeJS.Timeout | undefined;

  /** Handles the node's inputs with `handle` (an error thrown or rejected goes to `done`). */
  constructor(
    private readonly node: Node,
    handle: (msg: NodeMessageInFlow, send: Send) => void | Promise<void>,
    options: SerialInputOptions,
  ) {
    this.queue = options.ready ?? Promise.resolve();
    node.on('input', (msg: NodeMessageInFlow, send: Send, done: Done) => {
      const failed = (err: Error) => {
        options.onError(err);
        done(err);
      };
      this.queue = this.queue.then(() => {
        if (options.skipWhenClosed && this.closing) return done();
        try {
          const result = handle(msg, send);
          if (result) return result.then(() => done(), failed);
          done();
        } catch (err) {
          failed(err as Error);
        }
      });
    });
    node.on('close', (done: () => void) => {
      this.closing = true;
      this.stopTimer();
      this.queue.then(done, done);
    });
  }

  /** True once the node is closing. */
  get closed(): boolean {
    return this.closing;
  }

  /**
   * The node's timer as a tick: `tick` runs `delayMs()` after {@link Ticker.restart} and again
   * after each run (also after an error, which goes to `node.error`), until the close.
   */
  ticker(delayMs: () => number, tick: () => void): Ticker {
    const run = (fn: () => void) => {
      this.timer = undefined;
      if (this.closing) return;
      try {
        fn();
      } catch (err) {
        this.node.error(err);
      }
      restart();
    };
    const restart = (ms?: number, first?: () => void) => {
      if (this.closing) return;
      this.stopTimer();
      this.timer = setTimeout(() => run(first ?? tick), ms ?? delayMs());
    };
    return {
      restart,
      now: () => {
        this.stopTimer();
        run(tick);
      },
    };
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
