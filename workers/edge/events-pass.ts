/**
 * The events pass of the edge worker: events.jsonl read once, line by line, in bounded memory. Each line
 * must be exactly the canonical JSON of its event; each composition's lines (contiguous, in composition_id
 * order) go through a chain verifier of their own and then the lifecycle invariants; what was read is held
 * against the manifest (counts, heads). Only one composition's state is held at a time.
 *
 * A problem in a line names the event the manifest puts at that line — whatever the damage (an edited id,
 * a line that no longer parses), the report names the event that is no longer intact.
 */
import { canonicalJson } from '../../audit/canonical.js';
import type { FileDigest, Manifest, ManifestComposition } from '../../audit/bundle/format.js';
import type { EmitterKeyring } from '../../audit/emitter-signature.js';
import { leafHash, verifyInclusion } from '../../audit/tlog/merkle.js';
import { eventIdFor } from '../../audit/event-id.js';
import { ChainVerifier } from '../../audit/verify.js';
import { CompositionChecks } from './composition-checks.js';
import { HashedLines, MAX_LINE_BYTES, isLineTooLong } from './lines.js';
import type { MismatchLog } from './report.js';

export interface EventsPassResult {
  digest: FileDigest;
  events: number;
  compositions: number;
  states: Record<string, number>;
  /** signatures.jsonl's and proofs.jsonl's digests, when they were read in step with the events */
  signaturesDigest?: FileDigest;
  proofsDigest?: FileDigest;
}

interface Group {
  compositionId: string;
  verifier: ChainVerifier;
  checks: CompositionChecks;
  lines: number;
  /** how to name the line where the chain first broke */
  breakAt?: { index: number; eventId: string | null; found: string | null };
}

/** The event the manifest expects at each line, in order. */
function* expectedEvents(manifest: Manifest | null): Generator<{ compositionId: string; eventId: string }> {
  for (const c of manifest?.compositions ?? []) {
    for (let seq = 1; seq <= c.events; seq++) yield { compositionId: c.composition_id, eventId: eventIdFor(c.composition_id, seq) };
  }
}

const stringField = (value: unknown, field: string): string | null => {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' ? v : null;
};

/** A file written line for line beside events.jsonl (signatures.jsonl, proofs.jsonl), read in step with it. */
class BesideLines {
  readonly lines: HashedLines;
  private readonly iterator: AsyncIterator<string>;

  constructor(file: string) {
    this.lines = new HashedLines(file);
    this.iterator = this.lines[Symbol.asyncIterator]();
  }

  /** The next line as an object if it is about `eventId`; null otherwise (missing, malformed, another event's). */
  async next(eventId: string | null): Promise<Record<string, unknown> | null> {
    const { done, value } = await this.iterator.next();
    if (done) return null;
    try {
      const line = JSON.parse(value) as Record<string, unknown> | null;
      return line && typeof line === 'object' && line.event_id === eventId ? line : null;
    } catch {
      return null;
    }
  }

  /** Reads what is left, so the file's digest covers all of it. */
  async finish(): Promise<FileDigest> {
    while (!(await this.iterator.next()).done);
    return this.lines.digest;
  }
}

/** The checkpoint the proofs are checked against (already verified by the caller). */
export interface ProvenCheckpoint {
  size: number;
  root: Uint8Array;
}

export interface EventsPassOptions {
  /** pinned emitter keys: every event must carry, in `signaturesFile`, a signature of one of them */
  emitters?: EmitterKeyring;
  signaturesFile?: string;
  /** a verified checkpoint: every event must have, in `proofsFile`, an inclusion proof of its line at its size */
  checkpoint?: ProvenCheckpoint;
  proofsFile?: string;
}

