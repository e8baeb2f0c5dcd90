/**
 * Chain verification: finds the FIRST break in a stream of audit events and names it. Compositions in one
 * stream are verified independently; an identical duplicate (same event_id, same this_hash) is ignored,
 * as publishing is at-least-once. Without a known head a cut tail is indistinguishable from a valid prefix,
 * so heads can be given per composition: a stream that stops short of its head is `truncated`.
 *
 * Streaming: `ChainVerifier` takes one entry at a time and keeps only each composition's position and its
 * hashes, so a large export verifies in bounded memory. A jump ahead in a composition's sequence is the
 * first break; whether it is a `reordered` stream or a `sequence_gap` is settled by whether the missing
 * event turns up later.
 */
import { validateEvent, type AuditEvent } from '../schemas/catalog.js';
import { thisHashNative } from './native-hash.js';
import { SIGNATURE_FAILURE_DETAIL, SIGNATURE_FAILURES, type EmitterKeyring, type EmitterSignature } from './emitter-signature.js';
import { linkToChain } from './chain-link.js';
import { eventIdFor, sequenceOf } from './event-id.js';

export const BREAK_KINDS = [
  'hash_mismatch',
  'broken_link',
  'causal_mismatch',
  'sequence_gap',
  'reordered',
  'conflicting_duplicate',
  'unknown_schema',
  'invalid_event',
  'truncated',
  // only when emitter keys are pinned: no pinned key vouches for the event (emitter_ + the failure, so a
  // report never confuses them with the bundle's own signature problems)
  ...SIGNATURE_FAILURES.map((f) => `emitter_${f}` as const),
] as const;
export type BreakKind = (typeof BREAK_KINDS)[number];

export interface ChainBreak {
  /** position in the stream (the 0-based line number of a JSONL file) */
  index: number;
  event_id: string | null;
  kind: BreakKind;
  composition_id: string | null;
  detail: string;
}

export interface CompositionHead {
  sequence: number;
  event_id: string;
  this_hash: string;
}

export interface VerifyResult {
  ok: boolean;
  /** events in the stream (identical duplicates included) */
  events: number;
  compositions: number;
  first_break: ChainBreak | null;
  /** identical duplicates skipped */
  duplicates: number;
  /** where each composition's chain ends (up to the first break) */
  heads: Record<string, CompositionHead>;
}

/** One item of a stream: a parsed value, or the reason it could not be parsed. */
export type StreamEntry = ({ index: number; value: unknown } | { index: number; parseError: string }) & {
  /** the emitter signature carried beside the event (signatures.jsonl, Kafka headers), when there is one */
  signature?: Partial<EmitterSignature> | null;
};

export interface VerifyOptions {
  /** known last `this_hash` per composition id */
  heads?: Readonly<Record<string, string>>;
}

interface ChainState {
  /** this_hash of each accepted event, by sequence - 1 */
  hashes: string[];
  lastEventId: string | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** What a checked entry turned out to be. */
export type EntryVerdict = { accepted: AuditEvent } | { duplicate: AuditEvent } | { broken: ChainBreak } | { ignored: true };

export class ChainVerifier {
  private readonly chains = new Map<string, ChainState>();
  private readonly compositionIds = new Set<string>();
  private count = 0;
  private lastIndex = -1;
  private duplicateCount = 0;
  private firstBreak: ChainBreak | null = null;
  /** a jump ahead waiting to learn whether the missing event comes later */
  private pendingJump: { composition: string; from: number; to: number } | null = null;

  /** `emitters`: when given, every event must carry a signature of one of these pinned keys */
  constructor(private readonly opts: { emitters?: EmitterKeyring } = {}) {}

  get broken(): ChainBreak | null {
    return this.firstBreak;
  }

  push(entry: StreamEntry): EntryVerdict {
    this.count += 1;
    this.lastIndex = entry.index;
    const raw = 'value' in entry ? (entry.value as Record<string, unknown> | null) : null;
    const cmp = str(raw?.composition_id);
    if (cmp) this.compositionIds.add(cmp);
    if (this.firstBreak) {
      this.settleJump(raw, cmp);
      return { ignored: true };
    }
    const verdict = this.check(entry, raw, cmp);
    if ('broken' in verdict) this.firstBreak = verdict.broken;
    if ('duplicate' in verdict) this.duplicateCount += 1;
    return verdict;
  }

