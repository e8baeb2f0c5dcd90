/** Events reporting the work itself: starting it, lens runs, federated PSI rounds. */
import { z } from 'zod';
import { defineEvent } from '../define-event.js';
import { SCHEMA_IDS } from '../schema-ids.js';
import { count, nonEmpty, sha256Ref, utcTimestamp } from '../primitives.js';

export const workStarted = defineEvent({
  schemaId: SCHEMA_IDS.workStarted,
  description: 'The lease holder starts the work.',
  requiredScopes: ['fusion_operator'],
  actorTypes: ['agent', 'service'],
  payload: z.strictObject({
    started_at: utcTimestamp,
    work_ref: nonEmpty.optional(),
  }),
});

export const lensRunStarted = defineEvent({
  schemaId: SCHEMA_IDS.lensRunStarted,
  description: 'A lens run starts (declared as starting work: leased → in_progress).',
  requiredScopes: ['fusion_operator'],
  actorTypes: ['agent', 'service'],
  payload: z.strictObject({
    run_id: nonEmpty,
    lens_id: nonEmpty,
    lens_version: nonEmpty,
    query_hash: sha256Ref,
    started_at: utcTimestamp,
  }),
});

export const psiRoundCompleted = defineEvent({
  schemaId: SCHEMA_IDS.psiRoundCompleted,
  description: 'A private set intersection round between two federated nodes completed; no raw records cross.',
  requiredScopes: ['psi_participant'],
  actorTypes: ['service', 'agent'],
  payload: z.strictObject({
    psi_protocol: nonEmpty,
    rounds: z.number().int().min(1),
    node_a_id: nonEmpty,
    node_a_issuer: nonEmpty,
    node_a_jwt_jti: nonEmpty,
    node_b_id: nonEmpty,
    node_b_issuer: nonEmpty,
    node_b_jwt_jti: nonEmpty,
    set_a_size: count,
    set_b_size: count,
    intersection_size: count,
    /** the privacy invariant: 0 in every valid run (checked on replay, recorded as measured) */
    raw_records_transmitted: count,
  }),
});

export const lensRunCompleted = defineEvent({
  schemaId: SCHEMA_IDS.lensRunCompleted,
  description: 'A lens run completed; its result is referenced by hash.',
  requiredScopes: ['fusion_operator'],
  actorTypes: ['agent', 'service'],
  payload: z.strictObject({
    run_id: nonEmpty,
    lens_id: nonEmpty,
    lens_version: nonEmpty,
    result_hash: sha256Ref,
    match_count: count,
    completed_at: utcTimestamp,
  }),
});