/** What is wrong with an event's inclusion proof (a proofs.jsonl line), or null when it proves the line is in the checkpoint's tree. */
function proofProblem(text: string, line: Record<string, unknown> | null, checkpoint: ProvenCheckpoint): { kind: 'log_proof_missing' | 'log_proof_invalid'; detail: string } | null {
  const index = line?.leaf_index;
  const proof = line?.proof;
  if (!line || index === null || proof === null || index === undefined || proof === undefined) {
    return { kind: 'log_proof_missing', detail: `no inclusion proof at the checkpoint's size ${checkpoint.size}` };
  }
  const hashes = Array.isArray(proof) && proof.length <= 64 ? proof.map((p) => (typeof p === 'string' ? Buffer.from(p, 'base64') : null)) : null;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || !hashes || hashes.some((h) => h === null || h.length !== 32)) {
    return { kind: 'log_proof_invalid', detail: 'the proof line is malformed (leaf_index, or a hash that is not 32 bytes of base64)' };
  }
  if (index >= checkpoint.size || !verifyInclusion(leafHash(Buffer.from(text, 'utf8')), index, checkpoint.size, hashes as Buffer[], checkpoint.root)) {
    return { kind: 'log_proof_invalid', detail: `the line is not leaf ${index} of the checkpoint's tree of ${checkpoint.size}` };
  }
  return null;
}

