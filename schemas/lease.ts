/**
 * The lease, in one place: what a lease is, what a transition may need of it (guard), what it does to it
 * (effect), the payload fields the ledger sets on claim, renewal, release and expiry, and when it runs out.
 * Pure functions only; the lifecycle table (schemas/lifecycle.ts) names a guard and an effect per
 * transition, and the workflow's timer (workflows/lease-timer.ts) waits for `msUntilExpiry`.
 */
import { REASON_CODES, type ReasonCode } from './reason-codes.js';
import { SCHEMA_IDS, type SchemaId } from './schema-ids.js';

export interface Lease {
  holder: string;
  /**
   * The issuer of the holder's token: a lease is held by (issuer, id), so a token of another issuer naming
   * the same client id is not the holder. Absent on leases taken before this was recorded.
   */
  holderIssuer?: string;
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

/** The caller as the lease sees it: its actor id and the issuer that vouched for it. */
export interface LeaseCaller {
  id: string;
  issuer: string | undefined;
  /** replaying a history recorded before leases were bound to their issuer: compare ids only */
  byIdOnly?: boolean;
}

/** Is `caller` the lease's holder: the same id from the same issuer (when the lease recorded one)? */
export function isHolder(lease: Lease, caller: LeaseCaller): boolean {
  if (lease.holder !== caller.id) return false;
  return caller.byIdOnly === true || lease.holderIssuer === undefined || lease.holderIssuer === caller.issuer;
}

/** Why `guard` refuses this caller, or undefined when it allows. */
export function leaseGuardRefusal(guard: LeaseGuard | undefined, lease: Lease | null, caller: LeaseCaller, schemaId: string): LeaseRefusal | undefined {
  if (guard === 'none' && lease) return { code: REASON_CODES.leaseHeld, message: heldBy(lease) };
  if ((guard === 'held' || guard === 'holder') && !lease) return { code: REASON_CODES.noLease, message: `${schemaId} needs an active lease` };
  if (guard === 'holder' && lease && !isHolder(lease, caller)) {
    const who = lease.holder === caller.id ? `${caller.id} of another issuer (${caller.issuer ?? 'none'})` : caller.id;
    // (a history replayed under the old rules keeps the old wording: the refusal it recorded must be rebuilt byte for byte)
    const of = lease.holderIssuer && !caller.byIdOnly ? ` of ${lease.holderIssuer}` : '';
    return { code: REASON_CODES.notLeaseHolder, message: `the lease is held by ${lease.holder}${of}, not ${who}` };
  }
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

/** The lease after a transition with `effect`, from the event's payload (and, on a claim, the claimant's issuer). */
export function applyLeaseEffect(lease: Lease | null, effect: LeaseEffect | undefined, payload: unknown, issuer?: string): Lease | null {
  const p = (payload ?? {}) as LeasePayload;
  if (effect === 'acquire') {
    return { holder: p.lease_holder!, ...(issuer ? { holderIssuer: issuer } : {}), claimedAt: p.claimed_at!, windowSeconds: p.lease_window_seconds!, expiresAt: p.lease_expires_at! };
  }
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
