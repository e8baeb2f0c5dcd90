/**
 * events.jsonl read line by line in the page, with signatures.jsonl and proofs.jsonl in step with it: the
 * twin of workers/edge/events-pass.ts (which streams files with node:fs). Each line gets an EventVerdict;
 * each problem a Break naming, as the edge worker does, the event the manifest puts at that line.
 * Composition runs are contiguous and in composition_id order; each is one CompositionChain.
 */
import { eventIdFor } from '../../../../audit/event-id.js';
import type { Manifest, ManifestComposition } from '../../../../audit/bundle/format.js';
import { CompositionChain } from './chain.js';
import type { WebEmitterKeyring } from './emitter-signatures.js';
import { checkEventLine, type Finding } from './event-line.js';
import { judgeProof, type ProvenCheckpoint } from './inclusion.js';
import { utf8Length } from './bytes.js';
import { MAX_LINE_BYTES } from './limits.js';
import type { Break, EventVerdict, InclusionStatus, SignatureStatus } from './types.js';

export interface EventsPassInput {
  events: string;
  signatures?: string | undefined;
  proofs?: string | undefined;
  manifest: Manifest | null;
  emitters?: WebEmitterKeyring | undefined;
  /** a checkpoint verified against pinned log keys: proofs are checked against it */
  checkpoint?: ProvenCheckpoint | undefined;
  /** whether the bundle carries a checkpoint at all (else inclusion is `absent`) */
  hasCheckpoint: boolean;
}

export interface EventsPassResult {
  events: EventVerdict[];
  /** breaks found in lines and chains, in line order */
  breaks: Break[];
  /** counts, heads and compositions against the manifest */
  manifestBreaks: Break[];
}

/** A text's lines without the one after its final newline; `closed` says whether there was one. */
export function splitLines(text: string): { lines: string[]; closed: boolean } {
  if (text === '') return { lines: [], closed: true };
  const lines = text.split('\n');
  const closed = lines.at(-1) === '';
  if (closed) lines.pop();
  return { lines, closed };
}

/** A file written line for line beside events.jsonl: the k-th line, if it is about `eventId`. */
class BesideLines {
  private at = 0;
  private readonly lines: string[];

  constructor(text: string | undefined) {
    this.lines = text === undefined ? [] : splitLines(text).lines;
  }

  next(eventId: string | null): Record<string, unknown> | null {
    const line = this.lines[this.at++];
    if (line === undefined || line.length > MAX_LINE_BYTES || utf8Length(line) > MAX_LINE_BYTES) return null;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
      const v = value as Record<string, unknown>;
      return Object.hasOwn(v, 'event_id') && v.event_id === eventId ? v : null;
    } catch {
      return null;
    }
  }
}

const str = (v: Record<string, unknown> | null, key: string): string | undefined => {
  const value = v && Object.hasOwn(v, key) ? v[key] : undefined;
  return typeof value === 'string' ? value : undefined;
};

const SIGNATURE_FINDINGS = {
  signature_missing: { code: 'signature_missing', kind: 'emitter_signature_missing', message: 'the event carries no emitter signature (kid and sig)', status: 'unsigned' },
  unknown_signer: { code: 'signature_unknown_key', kind: 'emitter_unknown_signer', message: 'signed by a key that is not a pinned emitter key', status: 'unknown_key' },
  signature_invalid: { code: 'signature_invalid', kind: 'emitter_signature_invalid', message: 'the emitter signature does not verify over this_hash', status: 'bad' },
} as const;

/** The event's signature status, and a finding when emitter keys are pinned and none vouches for it. */
async function judgeSignature(thisHash: string | null, line: Record<string, unknown> | null, emitters: WebEmitterKeyring | undefined): Promise<{ status: SignatureStatus; finding?: Finding }> {
  const signature = { kid: str(line, 'kid'), sig: str(line, 'sig') };
  if (!emitters) return { status: signature.kid && signature.sig ? 'unknown_key' : 'unsigned' };
  if (thisHash === null) return { status: signature.kid && signature.sig ? 'bad' : 'unsigned' };
  const failure = await emitters.check(thisHash, signature);
  if (!failure) return { status: 'ok' };
  const { status, ...finding } = SIGNATURE_FINDINGS[failure];
  return { status, finding };
}

/** The event the manifest expects at each line, in order (lazily: a hostile manifest may count billions). */
function* expectedEvents(manifest: Manifest | null): Generator<{ compositionId: string; eventId: string }> {
  for (const c of manifest?.compositions ?? []) {
    for (let seq = 1; seq <= c.events; seq++) yield { compositionId: c.composition_id, eventId: eventIdFor(c.composition_id, seq) };
  }
}

interface Group {
  chain: CompositionChain;
  lines: number;
}

