// Proves the schema registry is real: JSON Schema (draft-07) registration, Confluent wire format, BACKWARD
// compatibility enforced on register, and schema ids that survive a restart of the registry.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { schemaRegistryEndpoint } from '../../config/endpoints.js';
import { down, up } from '../../infra/stack/stack.js';
import { stackReady } from '../helpers/stack.js';

const v1 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: { composition_id: { type: 'string' }, sequence: { type: 'integer' } },
  required: ['composition_id', 'sequence'],
};

let registry: SchemaRegistry;
const subject = `coordination.audit-smoke.${randomUUID()}`;

before(async () => {
  await stackReady();
  registry = new SchemaRegistry({ host: schemaRegistryEndpoint().address });
});

test('register a draft-07 JSON Schema, then encode and decode in Confluent wire format', async () => {
  const { id } = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(v1) }, { subject });
  const value = { composition_id: 'cmp_1', sequence: 1 };
  const wire = await registry.encode(id, value);
  assert.equal(wire[0], 0, 'magic byte');
  assert.equal(wire.readInt32BE(1), id, 'schema id after the magic byte');
  assert.deepEqual(JSON.parse(wire.subarray(5).toString('utf8')), value);
  assert.deepEqual(await registry.decode(wire), value);
  await assert.rejects(registry.encode(id, { composition_id: 'cmp_1', sequence: 'one' }), /invalid payload/);
});

test('an additive change registers as a new version; an incompatible one is refused', async () => {
  const additive = { ...v1, properties: { ...v1.properties, note: { type: 'string' } } };
  const added = await registry.register({ type: SchemaType.JSON, schema: JSON.stringify(additive) }, { subject });
  assert.ok(added.id > 0);
  const breaking = { ...additive, properties: { ...additive.properties, sequence: { type: 'string' } } };
  await assert.rejects(
    registry.register({ type: SchemaType.JSON, schema: JSON.stringify(breaking) }, { subject }),
    (err: Error & { status?: number }) => err.status === 409 && /Incompatible/.test(err.message),
  );
});

test('schema ids survive a restart of the registry', async () => {
  const before = await registry.getLatestSchemaId(subject);
  await down({ only: ['schema-registry'] });
  await up({ only: ['schema-registry'] });
  const fresh = new SchemaRegistry({ host: schemaRegistryEndpoint().address });
  assert.equal(await fresh.getLatestSchemaId(subject), before);
  const { id } = await fresh.register({ type: SchemaType.JSON, schema: JSON.stringify(v1) }, { subject });
  const wire = await fresh.encode(id, { composition_id: 'cmp_2', sequence: 2 });
  assert.deepEqual(await fresh.decode(wire), { composition_id: 'cmp_2', sequence: 2 });
});
