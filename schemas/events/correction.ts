/**
 * A correction (seed 003 §2.4, issue 16 item 5): nothing recorded is ever updated. A human names the event
 * it supersedes — by id and by hash, so the link is to exact bytes — says why, and gives the replacement
 * values of some of that event's payload fields. Readers offer the current view (corrections applied,
 * audit/corrections.ts) and the historical view (as recorded); the chain always verifies the latter.
 */
import { z } from 'zod';
import { defineEvent } from '../define-event.js';
import { SCHEMA_IDS } from '../schema-ids.js';
import { eventId, sha256Ref } from '../primitives.js';

/** The scope a correction needs, beyond the PDP's decision: correcting the record is its own right. */
export const AUDIT_CORRECT_SCOPE = 'audit_correct';

export const MAX_CORRECTION_REASON = 1000;
/** At most this many fields replaced by one correction, and this many bytes of JSON for them all. */
export const MAX_CORRECTED_FIELDS = 32;
export const MAX_CORRECTED_BYTES = 8192;

const correctedFields = z
  .record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'expected a payload field name'), z.unknown())
  .refine((o) => Object.keys(o).length >= 1, 'names at least one field to correct')
  .refine((o) => Object.keys(o).length <= MAX_CORRECTED_FIELDS, `names at most ${MAX_CORRECTED_FIELDS} fields`)
  .refine((o) => JSON.stringify(o).length <= MAX_CORRECTED_BYTES, `at most ${MAX_CORRECTED_BYTES} bytes of JSON`);

export const correction = defineEvent({
  schemaId: SCHEMA_IDS.correction,
  description:
    'A human corrects an earlier event of the same composition: it names the event (id and this_hash) it supersedes, why, and the replacement payload values. The superseded event stays as recorded.',
  requiredScopes: [AUDIT_CORRECT_SCOPE],
  actorTypes: ['human'],
  payload: z.strictObject({
    /** the event_id of the corrected event (same composition; never a correction or a refusal) */
    supersedes: eventId,
    /** that event's this_hash, as recorded */
    supersedes_hash: sha256Ref,
    reason: z.string().trim().min(1).max(MAX_CORRECTION_REASON),
    /** replacement values of the superseded event's payload fields, each valid for that field */
    corrected: correctedFields,
  }),
});
