/**
 * One composition's hash chain in the page: the rules of audit/verify.ts's ChainVerifier (that module hashes
 * with node:crypto), for the run of lines one composition holds in events.jsonl. Up to the first break it
 * judges as ChainVerifier does — sequence from the event id, identical duplicates ignored, a jump ahead a
 * `sequence_gap` that becomes `reordered` when the missing event turns up later, then prev_hash and
 * causal_predecessor. Past the first break, each event is judged against the line before it only, so the
 * page can still show which links hold.
 */
import { linkToChain, type AcceptedChain } from '../../../../audit/chain-link.js';
import { eventIdFor, sequenceOf } from '../../../../audit/event-id.js';
import type { AuditEvent } from '../../../../schemas/catalog.js';
import type { Finding } from './event-line.js';

export type ChainStep = { accepted: true } | { duplicate: true } | { broken: Finding };

export interface LinkPrevious {
  event_id: string;
  this_hash: string;
}

/** Whether `event` directly follows `previous` (null: it must open its composition): null, or what breaks. */
export function linkFinding(previous: LinkPrevious | null, event: AuditEvent): Finding | null {
  const seq = sequenceOf(event.event_id, event.composition_id);
  if (seq === undefined) return { code: 'invalid_event', kind: 'invalid_event', message: `event_id ${event.event_id} is not an event id of ${event.composition_id}` };
  const prevSeq = previous ? sequenceOf(previous.event_id, event.composition_id) : 0;
  if (prevSeq === undefined) return { code: 'chain_broken', kind: 'broken_link', message: `the previous event ${previous!.event_id} is not of ${event.composition_id}` };
  if (seq !== prevSeq + 1) return { code: 'chain_broken', kind: 'sequence_gap', message: `sequence ${seq} follows ${prevSeq}` };
  const prevHash = previous?.this_hash ?? null;
  if (event.prev_hash !== prevHash) return { code: 'chain_broken', kind: 'broken_link', message: `prev_hash is ${event.prev_hash} but the previous event's this_hash is ${prevHash}` };
  const prevId = previous?.event_id ?? null;
  if (event.causal_predecessor !== prevId) return { code: 'chain_broken', kind: 'causal_mismatch', message: `causal_predecessor is ${event.causal_predecessor} but the previous event is ${prevId}` };
  return null;
}

export class CompositionChain {
  /** the events accepted so far (audit/chain-link.ts keeps it) */
  private readonly accepted: AcceptedChain = { hashes: [], lastEventId: null };
  /** the previous line's event, for judging links past the first break */
  private previousLine: LinkPrevious | null = null;
  private pendingJump: { from: number; to: number; rename: (finding: Finding) => void } | null = null;
  broken = false;
  lastIndex = -1;

  constructor(readonly compositionId: string) {}

  /**
   * A line that breaks before its links are judged (not JSON, not a catalog event, a bad hash or emitter
   * signature) ends ChainVerifier's checks; its link to the line before is still judged, for the page. The
   * event's stated id and hash (when it parsed) are what the next line should link to.
   */
  fail(index: number, event?: AuditEvent): Finding | null {
    this.lastIndex = index;
    this.settle(event);
    const finding = event && this.previousLine ? linkFinding(this.previousLine, event) : null;
    this.broken = true;
    this.previousLine = event ? { event_id: event.event_id, this_hash: event.this_hash } : null;
    return finding;
  }

  /** `rename` is called if a sequence gap reported here turns out to be a reordering. */
  push(index: number, event: AuditEvent, rename: (finding: Finding) => void): ChainStep {
    this.lastIndex = index;
    const step = this.broken ? this.afterBreak(event) : this.check(event, rename);
    this.previousLine = { event_id: event.event_id, this_hash: event.this_hash };
    if ('broken' in step) this.broken = true;
    return step;
  }

  /** After a jump ahead, the missing event showing up later makes the break a reordering. */
  private settle(event: AuditEvent | undefined): void {
    const jump = this.pendingJump;
    const seq = event ? sequenceOf(event.event_id, event.composition_id) : undefined;
    if (jump && seq !== undefined && seq >= jump.from && seq < jump.to) {
      jump.rename({ code: 'chain_broken', kind: 'reordered', message: `sequence ${jump.to} arrived where ${jump.from} was expected, and ${jump.from} comes later` });
      this.pendingJump = null;
    }
  }

  private afterBreak(event: AuditEvent): ChainStep {
    this.settle(event);
    const finding = this.previousLine ? linkFinding(this.previousLine, event) : null;
    return finding ? { broken: finding } : { accepted: true };
  }

  private check(event: AuditEvent, rename: (finding: Finding) => void): ChainStep {
    const at = (kind: string, message: string): ChainStep => ({ broken: { code: kind === 'invalid_event' ? 'invalid_event' : 'chain_broken', kind, message } });
    const seq = sequenceOf(event.event_id, event.composition_id);
    if (seq === undefined) return at('invalid_event', `event_id ${event.event_id} is not an event id of ${event.composition_id}`);
    const link = linkToChain(this.accepted, event, seq);
    if ('duplicate' in link) return { duplicate: true };
    if ('kind' in link) {
      if (link.kind === 'sequence_gap') this.pendingJump = { from: link.expected, to: seq, rename };
      return at(link.kind, link.detail);
    }
    return { accepted: true };
  }

  /** Where the chain ends, while it holds. */
  head(): { sequence: number; event_id: string; this_hash: string } | null {
    const { hashes, lastEventId } = this.accepted;
    return lastEventId ? { sequence: hashes.length, event_id: lastEventId, this_hash: hashes.at(-1)! } : null;
  }

  /** A known head the chain never reached: its tail was cut (ChainVerifier's `truncated`). */
  truncation(knownHead: string): { index: number; event_id: string; finding: Finding } | null {
    if (this.broken || this.accepted.hashes.includes(knownHead)) return null;
    const next = this.accepted.hashes.length + 1;
    return {
      index: this.lastIndex + 1,
      event_id: eventIdFor(this.compositionId, next),
      finding: { code: 'chain_broken', kind: 'truncated', message: `the stream ends at sequence ${next - 1} of ${this.compositionId} without reaching its known head ${knownHead}` },
    };
  }
}
