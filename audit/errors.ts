/** Errors of the audit contract, with stable codes (callers switch on `code`, never on the message). */

export type AuditErrorCode = 'ERR_UNKNOWN_SCHEMA' | 'ERR_SCHEMA_NOT_REGISTERED' | 'ERR_INVALID_EVENT' | 'ERR_REGISTRY' | 'ERR_REGISTRY_UNREACHABLE';

export class AuditContractError extends Error {
  override name = 'AuditContractError';
  constructor(
    readonly code: AuditErrorCode,
    message: string,
    /** the offending field, e.g. "payload.lease_window_seconds" */
    readonly path?: string,
  ) {
    super(path ? `${code}: ${path}: ${message}` : `${code}: ${message}`);
  }
}
