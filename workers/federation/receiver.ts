/**
 * One delivered slice message, handled by the receiving node: verify it against the trust file and the store
 * (audit/slice/verify.ts), import the verdict with its signed receipt in one transaction, then import the
 * pending slices whose turn has come, in order, then publish every receipt not yet confirmed by the broker.
 * The caller acknowledges the delivery only after `receive` resolves, so a crash at any point loses and
 * doubles nothing:
 *  - before the commit: the message is delivered again and verified again;
 *  - after the commit, before the receipt's confirm: the redelivery is a duplicate (another receipt), and
 *    the unconfirmed receipt goes out when the node starts (`publishOutstanding`);
 *  - after the confirm, before it is recorded: the receipt is published twice, byte for byte the same.
 * The transport is not this module's: it gets a function that publishes one receipt and resolves on the
 * broker's confirm (workers/federation/transport.ts).
 */
import type { Logger } from 'pino';
import type { SigningKey } from '../../audit/bundle/signing-key.js';
import { RECEIPT_FORMAT, type Receipt, type ReceiptStatus, type SliceReason } from '../../audit/slice/format.js';
import { receiptMessage } from '../../audit/slice/sign.js';
import { verifySlice, type SliceTrust, type SliceVerdict } from '../../audit/slice/verify.js';
import type { CrashPoint } from '../../lib/crash-point.js';
import { ImportConflict, type FederationStore, type StoredReceipt } from './store.js';

/** Where a test may crash the receiver (COORD_FEDERATION_RECEIVER_FAILPOINT). */
export const RECEIVER_FAILPOINTS = ['before-commit', 'after-commit', 'after-publish'] as const;
export type ReceiverFailpoint = (typeof RECEIVER_FAILPOINTS)[number];

const MAX_DETAIL = 2000;

/** Whether importing the verdict takes the next place of the sequence. */
const settles = (v: SliceVerdict) => v.status === 'accepted' || (v.status === 'refused' && v.usesSeq);

export interface ReceiverOptions {
  store: FederationStore;
  trust: SliceTrust;
  receiptKey: SigningKey;
  /** publishes one receipt message to the sender; resolves once the broker confirmed it */
  publishReceipt: (message: Buffer) => Promise<void>;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  now?: () => Date;
  failpoint?: CrashPoint<ReceiverFailpoint>;
}

/** What one message came to, and the slices it let out of the waiting room. */
export interface Imported {
  verdict: SliceVerdict;
  receipt: Receipt;
}

export class Receiver {
  private readonly store: FederationStore;
  private readonly trust: SliceTrust;
  private readonly now: () => Date;

  constructor(private readonly opts: ReceiverOptions) {
    this.store = opts.store;
    this.trust = opts.trust;
    this.now = opts.now ?? (() => new Date());
  }

  /** Handles one delivered message: its own verdict first, then each pending slice it let through. */
  async receive(message: Uint8Array): Promise<Imported[]> {
    const done = [await this.importOne(message)];
    done.push(...(await this.drain()));
    await this.publishOutstanding();
    return done;
  }

  /** Imports pending slices whose place has come, in order, until the next place has none waiting. */
  async drain(): Promise<Imported[]> {
    const done: Imported[] = [];
    for (;;) {
      const next = this.store.nextSeq();
      const waiting = this.store.pendingAt(next);
      if (waiting.length === 0) return done;
      for (const row of waiting) done.push(await this.importOne(row.message, { seq: row.seq, digest: row.digest }));
      // every row of that place left the waiting room (settled, a duplicate, or refused): loop only if it moved
      if (this.store.nextSeq() === next) return done;
    }
  }

  /** Publishes, oldest first, every receipt the broker has not confirmed yet; returns how many. */
  async publishOutstanding(): Promise<number> {
    const outstanding = this.store.receipts({ unpublished: true });
    for (const row of outstanding) {
      await this.opts.publishReceipt(row.message);
      await this.opts.failpoint?.hit('after-publish');
      this.store.markPublished(row.id, this.now().toISOString());
    }
    return outstanding.length;
  }

