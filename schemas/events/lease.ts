/** Lease events (seed §7a.2): a lease is a window in which one actor holds the work. */
import { z } from 'zod';
import { defineEvent } from '../define-event.js';
import { SCHEMA_IDS } from '../schema-ids.js';
import { nonEmpty, utcTimestamp } from '../primitives.js';

const leaseWindow = z.number().int().min(1).max(7 * 24 * 3600);

export const leaseClaimed = defineEvent({
  schemaId: SCHEMA_IDS.leaseClaimed,
  description: 'An actor claims the work; the lease runs for lease_window_seconds unless renewed.',
  requiredScopes: ['lease_claim'],
  actorTypes: ['agent', 'service'],
  payload: z.strictObject({
    lease_holder: nonEmpty,
    lease_window_seconds: leaseWindow,
    claimed_at: utcTimestamp,
    lease_expires_at: utcTimestamp,
  }),
});

export const leaseRenewed = defineEvent({
  schemaId: SCHEMA_IDS.leaseRenewed,
  description: 'The lease holder extends its lease by a new window from now.',
  requiredScopes: ['lease_claim'],
  actorTypes: ['agent', 'service'],
  payload: z.strictObject({
    lease_holder: nonEmpty,
    lease_window_seconds: leaseWindow,
    renewed_at: utcTimestamp,
    lease_expires_at: utcTimestamp,
  }),
});

export const leaseReleased = defineEvent({
  schemaId: SCHEMA_IDS.leaseReleased,
  description: 'The lease holder gives the lease back (after evidence, or abandoning the work).',
  requiredScopes: ['lease_claim'],
  actorTypes: ['agent', 'service'],
  payload: z.strictObject({
    lease_holder: nonEmpty,
    released_at: utcTimestamp,
    reason: z.enum(['completed', 'abandoned', 'handed_over']),
  }),
});

export const leaseExpired = defineEvent({
  schemaId: SCHEMA_IDS.leaseExpired,
  description: 'The lease timer fired with no renewal; the composition is claimable again. Emitted by the ledger.',
  requiredScopes: [],
  actorTypes: ['service'],
  authority: 'system',
  payload: z.strictObject({
    lease_holder: nonEmpty,
    claimed_at: utcTimestamp,
    lease_expires_at: utcTimestamp,
    expired_at: utcTimestamp,
  }),
});
