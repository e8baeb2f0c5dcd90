/**
 * One composition = one workflow (workflowId = composition_id). Every action goes through the same
 * pipeline: verify the token → required scopes → UDS ABAC decision → lifecycle check → build the audit
 * event deterministically (workflow clock, sequence, canonical hash) → publish it and wait for the
 * broker's ack → change state. A refusal changes nothing and is itself recorded (access_denied).
 * Leases are timers (workflows/lease-timer.ts; the rules in schemas/lease.ts); the chain continues unbroken
 * across continue-as-new.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { VerifiedIdentity } from '../activities/jwt/identity.js';
import type { UnverifiedHints } from '../activities/jwt/refusal.js';
import { appendToChain, EMPTY_CHAIN, type EventDraft } from '../audit/chain.js';
import { validateEvent, type AuditEvent } from '../schemas/catalog.js';
import { compositionType as compositionTypeSchema } from '../schemas/primitives.js';
import type { AbacDecision } from '../schemas/envelope.js';
import { expiryPayload } from '../schemas/lease.js';
import { INITIAL_SNAPSHOT, START, applyTransition, checkEvidenceReference, checkScopes, checkTransition, isTerminal, type Transition } from '../schemas/lifecycle.js';
import { REASON_CODES, type ReasonCode } from '../schemas/reason-codes.js';
import { SCHEMA_IDS, type SchemaId } from '../schemas/schema-ids.js';
import { COMPOSITION_STATE, COMPOSITION_TYPE, LEASE_HOLDER } from '../schemas/search-attributes.js';
import { abacPrincipal } from './abac-principal.js';
import { ACTION_SCHEMAS, completePayload, ledgerFieldSupplied, schemaForAction } from './actions.js';
import { LeaseTimer } from './lease-timer.js';
import { participantsProblem } from './participants.js';
import { actionUpdates, attestSignal, lastHashQuery, leaseQuery, sequenceQuery, signalOutcomeQuery, stateQuery } from './definitions.js';
import { LEDGER_ACTOR } from './ledger-actor.js';
import { Mutex } from './mutex.js';
import { checkCorrectionTarget, RecordedEvents } from './correction-target.js';
import { refusalDraft } from './refusal.js';
import { Adopted, adoptable, atPublishedTime } from './adoption.js';
import { effect, refusalOf } from './effects.js';
import { auditSink } from './sinks.js';
import { ACTION_NAMES, type ActionName, type ActionOutcome, type ActionRequest, type CompositionInput, type CompositionView } from './types.js';

/**
 * The trust-model rules of 2026-12 (leases bound to their holder's issuer, holder-only work, evidence
 * references checked, PSI participants checked, composition_type checked) apply to every action taken after
 * the upgrade; actions already in a history replay under the rules they were taken with.
 */
export const TRUST_MODEL_PATCH = 'trust-model-2026-12';

const DEFAULT_HISTORY_LIMIT = 10_000;
const OPENING_TIMEOUT = '1 hour';
const KEPT_SIGNAL_OUTCOMES = 100;

/** A refusal on its way to being recorded. */
class Refused extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly extra: { identity?: VerifiedIdentity; decision?: AbacDecision; unverified?: UnverifiedHints } = {},
  ) {
    super(message);
  }
}

/**
 * Workflow input is trusted only as far as Temporal vouches for it: state carried over is accepted only on a
 * run continued from another run of this very workflow, and the composition id is the workflow id. Anything
 * else (a client starting a workflow with a forged `carried` head or state) fails the run, closed.
 */
function checkInput(input: CompositionInput): void {
  const info = workflowInfo();
  if (input.compositionId !== info.workflowId) {
    throw ApplicationFailure.nonRetryable(`compositionId ${JSON.stringify(input.compositionId)} is not the workflow id ${info.workflowId}`, 'ERR_INVALID_INPUT');
  }
  if (input.carried !== undefined && !info.continuedFromExecutionRunId) {
    throw ApplicationFailure.nonRetryable('carried state is accepted only on a run continued from this workflow (continue-as-new)', 'ERR_INVALID_INPUT');
  }
}

