/** Frozen evidence and its publication (SPEC-33 evidence blocks are carried by reference). */
import { z } from 'zod';
import { defineEvent } from '../define-event.js';
import { SCHEMA_IDS } from '../schema-ids.js';
import { count, nonEmpty, sha256Ref, utcTimestamp } from '../primitives.js';

export const evidenceBlockEmitted = defineEvent({
  schemaId: SCHEMA_IDS.evidenceBlockEmitted,
  description: 'A frozen evidence block is emitted (in_progress → evidence), awaiting human attestation.',
  requiredScopes: ['evidence_emit'],
  actorTypes: ['agent', 'service'],
  payload: z.strictObject({
    block_id: nonEmpty,
    lens_id: nonEmpty,
    lens_version: nonEmpty,
    query_hash: sha256Ref,
    result_hash: sha256Ref,
    match_count: count,
    false_positives: count,
    false_negatives: count,
    f1: z.number().min(0).max(1),
    frozen_at: utcTimestamp,
    /** the SPEC-33 ViewHint the dispatcher uses to pick a renderer */
    view_hint: z.strictObject({
      component: nonEmpty,
      layout_type: nonEmpty,
      primary_field: nonEmpty,
    }),
  }),
});

export const matchesPublished = defineEvent({
  schemaId: SCHEMA_IDS.matchesPublished,
  description: 'The matches of an evidence block are published to a consumer (e.g. the firm\'s Beacon).',
  requiredScopes: ['fusion_operator'],
  actorTypes: ['service', 'agent'],
  payload: z.strictObject({
    block_id: nonEmpty,
    result_hash: sha256Ref,
    match_count: count,
    published_to: nonEmpty,
    publication_ref: nonEmpty,
    published_at: utcTimestamp,
  }),
});
