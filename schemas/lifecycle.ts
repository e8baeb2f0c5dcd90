/**
 * The declared lifecycle (ARCHITECTURE §4) as data: for each event, the states it may follow, the state
 * it leads to and what it needs of the lease. The workflow enforces it, `replayState` replays it, the
 * README's diagram is drawn from it. Actor types and scopes live with each event's registry metadata; the
 * lease's own rules (guards, effects, its payload fields, expiry) in schemas/lease.ts.
 */
import { definitionOf } from './catalog.js';
import type { Actor } from './envelope.js';
import { applyLeaseEffect, claimWhileHeldRefusal, leaseGuardRefusal, type Lease, type LeaseEffect, type LeaseGuard } from './lease.js';
import { REASON_CODES, type ReasonCode } from './reason-codes.js';
import { SCHEMA_IDS, type SchemaId } from './schema-ids.js';

export const STATES = ['requested', 'leased', 'in_progress', 'evidence', 'closed', 'cancelled'] as const;
export type State = (typeof STATES)[number];
/** Before the first event. */
export const START = 'none' as const;
export type LifecycleState = State | typeof START;
export const TERMINAL_STATES: readonly State[] = ['closed', 'cancelled'];

export interface Transition {
  readonly from: readonly LifecycleState[];
  /** `same` keeps the current state (progress events, refusals). */
  readonly to: State | 'same';
  readonly lease?: LeaseGuard;
  readonly leaseEffect?: LeaseEffect;
}

const LIVE: readonly State[] = ['requested', 'leased', 'in_progress', 'evidence'];
const ANY: readonly LifecycleState[] = [START, ...STATES];

export const TRANSITIONS: Readonly<Record<SchemaId, readonly Transition[]>> = {
  [SCHEMA_IDS.requested]: [{ from: [START], to: 'requested' }],
  [SCHEMA_IDS.leaseClaimed]: [
    { from: ['requested'], to: 'leased', lease: 'none', leaseEffect: 'acquire' },
    // after rejected evidence whose lease was already released, work resumes under a new lease
    { from: ['in_progress'], to: 'in_progress', lease: 'none', leaseEffect: 'acquire' },
  ],
  [SCHEMA_IDS.leaseRenewed]: [{ from: ['leased', 'in_progress', 'evidence'], to: 'same', lease: 'holder', leaseEffect: 'extend' }],
  // the holder's own work: only the lease holder (same id, same issuer) reports it
  [SCHEMA_IDS.workStarted]: [{ from: ['leased'], to: 'in_progress', lease: 'holder' }],
  [SCHEMA_IDS.lensRunStarted]: [{ from: ['leased', 'in_progress'], to: 'in_progress', lease: 'holder' }],
  // reported by the fusion pipeline (a service of ours, ABAC), under the holder's lease
  [SCHEMA_IDS.psiRoundCompleted]: [{ from: ['in_progress'], to: 'in_progress', lease: 'held' }],
  [SCHEMA_IDS.lensRunCompleted]: [{ from: ['in_progress'], to: 'in_progress', lease: 'holder' }],
  [SCHEMA_IDS.evidenceBlockEmitted]: [{ from: ['in_progress'], to: 'evidence', lease: 'holder' }],
  [SCHEMA_IDS.matchesPublished]: [{ from: ['evidence'], to: 'evidence' }],
  [SCHEMA_IDS.leaseReleased]: [
    { from: ['evidence'], to: 'evidence', lease: 'holder', leaseEffect: 'clear' },
    { from: ['leased', 'in_progress'], to: 'requested', lease: 'holder', leaseEffect: 'clear' },
  ],
  [SCHEMA_IDS.leaseExpired]: [
    { from: ['leased', 'in_progress'], to: 'requested', lease: 'held', leaseEffect: 'clear' },
    { from: ['evidence'], to: 'evidence', lease: 'held', leaseEffect: 'clear' },
  ],
  [SCHEMA_IDS.closed]: [{ from: ['evidence'], to: 'closed' }],
  [SCHEMA_IDS.evidenceRejected]: [{ from: ['evidence'], to: 'in_progress' }],
  [SCHEMA_IDS.cancelled]: [{ from: LIVE, to: 'cancelled', leaseEffect: 'clear' }],
  [SCHEMA_IDS.accessDenied]: [{ from: ANY, to: 'same' }],
  // a correction changes no state and needs no lease: it only links a new record to an old one
  [SCHEMA_IDS.correction]: [{ from: LIVE, to: 'same' }],
};

/**
 * Work events any lease-holding party could report before leases were bound to their holder (2026-12).
 * Histories recorded then replay under those rules (`legacyLeaseRules`); new actions never get them.
 */
const HELD_BEFORE_HOLDER_BINDING: ReadonlySet<string> = new Set([SCHEMA_IDS.workStarted, SCHEMA_IDS.lensRunStarted, SCHEMA_IDS.lensRunCompleted, SCHEMA_IDS.evidenceBlockEmitted]);

