/**
 * The one place that maps the project's stable codes to HTTP: refusals from the workflow (reason codes),
 * SDK errors, and request problems. Bodies are `{ error: { code, message, … } }`.
 */
import type { ClientErrorCode } from '../client/errors.js';
import type { ReasonCode } from '../schemas/reason-codes.js';

export type GatewayErrorCode = ReasonCode | ClientErrorCode | 'ERR_BAD_REQUEST' | 'ERR_UNSUPPORTED_MEDIA_TYPE';

export function httpStatusOf(code: GatewayErrorCode): number {
  if (code.startsWith('ERR_JWT_')) return 401;
  switch (code) {
    case 'ERR_SCOPE_MISSING':
    case 'ERR_ABAC_DENY':
    case 'ERR_ACTOR_TYPE_NOT_ALLOWED':
    case 'ERR_NOT_LEASE_HOLDER':
      return 403;
    case 'ERR_NOT_FOUND':
      return 404;
    case 'ERR_WRONG_STATE':
    case 'ERR_LEASE_HELD':
    case 'ERR_NO_LEASE':
    case 'ERR_COMPOSITION_CLOSED':
      return 409;
    case 'ERR_UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'ERR_INVALID_PAYLOAD':
    case 'ERR_UNKNOWN_SCHEMA':
      return 422;
    case 'ERR_UNAVAILABLE':
      return 503;
    default:
      return 400;
  }
}

export interface ErrorBody {
  error: {
    code: GatewayErrorCode;
    message: string;
    /** the field a 400/422 is about, e.g. "payload.lease_window_seconds" */
    path?: string;
    /** the coordination.access_denied.v1 event that recorded a refusal */
    audit_event_id?: string;
    state?: string;
  };
}

export class GatewayError extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}
