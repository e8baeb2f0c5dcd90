/**
 * What the page gives the verifier and what it gets back. Nothing here throws on a bundle's content: every
 * problem in a file is a `Break` with a stable `code`; only a malformed `PageTrust` (the page's own
 * configuration) is a TypeError.
 */
import type { SignatureCheck } from '../../../../audit/bundle/signature.js';

/** An export bundle's files as text (format: audit/bundle/format.ts). Only events.jsonl is required. */
export interface BundleFiles {
  'events.jsonl': string;
  'signatures.jsonl'?: string;
  'checkpoint.txt'?: string;
  'proofs.jsonl'?: string;
  'manifest.json'?: string;
  'bundle.jws'?: string;
  /** optional: without it the manifest's digest of history.json is reported unchecked */
  'history.json'?: string;
}

/** A public JWK as the page receives it (only kty, crv and x are read; other members are ignored). */
export interface PublicJwk {
  readonly kty?: unknown;
  readonly crv?: unknown;
  readonly x?: unknown;
}

/**
 * What the page pins: the fields of the edge verifier's trust file (audit/bundle/trust-file.ts), camelCase
 * as its TrustFile reads them. `trustFromTrustFile` takes the file's JSON (`bundle_key`, `emitter_keys`,
 * `log_keys`, `witness_keys`) as it is.
 */
export interface PageTrust {
  /** the bundle signer's Ed25519 public JWK (bundle.jws) */
  bundleKey?: PublicJwk;
  /** pinned emitter keys: each one's kid is its RFC 7638 thumbprint, computed, never taken from a file */
  emitterKeys?: readonly PublicJwk[];
  /** the log's C2SP note verifier keys (`name+hex+base64`, type 0x01); several across a rotation */
  logKeys?: readonly string[];
  /** the witnesses' cosignature/v1 verifier keys (type 0x04): each must have cosigned the checkpoint */
  witnessKeys?: readonly string[];
}

/** Stable codes of a break. `kind` on a Break carries the Node verifier's finer name for the same finding. */
export const BREAK_CODES = [
  /** a line that is blank, not JSON, or longer than MAX_LINE_BYTES */
  'malformed_line',
  /** a line that is not exactly its event's RFC 8785 canonical JSON (or a file without its final newline) */
  'not_canonical',
  /** not an event of the catalog (unknown schema_id, or a field its contract refuses) */
  'invalid_event',
  /** this_hash is not the SHA-256 of the event's canonical form */
  'hash_mismatch',
  /** prev_hash, causal_predecessor or the sequence do not continue the composition's chain (a gap, a reordering, a cut tail) */
  'chain_broken',
  /** with emitter keys pinned: no signature, a signature by an unpinned key, or one that does not verify */
  'signature_missing',
  'signature_unknown_key',
  'signature_invalid',
  /** with a verified checkpoint: no inclusion proof for the event, or one that does not reach the checkpoint's root */
  'inclusion_missing',
  'inclusion_invalid',
  /** checkpoint.txt is not a checkpoint signed by a pinned log key */
  'checkpoint_invalid',
  /** a pinned witness did not cosign the checkpoint */
  'checkpoint_not_witnessed',
  /** manifest.json is not canonical JSON of the manifest's shape */
  'manifest_invalid',
  /** a file, a count or a head is not what manifest.json says */
  'manifest_mismatch',
  /** bundle.jws is absent though a bundle key is pinned, or does not hold for manifest.json */
  'bundle_signature_missing',
  'bundle_signature_invalid',
] as const;
export type BreakCode = (typeof BREAK_CODES)[number];

export interface Break {
  /** 0-based line of events.jsonl; -1 for a finding about a whole file (checkpoint, manifest, signature) */
  index: number;
  /** the event the manifest puts at that line (else the line's own): the event that is no longer intact */
  event_id?: string;
  composition_id?: string;
  code: BreakCode;
  /** the Node verifier's name for it (audit/verify.ts BreakKind, workers/edge/report.ts MismatchKind) */
  kind: string;
  message: string;
  /** for a file-level break: the file */
  file?: string;
}

export type SignatureStatus = 'ok' | 'bad' | 'unsigned' | 'unknown_key';
/** `unchecked`: a proof is there but no checkpoint verified against pinned log keys to check it against */
export type InclusionStatus = 'ok' | 'bad' | 'not_yet_covered' | 'absent' | 'unchecked';

export interface EventVerdict {
  index: number;
  event_id: string | null;
  composition_id: string | null;
  schema_id: string | null;
  /** the line is a catalog event whose this_hash is the SHA-256 of its canonical form (a non-canonical line is its own code) */
  hashOk: boolean;
  /** the event continues its composition's chain (sequence, prev_hash, causal_predecessor) */
  linkOk: boolean;
  signature: SignatureStatus;
  inclusion: InclusionStatus;
  /** the codes of what is wrong with this event, in the order found */
  codes: BreakCode[];
  /** the same, in words: `<code>: <message>` */
  problems: string[];
}

export interface CheckpointSummary {
  origin: string;
  size: number;
  /** base64, as in the note */
  rootHash: string;
  /** pinned witnesses whose cosignature verified */
  witnessed: string[];
  /** pinned witnesses whose cosignature is missing */
  missingWitnesses: string[];
  /** pinned log keys (by name) whose signature verified; empty when none was pinned */
  logSigners: string[];
  /** signed by a pinned log key: only then are inclusion proofs checked against it */
  verified: boolean;
}

export interface BundleSummary {
  manifest: { format: string; counts: { compositions: number; events: number; runs: number }; selection: Record<string, unknown> } | null;
  /** bundle.jws as audit/bundle/signature.ts reports it: `ok` when it holds for manifest.json (against the pinned key when one is pinned) */
  signature: Pick<SignatureCheck, 'present' | 'ok' | 'pinned' | 'alg' | 'kid' | 'thumbprint'>;
  /** each file the manifest hashes: whether its sha256 and size match; `checked: false` when the page was not given it */
  files: Record<string, { checked: boolean; ok: boolean }>;
}

export interface Verdict {
  /** `broken`: something does not hold; `incomplete`: nothing broke, but not everything could be checked against pinned keys */
  status: 'verified' | 'broken' | 'incomplete';
  events: EventVerdict[];
  firstBreak?: Break;
  /** every break, events' first in line order, then the checkpoint's, the signature's and the manifest's (capped) */
  breaks: Break[];
  breaksTotal: number;
  /** why the status is not `verified` when nothing broke: what could not be checked */
  unchecked: string[];
  checkpoint?: CheckpointSummary;
  bundle?: BundleSummary;
}
