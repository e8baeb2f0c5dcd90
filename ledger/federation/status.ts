/**
 * The sender's federation status (`coord federation status`): per partner, from the outbox and the
 * decisions — slices packaged and sent, acknowledged (accepted or duplicate), refused (by reason), still
 * without a verdict, the PDP's denials, and the last receipt. Every partner of the policy is listed, and
 * every partner the outbox knows (one since removed from the policy too).
 */
import type { Receipt } from '../../audit/slice/format.js';
import type { FederationPolicy } from './policy.js';
import type { FederationStore, PartnerSummary } from './store.js';

export interface PartnerStatus {
  partner: string;
  /** in the current federation policy */
  in_policy: boolean;
  /** slices packaged into the outbox */
  packaged: number;
  /** slices the broker confirmed at least once */
  sent: number;
  /** accepted + duplicate */
  acknowledged: number;
  accepted: number;
  duplicate: number;
  refused: number;
  refused_by_reason: Record<string, number>;
  /** slices without a verdict yet (not yet confirmed by the broker, or sent and waiting for a receipt) */
  pending: number;
  /** of those, not yet confirmed by the broker */
  unpublished: number;
  /** slices the PDP let out, and the ones it did not (nothing sent) */
  allowed: number;
  denied: number;
  next_slice_seq: number;
  /** the tree size of the checkpoint the last slice carried */
  checkpoint_size: number;
  last_receipt: (Pick<Receipt, 'slice_seq' | 'status' | 'reason_code' | 'detail' | 'head' | 'checkpoint_size' | 'received_at'> & { recorded_at: string }) | null;
}

export interface FederationStatus {
  sender: string;
  /** false when a partner refused a slice */
  ok: boolean;
  partners: PartnerStatus[];
}

function lastReceipt(summary: PartnerSummary): PartnerStatus['last_receipt'] {
  if (!summary.last_receipt) return null;
  // verified when it arrived; read here for display only
  const { receipt } = JSON.parse(summary.last_receipt.receipt) as { receipt: Receipt };
  const { slice_seq, status, reason_code, detail, head, checkpoint_size, received_at } = receipt;
  return { slice_seq, status, reason_code, detail, head, checkpoint_size, received_at, recorded_at: new Date(summary.last_receipt.receipt_ms).toISOString() };
}

export function partnerStatus(summary: PartnerSummary, inPolicy: boolean): PartnerStatus {
  const n = (s: keyof PartnerSummary['statuses']) => summary.statuses[s] ?? 0;
  const packaged = Object.values(summary.statuses).reduce((a, b) => a + (b ?? 0), 0);
  return {
    partner: summary.partner,
    in_policy: inPolicy,
    packaged,
    sent: packaged - n('pending'),
    acknowledged: n('accepted') + n('duplicate'),
    accepted: n('accepted'),
    duplicate: n('duplicate'),
    refused: n('refused'),
    refused_by_reason: summary.refused_reasons,
    pending: n('pending') + n('sent'),
    unpublished: n('pending'),
    allowed: summary.decisions.ALLOW,
    denied: summary.decisions.DENY,
    next_slice_seq: summary.next_seq,
    checkpoint_size: summary.sent_size,
    last_receipt: lastReceipt(summary),
  };
}

export async function federationStatus(store: FederationStore, policy: FederationPolicy): Promise<FederationStatus> {
  const summaries = new Map((await store.summaries()).map((s) => [s.partner, s]));
  const names = [...new Set([...policy.partners.keys(), ...summaries.keys()])].sort();
  const empty = (partner: string): PartnerSummary => ({ partner, next_seq: 1, sent_size: 0, statuses: {}, refused_reasons: {}, decisions: { ALLOW: 0, DENY: 0 }, last_receipt: null });
  const partners = names.map((name) => partnerStatus(summaries.get(name) ?? empty(name), policy.partners.has(name)));
  return { sender: policy.sender, ok: partners.every((p) => p.refused === 0), partners };
}
