/**
 * The edge lite worker (ARCHITECTURE §7): checks an export bundle on a small node with no network and no
 * Temporal server. In order: the manifest and its signature; events.jsonl, streamed — canonical lines, the
 * chain per composition, the lifecycle and its invariants, counts and heads against the manifest — and the
 * files' hashes; then, unless `eventsOnly`, every composition's runs replayed from history.json through the
 * workflow code and the audit stream it builds compared with events.jsonl, event by event.
 *
 * `eventsOnly` loads no native module (no Temporal worker, no SQLite, no Kafka client) and holds one
 * composition at a time: history.json is only hashed, streamed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { digestFile } from '../../audit/bundle/digest.js';
import { EMITTER_SIGNATURES_FILE, EVENTS_FILE, HISTORY_FILE, LOG_CHECKPOINT_FILE, LOG_PROOFS_FILE, type FileDigest, type HashedFile, type Manifest } from '../../audit/bundle/format.js';
import type { HmacKey } from '../../audit/bundle/signing-key.js';
import { MAX_NOTE_BYTES } from '../../audit/tlog/note.js';
import { openPinnedCheckpoint } from '../../audit/tlog/pinned-checkpoint.js';
import type { EmitterKeyring } from '../../audit/emitter-signature.js';
import type { SignatureCheck } from '../../audit/bundle/signature.js';
import { fileProblem, readSignedManifest } from '../../audit/bundle/verify.js';
import { checkEventsFile, type EventsPassResult, type ProvenCheckpoint } from './events-pass.js';
import { MismatchLog, type EdgeReport, type MismatchKind } from './report.js';

export interface EdgeReplayOptions {
  /** skip the replay of history.json (no Temporal code is loaded) */
  eventsOnly?: boolean;
  /** the signer's public key, pinned: without it, a signature is checked against the key the bundle carries */
  publicKey?: JWK | HmacKey;
  /** pinned emitter keys: every event must carry (signatures.jsonl) a signature of one of them */
  emitters?: EmitterKeyring;
  /** pinned log keys (C2SP vkeys; several across a rotation): checkpoint.txt must be signed by one, and every event proven in it */
  logKeys?: readonly string[];
  /** pinned witness keys (cosignature vkeys): each must have cosigned that checkpoint */
  witnessKeys?: readonly string[];
  /** accept a bundle whose signature is absent or not checked against a pinned key */
  allowUnsigned?: boolean;
  /** runs once, just before the history pass loads the Temporal runtime (the CLI quiets its logs there) */
  beforeHistoryPass?: () => Promise<void>;
}

/** checkpoint.txt opened with the pinned keys: the checkpoint to prove events against, or why not. */
function verifiedCheckpoint(dir: string, manifest: Manifest | null, opts: EdgeReplayOptions, log: MismatchLog): ProvenCheckpoint | undefined {
  const file = join(dir, LOG_CHECKPOINT_FILE);
  const add = (kind: MismatchKind, detail: string) => log.add({ composition_id: null, event_id: null, kind, detail });
  if (!existsSync(file) || (manifest && !manifest.files[LOG_CHECKPOINT_FILE])) {
    add('checkpoint_missing', 'the bundle carries no transparency-log checkpoint (checkpoint.txt), but log keys were given');
    return undefined;
  }
  let note: Buffer;
  try {
    if (statSync(file).size > MAX_NOTE_BYTES) throw new Error(`larger than ${MAX_NOTE_BYTES} bytes`);
    note = readFileSync(file);
  } catch (err) {
    add('checkpoint_invalid', `checkpoint.txt: ${(err as Error).message}`);
    return undefined;
  }
  const opened = openPinnedCheckpoint(note, opts.logKeys!, opts.witnessKeys ?? []);
  if (!opened.ok && opened.reason === 'unsigned') {
    add('checkpoint_invalid', 'checkpoint.txt is not signed by a pinned log key');
    return undefined;
  }
  if (opened.missingWitnesses.length) add('checkpoint_not_witnessed', `no cosignature of ${opened.missingWitnesses.join(', ')} on the checkpoint`);
  if (!opened.ok) {
    add('checkpoint_invalid', `checkpoint.txt: ${opened.detail}`);
    return undefined;
  }
  return { size: opened.size, root: opened.root };
}

function checkFile(log: MismatchLog, manifest: Manifest | null, name: HashedFile, actual: FileDigest | null): void {
  if (!manifest) {
    if (!actual && name !== EMITTER_SIGNATURES_FILE) log.add({ composition_id: null, event_id: null, kind: 'file_missing', detail: `${name} is missing` });
    return;
  }
  const expected = manifest.files[name];
  if (!expected) return; // signatures.jsonl in a v1 bundle
  const problem = fileProblem(name, actual, expected);
  if (problem) log.add({ composition_id: null, event_id: null, kind: problem.kind, detail: problem.detail });
}

