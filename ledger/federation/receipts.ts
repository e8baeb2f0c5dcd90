/**
 * The partners' receipts (audit/slice/format.ts), from the queue `federation.receipts.<sender>`. A receipt
 * counts only when the partner it names signed it with the key our federation policy pins for that partner,
 * names us as the sender, and names a slice of ours by place *and* digest (anyone can put bytes on a queue,
 * and a refusal of somebody else's forgery under one of our slice_seqs must not mark our slice refused).
 * Anything else is logged and dropped, never trusted. What a receipt does to its outbox row:
 *
 *   accepted  → accepted (final)
 *   refused   → refused, unless already accepted (a later refusal replaces an earlier one: a re-sent slice
 *               the partner's fixed trust file now refuses for another reason)
 *   duplicate → duplicate, when the row had no verdict yet (its first receipt was lost); a verdict stays
 *   pending   → the receiver holds the slice until an earlier one arrives: the row stays sent, the receipt kept
 *
 * A refusal for a reason that leaves the receiver's sequence as it was (REFUSALS_WITHOUT_PLACE) is re-sent
 * like a slice without a receipt (ledger/federation/publisher.ts).
 */
import { REFUSALS_WITHOUT_PLACE } from '../../audit/slice/format.js';
import type { Logger } from 'pino';
import { openReceipt } from '../../audit/slice/sign.js';
import type { ReceiptStatus } from '../../audit/slice/format.js';
import { loadReceiptKey, type FederationPolicy } from './policy.js';
import type { OutboxStatus } from './schema.js';
import type { FederationStore, ReceiptTransition } from './store.js';

export type ReceiptOutcome =
  | { outcome: 'recorded' | 'unchanged'; partner: string; slice_seq: number; status: ReceiptStatus }
  | { outcome: 'dropped'; reason: string; partner?: string };

const NO_VERDICT: readonly OutboxStatus[] = ['pending', 'sent'];

/**
 * Refusals that leave the receiver's sequence as it was (audit/slice/verify.ts, steps 1–5: such a slice proves
 * nothing about its sender, so it takes no place): the receiver still waits for this slice_seq, and every later
 * slice waits behind it. So the slice is sent again, like one without a receipt; once the partner has fixed
 * what was wrong on its side (typically its trust file: a schema fingerprint or a rotated key it did not pin),
 * the re-send is accepted and the slices behind it follow. `chain_broken` is not among them: the receiver also
 * gives it for a slice that took its place (step 6), which a re-send could only repeat.
 */
export { REFUSALS_WITHOUT_PLACE };

/** The rule above, for a receipt of status `incoming`. */
export function receiptTransition(incoming: ReceiptStatus): ReceiptTransition {
  return (current) => {
    switch (incoming) {
      case 'accepted':
        return current === 'accepted' ? undefined : { status: 'accepted', keepReceipt: true };
      case 'refused':
        return current === 'accepted' ? undefined : { status: 'refused', keepReceipt: true };
      case 'duplicate':
        return NO_VERDICT.includes(current) || current === 'duplicate' ? { status: 'duplicate', keepReceipt: true } : undefined;
      case 'pending':
        return NO_VERDICT.includes(current) ? { status: 'sent', keepReceipt: true } : undefined;
    }
  };
}

/** The partner a receipt says it comes from, read without trusting it (only to pick the key that must have signed it). */
function claimedPartner(bytes: Uint8Array): string | undefined {
  try {
    const partner = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { receipt?: { partner?: unknown } })?.receipt?.partner;
    return typeof partner === 'string' ? partner : undefined;
  } catch {
    return undefined;
  }
}

export interface ReceiptHandlerOptions {
  store: FederationStore;
  policy: FederationPolicy;
  logger?: Pick<Logger, 'info' | 'warn'>;
  now?: () => number;
}

export class ReceiptHandler {
  private readonly now: () => number;

  constructor(private readonly opts: ReceiptHandlerOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Checks and records one receipt message; never throws on bad input (a store failure does throw: redeliver). */
  async handle(bytes: Uint8Array): Promise<ReceiptOutcome> {
    const outcome = await this.check(bytes);
    if (outcome.outcome === 'dropped') this.opts.logger?.warn({ partner: outcome.partner, reason: outcome.reason, bytes: bytes.length }, 'federation: a receipt was dropped, not trusted');
    else this.opts.logger?.info(outcome, 'federation: receipt');
    return outcome;
  }

  private async check(bytes: Uint8Array): Promise<ReceiptOutcome> {
    const name = claimedPartner(bytes);
    const partner = name === undefined ? undefined : this.opts.policy.partners.get(name);
    if (!partner) return { outcome: 'dropped', reason: name === undefined ? 'not a receipt message' : `partner ${name} is not in the federation policy` };
    let key;
    try {
      key = loadReceiptKey(partner);
    } catch (err) {
      return { outcome: 'dropped', partner: partner.name, reason: `no receipt key to check it with: ${(err as Error).message}` };
    }
    const opened = await openReceipt(bytes, key);
    if (!opened.ok) return { outcome: 'dropped', partner: partner.name, reason: `not signed by ${partner.name}'s pinned receipt key: ${opened.reason}` };
    const { receipt } = opened;
    if (receipt.sender !== this.opts.policy.sender) return { outcome: 'dropped', partner: partner.name, reason: `a receipt for slices of ${receipt.sender}, not of ${this.opts.policy.sender}` };
    if (receipt.slice_seq === null || receipt.slice_digest === null) return { outcome: 'dropped', partner: partner.name, reason: `the receipt names no slice (${receipt.status} ${receipt.reason_code ?? ''}: ${receipt.detail ?? ''})` };
    const recorded = await this.opts.store.recordReceipt(
      partner.name,
      receipt.slice_seq,
      receipt.slice_digest,
      { reason_code: receipt.reason_code, message: Buffer.from(bytes).toString('utf8'), received_ms: this.now() },
      receiptTransition(receipt.status),
    );
    if (recorded === 'unknown_slice') return { outcome: 'dropped', partner: partner.name, reason: `no slice ${receipt.slice_seq} with digest ${receipt.slice_digest} was sent to ${partner.name}` };
    return { outcome: recorded, partner: partner.name, slice_seq: receipt.slice_seq, status: receipt.status };
  }
}
