/**
 * Chain verification: finds the FIRST break in a stream of audit events and names it. Compositions in one
 * stream are verified independently; an identical duplicate (same event_id, same this_hash) is ignored,
 * as publishing is at-least-once. Without a known head a cut tail is indistinguishable from a valid prefix,
 * so heads can be given per composition: a stream that stops short of its head is `truncated`.
 */
import { validateEvent } from '../schemas/catalog.js';
import { computeThisHash } from './chain.js';
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
export type StreamEntry = { index: number; value: unknown } | { index: number; parseError: string };

export interface VerifyOptions {
  /** known last `this_hash` per composition id */
  heads?: Readonly<Record<string, string>>;
}

interface ChainState {
  lastSeq: number;
  lastEventId: string | null;
  lastHash: string | null;
  byEventId: Map<string, string>;
  hashes: Set<string>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function verify(events: readonly unknown[], opts: VerifyOptions = {}): VerifyResult {
  return verifyEntries(events.map((value, index) => ({ index, value })), opts);
}

export function verifyEntries(entries: readonly StreamEntry[], opts: VerifyOptions = {}): VerifyResult {
  const chains = new Map<string, ChainState>();
  // Per composition, the (index, sequence) of every well-addressed event: lets a jump ahead tell a
  // reordering (the missing events come later) from a gap (they never come).
  const positions = new Map<string, { index: number; seq: number }[]>();
  const compositionIds = new Set<string>();
  for (const entry of entries) {
    if (!('value' in entry)) continue;
    const v = entry.value as { composition_id?: unknown; event_id?: unknown } | null;
    const cmp = str(v?.composition_id);
    if (!cmp) continue;
    compositionIds.add(cmp);
    const seq = str(v?.event_id) ? sequenceOf(v!.event_id as string, cmp) : undefined;
    if (seq === undefined) continue;
    let list = positions.get(cmp);
    if (!list) positions.set(cmp, (list = []));
    list.push({ index: entry.index, seq });
  }

  let duplicates = 0;
  let firstBreak: ChainBreak | null = null;
  for (const entry of entries) {
    const found = checkEntry(entry, chains, positions);
    if (found === 'duplicate') duplicates += 1;
    else if (found) {
      firstBreak = found;
      break;
    }
  }
  firstBreak ??= truncation(entries, chains, opts.heads ?? {});

  const heads: Record<string, CompositionHead> = {};
  for (const [cmp, st] of chains) {
    if (st.lastEventId && st.lastHash) heads[cmp] = { sequence: st.lastSeq, event_id: st.lastEventId, this_hash: st.lastHash };
  }
  return { ok: firstBreak === null, events: entries.length, compositions: compositionIds.size, first_break: firstBreak, duplicates, heads };
}

function checkEntry(
  entry: StreamEntry,
  chains: Map<string, ChainState>,
  positions: Map<string, { index: number; seq: number }[]>,
): ChainBreak | 'duplicate' | undefined {
  const { index } = entry;
  if (!('value' in entry)) return { index, event_id: null, composition_id: null, kind: 'invalid_event', detail: `not JSON: ${entry.parseError}` };
  const raw = entry.value as Record<string, unknown> | null;
  const at = (kind: BreakKind, detail: string): ChainBreak => ({ index, event_id: str(raw?.event_id), composition_id: str(raw?.composition_id), kind, detail });

  const validation = validateEvent(raw);
  if (!validation.ok) return at(validation.kind, `${validation.path}: ${validation.message}`);
  const event = validation.event;
  // Any edit of a well-formed event shows here first, whichever field it touched.
  const recomputed = computeThisHash(event);
  if (recomputed !== event.this_hash) return at('hash_mismatch', `this_hash is ${event.this_hash} but the event hashes to ${recomputed}`);
  const cmp = event.composition_id;
  const seq = sequenceOf(event.event_id, cmp);
  if (seq === undefined) return at('invalid_event', `event_id ${event.event_id} is not an event id of ${cmp}`);

  let st = chains.get(cmp);
  if (!st) chains.set(cmp, (st = { lastSeq: 0, lastEventId: null, lastHash: null, byEventId: new Map(), hashes: new Set() }));
  const seenHash = st.byEventId.get(event.event_id);
  if (seenHash !== undefined) {
    if (seenHash === event.this_hash) return 'duplicate';
    return at('conflicting_duplicate', `${event.event_id} was seen before with this_hash ${seenHash}, now ${event.this_hash}`);
  }

  const expected = st.lastSeq + 1;
  if (seq !== expected) {
    const comesLater = (positions.get(cmp) ?? []).some((p) => p.index > index && p.seq >= expected && p.seq < seq);
    if (seq < expected || comesLater) return at('reordered', `sequence ${seq} arrived where ${expected} was expected, and ${expected} comes later`);
    return at('sequence_gap', `sequence ${seq} follows ${st.lastSeq}: ${eventIdFor(cmp, expected)} is missing`);
  }
  if (event.prev_hash !== st.lastHash) return at('broken_link', `prev_hash is ${event.prev_hash} but the previous event's this_hash is ${st.lastHash}`);
  if (event.causal_predecessor !== st.lastEventId) {
    return at('causal_mismatch', `causal_predecessor is ${event.causal_predecessor} but the previous event is ${st.lastEventId}`);
  }

  st.lastSeq = seq;
  st.lastEventId = event.event_id;
  st.lastHash = event.this_hash;
  st.byEventId.set(event.event_id, event.this_hash);
  st.hashes.add(event.this_hash);
  return undefined;
}

function truncation(entries: readonly StreamEntry[], chains: Map<string, ChainState>, heads: Readonly<Record<string, string>>): ChainBreak | null {
  const end = entries.length ? entries.at(-1)!.index + 1 : 0;
  for (const [cmp, head] of Object.entries(heads)) {
    const st = chains.get(cmp);
    if (st?.hashes.has(head)) continue;
    const next = (st?.lastSeq ?? 0) + 1;
    return {
      index: end,
      event_id: eventIdFor(cmp, next),
      composition_id: cmp,
      kind: 'truncated',
      detail: `the stream ends at sequence ${next - 1} of ${cmp} without reaching its known head ${head}`,
    };
  }
  return null;
}
