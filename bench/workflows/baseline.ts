/**
 * The bare baseline of bench/lifecycle: a workflow of the composition's shape — opened by update-with-start,
 * one update per lifecycle step, the same declared state changes (schemas/lifecycle.ts), the same search
 * attribute upserts and the same lease timer — with no activity at all: no JWT verification, no ABAC
 * decision, no audit event. What Temporal alone costs for the same lifecycle; the caller is trusted.
 */
import { allHandlersFinished, condition, defineUpdate, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { INITIAL_SNAPSHOT, START, applyTransition, checkTransition, isTerminal, type LifecycleState } from '../../schemas/lifecycle.js';
import type { SchemaId } from '../../schemas/schema-ids.js';
import { COMPOSITION_STATE, COMPOSITION_TYPE, LEASE_HOLDER } from '../../schemas/search-attributes.js';
import type { Actor } from '../../schemas/envelope.js';
import { completePayload } from '../../workflows/actions.js';
import { Mutex } from '../../workflows/mutex.js';

export const BASELINE_WORKFLOW_TYPE = 'baselineWorkflow';

export interface BaselineInput {
  compositionId: string;
  compositionType: string;
}

/** One step: the event it stands for and who acts, taken on trust (that is the point of the baseline). */
export interface BaselineRequest {
  schemaId: string;
  actor: Pick<Actor, 'type' | 'id'>;
  payload: Record<string, unknown>;
}

export type BaselineOutcome = { ok: true; state: LifecycleState; sequence: number } | { ok: false; code: string; message: string; state: LifecycleState };

export const baselineStep = defineUpdate<BaselineOutcome, [BaselineRequest]>('baselineStep');

const OPENING_TIMEOUT = '1 hour';

export async function baselineWorkflow({ compositionType }: BaselineInput): Promise<LifecycleState> {
  let snapshot = INITIAL_SNAPSHOT;
  let sequence = 0;
  let leaseVersion = 0;
  const lock = new Mutex();

  function step(req: BaselineRequest): BaselineOutcome {
    const check = checkTransition(snapshot, req.schemaId, req.actor);
    if (!check.ok) return { ok: false, code: check.code, message: check.message, state: snapshot.state };
    const ts = new Date().toISOString();
    const payload = completePayload(req.schemaId as SchemaId, req.payload, { ts, actorId: req.actor.id, compositionType });
    const before = snapshot.lease;
    snapshot = applyTransition(snapshot, check.value, payload);
    if (snapshot.lease !== before) leaseVersion += 1;
    sequence += 1;
    upsertSearchAttributes([
      { key: COMPOSITION_STATE, value: snapshot.state },
      { key: COMPOSITION_TYPE, value: compositionType },
      { key: LEASE_HOLDER, value: snapshot.lease?.holder ?? null },
    ]);
    return { ok: true, state: snapshot.state, sequence };
  }

  setHandler(baselineStep, (req) => lock.run(async () => step(req)));

  await condition(() => snapshot.state !== START, OPENING_TIMEOUT);
  // The lease is a timer, as in the composition workflow: waiting with a timeout while a lease is held.
  while (snapshot.state !== START && !isTerminal(snapshot.state)) {
    const version = leaseVersion;
    const woken = () => leaseVersion !== version || isTerminal(snapshot.state);
    const remaining = snapshot.lease ? Date.parse(snapshot.lease.expiresAt) - Date.now() : 0;
    // Expiry itself is out of the baseline's scope: once the timer has fired, wait for the next step.
    if (remaining > 0) await condition(woken, remaining);
    else await condition(woken);
  }
  await condition(allHandlersFinished);
  return snapshot.state;
}
