/**
 * One transition of a composition on Restate, the same pipeline as workflows/composition.ts: verify the
 * token → required scopes → PDP decision → lifecycle check → build the chained event → publish it and wait
 * for the broker's ack → change state. A refusal changes nothing and is itself recorded (access_denied).
 * Every side effect is a `ctx.run` step: journaled, so a retried invocation replays its result instead of
 * doing it again, and retried while it fails (no decision, no transition). The rules are the project's own
 * (schemas/lifecycle.ts, workflows/actions.ts, audit/chain.ts); only the durable-execution calls differ.
 */
import type { ObjectContext, RunOptions } from '@restatedev/restate-sdk';
import type { AbacRequest, UdsClient } from '../../activities/abac/uds.js';
import type { VerifiedIdentity } from '../../activities/jwt/identity.js';
import { TokenRefusal, type UnverifiedHints } from '../../activities/jwt/refusal.js';
import type { JwtVerifier } from '../../activities/jwt/verifier.js';
import { appendToChain, type ChainHead, type EventDraft } from '../../audit/chain.js';
import type { AuditPublisher } from '../../kafka/publisher.js';
import { validateEvent, type AuditEvent } from '../../schemas/catalog.js';
import type { AbacDecision } from '../../schemas/envelope.js';
import { expiryPayload } from '../../schemas/lease.js';
import { START, applyTransition, checkEvidenceReference, checkScopes, checkTransition, type LifecycleSnapshot, type Transition } from '../../schemas/lifecycle.js';
import { compositionType as compositionTypeSchema } from '../../schemas/primitives.js';
import { REASON_CODES, type ReasonCode } from '../../schemas/reason-codes.js';
import { SCHEMA_IDS, type SchemaId } from '../../schemas/schema-ids.js';
import { abacPrincipal } from '../../workflows/abac-principal.js';
import { ACTION_SCHEMAS, completePayload, ledgerFieldSupplied, schemaForAction } from '../../workflows/actions.js';
import { LEDGER_ACTOR } from '../../workflows/ledger-actor.js';
import { participantsProblem } from '../../workflows/participants.js';
import { refusalDraft } from '../../workflows/refusal.js';
import type { ActionName, ActionOutcome, ActionRequest } from '../../workflows/types.js';

export interface PipelineDeps {
  jwt: JwtVerifier;
  uds: UdsClient;
  publisher: AuditPublisher;
}

/** A composition's durable state, kept in its virtual object. */
export interface CompositionState {
  head: ChainHead;
  snapshot: LifecycleSnapshot;
  /** fixed by the first accepted opening */
  compositionType: string | null;
  /** bumped on every lease change: a delayed expiry carrying an older version is stale */
  leaseVersion: number;
}

/** Asks for a delayed `expireLease(version)` on this object `delayMs` from now (the lease timer). */
export type ScheduleExpiry = (version: number, delayMs: number) => void;

// No decision, no transition: unreachable IdPs, PDP or brokers are retried for as long as it takes (the
// Temporal path's RETRY_FOREVER: 200 ms doubling up to 10 s, no attempt limit).
const RETRY_FOREVER: RunOptions<unknown> = { initialRetryInterval: 200, retryIntervalFactor: 2, maxRetryInterval: 10_000 };
const retryForever = <T>() => RETRY_FOREVER as RunOptions<T>;

class Refused extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly extra: { identity?: VerifiedIdentity; decision?: AbacDecision; unverified?: UnverifiedHints } = {},
  ) {
    super(message);
  }
}

type Verification = { ok: true; identity: VerifiedIdentity; at: string } | { ok: false; code: ReasonCode; message: string; unverified: UnverifiedHints; at: string };

/** One handler invocation's view of the object: its state, changed only once an event is acknowledged. */
export class Transitioner {
  /** the step's time: taken inside its first durable step, so replays see the same time (the workflow clock's role) */
  private ts: string | undefined;

  constructor(
    private readonly ctx: ObjectContext,
    private readonly deps: PipelineDeps,
    readonly state: CompositionState,
    private readonly scheduleExpiry: ScheduleExpiry,
  ) {}

