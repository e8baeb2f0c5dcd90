/**
 * Which events each action may emit, and which payload fields the ledger sets itself — times from the
 * workflow clock, the lease holder from the verified token, federated issuers from verified participant
 * tokens. A caller supplying one of those fields is refused: the ledger's account is authoritative.
 */
import { LEASE_LEDGER_FIELDS, leasePayload } from '../schemas/lease.js';
import { SCHEMA_IDS, type SchemaId } from '../schemas/schema-ids.js';
import type { ActionName } from './types.js';

export const ACTION_SCHEMAS: Readonly<Record<ActionName, readonly SchemaId[]>> = {
  request: [SCHEMA_IDS.requested],
  claim: [SCHEMA_IDS.leaseClaimed],
  renew: [SCHEMA_IDS.leaseRenewed],
  release: [SCHEMA_IDS.leaseReleased],
  report: [SCHEMA_IDS.workStarted, SCHEMA_IDS.lensRunStarted, SCHEMA_IDS.psiRoundCompleted, SCHEMA_IDS.lensRunCompleted, SCHEMA_IDS.matchesPublished],
  evidence: [SCHEMA_IDS.evidenceBlockEmitted],
  attest: [SCHEMA_IDS.closed],
  reject: [SCHEMA_IDS.evidenceRejected],
  cancel: [SCHEMA_IDS.cancelled],
  correct: [SCHEMA_IDS.correction],
};

/** Payload fields set by the ledger, per event. */
export const LEDGER_FIELDS: Readonly<Partial<Record<SchemaId, readonly string[]>>> = {
  ...LEASE_LEDGER_FIELDS,
  [SCHEMA_IDS.workStarted]: ['started_at'],
  [SCHEMA_IDS.lensRunStarted]: ['started_at'],
  [SCHEMA_IDS.psiRoundCompleted]: ['node_a_issuer', 'node_a_jwt_jti', 'node_b_issuer', 'node_b_jwt_jti'],
  [SCHEMA_IDS.lensRunCompleted]: ['completed_at'],
  [SCHEMA_IDS.evidenceBlockEmitted]: ['frozen_at'],
  [SCHEMA_IDS.matchesPublished]: ['published_at'],
  [SCHEMA_IDS.closed]: ['attested_at'],
  [SCHEMA_IDS.evidenceRejected]: ['rejected_at'],
  [SCHEMA_IDS.cancelled]: ['cancelled_at'],
};

/** Payload fields a caller may leave out: the ledger fills a default. */
export const DEFAULTED_FIELDS: Readonly<Partial<Record<SchemaId, readonly string[]>>> = {
  [SCHEMA_IDS.leaseClaimed]: ['lease_window_seconds'],
  [SCHEMA_IDS.leaseRenewed]: ['lease_window_seconds'],
  [SCHEMA_IDS.leaseReleased]: ['reason'],
};

/** The schema an action emits, or undefined when the request names one the action cannot emit. */
export function schemaForAction(action: ActionName, requested?: string): SchemaId | undefined {
  const allowed = ACTION_SCHEMAS[action];
  if (requested === undefined) return allowed.length === 1 ? allowed[0] : undefined;
  return allowed.find((s) => s === requested);
}

/** The first ledger-set field the caller tried to supply, if any. */
export function ledgerFieldSupplied(schemaId: SchemaId, payload: Record<string, unknown>): string | undefined {
  return (LEDGER_FIELDS[schemaId] ?? []).find((f) => f in payload);
}

export interface LedgerContext {
  /** the event's time (workflow clock) */
  ts: string;
  actorId: string;
  compositionType: string;
  /** verified participant identities, PSI rounds only */
  participants?: { node_a: { issuer: string; jti: string }; node_b: { issuer: string; jti: string } };
}

/** The full payload: the caller's part plus what the ledger sets. Validation happens on the whole event. */
export function completePayload(schemaId: SchemaId, body: Record<string, unknown>, ctx: LedgerContext): Record<string, unknown> {
  const lease = leasePayload(schemaId, body, ctx.actorId, ctx.ts);
  if (lease) return lease;
  switch (schemaId) {
    case SCHEMA_IDS.requested:
      return { composition_type: ctx.compositionType, ...body };
    case SCHEMA_IDS.psiRoundCompleted: {
      const p = ctx.participants;
      return p
        ? { ...body, node_a_issuer: p.node_a.issuer, node_a_jwt_jti: p.node_a.jti, node_b_issuer: p.node_b.issuer, node_b_jwt_jti: p.node_b.jti }
        : body;
    }
    default: {
      const stamped = (LEDGER_FIELDS[schemaId] ?? [])[0];
      return stamped ? { ...body, [stamped]: ctx.ts } : body;
    }
  }
}
