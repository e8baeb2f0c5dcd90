/**
 * A slice (audit/slice/format.ts) assembled from what packaging gathered: a contiguous run of one
 * composition's events as their stored canonical lines (the log's leaf bytes), each with its emitter
 * signature and its inclusion proof at the witnessed checkpoint, the consistency proof from the checkpoint
 * of the partner's previous slice, each schema used with its fingerprint, and the PDP's decision. Pure:
 * everything comes in, and the result is checked against the slice schema before it goes anywhere.
 */
import { MAX_SLICE_EVENTS, SLICE_FORMAT, sliceSchema, type Slice } from '../../audit/slice/format.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { CoveredEvent } from './store.js';

export interface SliceParts {
  sender: string;
  partner: string;
  sliceSeq: number;
  compositionId: string;
  /** the run, in sequence order, with the events parsed from the same lines */
  run: readonly { row: CoveredEvent; event: AuditEvent }[];
  /** the witnessed checkpoint, as a signed note with its cosignatures */
  checkpointNote: string;
  /** each event's inclusion proof at the checkpoint's size, by event id */
  proofs: ReadonlyMap<string, { leaf_index: number; proof: string[] }>;
  consistency: { from_size: number; proof: string[] } | null;
  /** the JSON Schema fingerprint of a schema id (audit/slice/schema-fingerprint.ts) */
  fingerprint: (schemaId: string) => string;
  udsEvalId: string;
}

export class SliceAssemblyError extends Error {
  readonly code = 'ERR_SLICE_ASSEMBLY';
  override name = 'SliceAssemblyError';
}

/** The distinct schema ids of a run, sorted. */
export const schemaIdsOf = (events: readonly AuditEvent[]): string[] => [...new Set(events.map((e) => e.schema_id))].sort();

export function assembleSlice(parts: SliceParts): Slice {
  const { run } = parts;
  if (run.length === 0 || run.length > MAX_SLICE_EVENTS) throw new SliceAssemblyError(`a slice holds 1 to ${MAX_SLICE_EVENTS} events, not ${run.length}`);
  run.forEach(({ row }, i) => {
    if (row.sequence !== run[0]!.row.sequence + i) throw new SliceAssemblyError(`${parts.compositionId}: the run is not contiguous at sequence ${row.sequence}`);
  });
  const signatures = run.map(({ row }) => {
    if (!row.emitter_kid || !row.emitter_sig) throw new SliceAssemblyError(`${row.event_id} was admitted without an emitter signature: a partner could not check it`);
    return { event_id: row.event_id, kid: row.emitter_kid, sig: row.emitter_sig };
  });
  const proofs = run.map(({ row }) => {
    const proof = parts.proofs.get(row.event_id);
    if (!proof) throw new SliceAssemblyError(`${row.event_id} has no inclusion proof at the checkpoint`);
    return { event_id: row.event_id, leaf_index: proof.leaf_index, proof: proof.proof };
  });
  const slice: Slice = {
    format: SLICE_FORMAT,
    sender: parts.sender,
    partner: parts.partner,
    slice_seq: parts.sliceSeq,
    composition_id: parts.compositionId,
    from_sequence: run[0]!.row.sequence,
    events: run.map(({ row }) => row.body),
    signatures,
    checkpoint: parts.checkpointNote,
    proofs,
    consistency: parts.consistency,
    schemas: schemaIdsOf(run.map(({ event }) => event)).map((schema_id) => ({ schema_id, fingerprint: parts.fingerprint(schema_id) })),
    decision: { action: 'federate', outcome: 'ALLOW', uds_eval_id: parts.udsEvalId },
  };
  const checked = sliceSchema.safeParse(slice);
  if (!checked.success) throw new SliceAssemblyError(`the slice does not fit its format: ${checked.error.issues[0]!.path.join('.')}: ${checked.error.issues[0]!.message}`);
  return slice;
}