  private async now(): Promise<string> {
    this.ts ??= await this.ctx.date.toJSON();
    return this.ts;
  }

  private async verified(token: string, step: string): Promise<VerifiedIdentity> {
    const { jwt } = this.deps;
    const v = await this.ctx.run<Verification>(
      step,
      async () => {
        const at = new Date().toISOString();
        try {
          return { ok: true, identity: await jwt.verify(token), at };
        } catch (err) {
          if (err instanceof TokenRefusal) return { ok: false, code: err.code, message: err.message, unverified: err.unverified, at };
          throw err; // the IdP could not be asked: retried
        }
      },
      retryForever(),
    );
    this.ts ??= v.at;
    if (!v.ok) throw new Refused(v.code, v.message, { unverified: v.unverified });
    return v.identity;
  }

  private async participantsOf(req: ActionRequest) {
    const a = req.participantTokens?.node_a;
    const b = req.participantTokens?.node_b;
    if (!a || !b) throw new Refused(REASON_CODES.invalidPayload, 'participant_tokens.node_a and participant_tokens.node_b are required for a PSI round');
    const [na, nb] = [await this.verified(a, 'verify node_a token'), await this.verified(b, 'verify node_b token')];
    const problem = participantsProblem(req.payload ?? {}, na, nb);
    if (problem) throw new Refused(problem.code, problem.message);
    return { node_a: { issuer: na.auth.issuer, jti: na.auth.jwt_jti }, node_b: { issuer: nb.auth.issuer, jti: nb.auth.jwt_jti } };
  }

  /** Chains, validates, publishes (waiting for the broker's ack, once: journaled), and only then moves the state. */
  private async record(draft: EventDraft, transition: Transition | undefined): Promise<AuditEvent> {
    const { event, head } = appendToChain(this.state.head, draft);
    const valid = validateEvent(event);
    if (!valid.ok) throw new Refused(REASON_CODES.invalidPayload, `${valid.path}: ${valid.message}`);
    const { publisher } = this.deps;
    await this.ctx.run('publish', () => publisher.publish(event), retryForever());
    this.state.head = head;
    if (transition) {
      const before = this.state.snapshot.lease;
      this.state.snapshot = applyTransition(this.state.snapshot, transition, event.payload, event.auth?.issuer);
      const lease = this.state.snapshot.lease;
      if (lease !== before) {
        this.state.leaseVersion += 1;
        if (lease) this.scheduleExpiry(this.state.leaseVersion, Math.max(0, Date.parse(lease.expiresAt) - Date.parse(event.ts_utc)));
      }
    }
    return event;
  }

  private async decide(request: AbacRequest): Promise<AbacDecision> {
    const { uds } = this.deps;
    return this.ctx.run('decide', () => uds.decide(request), retryForever());
  }

