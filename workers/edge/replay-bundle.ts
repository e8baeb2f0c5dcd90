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
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { digestFile } from '../../audit/bundle/digest.js';
import { EVENTS_FILE, HISTORY_FILE, type FileDigest, type Manifest } from '../../audit/bundle/format.js';
import type { SignatureCheck } from '../../audit/bundle/signature.js';
import { fileProblem, readSignedManifest } from '../../audit/bundle/verify.js';
import { checkEventsFile, type EventsPassResult } from './events-pass.js';
import { MismatchLog, type EdgeReport } from './report.js';

export interface EdgeReplayOptions {
  /** skip the replay of history.json (no Temporal code is loaded) */
  eventsOnly?: boolean;
  /** the signer's public key, pinned: without it, a signature is checked against the key the bundle carries */
  publicKey?: JWK;
}

function checkFile(log: MismatchLog, manifest: Manifest | null, name: typeof EVENTS_FILE | typeof HISTORY_FILE, actual: FileDigest | null): void {
  if (!manifest) {
    if (!actual) log.add({ composition_id: null, event_id: null, kind: 'file_missing', detail: `${name} is missing` });
    return;
  }
  const problem = fileProblem(name, actual, manifest.files[name]);
  if (problem) log.add({ composition_id: null, event_id: null, kind: problem.kind, detail: problem.detail });
}

/** The manifest (null when unusable) and the signature over its bytes; the bytes themselves are not kept. */
async function manifestAndSignature(dir: string, log: MismatchLog, publicKey: JWK | undefined): Promise<{ manifest: Manifest | null; signature: SignatureCheck }> {
  const { read, signature } = await readSignedManifest(dir, publicKey);
  if (!read.ok) log.add({ composition_id: null, event_id: null, kind: 'manifest_invalid', detail: read.reason });
  if (!signature.ok && signature.kind) log.add({ composition_id: null, event_id: null, kind: signature.kind, detail: signature.reason! });
  return { manifest: read.ok ? read.manifest : null, signature };
}

export async function edgeReplay(dir: string, opts: EdgeReplayOptions = {}): Promise<EdgeReport> {
  const log = new MismatchLog();
  const { manifest, signature } = await manifestAndSignature(dir, log, opts.publicKey);

  const eventsFile = join(dir, EVENTS_FILE);
  const historyFile = join(dir, HISTORY_FILE);
  let events: EventsPassResult | undefined;
  if (existsSync(eventsFile)) events = await checkEventsFile(eventsFile, manifest, log);
  checkFile(log, manifest, EVENTS_FILE, events?.digest ?? null);
  checkFile(log, manifest, HISTORY_FILE, existsSync(historyFile) ? await digestFile(historyFile) : null);

  let runsReplayed: number | undefined;
  if (!opts.eventsOnly && events && existsSync(historyFile)) {
    // Loads the Temporal worker (a native module): only in this mode.
    const { replayHistories } = await import('./history-pass.js');
    runsReplayed = (await replayHistories(dir, manifest, log)).runs_replayed;
  }
  return {
    ok: log.empty,
    mode: opts.eventsOnly ? 'events-only' : 'full',
    compositions: events?.compositions ?? 0,
    events: events?.events ?? 0,
    ...(runsReplayed !== undefined ? { runs_replayed: runsReplayed } : {}),
    states: events?.states ?? {},
    signature,
    mismatches: log.listed,
    mismatches_total: log.total,
  };
}
