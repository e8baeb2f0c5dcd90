// The entity reference fields the ledger indexes (schemas/entity-refs.ts) are real payload fields, each a
// string in every contract that has it; and every payload field named like a reference (…_ref, lens/run/
// block/edition id) is in the list, so a new reference cannot be added to a contract and silently go unindexed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { z } from 'zod';
import { EVENT_DEFINITIONS } from '../../../schemas/catalog.js';
import { ENTITY_REF_FIELDS } from '../../../schemas/entity-refs.js';

const fields = EVENT_DEFINITIONS.flatMap((d) => Object.entries((d.payload as z.ZodObject).shape).map(([name, schema]) => ({ schemaId: d.schemaId, name, schema: schema as z.ZodType })));

test('every declared reference field is a string field of some payload', () => {
  for (const ref of ENTITY_REF_FIELDS) {
    const found = fields.filter((f) => f.name === ref);
    assert.ok(found.length > 0, `${ref} is in no payload`);
    for (const f of found) assert.ok(f.schema.safeParse('x').success && !f.schema.safeParse(1).success, `${f.schemaId}.${ref} is not a string`);
  }
});

test('every payload field named like an entity reference is declared', () => {
  const looksLikeRef = (name: string) => name.endsWith('_ref') || ['lens_id', 'run_id', 'block_id', 'edition_id'].includes(name);
  const undeclared = [...new Set(fields.filter((f) => looksLikeRef(f.name) && !(ENTITY_REF_FIELDS as readonly string[]).includes(f.name)).map((f) => `${f.schemaId}.${f.name}`))];
  assert.deepEqual(undeclared, []);
});
