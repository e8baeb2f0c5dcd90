/**
 * What `coord edge replay` reports: `ok`, how much it checked, and every mismatch found (the first ones,
 * capped), each naming the composition, the event (when one is concerned) and a stable `kind`.
 */
import type { SignatureCheck, SignatureProblemKind } from '../../audit/bundle/signature.js';
import type { BreakKind } from '../../audit/verify.js';

export type MismatchKind =
  // the manifest and the files it hashes
  | 'manifest_invalid'
  | 'file_missing'
  | 'file_hash_mismatch'
  | 'count_mismatch'
  | 'head_mismatch'
  | 'composition_missing'
  | 'composition_not_in_manifest'
  // the signature
  | SignatureProblemKind
  | 'signature_not_pinned'
  // events.jsonl: form and order, then the chain (audit/verify.ts kinds)
  | 'not_canonical'
  | 'line_too_long'
  | 'out_of_order'
  | BreakKind
  // the transparency log: the checkpoint (signed by a pinned log key, cosigned by the pinned witnesses) and each event's inclusion proof
  | 'checkpoint_missing'
  | 'checkpoint_invalid'
  | 'checkpoint_not_witnessed'
  | 'log_proof_missing'
  | 'log_proof_invalid'
  // the lifecycle and its invariants
  | 'lifecycle_invalid'
  | 'not_terminal'
  | 'closing_actor_not_human'
  | 'abac_decision_missing'
  // replay of history.json through the workflow code
  | 'history_invalid'
  | 'history_missing'
  | 'nondeterminism'
  | 'replay_failed'
  | 'event_mismatch'
  | 'missing_event'
  | 'extra_event';

export interface Mismatch {
  composition_id: string | null;
  event_id: string | null;
  kind: MismatchKind;
  detail: string;
  /** 0-based line of events.jsonl, when the mismatch is in a line */
  line?: number;
  /** for event_mismatch: the top-level fields that differ */
  fields?: string[];
}

export interface EdgeReport {
  ok: boolean;
  mode: 'events-only' | 'full';
  compositions: number;
  events: number;
  /** runs replayed through the workflow code (full mode) */
  runs_replayed?: number;
  /** final lifecycle state → compositions */
  states: Record<string, number>;
  signature: SignatureCheck;
  /** the transparency-log checkpoint every event was proven in (when log keys were pinned) */
  checkpoint?: { size: number; root: string };
  mismatches: Mismatch[];
  /** mismatches found, when more than the report lists */
  mismatches_total: number;
}

/** Collects mismatches, keeping the first `limit` (a badly damaged export would otherwise flood the report). */
export class MismatchLog {
  readonly listed: Mismatch[] = [];
  total = 0;

  constructor(private readonly limit = 100) {}

  add(m: Mismatch): void {
    this.total += 1;
    if (this.listed.length < this.limit) this.listed.push(m);
  }

  get empty(): boolean {
    return this.total === 0;
  }
}