export async function checkEventsFile(file: string, manifest: Manifest | null, log: MismatchLog, opts: EventsPassOptions = {}): Promise<EventsPassResult> {
  const signatureLines = opts.emitters && opts.signaturesFile ? new BesideLines(opts.signaturesFile) : undefined;
  const proofLines = opts.checkpoint && opts.proofsFile ? new BesideLines(opts.proofsFile) : undefined;
  const emitters = opts.emitters ? { emitters: opts.emitters } : {};
  const inManifest = new Map<string, ManifestComposition>((manifest?.compositions ?? []).map((c) => [c.composition_id, c]));
  const seen = new Set<string>();
  const states: Record<string, number> = {};
  const expected = expectedEvents(manifest);
  const lines = new HashedLines(file);
  let group: Group | undefined;
  let index = -1;
  let events = 0;

  const finishGroup = (g: Group) => {
    const m = inManifest.get(g.compositionId);
    const chain = g.verifier.finish({ heads: m?.head ? { [g.compositionId]: m.head.this_hash } : {} });
    const at = { composition_id: g.compositionId };
    if (chain.first_break) {
      const b = chain.first_break;
      const named = g.breakAt?.index === b.index ? g.breakAt : undefined;
      const found = named?.found && named.found !== named.eventId ? ` (the line holds ${named.found})` : '';
      log.add({ ...at, event_id: named?.eventId ?? b.event_id, kind: b.kind, detail: `${b.detail}${found}`, line: b.index });
    }
    if (!m) {
      log.add({ ...at, event_id: null, kind: 'composition_not_in_manifest', detail: `${g.compositionId} has ${g.lines} event(s) in events.jsonl but is not in the manifest` });
    } else {
      if (m.events !== g.lines) log.add({ ...at, event_id: null, kind: 'count_mismatch', detail: `events.jsonl holds ${g.lines} event(s) of ${g.compositionId}, the manifest says ${m.events}` });
      const head = chain.heads[g.compositionId];
      if (chain.ok && m.head && (head?.sequence !== m.head.sequence || head.this_hash !== m.head.this_hash)) {
        log.add({ ...at, event_id: head?.event_id ?? null, kind: 'head_mismatch', detail: `the chain ends at ${head?.sequence}:${head?.this_hash}, the manifest says ${m.head.sequence}:${m.head.this_hash}` });
      }
    }
    // The invariants speak of a composition whose chain holds; a broken one is already reported.
    if (chain.ok) {
      const { state, problems } = g.checks.finish();
      states[state] = (states[state] ?? 0) + 1;
      problems.forEach((p) => log.add(p));
    }
    seen.add(g.compositionId);
  };

  for await (const text of lines) {
    index += 1;
    if (text === '') {
      log.add({ composition_id: group?.compositionId ?? null, event_id: null, kind: 'not_canonical', detail: 'a blank line', line: index });
      continue;
    }
    if (isLineTooLong(text)) {
      // counted, hashed (the manifest check still runs), never parsed: the event at this line is not intact
      events += 1;
      const position = expected.next().value ?? undefined;
      if (signatureLines) await signatureLines.next(null);
      if (proofLines) await proofLines.next(null);
      log.add({ composition_id: position?.compositionId ?? group?.compositionId ?? null, event_id: position?.eventId ?? null, kind: 'line_too_long', detail: `${text.slice(1)} (the limit is ${MAX_LINE_BYTES})`, line: index });
      continue;
    }
    events += 1;
    const position = expected.next().value ?? undefined;
    let value: unknown;
    let parseError: string | undefined;
    try {
      value = JSON.parse(text);
    } catch (err) {
      parseError = (err as Error).message;
    }
    const found = stringField(value, 'event_id');
    const eventId = position?.eventId ?? found;
    const compositionId = stringField(value, 'composition_id') ?? position?.compositionId ?? group?.compositionId ?? '(unknown)';
    if (parseError === undefined && canonicalJson(value) !== text) {
      log.add({ composition_id: compositionId, event_id: eventId, kind: 'not_canonical', detail: 'the line is not the RFC 8785 canonical JSON of its event', line: index });
    }

    if (!group || group.compositionId !== compositionId) {
      if (group) finishGroup(group);
      if (seen.has(compositionId)) {
        log.add({ composition_id: compositionId, event_id: eventId, kind: 'out_of_order', detail: `${compositionId} appears again at line ${index}: a composition's events must be contiguous`, line: index });
      } else if (group && compositionId < group.compositionId) {
        log.add({ composition_id: compositionId, event_id: eventId, kind: 'out_of_order', detail: `${compositionId} comes after ${group.compositionId}: compositions must be in composition_id order`, line: index });
      }
      group = { compositionId, verifier: new ChainVerifier(emitters), checks: new CompositionChecks(compositionId), lines: 0 };
    }
    group.lines += 1;
    const signed = signatureLines ? await signatureLines.next(found) : null;
    const signature = signed ? { ...(typeof signed.kid === 'string' ? { kid: signed.kid } : {}), ...(typeof signed.sig === 'string' ? { sig: signed.sig } : {}) } : null;
    const verdict = group.verifier.push(parseError === undefined ? { index, value, signature } : { index, parseError });
    if (opts.checkpoint) {
      const problem = proofProblem(text, proofLines ? await proofLines.next(found) : null, opts.checkpoint);
      if (problem) log.add({ composition_id: compositionId, event_id: eventId, ...problem, line: index });
    }
    if ('accepted' in verdict) group.checks.push(verdict.accepted);
    else if ('broken' in verdict) group.breakAt = { index, eventId, found };
  }
  if (group) finishGroup(group);
  if (!lines.endsWithNewline) log.add({ composition_id: group?.compositionId ?? null, event_id: null, kind: 'not_canonical', detail: 'the last line does not end with "\\n"', line: index });

  if (manifest) {
    for (const c of manifest.compositions) {
      if (!seen.has(c.composition_id) && c.events > 0) {
        log.add({ composition_id: c.composition_id, event_id: eventIdFor(c.composition_id, 1), kind: 'composition_missing', detail: `the manifest lists ${c.events} event(s) of ${c.composition_id}; events.jsonl has none` });
      }
    }
    if (manifest.counts.events !== events) log.add({ composition_id: null, event_id: null, kind: 'count_mismatch', detail: `events.jsonl holds ${events} event(s), the manifest counts ${manifest.counts.events}` });
    if (manifest.counts.compositions !== manifest.compositions.length) {
      log.add({ composition_id: null, event_id: null, kind: 'count_mismatch', detail: `the manifest counts ${manifest.counts.compositions} composition(s) but lists ${manifest.compositions.length}` });
    }
  }
  return {
    digest: lines.digest,
    events,
    compositions: seen.size,
    states,
    ...(signatureLines ? { signaturesDigest: await signatureLines.finish() } : {}),
    ...(proofLines ? { proofsDigest: await proofLines.finish() } : {}),
  };
}
