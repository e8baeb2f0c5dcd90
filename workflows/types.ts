/** What goes in and out of the composition workflow: shared by the workflow, the client SDK and the gateway. */
import type { ChainHead } from '../audit/chain.js';
import type { Lease } from '../schemas/lease.js';
import type { LifecycleSnapshot, LifecycleState } from '../schemas/lifecycle.js';
import type { ReasonCode } from '../schemas/reason-codes.js';
import type { RecordedEntry } from './correction-target.js';

export const ACTION_NAMES = ['request', 'claim', 'renew', 'release', 'report', 'evidence', 'attest', 'reject', 'cancel', 'correct'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** One attempted action. The token travels only inside encrypted payloads (the data converter's codec). */
export interface ActionRequest {
  /** the caller's bearer token, verified by the workflow (never by trusting the body) */
  token: string;
  /** `report` only: which progress event (e.g. coordination.psi_round_completed.v1) */
  schemaId?: string;
  /** the caller's part of the payload; fields the ledger sets (times, lease holder, issuers) are refused */
  payload: Record<string, unknown>;
  /** agent provenance, required when the token's actor is an agent */
  agent?: unknown;
  /** PSI rounds: each federated participant's token; its issuer and jti go into the payload */
  participantTokens?: { node_a?: string; node_b?: string };
  /**
   * `request` only: the type the opener asks for. Until a composition is opened, the first accepted opening
   * fixes its type, so a refused caller who started the workflow with another type cannot squat the id.
   */
  compositionType?: string;
}

export interface ActionAccepted {
  ok: true;
  composition_id: string;
  event_id: string;
  schema_id: string;
  state: LifecycleState;
  sequence: number;
  this_hash: string;
  lease: Lease | null;
}

export interface ActionRefused {
  ok: false;
  composition_id: string;
  code: ReasonCode;
  message: string;
  /** the state the composition stayed in */
  state: LifecycleState;
  /** the coordination.access_denied.v1 event that records the refusal */
  audit_event_id: string;
}

export type ActionOutcome = ActionAccepted | ActionRefused;

/** What queries return: the lifecycle state, the lease, and where the audit chain stands. */
export interface CompositionView {
  composition_id: string;
  composition_type: string;
  state: LifecycleState;
  terminal: boolean;
  lease: Lease | null;
  sequence: number;
  last_event_id: string | null;
  last_hash: string | null;
  /** runs so far (continue-as-new keeps the chain across runs) */
  runs: number;
}

/** State carried across continue-as-new: the chain continues unbroken in the next run. */
export interface CarriedState {
  snapshot: LifecycleSnapshot;
  head: ChainHead;
  runs: number;
  signalOutcomes: [string, ActionOutcome][];
  /** the latest events' schema ids and hashes, for corrections to name (absent in runs carried before corrections) */
  recorded?: RecordedEntry[];
}

export interface CompositionInput {
  compositionId: string;
  compositionType: string;
  /** continue-as-new once the history holds this many events (the server may suggest it earlier) */
  historyLimit?: number;
  carried?: CarriedState;
}
