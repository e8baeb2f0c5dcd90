/**
 * Publishing the outbox: per partner, in slice_seq order, every slice still pending and every one sent long
 * ago (`COORD_FEDERATION_RESEND_SECONDS`) without a receipt, to the partner's exchange with publisher
 * confirms; a row becomes `sent` only after the broker's ack. A slice refused for a reason that took no place
 * in the receiver's sequence is re-sent on the same schedule (ledger/federation/receipts.ts). A crash before the ack leaves it pending and
 * it goes out again: the receiver answers a repeat `duplicate`, so nothing is lost and nothing doubles. The
 * first failure stops the partner's pass (the order is kept), and the next pass begins there again.
 */
import type { Logger } from 'pino';
import { REFUSALS_WITHOUT_PLACE } from './receipts.js';
import type { FederationStore, OutboxRow } from './store.js';

/** How a slice reaches the partner's queue (ledger/federation/transport.ts over RabbitMQ). */
export interface SliceSink {
  /** resolves once the broker confirmed the message; rejects when it did not (nack, closed channel, timeout) */
  publishSlice(partner: string, message: Buffer, headers: Record<string, string | number>): Promise<void>;
}

export interface PublisherOptions {
  store: FederationStore;
  sink: SliceSink;
  sender: string;
  partners: readonly string[];
  resendAfterMs: number;
  /** refusal reasons whose slices are re-sent (default REFUSALS_WITHOUT_PLACE) */
  retryReasons?: readonly string[];
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  now?: () => number;
}

export interface PublishPass {
  partner: string;
  published: number[];
  /** of those, slices published before (a re-send) */
  resent: number[];
  /** why the pass stopped before the end */
  failed?: string;
}

/** The AMQP headers of a slice message: what a receiver or an operator reads without parsing the body. */
export const sliceHeaders = (sender: string, row: OutboxRow): Record<string, string | number> => ({
  sender,
  partner: row.partner,
  slice_seq: row.slice_seq,
  composition_id: row.composition_id,
  digest: row.digest,
});

export class OutboxPublisher {
  private readonly now: () => number;

  constructor(private readonly opts: PublisherOptions) {
    this.now = opts.now ?? Date.now;
  }

  async pass(): Promise<PublishPass[]> {
    const passes: PublishPass[] = [];
    for (const partner of this.opts.partners) passes.push(await this.partnerPass(partner));
    return passes;
  }

  private async partnerPass(partner: string): Promise<PublishPass> {
    const result: PublishPass = { partner, published: [], resent: [] };
    const rows = await this.opts.store.toPublish(partner, this.now() - this.opts.resendAfterMs, this.opts.retryReasons ?? REFUSALS_WITHOUT_PLACE);
    for (const row of rows) {
      try {
        await this.opts.sink.publishSlice(partner, Buffer.from(row.message, 'utf8'), sliceHeaders(this.opts.sender, row));
      } catch (err) {
        result.failed = `slice ${row.slice_seq}: ${(err as Error).message}`;
        this.opts.logger?.warn({ partner, slice_seq: row.slice_seq, err: (err as Error).message }, 'federation: publishing stopped; the slice stays in the outbox');
        break;
      }
      await this.opts.store.markSent(partner, row.slice_seq, this.now());
      result.published.push(row.slice_seq);
      if (row.publish_count > 0) result.resent.push(row.slice_seq);
      this.opts.logger?.info({ partner, slice_seq: row.slice_seq, composition_id: row.composition_id, resent: row.publish_count > 0 }, 'federation: slice published (broker confirmed)');
    }
    return result;
  }
}
