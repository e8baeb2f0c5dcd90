/** Errors of the client SDK with stable codes, beside the workflow's refusal codes (schemas/reason-codes). */

export type ClientErrorCode = 'ERR_NOT_FOUND' | 'ERR_COMPOSITION_CLOSED' | 'ERR_UNAVAILABLE';

export class CoordinationError extends Error {
  override name = 'CoordinationError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    readonly compositionId?: string,
  ) {
    super(message);
  }
}