  /** The pipeline. Returns the outcome; a refusal is recorded before it is returned. */
  async perform(action: ActionName, req: ActionRequest): Promise<ActionOutcome> {
    const { ctx, state } = this;
    const compositionId = ctx.key;
    const schemaId = schemaForAction(action, req.schemaId);
    const attempted = schemaId ?? ACTION_SCHEMAS[action][0]!;
    const typeBefore = state.compositionType;
    let identity: VerifiedIdentity | undefined;
    let decision: AbacDecision | undefined;
    try {
      if (action === 'request' && state.snapshot.state === START) {
        const asked = compositionTypeSchema.safeParse(req.compositionType);
        if (!asked.success) throw new Refused(REASON_CODES.invalidPayload, `compositionType: ${asked.error.issues[0]?.message}`);
        state.compositionType = asked.data;
      }
      if (!schemaId) throw new Refused(REASON_CODES.invalidPayload, `${action} emits one of ${ACTION_SCHEMAS[action].join(', ')}; schema_id is ${JSON.stringify(req.schemaId ?? null)}`);
      identity = await this.verified(req.token, 'verify token');
      const scopes = checkScopes(schemaId, identity.auth.scopes);
      if (!scopes.ok) throw new Refused(scopes.code, scopes.message, { identity });
      const compositionType = state.compositionType ?? '';
      decision = await this.decide({
        action: schemaId,
        principal: abacPrincipal(identity),
        resource: { kind: 'composition', id: compositionId, attributes: { composition_type: compositionType, state: state.snapshot.state, lease_holder: state.snapshot.lease?.holder ?? '' } },
        environment: { time: await this.now() },
      });
      if (decision.outcome !== 'ALLOW') throw new Refused(REASON_CODES.abacDeny, `UDS denied ${schemaId} (evaluation ${decision.uds_eval_id})`, { identity, decision });
      const transition = checkTransition(state.snapshot, schemaId, identity.actor, { issuer: identity.auth.issuer });
      if (!transition.ok) throw new Refused(transition.code, transition.message, { identity, decision });
      const supplied = ledgerFieldSupplied(schemaId, req.payload ?? {});
      if (supplied) throw new Refused(REASON_CODES.invalidPayload, `payload.${supplied} is set by the ledger`, { identity, decision });
      const evidence = checkEvidenceReference(state.snapshot, schemaId, req.payload ?? {});
      if (!evidence.ok) throw new Refused(evidence.code, evidence.message, { identity, decision });
      const statedType = (req.payload ?? {}).composition_type;
      if (schemaId === SCHEMA_IDS.requested && statedType !== undefined && statedType !== compositionType) {
        throw new Refused(REASON_CODES.invalidPayload, `payload.composition_type must be the composition's type (${compositionType})`, { identity, decision });
      }
      const participants = schemaId === SCHEMA_IDS.psiRoundCompleted ? await this.participantsOf(req) : undefined;

      const ts = await this.now();
      const draft = {
        schema_id: schemaId,
        composition_id: compositionId,
        ts_utc: ts,
        actor: identity.actor,
        ...(req.agent !== undefined ? { agent: req.agent } : {}),
        auth: identity.auth,
        payload: completePayload(schemaId, req.payload ?? {}, { ts, actorId: identity.actor.id, compositionType, ...(participants ? { participants } : {}) }),
        abac_decision: decision,
      } as EventDraft;
      const event = await this.record(draft, transition.value);
      const { snapshot, head } = state;
      return { ok: true, composition_id: compositionId, event_id: event.event_id, schema_id: schemaId, state: snapshot.state, sequence: head.sequence, this_hash: event.this_hash, lease: snapshot.lease };
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      state.compositionType = typeBefore; // a refused opening fixes nothing
      const extra = { identity, decision, ...err.extra };
      const ts = await this.now();
      const denied = await this.record(
        refusalDraft({ compositionId, ts, attemptedSchemaId: attempted, code: err.code, message: err.message, state: state.snapshot.state, agent: req.agent, ...extra }),
        undefined,
      ).catch((unrecordable: unknown) => {
        if (!(unrecordable instanceof Refused)) throw unrecordable;
        return this.record(refusalDraft({ compositionId, ts, attemptedSchemaId: attempted, code: err.code, message: 'the refusal could not be recorded in full', state: state.snapshot.state }), undefined);
      });
      return { ok: false, composition_id: compositionId, code: err.code, message: err.message, state: state.snapshot.state, audit_event_id: denied.event_id };
    }
  }

  /** The delayed expiry arrived: if nothing changed the lease since it was asked for, record the expiry. */
  async expireLease(version: number): Promise<boolean> {
    const { lease } = this.state.snapshot;
    if (!lease || version !== this.state.leaseVersion) return false;
    const transition = checkTransition(this.state.snapshot, SCHEMA_IDS.leaseExpired, LEDGER_ACTOR);
    if (!transition.ok) return false;
    const ts = await this.now();
    await this.record(
      { schema_id: SCHEMA_IDS.leaseExpired as SchemaId, composition_id: this.ctx.key, ts_utc: ts, actor: LEDGER_ACTOR, auth: null, payload: expiryPayload(lease, ts), abac_decision: null } as EventDraft,
      transition.value,
    );
    return true;
  }
}
