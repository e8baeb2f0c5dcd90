/**
 * The payload fields that name an entity outside the ledger (seed 003 §2.8, "entity keys"): a lens, a run,
 * an evidence block, an edition, a publication, a unit of work, the customer's own case or customer
 * reference. Declared once: the ledger indexes exactly these at ingest, and `entity_ref_field` accepts only
 * these names. A new event whose payload carries another reference adds its field name here.
 */
export const ENTITY_REF_FIELDS = [
  'lens_id',
  'run_id',
  'block_id',
  'evidence_block_ref',
  'edition_id',
  'publication_ref',
  'work_ref',
  'customer_internal_ref',
] as const;
export type EntityRefField = (typeof ENTITY_REF_FIELDS)[number];
