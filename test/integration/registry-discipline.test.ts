// Registry discipline against the real registry: idempotent registration, BACKWARD checks that name the
// subject and the field, and a serializer that refuses unknown, unregistered and invalid events.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { before, test } from 'node:test';
import { z } from 'zod';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { type AuditContractError } from '../../audit/errors.js';
import { checkSchemas, registerSchemas } from '../../audit/registry-discipline.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { schemaRegistryEndpoint } from '../../config/endpoints.js';
import { ROOT } from '../../config/paths.js';
import { EVENT_DEFINITIONS } from '../../schemas/catalog.js';
import { defineEvent } from '../../schemas/define-event.js';
import { leaseClaimed } from '../../schemas/events/lease.js';
import { stackReady } from '../helpers/stack.js';

let registryUrl: string;
const freshTopic = () => `test.audit.${randomUUID()}`;

before(async () => {
  await stackReady();
  registryUrl = schemaRegistryEndpoint().address;
});

/** The catalog with lease_claimed's payload replaced. */
function withLeaseClaimedPayload(payload: z.ZodType) {
  return EVENT_DEFINITIONS.map((d) => (d.schemaId === leaseClaimed.schemaId ? defineEvent({ ...leaseClaimed, payload }) : d));
}

test('register is idempotent: every subject registered once, then unchanged with the same ids', async () => {
  const topic = freshTopic();
  const first = await registerSchemas({ registryUrl, topic });
  assert.equal(first.length, EVENT_DEFINITIONS.length);
  assert.ok(first.every((r) => r.status === 'registered' && r.id! > 0), JSON.stringify(first));
  assert.ok(first.every((r) => r.subject === `${topic}-${r.schema_id}`), 'topic-record subject naming');
  const second = await registerSchemas({ registryUrl, topic });
  assert.deepEqual(second.map((r) => [r.status, r.id]), first.map((r) => ['unchanged', r.id]));
});

test('check: an additive change (a new optional field) is compatible', async () => {
  const topic = freshTopic();
  await registerSchemas({ registryUrl, topic });
  const additive = withLeaseClaimedPayload(leaseClaimed.payload.extend({ handover_note: z.string().optional() }));
  const reports = await checkSchemas({ registryUrl, topic, definitions: additive });
  assert.ok(reports.every((r) => r.status === 'compatible'), JSON.stringify(reports.filter((r) => r.status !== 'compatible')));
});

test('check and register: a breaking change is refused, naming the subject and the field', async () => {
  const topic = freshTopic();
  await registerSchemas({ registryUrl, topic });
  const breaking = withLeaseClaimedPayload(leaseClaimed.payload.extend({ lease_window_seconds: z.string() }));
  const checked = await checkSchemas({ registryUrl, topic, definitions: breaking });
  const bad = checked.filter((r) => r.status === 'incompatible');
  assert.deepEqual(bad.map((r) => r.subject), [`${topic}-coordination.lease_claimed.v1`]);
  assert.ok(bad[0]!.problems!.some((p) => p.startsWith('payload.lease_window_seconds: type integer → string')), bad[0]!.problems!.join('\n'));
  const registered = await registerSchemas({ registryUrl, topic, definitions: breaking });
  assert.equal(registered.find((r) => r.schema_id === leaseClaimed.schemaId)!.status, 'incompatible');
});

test('coord schemas check exits 1 and names the subject when the local schema breaks what is registered', async () => {
  const topic = freshTopic();
  // What is registered has a field the local schema no longer knows: old events would be refused.
  await registerSchemas({ registryUrl, topic, definitions: withLeaseClaimedPayload(leaseClaimed.payload.extend({ priority: z.number().int().optional() })) });
  const cli = spawnSync(process.execPath, ['bin/coord.mjs', 'schemas', 'check', '--topic', topic], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stdout + cli.stderr);
  assert.match(cli.stderr, new RegExp(`INCOMPATIBLE ${topic.replaceAll('.', '\\.')}-coordination\\.lease_claimed\\.v1`));
  assert.match(cli.stderr, /payload\.priority: removed/);
  assert.match(cli.stderr, /coordination\.lease_claimed\.v2/);
  const ok = spawnSync(process.execPath, ['bin/coord.mjs', 'schemas', 'register', '--topic', freshTopic(), '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout).ok, true);
});

test('serializer: a registered event round-trips through Confluent wire format', async () => {
  const topic = freshTopic();
  await registerSchemas({ registryUrl, topic });
  const serializer = new AuditSerializer(registryUrl, topic);
  for (const event of buildVrsExample()) {
    const wire = await serializer.encode(event);
    assert.equal(wire[0], 0);
    assert.equal(wire.readInt32BE(1), await serializer.schemaIdFor(event.schema_id));
    assert.deepEqual(await serializer.decode(wire), event);
  }
});

test('serializer refuses an unknown schema_id, an unregistered schema, and an invalid event (with the field path)', async () => {
  const [requested, claimed] = buildVrsExample();
  const unregistered = new AuditSerializer(registryUrl, freshTopic());
  await assert.rejects(unregistered.encode(claimed), (err: AuditContractError) => err.code === 'ERR_SCHEMA_NOT_REGISTERED' && /not registered under subject/.test(err.message));

  const topic = freshTopic();
  await registerSchemas({ registryUrl, topic });
  const serializer = new AuditSerializer(registryUrl, topic);
  await assert.rejects(serializer.encode({ ...requested, schema_id: 'composition.requested.v7' }), { code: 'ERR_UNKNOWN_SCHEMA', path: 'schema_id' });
  const invalid = structuredClone(claimed)!;
  (invalid.payload as Record<string, unknown>).lease_window_seconds = -5;
  await assert.rejects(serializer.encode(invalid), (err: AuditContractError) => err.code === 'ERR_INVALID_EVENT' && err.path === 'payload.lease_window_seconds');
});
