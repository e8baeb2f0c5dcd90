/**
 * Replays one composition's events through the declared lifecycle (seed §7.4): the final state when every
 * step is valid, or the first invalid step — wrong source state, actor type not allowed, missing scope,
 * an action without an ALLOW decision, a lease rule broken.
 */
import { definitionOf } from './catalog.js';
import type { AbacDecision, Actor } from './envelope.js';
import {
  INITIAL_SNAPSHOT,
  applyTransition,
  checkScopes,
  checkEvidenceReference,
  checkTransition,
  type LifecycleState,
  type LifecycleSnapshot,
} from './lifecycle.js';
import type { Lease } from './lease.js';
import { REASON_CODES, type ReasonCode } from './reason-codes.js';

/** The fields replay reads; any audit event has them. */
export interface ReplayableEvent {
  event_id: string;
  schema_id: string;
  actor: Pick<Actor, 'type' | 'id'>;
  auth: { scopes: readonly string[]; issuer?: string } | null;
  abac_decision: Pick<AbacDecision, 'outcome'> | null;
  payload: unknown;
}

export interface InvalidStep {
  index: number;
  event_id: string;
  schema_id: string;
  code: ReasonCode;
  message: string;
}

export type ReplayResult =
  | { valid: true; state: LifecycleState; lease: Lease | null; events: number }
  | { valid: false; state: LifecycleState; lease: Lease | null; events: number; invalid: InvalidStep };

/** Replays one composition step by step (streaming); stops advancing at the first invalid step. */
export class LifecycleReplay {
  private snapshot: LifecycleSnapshot = INITIAL_SNAPSHOT;
  private count = 0;
  private invalid: InvalidStep | undefined;

  /** Applies the next event; returns the invalid step when this (or an earlier) one was invalid. */
  push(event: ReplayableEvent): InvalidStep | undefined {
    const index = this.count;
    this.count += 1;
    if (this.invalid) return this.invalid;
    const problem = stepProblem(this.snapshot, event);
    if (problem) {
      this.invalid = { index, event_id: event.event_id, schema_id: event.schema_id, ...problem };
      return this.invalid;
    }
    const check = checkTransition(this.snapshot, event.schema_id, event.actor, { issuer: event.auth?.issuer });
    if (!check.ok) throw new Error('unreachable: stepProblem checked the transition');
    this.snapshot = applyTransition(this.snapshot, check.value, event.payload, event.auth?.issuer);
    return undefined;
  }

  result(): ReplayResult {
    const base = { state: this.snapshot.state, lease: this.snapshot.lease, events: this.count };
    return this.invalid ? { valid: false, ...base, invalid: this.invalid } : { valid: true, ...base };
  }
}

export function replayState(events: readonly ReplayableEvent[]): ReplayResult {
  const replay = new LifecycleReplay();
  for (const event of events) replay.push(event);
  return replay.result();
}

function stepProblem(snapshot: LifecycleSnapshot, event: ReplayableEvent): { code: ReasonCode; message: string } | undefined {
  const def = definitionOf(event.schema_id);
  if (!def) return { code: REASON_CODES.unknownSchema, message: `unknown schema_id "${event.schema_id}"` };
  if (def.authority === 'caller') {
    // The same order as the workflow's pipeline: scopes, then the ABAC decision, then the lifecycle.
    const scopes = checkScopes(event.schema_id, event.auth?.scopes ?? []);
    if (!scopes.ok) return scopes;
    if (event.abac_decision?.outcome !== 'ALLOW') {
      return { code: REASON_CODES.abacDeny, message: `${event.schema_id} was recorded without an ALLOW decision` };
    }
  }
  const transition = checkTransition(snapshot, event.schema_id, event.actor, { issuer: event.auth?.issuer });
  if (!transition.ok) return transition;
  const evidence = checkEvidenceReference(snapshot, event.schema_id, (event.payload ?? {}) as Record<string, unknown>);
  return evidence.ok ? undefined : evidence;
}
