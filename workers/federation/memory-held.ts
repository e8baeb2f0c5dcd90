/**
 * What a receiving node holds, in memory: the `HeldView` slice verification reads, and `record(verdict)`,
 * which changes it exactly as an import into the store does (workers/federation/store.ts) —
 *  - accepted: the slice takes its place in the sequence, its events extend their chain, its checkpoint is
 *    kept when it is larger than the one held;
 *  - refused with `usesSeq`: the slice takes its place (refused); a checkpoint it proved is kept;
 *  - duplicate, pending, or a refusal that uses no place: nothing changes.
 * `coord federation verify` replays the store's slices through it; the unit tests use it as the receiver.
 */
import type { AuditEvent } from '../../schemas/catalog.js';
import type { HeldView, ProvenCheckpointNote, SliceVerdict } from '../../audit/slice/verify.js';

export class MemoryHeld implements HeldView {
  private readonly places = new Map<number, { digest: string; status: 'accepted' | 'refused' }>();
  private readonly chains = new Map<string, AuditEvent[]>();
  private checkpoint: ProvenCheckpointNote | undefined;

  slice(seq: number): { digest: string; status: 'accepted' | 'refused' } | undefined {
    return this.places.get(seq);
  }

  nextSeq(): number {
    return this.places.size + 1;
  }

  events(compositionId: string): AuditEvent[] {
    return [...(this.chains.get(compositionId) ?? [])];
  }

  latestCheckpoint(): { size: number; root: Uint8Array; note: string } | undefined {
    return this.checkpoint;
  }

  /** The compositions held, each with its events in order. */
  compositions(): Map<string, readonly AuditEvent[]> {
    return new Map(this.chains);
  }

  /** Applies what `verdict` changes; returns whether it changed anything. */
  record(verdict: SliceVerdict): boolean {
    if (verdict.status === 'accepted') {
      this.take(verdict.slice.slice_seq, verdict.digest, 'accepted');
      this.chains.set(verdict.slice.composition_id, [...this.events(verdict.slice.composition_id), ...verdict.events]);
      this.keep(verdict.checkpoint);
      return true;
    }
    if (verdict.status === 'refused' && verdict.usesSeq && verdict.slice && verdict.digest) {
      this.take(verdict.slice.slice_seq, verdict.digest, 'refused');
      if (verdict.checkpoint) this.keep(verdict.checkpoint);
      return true;
    }
    return false;
  }

  private take(seq: number, digest: string, status: 'accepted' | 'refused'): void {
    if (seq !== this.nextSeq()) throw new Error(`slice ${seq} cannot take a place: the next place is ${this.nextSeq()}`);
    this.places.set(seq, { digest, status });
  }

  private keep(checkpoint: ProvenCheckpointNote): void {
    if (!this.checkpoint || checkpoint.size > this.checkpoint.size) this.checkpoint = checkpoint;
  }
}
