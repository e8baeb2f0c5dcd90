/**
 * Stable reason codes for refused actions. They appear in `coordination.access_denied.v1`, in HTTP error
 * bodies and as Temporal failure types; clients switch on them, so a code is never renamed.
 */
export const REASON_CODES = {
  // The bearer token (ARCHITECTURE §6)
  jwtMissing: 'ERR_JWT_MISSING',
  jwtMalformed: 'ERR_JWT_MALFORMED',
  jwtExpired: 'ERR_JWT_EXPIRED',
  jwtNotYetValid: 'ERR_JWT_NOT_YET_VALID',
  jwtIssuerUntrusted: 'ERR_JWT_ISSUER_UNTRUSTED',
  jwtAudience: 'ERR_JWT_AUDIENCE',
  jwtAlgorithm: 'ERR_JWT_ALGORITHM',
  jwtUnknownKid: 'ERR_JWT_UNKNOWN_KID',
  jwtSignature: 'ERR_JWT_SIGNATURE',
  jwtClaims: 'ERR_JWT_CLAIMS',
  // Authorisation
  scopeMissing: 'ERR_SCOPE_MISSING',
  abacDeny: 'ERR_ABAC_DENY',
  // The declared lifecycle
  wrongState: 'ERR_WRONG_STATE',
  actorTypeNotAllowed: 'ERR_ACTOR_TYPE_NOT_ALLOWED',
  leaseHeld: 'ERR_LEASE_HELD',
  noLease: 'ERR_NO_LEASE',
  notLeaseHolder: 'ERR_NOT_LEASE_HOLDER',
  unknownSchema: 'ERR_UNKNOWN_SCHEMA',
  // The request itself
  invalidPayload: 'ERR_INVALID_PAYLOAD',
} as const;

export type ReasonCode = (typeof REASON_CODES)[keyof typeof REASON_CODES];

/** New codes may be added (a compatible schema change); the pattern keeps them recognisable. */
export const REASON_CODE_PATTERN = /^ERR_[A-Z][A-Z0-9_]*$/;
