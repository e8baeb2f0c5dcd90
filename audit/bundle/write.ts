/**
 * Writes an export bundle (format: ./format.ts). Compositions are written one at a time — each one's events
 * and decoded histories are held only while it is written — and files are hashed as they are written; the
 * manifest comes last, then its signature. The same compositions, selection and key give the same bytes.
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { PayloadCodec } from '@temporalio/common';
import type { AuditEvent } from '../../schemas/catalog.js';
import { canonicalJson } from '../canonical.js';
import { sequenceOf } from '../event-id.js';
import { DigestCounter } from './digest.js';
import type { EmitterSignature } from '../emitter-signature.js';
import {
  EMITTER_SIGNATURES_FILE,
  LOG_CHECKPOINT_FILE,
  LOG_PROOFS_FILE,
  type EmitterSignatureLine,
  type InclusionProofLine,
  EVENTS_FILE,
  EXPORT_FORMAT,
  HISTORY_FILE,
  HISTORY_FORMAT,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  type FileDigest,
  type HistoryJson,
  type Manifest,
  type ManifestComposition,
} from './format.js';
import { exportableHistory, type History } from './history-json.js';
import { manifestBytes } from './manifest.js';
import { signManifest } from './signature.js';
import type { HmacKey, SigningKey } from './signing-key.js';

export interface BundleComposition {
  composition_id: string;
  workflow_id: string;
  /** the composition's events (any order; identical duplicates from at-least-once delivery are dropped) */
  events: readonly AuditEvent[];
  /**
   * every run's history, oldest first: as `fetchAllRunHistories` returns them (payloads still encrypted:
   * give `codec`), or already in JSON form. Payloads are decoded and bearer tokens redacted on the way out.
   */
  runs: readonly (History | HistoryJson)[];
  /** the emitter signature of each event, by event_id, as the ledger admitted it (absent: none known) */
  signatures?: ReadonlyMap<string, EmitterSignature>;
  /** with WriteBundleOptions.checkpoint: each event's inclusion proof at the checkpoint's size, by event_id */
  proofs?: ReadonlyMap<string, { leaf_index: number; proof: string[] }>;
}

export interface WriteBundleOptions {
  /** the filters the caller exported with; recorded as given */
  selection: Record<string, unknown>;
  /** signs manifest.json into bundle.jws; without it no bundle.jws is written */
  signingKey?: SigningKey | HmacKey;
  /** decodes the histories' payloads (our EncryptionCodec); not needed for histories whose payloads are plain */
  codec?: PayloadCodec;
  /** the transparency log's checkpoint note the compositions' proofs are against: writes checkpoint.txt and proofs.jsonl */
  checkpoint?: string;
}

class HashedFile {
  private readonly stream: WriteStream;
  private readonly counter = new DigestCounter();

  constructor(path: string) {
    this.stream = createWriteStream(path);
  }

  async write(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    this.counter.update(bytes);
    if (!this.stream.write(bytes)) await once(this.stream, 'drain');
  }

