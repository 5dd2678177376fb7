/**
 * Keeps the last HTTP exchanges of a client in memory, so the ones of a failing call can be
 * dumped. Bounded: a fixed number of exchanges, bodies already cut by the HTTP layer.
 */
import type { HttpExchange } from '../client/http';

/** Exchanges kept when the caller sets no limit. */
export const DEFAULT_RECORDER_LIMIT = 40;

/** A ring buffer of exchanges; pass {@link ExchangeRecorder.record} as the client's `onExchange`. */
export class ExchangeRecorder {
  private readonly list: HttpExchange[] = [];

  constructor(private readonly limit: number = DEFAULT_RECORDER_LIMIT) {}

  /** Keeps an exchange (bound: can be passed around as a function). */
  readonly record = (exchange: HttpExchange): void => {
    this.list.push(exchange);
    if (this.list.length > this.limit) this.list.splice(0, this.list.length - this.limit);
  };

  /** Exchanges that started at or after `startMs`, oldest first. */
  since(startMs: number): HttpExchange[] {
    return this.list.filter((e) => Date.parse(e.at) >= startMs);
  }

  /** Every kept exchange, oldest first. */
  all(): HttpExchange[] {
    return [...this.list];
  }

  /** Forgets every exchange. */
  clear(): void {
    this.list.length = 0;
  }
}