export async function compositionWorkflow(input: CompositionInput): Promise<CompositionView> {
  checkInput(input);
  const { compositionId } = input;
  // Fixed by the first accepted opening (see ActionRequest.compositionType); the start's type until then.
  let compositionType = input.compositionType;
  let snapshot = input.carried?.snapshot ?? INITIAL_SNAPSHOT;
  let head = input.carried?.head ?? EMPTY_CHAIN;
  const runs = (input.carried?.runs ?? 0) + 1;
  const signalOutcomes = new Map(input.carried?.signalOutcomes ?? []);
  // what corrections may name: kept from this run on (a run carried before corrections starts it empty)
  const correctable = new RecordedEvents(input.carried?.recorded);
  const leaseTimer = new LeaseTimer();
  let openingRefused = false;
  const lock = new Mutex();

  const view = (): CompositionView => ({
    composition_id: compositionId,
    composition_type: compositionType,
    state: snapshot.state,
    terminal: isTerminal(snapshot.state),
    lease: snapshot.lease,
    sequence: head.sequence,
    last_event_id: head.eventId,
    last_hash: head.thisHash,
    runs,
  });
  const now = () => new Date().toISOString(); // the workflow clock: deterministic on replay
  // Whether this instance of the workflow (in this worker's memory) has published outside replay: its later
  // tasks then continue from ones the server accepted, and need no look for a lost one (activities/index.ts,
  // PublishOptions). Only a local activity's input depends on it: no command does.
  let publishedLive = false;

  /**
   * Chains, validates, publishes (waiting for the broker's ack), and only then moves the state. When a lost
   * attempt of this workflow task had already published the event (workflows/adoption.ts), that event is
   * the record: it is adopted, and if it records another outcome than this attempt reached, `Adopted` says so.
   */
  async function record(draftAt: (ts: string) => EventDraft, ts: string, transition: Transition | undefined): Promise<AuditEvent> {
    const { event: built, head: builtHead } = appendToChain(head, draftAt(ts));
    const valid = validateEvent(built);
    if (!valid.ok) throw new Refused(REASON_CODES.invalidPayload, `${valid.path}: ${valid.message}`);
    const ack = await effect('publishAuditEvent', built, { probeLostAttempt: !publishedLive });
    if (!workflowInfo().unsafe.isReplaying) publishedLive = true;
    const event = adoptable(ack, built) ?? atPublishedTime(ack, built, (at) => appendToChain(head, draftAt(at)).event) ?? built;
    auditSink.built(event);
    head = { ...builtHead, thisHash: event.this_hash };
    correctable.note(head.sequence, event.schema_id, event.this_hash);
    if (event.schema_id !== built.schema_id) {
      const recorded = event.schema_id === SCHEMA_IDS.accessDenied ? undefined : checkTransition(snapshot, event.schema_id, event.actor, { issuer: event.auth?.issuer });
      if (recorded?.ok) applyRecorded(event, recorded.value);
      throw new Adopted(event);
    }
    if (transition) applyRecorded(event, transition);
    return event;
  }

  function applyRecorded(event: AuditEvent, transition: Transition): void {
    const before = snapshot.lease;
    snapshot = applyTransition(snapshot, transition, event.payload, event.auth?.issuer);
    if (snapshot.lease !== before) leaseTimer.changed();
    upsertSearchAttributes([
      { key: COMPOSITION_STATE, value: snapshot.state },
      { key: COMPOSITION_TYPE, value: compositionType },
      { key: LEASE_HOLDER, value: snapshot.lease?.holder ?? null },
    ]);
  }

  async function verified(token: string): Promise<VerifiedIdentity> {
    try {
      return await effect('verifyToken', token);
    } catch (err) {
      const cause = refusalOf(err);
      if (cause?.type?.startsWith('ERR_')) {
        throw new Refused(cause.type as ReasonCode, cause.message, { unverified: (cause.details?.[0] ?? {}) as UnverifiedHints });
      }
      throw err;
    }
  }

  async function participantsOf(req: ActionRequest, checked: boolean) {
    const a = req.participantTokens?.node_a;
    const b = req.participantTokens?.node_b;
    if (!a || !b) throw new Refused(REASON_CODES.invalidPayload, 'participant_tokens.node_a and participant_tokens.node_b are required for a PSI round');
    const [na, nb] = [await verified(a), await verified(b)];
    const problem = checked ? participantsProblem(req.payload ?? {}, na, nb) : undefined;
    if (problem) throw new Refused(problem.code, problem.message);
    return { node_a: { issuer: na.auth.issuer, jti: na.auth.jwt_jti }, node_b: { issuer: nb.auth.issuer, jti: nb.auth.jwt_jti } };
  }

  /** The outcome an adopted event records (see `record`). */
  function outcomeOf(event: AuditEvent): ActionOutcome {
    if (event.schema_id !== SCHEMA_IDS.accessDenied) {
      return { ok: true, composition_id: compositionId, event_id: event.event_id, schema_id: event.schema_id, state: snapshot.state, sequence: head.sequence, this_hash: event.this_hash, lease: snapshot.lease };
    }
    const refusal = event.payload as { reason_code: ReasonCode; reason: string };
    return { ok: false, composition_id: compositionId, code: refusal.reason_code, message: refusal.reason, state: snapshot.state, audit_event_id: event.event_id };
  }

  /** The pipeline. Returns the outcome; a refusal is recorded before it is returned. */
  async function perform(action: ActionName, req: ActionRequest): Promise<ActionOutcome> {
    try {
      return await attempt(action, req);
    } catch (err) {
      if (err instanceof Adopted) return outcomeOf(err.event);
      throw err;
    }
  }

  async function attempt(action: ActionName, req: ActionRequest): Promise<ActionOutcome> {
    const current = patched(TRUST_MODEL_PATCH);
    const schemaId = schemaForAction(action, req.schemaId);
    const attempted = schemaId ?? ACTION_SCHEMAS[action][0]!;
    const typeBefore = compositionType;
    let identity: VerifiedIdentity | undefined;
    let decision: AbacDecision | undefined;
    try {
      if (current && action === 'request' && snapshot.state === START && req.compositionType !== undefined) {
        const asked = compositionTypeSchema.safeParse(req.compositionType);
        if (!asked.success) throw new Refused(REASON_CODES.invalidPayload, `compositionType: ${asked.error.issues[0]?.message}`);
        compositionType = asked.data;
      }
      if (!schemaId) throw new Refused(REASON_CODES.invalidPayload, `${action} emits one of ${ACTION_SCHEMAS[action].join(', ')}; schema_id is ${JSON.stringify(req.schemaId ?? null)}`);
      identity = await verified(req.token);
      const scopes = checkScopes(schemaId, identity.auth.scopes);
      if (!scopes.ok) throw new Refused(scopes.code, scopes.message, { identity });
      decision = await effect('authorize', {
        action: schemaId,
        principal: abacPrincipal(identity),
        resource: { kind: 'composition', id: compositionId, attributes: { composition_type: compositionType, state: snapshot.state, lease_holder: snapshot.lease?.holder ?? '' } },
        environment: { time: now() },
      });
      if (decision.outcome !== 'ALLOW') throw new Refused(REASON_CODES.abacDeny, `UDS denied ${schemaId} (evaluation ${decision.uds_eval_id})`, { identity, decision });
      const transition = checkTransition(snapshot, schemaId, identity.actor, { issuer: identity.auth.issuer, legacyLeaseRules: !current });
      if (!transition.ok) throw new Refused(transition.code, transition.message, { identity, decision });
      const supplied = ledgerFieldSupplied(schemaId, req.payload ?? {});
      if (supplied) throw new Refused(REASON_CODES.invalidPayload, `payload.${supplied} is set by the ledger`, { identity, decision });
      if (current) {
        const evidence = checkEvidenceReference(snapshot, schemaId, req.payload ?? {});
        if (!evidence.ok) throw new Refused(evidence.code, evidence.message, { identity, decision });
        const statedType = (req.payload ?? {}).composition_type;
        if (schemaId === SCHEMA_IDS.requested && statedType !== undefined && statedType !== compositionType) {
          throw new Refused(REASON_CODES.invalidPayload, `payload.composition_type must be the composition's type (${compositionType})`, { identity, decision });
        }
      }
      if (schemaId === SCHEMA_IDS.correction) {
        const target = checkCorrectionTarget({ compositionId, lastSequence: head.sequence, recorded: correctable }, req.payload ?? {});
        if (!target.ok) throw new Refused(target.code, target.message, { identity, decision });
      }
      const participants = schemaId === SCHEMA_IDS.psiRoundCompleted ? await participantsOf(req, current) : undefined;

      const accepted = identity;
      const draftAt = (ts: string) =>
        ({
          schema_id: schemaId,
          composition_id: compositionId,
          ts_utc: ts,
          actor: accepted.actor,
          ...(req.agent !== undefined ? { agent: req.agent } : {}),
          auth: accepted.auth,
          payload: completePayload(schemaId, req.payload ?? {}, { ts, actorId: accepted.actor.id, compositionType, ...(participants ? { participants } : {}) }),
          abac_decision: decision,
        }) as EventDraft;
      const event = await record(draftAt, now(), transition.value);
      return { ok: true, composition_id: compositionId, event_id: event.event_id, schema_id: schemaId, state: snapshot.state, sequence: head.sequence, this_hash: event.this_hash, lease: snapshot.lease };
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      compositionType = typeBefore; // a refused opening fixes nothing
      const extra = { identity, decision, ...err.extra };
      // A refusal keeps the state: recorded, with no transition applied. One that cannot be recorded in full
      // (its details fail the contract) is recorded in a minimal form: no input may wedge the composition.
      const ts = now();
      const state = snapshot.state;
      const denied = await record((at) => refusalDraft({ compositionId, ts: at, attemptedSchemaId: attempted, code: err.code, message: err.message, state, agent: req.agent, ...extra }), ts, undefined).catch(
        (unrecordable: unknown) => {
          if (!(unrecordable instanceof Refused)) throw unrecordable;
          return record((at) => refusalDraft({ compositionId, ts: at, attemptedSchemaId: attempted, code: err.code, message: 'the refusal could not be recorded in full', state }), ts, undefined);
        },
      );
      if (action === 'request' && snapshot.state === START) openingRefused = true;
      return { ok: false, composition_id: compositionId, code: err.code, message: err.message, state: snapshot.state, audit_event_id: denied.event_id };
    }
  }

  /** The lease timer fired: if nothing renewed or released it meanwhile, record the expiry. */
  async function expireLease(version: number): Promise<void> {
    const lease = snapshot.lease;
    if (!lease || !leaseTimer.isCurrent(version)) return;
    const transition = checkTransition(snapshot, SCHEMA_IDS.leaseExpired, LEDGER_ACTOR);
    if (!transition.ok) return;
    try {
      await record(
        (ts) =>
          ({
            schema_id: SCHEMA_IDS.leaseExpired as SchemaId,
            composition_id: compositionId,
            ts_utc: ts,
            actor: LEDGER_ACTOR,
            auth: null,
            payload: expiryPayload(lease, ts),
            abac_decision: null,
          }) as EventDraft,
        now(),
        transition.value,
      );
    } catch (err) {
      if (!(err instanceof Adopted)) throw err; // the record holds the lost attempt's event: nothing to answer
    }
  }

  for (const name of ACTION_NAMES) setHandler(actionUpdates[name], (req) => lock.run(() => perform(name, req)));
  setHandler(attestSignal, async ({ requestId, ...req }) => {
    const outcome = await lock.run(() => perform('attest', req));
    signalOutcomes.set(requestId, outcome);
    if (signalOutcomes.size > KEPT_SIGNAL_OUTCOMES) signalOutcomes.delete(signalOutcomes.keys().next().value!);
  });
  setHandler(stateQuery, view);
  setHandler(leaseQuery, () => snapshot.lease);
  setHandler(sequenceQuery, () => head.sequence);
  setHandler(lastHashQuery, () => head.thisHash);
  setHandler(signalOutcomeQuery, (requestId) => signalOutcomes.get(requestId) ?? null);

  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > (input.historyLimit ?? DEFAULT_HISTORY_LIMIT);

  if (snapshot.state === START) {
    // The opening `request` update arrives with the start (update-with-start).
    // A refused opening is recorded and the composition waits for an authorised opener (until the opening
    // timeout): a caller without the right cannot burn an id. Before the trust-model rules it ended the run.
    const refusedOpeningEnds = !patched(TRUST_MODEL_PATCH);
    await condition(() => snapshot.state !== START || (refusedOpeningEnds && openingRefused), OPENING_TIMEOUT);
  }
  while (snapshot.state !== START && !isTerminal(snapshot.state)) {
    if (historyFull() && lock.idle && allHandlersFinished()) {
      await continueAsNew<typeof compositionWorkflow>({
        ...input,
        compositionType,
        carried: { snapshot, head, runs, signalOutcomes: [...signalOutcomes], recorded: correctable.entries() },
      });
    }
    const wait = leaseTimer.next(snapshot.lease, () => isTerminal(snapshot.state) || (historyFull() && lock.idle && allHandlersFinished()));
    if (wait.timeoutMs !== undefined) {
      const changed = wait.timeoutMs > 0 && (await condition(wait.woken, wait.timeoutMs));
      if (!changed) await lock.run(() => expireLease(wait.version));
    } else {
      await condition(wait.woken);
    }
  }
  await condition(allHandlersFinished);
  return view();
}