  async close(): Promise<FileDigest> {
    this.stream.end();
    await finished(this.stream);
    return this.counter.digest();
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/** Events in sequence order, identical duplicates dropped. */
function orderedEvents(c: BundleComposition): AuditEvent[] {
  const keyed = c.events.map((event) => {
    const sequence = sequenceOf(event.event_id, c.composition_id);
    if (sequence === undefined) throw new TypeError(`${event.event_id} is not an event id of composition ${c.composition_id}`);
    return { sequence, event, line: canonicalJson(event) };
  });
  keyed.sort((a, b) => a.sequence - b.sequence);
  return keyed.filter((k, i) => i === 0 || k.line !== keyed[i - 1]!.line).map((k) => k.event);
}

/** Arrays are sorted here; a stream of compositions must come in composition_id order already. */
async function* inOrder(compositions: Iterable<BundleComposition> | AsyncIterable<BundleComposition>): AsyncGenerator<BundleComposition> {
  const source = Array.isArray(compositions)
    ? [...(compositions as BundleComposition[])].sort((a, b) => (a.composition_id < b.composition_id ? -1 : a.composition_id > b.composition_id ? 1 : 0))
    : compositions;
  let previous: string | undefined;
  for await (const c of source) {
    if (previous !== undefined && !(c.composition_id > previous)) {
      throw new TypeError(`compositions must come in increasing composition_id order without repeats: ${c.composition_id} after ${previous}`);
    }
    previous = c.composition_id;
    yield c;
  }
}

export async function writeBundle(
  dir: string,
  compositions: Iterable<BundleComposition> | AsyncIterable<BundleComposition>,
  opts: WriteBundleOptions,
): Promise<Manifest> {
  mkdirSync(dir, { recursive: true });
  // A bundle whose export failed half-way must not pass for the previous one.
  for (const stale of [MANIFEST_FILE, SIGNATURE_FILE]) rmSync(join(dir, stale), { force: true });

  const events = new HashedFile(join(dir, EVENTS_FILE));
  const history = new HashedFile(join(dir, HISTORY_FILE));
  const signatures = new HashedFile(join(dir, EMITTER_SIGNATURES_FILE));
  for (const stale of [LOG_CHECKPOINT_FILE, LOG_PROOFS_FILE]) rmSync(join(dir, stale), { force: true });
  const proofs = opts.checkpoint !== undefined ? new HashedFile(join(dir, LOG_PROOFS_FILE)) : undefined;
  const entries: ManifestComposition[] = [];
  const counts = { compositions: 0, events: 0, runs: 0 };
  try {
    // history.json is canonical JSON written piecewise: "compositions" sorts before "format".
    await history.write('{"compositions":[');
    for await (const c of inOrder(compositions)) {
      const ordered = orderedEvents(c);
      for (const event of ordered) {
        await events.write(`${canonicalJson(event)}\n`);
        const signature = c.signatures?.get(event.event_id);
        const line: EmitterSignatureLine = { event_id: event.event_id, kid: signature?.kid ?? null, sig: signature?.sig ?? null };
        await signatures.write(`${canonicalJson(line)}\n`);
        if (proofs) {
          const p = c.proofs?.get(event.event_id);
          const proofLine: InclusionProofLine = { event_id: event.event_id, leaf_index: p?.leaf_index ?? null, proof: p?.proof ?? null };
          await proofs.write(`${canonicalJson(proofLine)}\n`);
        }
      }
      const runs: HistoryJson[] = [];
      for (const run of c.runs) runs.push(await exportableHistory(run, opts.codec));
      await history.write(`${counts.compositions ? ',' : ''}${canonicalJson({ composition_id: c.composition_id, workflow_id: c.workflow_id, runs })}`);

      const last = ordered.at(-1);
      entries.push({
        composition_id: c.composition_id,
        events: ordered.length,
        head: last ? { sequence: sequenceOf(last.event_id, c.composition_id)!, this_hash: last.this_hash } : null,
      });
      counts.compositions += 1;
      counts.events += ordered.length;
      counts.runs += runs.length;
    }
    await history.write(`],"format":${JSON.stringify(HISTORY_FORMAT)}}`);
  } catch (err) {
    events.destroy();
    history.destroy();
    signatures.destroy();
    proofs?.destroy();
    throw err;
  }
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    selection: opts.selection,
    counts,
    compositions: entries,
    files: { [EVENTS_FILE]: await events.close(), [HISTORY_FILE]: await history.close(), [EMITTER_SIGNATURES_FILE]: await signatures.close() },
  };
  if (proofs && opts.checkpoint !== undefined) {
    const checkpoint = new HashedFile(join(dir, LOG_CHECKPOINT_FILE));
    await checkpoint.write(opts.checkpoint);
    manifest.files[LOG_CHECKPOINT_FILE] = await checkpoint.close();
    manifest.files[LOG_PROOFS_FILE] = await proofs.close();
  }
  const bytes = manifestBytes(manifest);
  writeFileSync(join(dir, MANIFEST_FILE), bytes);
  if (opts.signingKey) writeFileSync(join(dir, SIGNATURE_FILE), await signManifest(bytes, opts.signingKey));
  return manifest;
}
