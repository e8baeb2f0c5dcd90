/**
 * The export bundle, as files in one directory:
 *
 * - `events.jsonl` — one audit event per line, each line exactly its RFC 8785 canonical JSON, `\n` after
 *   every line, ordered by composition_id (string order), then sequence;
 * - `history.json` — canonical JSON `{ compositions: [{ composition_id, workflow_id, runs }], format }`: every
 *   run's Temporal history (oldest first) in the SDK's proto3 JSON form, payloads decoded (no key is needed
 *   offline) and bearer tokens redacted;
 * - `signatures.jsonl` — line for line beside events.jsonl, the emitter's signature of that event as the
 *   ledger admitted it: canonical JSON `{ event_id, kid, sig }` (`kid` and `sig` null for an event admitted
 *   before emitter signatures existed); kept out of the hashed event (audit/emitter-signature.ts);
 * - `checkpoint.txt` — when the ledger had one: the transparency log's checkpoint (C2SP signed note, log
 *   signature and the witnesses' cosignatures) that the proofs below are against;
 * - `proofs.jsonl` — with it, line for line beside events.jsonl: canonical JSON `{ event_id, leaf_index,
 *   proof }`, the RFC 9162 inclusion proof (base64 hashes) of that event's line at the checkpoint's size
 *   (`leaf_index` and `proof` null for an event the checkpoint does not cover yet);
 * - `manifest.json` — canonical JSON with no timestamps: what was selected, counts, each composition's head,
 *   and the sha256 and size of the files above (two exports of the same data are byte-identical);
 * - `bundle.jws` — only when signed: a detached compact JWS (EdDSA over Ed25519) over manifest.json's exact
 *   bytes, `kid` the key's RFC 7638 thumbprint, the public key in the protected header (`jwk`).
 *
 * This module holds the names and shapes only: readers of a bundle (the edge worker) import it without
 * loading Temporal's or Kafka's libraries.
 */

export const EVENTS_FILE = 'events.jsonl';
export const HISTORY_FILE = 'history.json';
export const MANIFEST_FILE = 'manifest.json';
export const EMITTER_SIGNATURES_FILE = 'signatures.jsonl';
export const LOG_CHECKPOINT_FILE = 'checkpoint.txt';
export const LOG_PROOFS_FILE = 'proofs.jsonl';
export const SIGNATURE_FILE = 'bundle.jws';
/** The files the manifest hashes (signatures.jsonl since format v2; checkpoint.txt and proofs.jsonl when the ledger had a checkpoint). */
export const HASHED_FILES = [EVENTS_FILE, HISTORY_FILE, EMITTER_SIGNATURES_FILE, LOG_CHECKPOINT_FILE, LOG_PROOFS_FILE] as const;
export type HashedFile = (typeof HASHED_FILES)[number];

/** v2 adds signatures.jsonl; v1 bundles (without it) are still read. */
export const EXPORT_FORMAT = 'coordination-ledger.export.v2';
export const EXPORT_FORMAT_V1 = 'coordination-ledger.export.v1';

/** One line of proofs.jsonl. */
export interface InclusionProofLine {
  event_id: string;
  leaf_index: number | null;
  proof: string[] | null;
}

/** One line of signatures.jsonl. */
export interface EmitterSignatureLine {
  event_id: string;
  kid: string | null;
  sig: string | null;
}
export const HISTORY_FORMAT = 'coordination-ledger.history.v1';

export interface FileDigest {
  /** `sha256:<hex>` of the file's bytes */
  sha256: string;
  bytes: number;
}

export interface ManifestComposition {
  composition_id: string;
  events: number;
  /** where the composition's chain ends; null for a composition exported without events */
  head: { sequence: number; this_hash: string } | null;
}

export interface Manifest {
  format: typeof EXPORT_FORMAT | typeof EXPORT_FORMAT_V1;
  /** the filters the exporter was given */
  selection: Record<string, unknown>;
  counts: { compositions: number; events: number; runs: number };
  /** ordered by composition_id, as in events.jsonl and history.json */
  compositions: ManifestComposition[];
  files: Record<typeof EVENTS_FILE | typeof HISTORY_FILE, FileDigest> & Partial<Record<typeof EMITTER_SIGNATURES_FILE | typeof LOG_CHECKPOINT_FILE | typeof LOG_PROOFS_FILE, FileDigest>>;
}

/** One composition of history.json: `runs` are proto3 JSON histories (HistoryJson), oldest run first. */
export interface HistoryComposition {
  composition_id: string;
  workflow_id: string;
  runs: HistoryJson[];
}

/** A Temporal history in the SDK's JSON form (`{ events: [{ eventId: "1", eventType: "EVENT_TYPE_…", … }] }`). */
export interface HistoryJson {
  events: Record<string, unknown>[];
}