/** What the lifecycle knows of a composition: its state, its lease and the evidence block it emitted. */
export interface LifecycleSnapshot {
  state: LifecycleState;
  lease: Lease | null;
  /** the `block_id` of the last evidence block emitted; closing, rejecting and publishing must name it */
  evidenceBlock?: string;
}

export const INITIAL_SNAPSHOT: LifecycleSnapshot = { state: START, lease: null };

export type Refusal = { ok: false; code: ReasonCode; message: string };
export type Check<T> = { ok: true; value: T } | Refusal;

const refuse = (code: ReasonCode, message: string): Refusal => ({ ok: false, code, message });

/** Scopes come first in the pipeline (before ABAC): the token must carry every required scope. */
export function checkScopes(schemaId: string, scopes: readonly string[]): Check<true> {
  const def = definitionOf(schemaId);
  if (!def) return refuse(REASON_CODES.unknownSchema, `unknown schema_id "${schemaId}"`);
  const missing = def.requiredScopes.filter((s) => !scopes.includes(s));
  return missing.length ? refuse(REASON_CODES.scopeMissing, `${schemaId} requires scope(s) ${missing.join(', ')}`) : { ok: true, value: true };
}

/**
 * The lifecycle check (after ABAC): is this actor type allowed, and is the transition legal from the
 * current state and lease? Returns the transition that applies.
 */
export function checkTransition(
  snapshot: LifecycleSnapshot,
  schemaId: string,
  actor: Pick<Actor, 'type' | 'id'>,
  opts: { issuer?: string | undefined; legacyLeaseRules?: boolean } = {},
): Check<Transition> {
  const def = definitionOf(schemaId);
  if (!def) return refuse(REASON_CODES.unknownSchema, `unknown schema_id "${schemaId}"`);
  if (!def.actorTypes.includes(actor.type)) {
    return refuse(REASON_CODES.actorTypeNotAllowed, `${schemaId} may be emitted by ${def.actorTypes.join(' or ')}, not by ${actor.type}`);
  }
  const { lease } = snapshot;
  const candidates = TRANSITIONS[schemaId as SchemaId];
  const transition = candidates.find((t) => t.from.includes(snapshot.state));
  if (!transition) {
    if (lease && candidates.some((t) => t.leaseEffect === 'acquire')) {
      const held = claimWhileHeldRefusal(lease);
      return refuse(held.code, held.message);
    }
    return refuse(REASON_CODES.wrongState, `${schemaId} is not allowed in state "${snapshot.state}"`);
  }
  const guard = opts.legacyLeaseRules && transition.lease === 'holder' && HELD_BEFORE_HOLDER_BINDING.has(schemaId) ? 'held' : transition.lease;
  const leaseRefusal = leaseGuardRefusal(guard, lease, { id: actor.id, issuer: opts.issuer, byIdOnly: opts.legacyLeaseRules === true }, schemaId);
  if (leaseRefusal) return refuse(leaseRefusal.code, leaseRefusal.message);
  return { ok: true, value: transition };
}

/** The payload field naming the evidence block, for the events that must name the one emitted. */
const EVIDENCE_REFERENCE: Readonly<Partial<Record<SchemaId, string>>> = {
  [SCHEMA_IDS.closed]: 'evidence_block_ref',
  [SCHEMA_IDS.evidenceRejected]: 'evidence_block_ref',
  [SCHEMA_IDS.matchesPublished]: 'block_id',
};

/**
 * Closing, rejecting and publishing matches must name the evidence block this composition emitted: a
 * human cannot attest evidence that does not exist. (Unknown for snapshots carried from before it was kept.)
 */
export function checkEvidenceReference(snapshot: LifecycleSnapshot, schemaId: string, payload: Record<string, unknown>): Check<true> {
  const field = EVIDENCE_REFERENCE[schemaId as SchemaId];
  if (!field || snapshot.evidenceBlock === undefined || payload[field] === snapshot.evidenceBlock) return { ok: true, value: true };
  return refuse(REASON_CODES.evidenceMismatch, `payload.${field} must name the evidence block this composition emitted (${snapshot.evidenceBlock})`);
}

/** The snapshot after an allowed transition. Pure. `issuer`: the issuer of the token behind the event. */
export function applyTransition(snapshot: LifecycleSnapshot, transition: Transition, payload: unknown, issuer?: string): LifecycleSnapshot {
  const lease = applyLeaseEffect(snapshot.lease, transition.leaseEffect, payload, issuer);
  const state = transition.to === 'same' ? snapshot.state : transition.to;
  // entering `evidence` is the emission of a block: remember which one
  const block = state === 'evidence' && snapshot.state !== 'evidence' ? (payload as { block_id?: unknown } | null)?.block_id : undefined;
  const evidenceBlock = typeof block === 'string' ? block : snapshot.evidenceBlock;
  return evidenceBlock === undefined ? { state, lease } : { state, lease, evidenceBlock };
}

export function isTerminal(state: LifecycleState): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}
