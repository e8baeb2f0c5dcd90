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
  jwtType: 'ERR_JWT_TYPE',
  jwtCritical: 'ERR_JWT_CRIT',
  jwtLifetime: 'ERR_JWT_LIFETIME',
  /** the issuer may not assert this actor type, or a delegated token claims a human */
  jwtActorType: 'ERR_JWT_ACTOR_TYPE',
  // Authorisation
  scopeMissing: 'ERR_SCOPE_MISSING',
  abacDeny: 'ERR_ABAC_DENY',
  // The declared lifecycle
  wrongState: 'ERR_WRONG_STATE',
  actorTypeNotAllowed: 'ERR_ACTOR_TYPE_NOT_ALLOWED',
  leaseHeld: 'ERR_LEASE_HELD',
  noLease: 'ERR_NO_LEASE',
  notLeaseHolder: 'ERR_NOT_LEASE_HOLDER',
  /** closing, rejecting or publishing names an evidence block other than the one this composition emitted */
  evidenceMismatch: 'ERR_EVIDENCE_MISMATCH',
  unknownSchema: 'ERR_UNKNOWN_SCHEMA',
  // The request itself
  invalidPayload: 'ERR_INVALID_PAYLOAD',
  // Corrections (schemas/events/correction.ts): what a correction may supersede
  /** the superseded event belongs to another composition */
  correctionTargetForeign: 'ERR_CORRECTION_TARGET_FOREIGN',
  /** the superseded event is not (or not known to be) recorded in this composition */
  correctionTargetUnknown: 'ERR_CORRECTION_TARGET_UNKNOWN',
  /** the superseded event is itself a correction: correct the original event instead */
  correctionOfCorrection: 'ERR_CORRECTION_OF_CORRECTION',
  /** the superseded event cannot be corrected (a refusal record), or the corrected fields do not fit it */
  correctionTargetInvalid: 'ERR_CORRECTION_TARGET_INVALID',
  /** supersedes_hash is not the this_hash recorded for the superseded event */
  correctionHashMismatch: 'ERR_CORRECTION_HASH_MISMATCH',
} as const;

export type ReasonCode = (typeof REASON_CODES)[keyof typeof REASON_CODES];

/** New codes may be added (a compatible schema change); the pattern keeps them recognisable. */
export const REASON_CODE_PATTERN = /^ERR_[A-Z][A-Z0-9_]*$/;

/**
 * The one table of what each refusal means to a caller: its HTTP status. Every reason code is a definitive
 * refusal — never retried, recorded as `coordination.access_denied.v1`, and the `type` of the
 * non-retryable Temporal ApplicationFailure that carries it. Only a dependency's network failure is
 * retryable, and it is no reason code: see OUTAGE_CODES.
 */
export const REFUSAL_HTTP_STATUS: Readonly<Record<ReasonCode, number>> = {
  ERR_JWT_MISSING: 401,
  ERR_JWT_MALFORMED: 401,
  ERR_JWT_EXPIRED: 401,
  ERR_JWT_NOT_YET_VALID: 401,
  ERR_JWT_ISSUER_UNTRUSTED: 401,
  ERR_JWT_AUDIENCE: 401,
  ERR_JWT_ALGORITHM: 401,
  ERR_JWT_UNKNOWN_KID: 401,
  ERR_JWT_SIGNATURE: 401,
  ERR_JWT_CLAIMS: 401,
  ERR_JWT_TYPE: 401,
  ERR_JWT_CRIT: 401,
  ERR_JWT_LIFETIME: 401,
  ERR_JWT_ACTOR_TYPE: 403,
  ERR_SCOPE_MISSING: 403,
  ERR_ABAC_DENY: 403,
  ERR_ACTOR_TYPE_NOT_ALLOWED: 403,
  ERR_NOT_LEASE_HOLDER: 403,
  ERR_WRONG_STATE: 409,
  ERR_LEASE_HELD: 409,
  ERR_NO_LEASE: 409,
  ERR_EVIDENCE_MISMATCH: 409,
  ERR_UNKNOWN_SCHEMA: 422,
  ERR_INVALID_PAYLOAD: 422,
  ERR_CORRECTION_TARGET_FOREIGN: 422,
  ERR_CORRECTION_TARGET_UNKNOWN: 409,
  ERR_CORRECTION_OF_CORRECTION: 422,
  ERR_CORRECTION_TARGET_INVALID: 422,
  ERR_CORRECTION_HASH_MISMATCH: 409,
};

/**
 * Outages: a dependency could not be reached. Retryable — activities retry them for as long as it takes (no
 * decision, no transition), a reader gets 503 — and never recorded as a refusal.
 */
export const OUTAGE_CODES = {
  /** the Temporal cluster, the PDP or the ledger store did not answer */
  unavailable: 'ERR_UNAVAILABLE',
  registryUnreachable: 'ERR_REGISTRY_UNREACHABLE',
} as const;