  /** After a jump ahead, the missing event showing up later makes the break a reordering. */
  private settleJump(raw: Record<string, unknown> | null, cmp: string | null): void {
    const jump = this.pendingJump;
    if (!jump || cmp !== jump.composition || !this.firstBreak) return;
    const seq = str(raw?.event_id) ? sequenceOf(raw!.event_id as string, cmp) : undefined;
    if (seq !== undefined && seq >= jump.from && seq < jump.to) {
      this.firstBreak = { ...this.firstBreak, kind: 'reordered', detail: `sequence ${jump.to} arrived where ${jump.from} was expected, and ${jump.from} comes later` };
      this.pendingJump = null;
    }
  }

  private check(entry: StreamEntry, raw: Record<string, unknown> | null, cmp: string | null): EntryVerdict {
    const { index } = entry;
    const at = (kind: BreakKind, detail: string): EntryVerdict => ({ broken: { index, event_id: str(raw?.event_id), composition_id: cmp, kind, detail } });
    if (!('value' in entry)) return at('invalid_event', `not JSON: ${entry.parseError}`);

    const validation = validateEvent(raw);
    if (!validation.ok) return at(validation.kind, `${validation.path}: ${validation.message}`);
    const event = validation.event;
    // Any edit of a well-formed event shows here first, whichever field it touched.
    const recomputed = thisHashNative(event as unknown as Record<string, unknown>);
    if (recomputed !== event.this_hash) return at('hash_mismatch', `this_hash is ${event.this_hash} but the event hashes to ${recomputed}`);
    const unsigned = this.opts.emitters?.check(event.this_hash, entry.signature ?? undefined);
    if (unsigned) return at(`emitter_${unsigned}`, SIGNATURE_FAILURE_DETAIL[unsigned]);
    const seq = sequenceOf(event.event_id, event.composition_id);
    if (seq === undefined) return at('invalid_event', `event_id ${event.event_id} is not an event id of ${event.composition_id}`);

    let st = this.chains.get(event.composition_id);
    if (!st) this.chains.set(event.composition_id, (st = { hashes: [], lastEventId: null }));
    const link = linkToChain(st, event, seq);
    if ('duplicate' in link) return { duplicate: event };
    if ('kind' in link) {
      if (link.kind === 'sequence_gap') this.pendingJump = { composition: event.composition_id, from: link.expected, to: seq };
      return at(link.kind, link.detail);
    }
    return { accepted: event };
  }

  finish(opts: VerifyOptions = {}): VerifyResult {
    this.firstBreak ??= this.truncation(opts.heads ?? {});
    const heads: Record<string, CompositionHead> = {};
    for (const [cmp, st] of this.chains) {
      if (st.lastEventId) heads[cmp] = { sequence: st.hashes.length, event_id: st.lastEventId, this_hash: st.hashes.at(-1)! };
    }
    return { ok: this.firstBreak === null, events: this.count, compositions: this.compositionIds.size, first_break: this.firstBreak, duplicates: this.duplicateCount, heads };
  }

  private truncation(heads: Readonly<Record<string, string>>): ChainBreak | null {
    for (const [cmp, head] of Object.entries(heads)) {
      const st = this.chains.get(cmp);
      if (st?.hashes.includes(head)) continue;
      const next = (st?.hashes.length ?? 0) + 1;
      return {
        index: this.lastIndex + 1,
        event_id: eventIdFor(cmp, next),
        composition_id: cmp,
        kind: 'truncated',
        detail: `the stream ends at sequence ${next - 1} of ${cmp} without reaching its known head ${head}`,
      };
    }
    return null;
  }
}

export function verifyEntries(entries: Iterable<StreamEntry>, opts: VerifyOptions & { emitters?: EmitterKeyring } = {}): VerifyResult {
  const verifier = new ChainVerifier(opts.emitters ? { emitters: opts.emitters } : {});
  for (const entry of entries) verifier.push(entry);
  return verifier.finish(opts);
}

export function verify(events: readonly unknown[], opts: VerifyOptions = {}): VerifyResult {
  return verifyEntries(
    events.map((value, index) => ({ index, value })),
    opts,
  );
}
