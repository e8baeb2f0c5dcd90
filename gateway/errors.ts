/**
 * The one place that maps the project's stable codes to HTTP: refusals from the workflow (reason codes),
 * SDK errors, and request problems. Bodies are `{ error: { code, message, … } }`.
 */
import type { ClientErrorCode } from '../client/errors.js';
import { REFUSAL_HTTP_STATUS, type ReasonCode } from '../schemas/reason-codes.js';

export type GatewayErrorCode =
  | ReasonCode
  | ClientErrorCode
  | 'ERR_BAD_REQUEST'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  /** the request body is over the route's limit */
  | 'ERR_PAYLOAD_TOO_LARGE'
  /** too many requests from this source address or this caller; Retry-After says when to try again */
  | 'ERR_RATE_LIMITED'
  /** the Host header is not one the gateway answers to (a DNS-rebinding guard on the codec endpoints) */
  | 'ERR_HOST_NOT_ALLOWED'
  /** a payload given to /codec/decode was sealed with a key id the codec does not hold */
  | 'ERR_CODEC_UNKNOWN_KEY';

export function httpStatusOf(code: GatewayErrorCode): number {
  // refusals: the table in schemas/reason-codes.ts
  if (Object.hasOwn(REFUSAL_HTTP_STATUS, code)) return REFUSAL_HTTP_STATUS[code as ReasonCode];
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
    case 'ERR_HOST_NOT_ALLOWED':
      return 403;
    case 'ERR_PAYLOAD_TOO_LARGE':
      return 413;
    case 'ERR_UNSUPPORTED_MEDIA_TYPE':
      return 415;
    case 'ERR_RATE_LIMITED':
      return 429;
    case 'ERR_CODEC_UNKNOWN_KEY':
      return 400;
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
