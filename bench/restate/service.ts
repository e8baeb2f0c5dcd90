/**
 * The composition as a Restate virtual object (one per composition id, the object's key): Restate's peer
 * of workflows/composition.ts, for the benchmark only — a measuring stick, not a product path. Each action is
 * an exclusive handler (Restate runs one at a time per key: the workflow's mutex), running the same pipeline
 * (pipeline.ts). The chain head, the lifecycle snapshot (with its lease) and the composition type live in
 * the object's state.
 *
 * What differs from the Temporal path:
 * - Durable execution: Restate's journal (its log fsynced by default) instead of a workflow history; side
 *   effects are `ctx.run` steps (verify, decide, publish: each result journaled, so a retried invocation
 *   replays it and a publish acknowledged once is not sent again) instead of activities, retried forever
 *   like them; state is the object's K/V state instead of workflow variables. No search attributes
 *   (Restate has none; its SQL introspection reads state instead), no continue-as-new (an object's journal
 *   ends with each invocation), and no slow-path switch (a failing step simply retries, visible in
 *   Restate's introspection rather than as a `WaitingFor` attribute).
 * - The lease timer is a delayed self-call (`expireLease`, carrying the lease version) instead of a
 *   workflow timer; a renewal or release does not cancel it, the version makes it a no-op.
 * - The step's time comes from the verification step's journaled result (or `ctx.date` when the step is
 *   refused before it), read once per step: the ABAC environment time and the event time are the same instant.
 * - Lease expiry is implemented (test/integration/bench-restate.test.ts) but never reached by the benchmark,
 *   whose leases outlive the run.
 * - Restate journals each handler's input, and the input carries the bearer tokens. Like Temporal's payload
 *   codec, every stored value (inputs, outputs, state, step results) is sealed with AES-256-GCM under the same
 *   keys (sealed-codec.ts); Restate's own metadata (object keys, handler names, step names, error messages
 *   of failed attempts) stays readable, as Temporal's does.
 * - The opening (`request`) must name the composition type; there is no workflow start to carry it. The
 *   trust-model rules of 2026-12 always apply (no recorded histories to replay under older rules).
 * - No HTTP gateway in front: callers reach Restate's ingress directly (no edge validation of bodies, rate
 *   limits or idempotency keys), and signals (attest by signal) have no counterpart here.
 */
import { handlers, object, type ObjectContext, type ObjectSharedContext, type Serde } from '@restatedev/restate-sdk';
import { EMPTY_CHAIN } from '../../audit/chain.js';
import { INITIAL_SNAPSHOT, isTerminal } from '../../schemas/lifecycle.js';
import { ACTION_NAMES, type ActionName, type ActionOutcome, type ActionRequest } from '../../workflows/types.js';
import { COMPOSITION_OBJECT, EXPIRE_LEASE_HANDLER, SEALED_CONTENT_TYPE, VIEW_HANDLER } from './names.js';
import { Transitioner, type CompositionState, type PipelineDeps } from './pipeline.js';

/** JSON values, announced as opaque bytes: the journal value codec seals them after serialization. */
function sealedJson<T>(): Serde<T> {
  return {
    contentType: SEALED_CONTENT_TYPE,
    serialize: (value: T) => Buffer.from(JSON.stringify(value), 'utf8'),
    deserialize: (bytes: Uint8Array) => JSON.parse(Buffer.from(bytes).toString('utf8')) as T,
  };
}

const STATE_KEYS = ['head', 'snapshot', 'compositionType', 'leaseVersion'] as const satisfies readonly (keyof CompositionState)[];

async function loadState(ctx: ObjectContext | ObjectSharedContext): Promise<CompositionState> {
  const [head, snapshot, compositionType, leaseVersion] = await Promise.all([
    ctx.get<CompositionState['head']>('head'),
    ctx.get<CompositionState['snapshot']>('snapshot'),
    ctx.get<string>('compositionType'),
    ctx.get<number>('leaseVersion'),
  ]);
  return { head: head ?? EMPTY_CHAIN, snapshot: snapshot ?? INITIAL_SNAPSHOT, compositionType: compositionType ?? null, leaseVersion: leaseVersion ?? 0 };
}

/** Writes back what changed (nothing, for a refusal, except the chain head its access_denied event moved). */
function saveState(ctx: ObjectContext, before: CompositionState, after: CompositionState): void {
  for (const key of STATE_KEYS) if (after[key] !== before[key]) ctx.set(key, after[key]);
}

export interface CompositionView {
  composition_id: string;
  composition_type: string | null;
  state: CompositionState['snapshot']['state'];
  terminal: boolean;
  lease: CompositionState['snapshot']['lease'];
  sequence: number;
  last_event_id: string | null;
  last_hash: string | null;
}

export function compositionObject(deps: PipelineDeps) {
  const transitioner = async (ctx: ObjectContext) => {
    const before = await loadState(ctx);
    const scheduleExpiry = (version: number, delayMs: number) =>
      void ctx.genericSend({ service: COMPOSITION_OBJECT, method: EXPIRE_LEASE_HANDLER, key: ctx.key, parameter: version, inputSerde: sealedJson<number>(), delay: delayMs });
    return { before, t: new Transitioner(ctx, deps, { ...before }, scheduleExpiry) };
  };

  const action = (name: ActionName) =>
    handlers.object.exclusive({ input: sealedJson<ActionRequest>(), output: sealedJson<ActionOutcome>() }, async (ctx: ObjectContext, req: ActionRequest): Promise<ActionOutcome> => {
      const { before, t } = await transitioner(ctx);
      const outcome = await t.perform(name, req);
      saveState(ctx, before, t.state);
      return outcome;
    });

  return object({
    name: COMPOSITION_OBJECT,
    handlers: {
      ...(Object.fromEntries(ACTION_NAMES.map((name) => [name, action(name)])) as Record<ActionName, ReturnType<typeof action>>),
      [EXPIRE_LEASE_HANDLER]: handlers.object.exclusive(
        { input: sealedJson<number>(), output: sealedJson<boolean>(), ingressPrivate: true },
        async (ctx: ObjectContext, version: number): Promise<boolean> => {
          const { before, t } = await transitioner(ctx);
          const expired = await t.expireLease(version);
          saveState(ctx, before, t.state);
          return expired;
        },
      ),
      [VIEW_HANDLER]: handlers.object.shared({ output: sealedJson<CompositionView>() }, async (ctx: ObjectSharedContext): Promise<CompositionView> => {
        const { head, snapshot, compositionType } = await loadState(ctx);
        return {
          composition_id: ctx.key,
          composition_type: compositionType,
          state: snapshot.state,
          terminal: isTerminal(snapshot.state),
          lease: snapshot.lease,
          sequence: head.sequence,
          last_event_id: head.eventId,
          last_hash: head.thisHash,
        };
      }),
    },
  });
}
