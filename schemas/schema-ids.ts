/** Every event `schema_id` of the lifecycle, named `namespace.entity.vN` (ARCHITECTURE §5). */
export const SCHEMA_IDS = {
  requested: 'composition.requested.v1',
  leaseClaimed: 'coordination.lease_claimed.v1',
  leaseRenewed: 'coordination.lease_renewed.v1',
  workStarted: 'coordination.work_started.v1',
  leaseExpired: 'coordination.lease_expired.v1',
  leaseReleased: 'coordination.lease_released.v1',
  lensRunStarted: 'coordination.lens_run_started.v1',
  psiRoundCompleted: 'coordination.psi_round_completed.v1',
  lensRunCompleted: 'coordination.lens_run_completed.v1',
  evidenceBlockEmitted: 'coordination.evidence_block_emitted.v1',
  matchesPublished: 'coordination.matches_published.v1',
  closed: 'composition.closed.v1',
  evidenceRejected: 'composition.evidence_rejected.v1',
  cancelled: 'composition.cancelled.v1',
  accessDenied: 'coordination.access_denied.v1',
  correction: 'coordination.correction.v1',
} as const;

export type SchemaId = (typeof SCHEMA_IDS)[keyof typeof SCHEMA_IDS];

export const SCHEMA_ID_PATTERN = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$/;
