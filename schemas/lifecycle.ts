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
  [SCHEMA_IDS.workStarted]: [{ from: ['leased'], to: 'in_progress', lease: 'held' }],
  [SCHEMA_IDS.lensRunStarted]: [{ from: ['leased', 'in_progress'], to: 'in_progress', lease: 'held' }],
  [SCHEMA_IDS.psiRoundCompleted]: [{ from: ['in_progress'], to: 'in_progress', lease: 'held' }],
  [SCHEMA_IDS.lensRunCompleted]: [{ from: ['in_progress'], to: 'in_progress', lease: 'held' }],
  [SCHEMA_IDS.evidenceBlockEmitted]: [{ from: ['in_progress'], to: 'evidence', lease: 'held' }],
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
};

/** What the lifecycle knows of a composition: its state and its lease. */
export interface LifecycleSnapshot {
  state: LifecycleState;
  lease: Lease | null;
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
export function checkTransition(snapshot: LifecycleSnapshot, schemaId: string, actor: Pick<Actor, 'type' | 'id'>): Check<Transition> {
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
  const leaseRefusal = leaseGuardRefusal(transition.lease, lease, actor, schemaId);
  if (leaseRefusal) return refuse(leaseRefusal.code, leaseRefusal.message);
  return { ok: true, value: transition };
}

/** The snapshot after an allowed transition. Pure. */
export function applyTransition(snapshot: LifecycleSnapshot, transition: Transition, payload: unknown): LifecycleSnapshot {
  const lease = applyLeaseEffect(snapshot.lease, transition.leaseEffect, payload);
  return { state: transition.to === 'same' ? snapshot.state : transition.to, lease };
}

export function isTerminal(state: LifecycleState): boolean {
  return (TERMINAL_STATES as readonly string[]).includes(state);
}
