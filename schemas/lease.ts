/**
 * The lease, in one place: what a lease is, what a transition may need of it (guard), what it does to it
 * (effect), the payload fields the ledger sets on claim, renewal, release and expiry, and when it runs out.
 * Pure functions only; the lifecycle table (schemas/lifecycle.ts) names a guard and an effect per
 * transition, and the workflow's timer (workflows/lease-timer.ts) waits for `msUntilExpiry`.
 */
import type { Actor } from './envelope.js';
import { REASON_CODES, type ReasonCode } from './reason-codes.js';
import { SCHEMA_IDS, type SchemaId } from './schema-ids.js';

export interface Lease {
  holder: string;
  claimedAt: string;
  windowSeconds: number;
  expiresAt: string;
}

/** What a transition needs of the lease: none held, one held, or one held by this very actor. */
export type LeaseGuard = 'none' | 'held' | 'holder';
/** What it does to the lease. */
export type LeaseEffect = 'acquire' | 'extend' | 'clear';

/** A claim or renewal that names no window gets this one (seconds). */
export const DEFAULT_LEASE_WINDOW_SECONDS = 1800;

export type LeaseRefusal = { code: ReasonCode; message: string };

const heldBy = (lease: Lease) => `the lease is held by ${lease.holder} until ${lease.expiresAt}`;

/** Why `guard` refuses this actor, or undefined when it allows. */
export function leaseGuardRefusal(guard: LeaseGuard | undefined, lease: Lease | null, actor: Pick<Actor, 'id'>, schemaId: string): LeaseRefusal | undefined {
  if (guard === 'none' && lease) return { code: REASON_CODES.leaseHeld, message: heldBy(lease) };
  if ((guard === 'held' || guard === 'holder') && !lease) return { code: REASON_CODES.noLease, message: `${schemaId} needs an active lease` };
  if (guard === 'holder' && lease && lease.holder !== actor.id) return { code: REASON_CODES.notLeaseHolder, message: `the lease is held by ${lease.holder}, not ${actor.id}` };
  return undefined;
}

/** A claim refused because someone holds the lease says so, rather than naming the state. */
export function claimWhileHeldRefusal(lease: Lease): LeaseRefusal {
  return { code: REASON_CODES.leaseHeld, message: heldBy(lease) };
}

/** The lease fields an event's payload may carry (claim, renewal). */
interface LeasePayload {
  lease_holder?: string;
  lease_window_seconds?: number;
  claimed_at?: string;
  renewed_at?: string;
  lease_expires_at?: string;
}

/** The lease after a transition with `effect`, from the event's payload. */
export function applyLeaseEffect(lease: Lease | null, effect: LeaseEffect | undefined, payload: unknown): Lease | null {
  const p = (payload ?? {}) as LeasePayload;
  if (effect === 'acquire') return { holder: p.lease_holder!, claimedAt: p.claimed_at!, windowSeconds: p.lease_window_seconds!, expiresAt: p.lease_expires_at! };
  if (effect === 'extend' && lease) return { ...lease, windowSeconds: p.lease_window_seconds!, expiresAt: p.lease_expires_at! };
  if (effect === 'clear') return null;
  return lease;
}

/** Payload fields the ledger sets on lease events (never the caller). */
export const LEASE_LEDGER_FIELDS: Readonly<Partial<Record<SchemaId, readonly string[]>>> = {
  [SCHEMA_IDS.leaseClaimed]: ['lease_holder', 'claimed_at', 'lease_expires_at'],
  [SCHEMA_IDS.leaseRenewed]: ['lease_holder', 'renewed_at', 'lease_expires_at'],
  [SCHEMA_IDS.leaseReleased]: ['lease_holder', 'released_at'],
};

const plusSeconds = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

/** The whole payload of a claim, renewal or release at `ts` by `holder`; undefined for other events. */
export function leasePayload(schemaId: SchemaId, body: Record<string, unknown>, holder: string, ts: string): Record<string, unknown> | undefined {
  const window = typeof body.lease_window_seconds === 'number' ? body.lease_window_seconds : DEFAULT_LEASE_WINDOW_SECONDS;
  switch (schemaId) {
    case SCHEMA_IDS.leaseClaimed:
      return { lease_holder: holder, lease_window_seconds: window, claimed_at: ts, lease_expires_at: plusSeconds(ts, window) };
    case SCHEMA_IDS.leaseRenewed:
      return { lease_holder: holder, lease_window_seconds: window, renewed_at: ts, lease_expires_at: plusSeconds(ts, window) };
    case SCHEMA_IDS.leaseReleased:
      return { lease_holder: holder, released_at: ts, reason: body.reason ?? 'completed' };
    default:
      return undefined;
  }
}

/** The payload of the expiry the ledger records when the timer fires at `ts`. */
export function expiryPayload(lease: Lease, ts: string): Record<string, unknown> {
  return { lease_holder: lease.holder, claimed_at: lease.claimedAt, lease_expires_at: lease.expiresAt, expired_at: ts };
}

/** Milliseconds from `nowMs` until the lease runs out (≤ 0: it has). */
export function msUntilExpiry(lease: Lease, nowMs: number): number {
  return Date.parse(lease.expiresAt) - nowMs;
}
