/**
 * Status updates at most a few times a second, like Node-RED's core nodes: a node that handles
 * thousands of messages a second would otherwise spend more time on status texts (translation and
 * the editor's event) than on the messages. The first update is shown at once; later ones within
 * the interval wait, and only the latest of them is shown when the interval ends, so the status
 * always ends on the last message's. Errors are shown at once and drop a waiting update.
 */
import type { NodeStatus } from 'node-red';

/** Shortest time between two status updates of one node, ms. */
export const STATUS_INTERVAL_MS = 250;

export class StatusThrottle {
  private last = -Infinity;
  private pending: (() => NodeStatus) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly show: (status: NodeStatus) => void,
    private readonly intervalMs: number = STATUS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shows a status made by `make` now, or the latest one at the end of the interval. */
  update(make: () => NodeStatus): void {
    const t = this.now();
    if (this.timer === undefined && t - this.last >= this.intervalMs) {
      this.last = t;
      this.show(make());
      return;
    }
    this.pending = make;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), Math.max(this.intervalMs - (t - this.last), 0));
    }
  }

  /** Shows a status now (errors), dropping any update that waits. */
  immediately(status: NodeStatus): void {
    this.cancel();
    this.last = this.now();
    this.show(status);
  }

  /** Drops a waiting update (the node closes). */
  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const make = this.pending;
    this.pending = undefined;
    if (make) {
      this.last = this.now();
      this.show(make());
    }
  }
}
