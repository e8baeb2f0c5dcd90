/** What the log tables hold, as the stores read and write them. */
import type { NodeReader } from '../../audit/tlog/merkle.js';

export interface CheckpointRow {
  tree_size: number;
  /** the root hash, hex */
  root: string;
  /** the checkpoint as a signed note (log signature only; cosignatures are kept apart) */
  note: string;
  created_ms: number;
}

export interface CosignatureRow {
  tree_size: number;
  /** the witness's key name */
  witness: string;
  /** its signature line, as it goes under the checkpoint note */
  line: string;
  received_ms: number;
}

export interface WitnessRefusalRow {
  witness: string;
  reason: string;
  old_size: number;
  new_size: number;
  detail: string;
  /** the refusal as the witness signed it (JSON) */
  body: string;
  received_ms: number;
}

/** The log's side of a ledger store. */
export interface LogStore extends NodeReader {
  /** leaves in the tree */
  size(): Promise<number>;
  /** the leaf index of an admitted event */
  leafIndex(eventId: string): Promise<number | undefined>;
  /** the checkpoint of `size`, or the latest when omitted */
  checkpoint(size?: number): Promise<CheckpointRow | undefined>;
  /** the newest checkpoint smaller than `size` */
  checkpointBefore(size: number): Promise<CheckpointRow | undefined>;
  /** idempotent: a checkpoint of the same size is kept as it was */
  addCheckpoint(row: CheckpointRow): Promise<void>;
  cosignatures(size: number): Promise<CosignatureRow[]>;
  /** idempotent per (size, witness) */
  addCosignature(row: CosignatureRow): Promise<void>;
  /** the newest cosignature received from `witness` */
  lastCosignature(witness: string): Promise<CosignatureRow | undefined>;
  addRefusal(row: WitnessRefusalRow): Promise<void>;
  /** refusals received at or after `sinceMs`, oldest first */
  refusals(sinceMs?: number): Promise<WitnessRefusalRow[]>;
}
