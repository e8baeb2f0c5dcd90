/**
 * Where a transition's side effects run (verify the token, ask the PDP, publish the audit event).
 *
 * The fast path: local activities, inside the update handler. A transition is then one update and one
 * workflow task whose markers hold the results; no activity task makes a round trip through the server.
 * Fail-closed is unchanged: the handler awaits the publish, which returns only after the broker's ack.
 * A worker that dies after the ack and before the workflow task completes leaves no marker, so the next
 * worker runs the step again: at least once, and safe because the event and its signature are
 * deterministic and every reader ignores an identical duplicate.
 *
 * The slow path: a local activity retries only within a short budget, invisible to ops. When a dependency
 * stays down past it, the step moves to a regular activity with the retry-forever policy (pending, with
 * its attempts and last failure in the Web UI and `describe`), and the composition carries the search
 * attribute `WaitingFor` naming the dependency (`idp`, `pdp`, `kafka`) until the step completes.
 *
 * Histories recorded before the fast path replay on the regular activities they were recorded with: the
 * choice is made by `patched(FAST_PATH_PATCH)` (docs/architecture.md, "Upgrading running compositions").
 */
import { ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { CompositionActivities } from '../activities/index.js';
import { WAITING_FOR } from '../schemas/search-attributes.js';

export const FAST_PATH_PATCH = 'fast-path-2026-12';

type Effects = Pick<CompositionActivities, 'verifyToken' | 'authorize' | 'publishAuditEvent'>;
type EffectName = keyof Effects;

/** What a composition waits for when a step is on the slow path. */
export const DEPENDENCY_OF: Readonly<Record<EffectName, string>> = { verifyToken: 'idp', authorize: 'pdp', publishAuditEvent: 'kafka' };

// No decision, no transition: unreachable IdPs, PDP or brokers are retried for as long as it takes.
const RETRY_FOREVER = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' } as const;
// Regular activities heartbeat while they run (activities/index.ts), so one lost with its worker is retried
// after the heartbeat timeout instead of the whole start-to-close timeout.
const HEARTBEAT_TIMEOUT = '2s';
// (proxies: their functions are looked up by name on call, so the object is built by picking, not spreading)
const regularShort = proxyActivities<CompositionActivities>({ startToCloseTimeout: '15s', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_FOREVER });
const regularPublish = proxyActivities<CompositionActivities>({ startToCloseTimeout: '30s', heartbeatTimeout: HEARTBEAT_TIMEOUT, retry: RETRY_FOREVER });
const regular: Effects = { verifyToken: regularShort.verifyToken, authorize: regularShort.authorize, publishAuditEvent: regularPublish.publishAuditEvent };

// The local budget: a few quick attempts (a broker's leader election, a PDP restart), bounded in time so a
// workflow task is not held for long; past it the step goes to the slow path above.
const local: Effects = proxyLocalActivities<CompositionActivities>({
  startToCloseTimeout: '5s',
  scheduleToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 2, maximumInterval: '1s', maximumAttempts: 3 },
});

/**
 * The refusal an activity decided (a bad token, …): final, the same on every path; anything else is an
 * outage. A regular activity's failure arrives wrapped in an ActivityFailure, a local one's as itself.
 */
export function refusalOf(err: unknown): ApplicationFailure | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.nonRetryable === true ? failure : undefined;
}

/**
 * Runs one side effect: on the fast path when this run was started or continued by fast-path code, else
 * (a replayed history from before it) as the regular activity it was recorded as.
 */
export async function effect<K extends EffectName>(name: K, ...args: Parameters<Effects[K]>): Promise<Awaited<ReturnType<Effects[K]>>> {
  const run = (via: Effects) => (via[name] as (...a: Parameters<Effects[K]>) => Promise<Awaited<ReturnType<Effects[K]>>>)(...args);
  if (!patched(FAST_PATH_PATCH)) return run(regular);
  try {
    return await run(local);
  } catch (err) {
    if (refusalOf(err)) throw err;
  }
  upsertSearchAttributes([{ key: WAITING_FOR, value: DEPENDENCY_OF[name] }]);
  try {
    return await run(regular);
  } finally {
    upsertSearchAttributes([{ key: WAITING_FOR, value: null }]);
  }
}
