/**
 * The export bundle, as files in one directory:
 *
 * - `events.jsonl` — one audit event per line, each line exactly its RFC 8785 canonical JSON, `\n` after
 *   every line, ordered by composition_id (string order), then sequence;
 * - `history.json` — canonical JSON `{ compositions: [{ composition_id, workflow_id, runs }], format }`: every
 *   run's Temporal history (oldest first) in the SDK's proto3 JSON form, payloads decoded (no key is needed
 *   offline) and bearer tokens redacted;
 * - `manifest.json` — canonical JSON with no timestamps: what was selected, counts, each composition's head,
 *   and the sha256 and size of the two files above (two exports of the same data are byte-identical);
 * - `bundle.jws` — only when signed: a detached compact JWS (EdDSA over Ed25519) over manifest.json's exact
 *   bytes, `kid` the key's RFC 7638 thumbprint, the public key in the protected header (`jwk`).
 *
 * This module holds the names and shapes only: readers of a bundle (the edge worker) import it without
 * loading Temporal's or Kafka's libraries.
 */

export const EVENTS_FILE = 'events.jsonl';
export const HISTORY_FILE = 'history.json';
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'bundle.jws';
/** The files the manifest hashes. */
export const HASHED_FILES = [EVENTS_FILE, HISTORY_FILE] as const;
export type HashedFile = (typeof HASHED_FILES)[number];

export const EXPORT_FORMAT = 'coordination-ledger.export.v1';
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
  format: typeof EXPORT_FORMAT;
  /** the filters the exporter was given */
  selection: Record<string, unknown>;
  counts: { compositions: number; events: number; runs: number };
  /** ordered by composition_id, as in events.jsonl and history.json */
  compositions: ManifestComposition[];
  files: Record<HashedFile, FileDigest>;
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
