/** Events that open and end a composition. */
import { z } from 'zod';
import { defineEvent } from '../define-event.js';
import { SCHEMA_IDS } from '../schema-ids.js';
import { nonEmpty, utcTimestamp } from '../primitives.js';

export const requested = defineEvent({
  schemaId: SCHEMA_IDS.requested,
  description: 'A composition (screening, fusion run, investigation) is requested; its workflow starts.',
  requiredScopes: ['fusion_operator'],
  actorTypes: ['human', 'service'],
  payload: z.strictObject({
    /** e.g. "vrs_screening", "fusion_run", "investigation" (drives the CompositionType search attribute) */
    composition_type: nonEmpty.optional(),
    customer_internal_ref: nonEmpty.optional(),
    lens_id: nonEmpty,
    lens_version: nonEmpty,
    screening_purpose: nonEmpty.optional(),
  }),
});

export const closed = defineEvent({
  schemaId: SCHEMA_IDS.closed,
  description: 'A human attests the evidence; the composition is closed (terminal). Agents propose, humans attest.',
  requiredScopes: ['edition_attest'],
  actorTypes: ['human'],
  payload: z.strictObject({
    decision: nonEmpty,
    attested_at: utcTimestamp,
    edition_id: nonEmpty,
    evidence_block_ref: nonEmpty,
  }),
});

export const evidenceRejected = defineEvent({
  schemaId: SCHEMA_IDS.evidenceRejected,
  description: 'A human rejects the evidence; work resumes (back to in_progress).',
  requiredScopes: ['edition_attest'],
  actorTypes: ['human'],
  payload: z.strictObject({
    evidence_block_ref: nonEmpty,
    reason: nonEmpty,
    rejected_at: utcTimestamp,
  }),
});

export const cancelled = defineEvent({
  schemaId: SCHEMA_IDS.cancelled,
  description: 'A human cancels the composition (terminal).',
  requiredScopes: ['composition_cancel'],
  actorTypes: ['human'],
  payload: z.strictObject({
    reason: nonEmpty,
    cancelled_at: utcTimestamp,
  }),
});