/** The manifest (null when unusable) and the signature over its bytes; the bytes themselves are not kept. */
async function manifestAndSignature(dir: string, log: MismatchLog, publicKey: JWK | HmacKey | undefined): Promise<{ manifest: Manifest | null; signature: SignatureCheck }> {
  const { read, signature } = await readSignedManifest(dir, publicKey);
  if (!read.ok) log.add({ composition_id: null, event_id: null, kind: 'manifest_invalid', detail: read.reason });
  if (!signature.ok && signature.kind) log.add({ composition_id: null, event_id: null, kind: signature.kind, detail: signature.reason! });
  return { manifest: read.ok ? read.manifest : null, signature };
}

export async function edgeReplay(dir: string, opts: EdgeReplayOptions = {}): Promise<EdgeReport> {
  const log = new MismatchLog();
  const { manifest, signature } = await manifestAndSignature(dir, log, opts.publicKey);
  // Nothing in a bundle is worth reading before its manifest and its signature hold: stop at the first failure.
  if (!opts.allowUnsigned) {
    if (signature.ok && !signature.present) log.add({ composition_id: null, event_id: null, kind: 'signature_missing', detail: 'the bundle is not signed (no bundle.jws); pass --allow-unsigned to check it anyway' });
    else if (signature.ok && !signature.pinned) log.add({ composition_id: null, event_id: null, kind: 'signature_not_pinned', detail: 'the signature holds only for the key the bundle carries: pin the signer with --key (or --allow-unsigned)' });
  }
  if (!log.empty) return report(log, opts, { signature });

  const eventsFile = join(dir, EVENTS_FILE);
  const historyFile = join(dir, HISTORY_FILE);
  const signaturesFile = join(dir, EMITTER_SIGNATURES_FILE);
  const withSignatures = opts.emitters && existsSync(signaturesFile) ? { emitters: opts.emitters, signaturesFile } : opts.emitters ? { emitters: opts.emitters } : {};
  const checkpoint = opts.logKeys?.length ? verifiedCheckpoint(dir, manifest, opts, log) : undefined;
  const withProofs = checkpoint ? { checkpoint, proofsFile: join(dir, LOG_PROOFS_FILE) } : {};
  let events: EventsPassResult | undefined;
  if (existsSync(eventsFile)) events = await checkEventsFile(eventsFile, manifest, log, { ...withSignatures, ...withProofs });
  checkFile(log, manifest, EVENTS_FILE, events?.digest ?? null);
  checkFile(log, manifest, LOG_PROOFS_FILE, events?.proofsDigest ?? (existsSync(join(dir, LOG_PROOFS_FILE)) ? await digestFile(join(dir, LOG_PROOFS_FILE)) : null));
  checkFile(log, manifest, LOG_CHECKPOINT_FILE, existsSync(join(dir, LOG_CHECKPOINT_FILE)) ? await digestFile(join(dir, LOG_CHECKPOINT_FILE)) : null);
  checkFile(log, manifest, EMITTER_SIGNATURES_FILE, events?.signaturesDigest ?? (existsSync(signaturesFile) ? await digestFile(signaturesFile) : null));
  checkFile(log, manifest, HISTORY_FILE, existsSync(historyFile) ? await digestFile(historyFile) : null);

  let runsReplayed: number | undefined;
  if (!opts.eventsOnly && events && existsSync(historyFile)) {
    // Loads the Temporal worker (a native module): only in this mode, and only once the bundle is worth replaying.
    await opts.beforeHistoryPass?.();
    const { replayHistories } = await import('./history-pass.js');
    runsReplayed = (await replayHistories(dir, manifest, log)).runs_replayed;
  }
  return report(log, opts, { signature, events, runsReplayed, checkpoint });
}

function report(log: MismatchLog, opts: EdgeReplayOptions, found: { signature: SignatureCheck; events?: EventsPassResult | undefined; runsReplayed?: number | undefined; checkpoint?: ProvenCheckpoint | undefined }): EdgeReport {
  return {
    ok: log.empty,
    mode: opts.eventsOnly ? 'events-only' : 'full',
    compositions: found.events?.compositions ?? 0,
    events: found.events?.events ?? 0,
    ...(found.runsReplayed !== undefined ? { runs_replayed: found.runsReplayed } : {}),
    states: found.events?.states ?? {},
    signature: found.signature,
    ...(found.checkpoint ? { checkpoint: { size: found.checkpoint.size, root: Buffer.from(found.checkpoint.root).toString('base64') } } : {}),
    mismatches: log.listed,
    mismatches_total: log.total,
  };
}