export async function checkEvents(input: EventsPassInput): Promise<EventsPassResult> {
  const { lines, closed } = splitLines(input.events);
  const signatures = new BesideLines(input.signatures);
  const proofs = new BesideLines(input.proofs);
  const manifestMap = new Map<string, ManifestComposition>((input.manifest?.compositions ?? []).map((c) => [c.composition_id, c]));
  const expected = expectedEvents(input.manifest);
  const events: EventVerdict[] = [];
  const breaks: Break[] = [];
  const manifestBreaks: Break[] = [];
  const seen = new Set<string>();
  let group: Group | undefined;
  let counted = 0;

  const manifestBreak = (kind: string, message: string, at: { event_id?: string; composition_id?: string } = {}) =>
    manifestBreaks.push({ index: -1, ...at, code: 'manifest_mismatch', kind, message, file: 'manifest.json' });

  const finishGroup = (g: Group) => {
    const cid = g.chain.compositionId;
    seen.add(cid);
    if (!input.manifest) return;
    const m = manifestMap.get(cid);
    const truncated = m?.head ? g.chain.truncation(m.head.this_hash) : null;
    if (truncated) breaks.push({ index: truncated.index, event_id: truncated.event_id, composition_id: cid, ...truncated.finding });
    if (!m) return void manifestBreak('composition_not_in_manifest', `${cid} has ${g.lines} event(s) in events.jsonl but is not in the manifest`, { composition_id: cid });
    if (m.events !== g.lines) manifestBreak('count_mismatch', `events.jsonl holds ${g.lines} event(s) of ${cid}, the manifest says ${m.events}`, { composition_id: cid });
    const head = g.chain.head();
    if (!g.chain.broken && m.head && (head?.sequence !== m.head.sequence || head.this_hash !== m.head.this_hash)) {
      manifestBreak('head_mismatch', `the chain ends at ${head?.sequence}:${head?.this_hash}, the manifest says ${m.head.sequence}:${m.head.this_hash}`, { composition_id: cid, ...(head ? { event_id: head.event_id } : {}) });
    }
  };

  for (const [index, text] of lines.entries()) {
    const check = await checkEventLine(text);
    if (!check.counted) {
      breaks.push({ index, ...(group ? { composition_id: group.chain.compositionId } : {}), ...check.findings[0]! });
      continue;
    }
    const position = expected.next().value ?? undefined;
    counted += 1;
    const { found } = check;
    const signatureLine = signatures.next(found.event_id);
    const proofLine = proofs.next(found.event_id);
    const compositionId = found.composition_id ?? position?.compositionId ?? group?.chain.compositionId ?? '(unknown)';
    const findings: Finding[] = [...check.findings];

    if (!group || group.chain.compositionId !== compositionId) {
      if (group) finishGroup(group);
      if (seen.has(compositionId)) findings.push({ code: 'chain_broken', kind: 'out_of_order', message: `${compositionId} appears again at line ${index}: a composition's events must be contiguous` });
      else if (group && compositionId < group.chain.compositionId) findings.push({ code: 'chain_broken', kind: 'out_of_order', message: `${compositionId} comes after ${group.chain.compositionId}: compositions must be in composition_id order` });
      group = { chain: new CompositionChain(compositionId), lines: 0 };
    }
    group.lines += 1;

    const statedHash = check.event?.this_hash ?? (check.value && typeof check.value === 'object' ? str(check.value as Record<string, unknown>, 'this_hash') ?? null : null);
    const signature = await judgeSignature(statedHash, signatureLine, input.emitters);
    if (signature.finding && check.event) findings.push(signature.finding);

    // ChainVerifier's order: a line that is no event, or whose hash or signature fails, breaks before its links are judged.
    const holder: { rename?: (f: Finding) => void } = {};
    let linkOk = false;
    if (!check.event) group.chain.fail(index);
    else if (!check.hashOk || signature.finding) {
      const link = group.chain.fail(index, check.event);
      linkOk = link === null;
      if (link) findings.push(link);
    } else {
      const step = group.chain.push(index, check.event, (f) => holder.rename?.(f));
      linkOk = !('broken' in step);
      if ('broken' in step) findings.push(step.broken);
    }

    let inclusion: InclusionStatus = input.hasCheckpoint ? 'unchecked' : 'absent';
    if (input.checkpoint) {
      const proof = await judgeProof(text, proofLine, input.checkpoint);
      inclusion = proof.status;
      if (proof.status === 'bad') findings.push({ code: proof.code, kind: proof.kind, message: proof.message });
    }

    const eventId = position?.eventId ?? found.event_id;
    const holds = found.event_id && eventId && found.event_id !== eventId ? ` (the line holds ${found.event_id})` : '';
    const verdict: EventVerdict = {
      index,
      event_id: found.event_id,
      composition_id: found.composition_id,
      schema_id: found.schema_id,
      hashOk: check.hashOk,
      linkOk,
      signature: signature.status,
      inclusion,
      codes: findings.map((f) => f.code),
      problems: findings.map((f) => `${f.code}: ${f.message}`),
    };
    events.push(verdict);
    for (const [i, f] of findings.entries()) {
      const brk: Break = { index, ...(eventId ? { event_id: eventId } : {}), composition_id: compositionId, code: f.code, kind: f.kind, message: `${f.message}${holds}` };
      breaks.push(brk);
      if (f.kind === 'sequence_gap') {
        holder.rename = (renamed) => {
          Object.assign(brk, { kind: renamed.kind, message: `${renamed.message}${holds}` });
          verdict.problems[i] = `${renamed.code}: ${renamed.message}`;
        };
      }
    }
  }
  if (group) finishGroup(group);
  if (!closed) breaks.push({ index: lines.length - 1, code: 'not_canonical', kind: 'not_canonical', message: 'the last line does not end with "\\n"' });

  if (input.manifest) {
    for (const c of input.manifest.compositions) {
      if (!seen.has(c.composition_id) && c.events > 0) {
        manifestBreak('composition_missing', `the manifest lists ${c.events} event(s) of ${c.composition_id}; events.jsonl has none`, { composition_id: c.composition_id, event_id: eventIdFor(c.composition_id, 1) });
      }
    }
    if (input.manifest.counts.events !== counted) manifestBreak('count_mismatch', `events.jsonl holds ${counted} event(s), the manifest counts ${input.manifest.counts.events}`);
    if (input.manifest.counts.compositions !== input.manifest.compositions.length) {
      manifestBreak('count_mismatch', `the manifest counts ${input.manifest.counts.compositions} composition(s) but lists ${input.manifest.compositions.length}`);
    }
  }
  // A truncation is found when its composition's run ends, after the line that ended it may have been read.
  breaks.sort((a, b) => a.index - b.index);
  return { events, breaks, manifestBreaks };
}
