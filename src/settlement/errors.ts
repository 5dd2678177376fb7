/**
 * Errors of the settlement library and the RCE price client. They are {@link ElicznikError}s, so
 * they carry the same stable `code` a flow switches on (docs/architecture.md), with `step` naming
 * the part that failed (`settlement`, `rce-request`, `rce-answer`, …).
 */
import { ElicznikError, type ElicznikErrorCode, type ElicznikErrorDetails } from '../errors';

/** A failure of the settlement library or the RCE client. */
export class SettlementError extends ElicznikError {
  constructor(code: ElicznikErrorCode, message: string, details: ElicznikErrorDetails = {}) {
    super(code, message, { step: 'settlement', ...details });
  }
}

/** A `BAD_INPUT` error: a setting, a price or a message property is not valid or is missing. */
export function badInput(message: string, step = 'settlement'): SettlementError {
  return new SettlementError('BAD_INPUT', message, { step });
}

/**
 * A month cannot close because a market price of it is not known yet (net-billing: the month's
 * RCEm, published after it ends, or hourly RCE). `waitingFor` names the price.
 */
export class PriceMissingError extends SettlementError {
  readonly waitingFor: string;
  /** The month that cannot close, `YYYY-MM`. */
  readonly month: string;

  constructor(message: string, waitingFor: string, month: string) {
    super('BAD_INPUT', message);
    this.waitingFor = waitingFor;
    this.month = month;
  }
}
