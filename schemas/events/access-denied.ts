/** The record of a refused action: nothing changed, and here is why (seed §7a.4, 4b). */
import { z } from 'zod';
import { defineEvent } from '../define-event.js';
import { REASON_CODE_PATTERN } from '../reason-codes.js';
import { SCHEMA_ID_PATTERN, SCHEMA_IDS } from '../schema-ids.js';
import { nonEmpty } from '../primitives.js';

export const accessDenied = defineEvent({
  schemaId: SCHEMA_IDS.accessDenied,
  description: 'An action was refused (bad token, missing scope, ABAC DENY, wrong state or actor type); no state changed.',
  requiredScopes: [],
  actorTypes: ['human', 'agent', 'service'],
  authority: 'recorder',
  payload: z.strictObject({
    attempted_schema_id: z.string().regex(SCHEMA_ID_PATTERN),
    reason_code: z.string().regex(REASON_CODE_PATTERN),
    reason: nonEmpty,
    /** the lifecycle state the composition stayed in */
    state: nonEmpty,
    /**
     * When the token did not verify, what it claimed — recorded as unverified hints, never trusted
     * (actor/auth of the event are then the ledger itself and null).
     */
    unverified: z
      .strictObject({
        issuer: nonEmpty.optional(),
        subject: nonEmpty.optional(),
        jwt_jti: nonEmpty.optional(),
        kid: nonEmpty.optional(),
        alg: nonEmpty.optional(),
      })
      .optional(),
  }),
});