  private async importOne(message: Uint8Array, fromPending?: { seq: number; digest: string }): Promise<Imported> {
    for (let attempt = 1; ; attempt++) {
      const verdict = await verifySlice(message, this.trust, this.store);
      const receivedAt = this.now().toISOString();
      const receipt = this.receiptFor(verdict, receivedAt);
      const stored: StoredReceipt = {
        status: receipt.status,
        reason: receipt.reason_code,
        slice_seq: receipt.slice_seq,
        slice_digest: receipt.slice_digest,
        message: await receiptMessage(receipt, this.opts.receiptKey),
      };
      await this.opts.failpoint?.hit('before-commit');
      try {
        this.store.commit({ verdict, message, received_at: receivedAt, receipt: stored, ...(fromPending ? { fromPending } : {}) });
      } catch (err) {
        if (err instanceof ImportConflict && attempt < 3) continue; // another writer took the place: verify again
        throw err;
      }
      await this.opts.failpoint?.hit('after-commit');
      this.log(verdict, receipt);
      return { verdict, receipt };
    }
  }

  /** The receipt for a verdict, with the composition's head and the checkpoint size as they are after it. */
  private receiptFor(verdict: SliceVerdict, receivedAt: string): Receipt {
    const slice = verdict.slice;
    const held = this.store.latestCheckpoint()?.size;
    let head: Receipt['head'] = null;
    let checkpointSize = held ?? null;
    let reason: SliceReason | null = null;
    let detail: string | null = null;
    let status: ReceiptStatus = verdict.status;
    if (verdict.status === 'accepted') {
      const last = verdict.events.at(-1)!;
      head = { sequence: verdict.slice.from_sequence + verdict.events.length - 1, this_hash: last.this_hash };
      checkpointSize = Math.max(held ?? 0, verdict.checkpoint.size);
    } else {
      const h = slice ? this.store.head(slice.composition_id) : undefined;
      if (h) head = { sequence: h.sequence, this_hash: h.this_hash };
      if (verdict.status === 'refused') {
        status = 'refused';
        reason = verdict.reason;
        detail = verdict.detail;
        if (verdict.checkpoint) checkpointSize = Math.max(held ?? 0, verdict.checkpoint.size);
      } else if (verdict.status === 'pending') {
        reason = verdict.reason;
        detail = verdict.detail;
      } else {
        // a duplicate of a refused slice says so: the repeat changes nothing, and the refusal stands
        const settled = this.store.settled(verdict.slice.slice_seq);
        if (settled?.status === 'refused') {
          reason = settled.reason;
          detail = `already refused: ${settled.detail ?? ''}`;
        }
      }
    }
    return {
      format: RECEIPT_FORMAT,
      sender: this.trust.sender,
      partner: this.trust.partner,
      slice_seq: slice?.slice_seq ?? null,
      slice_digest: verdict.status === 'refused' ? (verdict.digest ?? null) : verdict.digest,
      composition_id: slice?.composition_id ?? null,
      status,
      reason_code: reason,
      detail: detail && detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL - 1)}…` : detail,
      head,
      checkpoint_size: checkpointSize,
      next_seq: this.store.nextSeq() + (settles(verdict) ? 1 : 0),
      received_at: receivedAt,
    };
  }

  private log(verdict: SliceVerdict, receipt: Receipt): void {
    const fields = { slice_seq: receipt.slice_seq, composition_id: receipt.composition_id, status: receipt.status, reason: receipt.reason_code, head: receipt.head?.sequence ?? null };
    if (verdict.status === 'refused') this.opts.logger?.warn({ ...fields, detail: verdict.detail, uses_seq: verdict.usesSeq }, 'slice refused');
    else this.opts.logger?.info(fields, `slice ${verdict.status}`);
  }
}
