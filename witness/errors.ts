/** What can go wrong talking to the ledger, with stable codes; `retriable` errors are retried on the next step, the others are refusals. */

export type WitnessErrorCode =
  /** no answer, a timeout, a connection reset, or a status the API does not define (retried) */
  | 'ERR_LEDGER_UNREACHABLE'
  /** an answer larger than the witness reads (a hostile or broken ledger; refused, not retried) */
  | 'ERR_RESPONSE_TOO_LARGE'
  /** an answer that is not what the API defines (refused, not retried) */
  | 'ERR_RESPONSE_MALFORMED';

export class WitnessError extends Error {
  override name = 'WitnessError';
  readonly retriable: boolean;
  constructor(
    readonly code: WitnessErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.retriable = code === 'ERR_LEDGER_UNREACHABLE';
  }
}
