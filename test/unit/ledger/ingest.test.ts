// Ledger ingest on an in-memory SQLite store: idempotent, every failure quarantined with its reason,
// canonical rows append-only, a batch all or nothing. (The decoder here reads plain JSON: the wire format
// and the registry are covered against the real stack in test/integration/ledger-*.test.ts.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEventCursor } from '../../../audit/ledger/query.js';
import { Ingestor, type TopicMessage } from '../../../audit/ledger/ingest.js';
import { SqliteLedgerStore } from '../../../audit/ledger/sqlite-store.js';
import type { MessageDecoder } from '../../../audit/ledger/wire.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { CMP_A, CMP_B, clone, interleavedStream, rehash } from '../../helpers/audit-streams.js';

const jsonDecoder: MessageDecoder = {
  decode: async (buffer) => ({ ok: true, value: JSON.parse(buffer!.toString('utf8')) as unknown }),
};

let offset = 0;
const messages = (events: unknown[]): TopicMessage[] => events.map((e) => ({ topic: 't', partition: 0, offset: String(offset++), value: Buffer.from(JSON.stringify(e)) }));

async function fresh() {
  const store = SqliteLedgerStore.open(':memory:');
  return { store, ingestor: new Ingestor(store, jsonDecoder) };
}

const stream = interleavedStream();
const eventsOf = (cmp: string) => stream.filter((e) => e.composition_id === cmp);

test('a clean stream is accepted in full; ingesting it again changes nothing', async () => {
  const { store, ingestor } = await fresh();
  assert.deepEqual(await ingestor.ingest(messages(stream)), { accepted: 18, duplicates: 0, quarantined: 0 });
  assert.deepEqual(await ingestor.ingest(messages(stream)), { accepted: 0, duplicates: 18, quarantined: 0 });
  assert.deepEqual(await store.counts(), { events: 18, compositions: 2, quarantined: 0 });
  const heads = await store.heads([CMP_A, CMP_B]);
  assert.equal(heads.get(CMP_A)!.this_hash, eventsOf(CMP_A).at(-1)!.this_hash);
  assert.equal(heads.get(CMP_B)!.sequence, 9);
});

test('an identical duplicate inside one batch is a no-op too', async () => {
  const { store, ingestor } = await fresh();
  const a = eventsOf(CMP_A);
  assert.deepEqual(await ingestor.ingest(messages([a[0], a[1], a[1], a[0], a[2]])), { accepted: 3, duplicates: 2, quarantined: 0 });
  assert.equal((await store.counts()).events, 3);
});

async function quarantinedReason(prefix: AuditEvent[], bad: unknown): Promise<{ reason: string; detail: string; events: number }> {
  const { store, ingestor } = await fresh();
  await ingestor.ingest(messages(prefix));
  const stats = await ingestor.ingest(messages([bad]));
  assert.equal(stats.quarantined, 1, 'the bad event is quarantined');
  const { entries } = await store.quarantine({ limit: 10 });
  return { reason: entries[0]!.reason, detail: entries[0]!.detail, events: (await store.counts()).events };
}

test('failures go to quarantine with the right reason, never to the canonical table', async () => {
  const a = eventsOf(CMP_A);
  const edited = clone(a[3]!) as AuditEvent;
  (edited.payload as Record<string, unknown>).tampered = true;
  const cases: [string, AuditEvent[], unknown][] = [
    ['hash_mismatch', a.slice(0, 3), { ...a[3]!, ts_utc: '2030-01-01T00:00:00Z' }],
    ['conflicting_duplicate', a.slice(0, 5), rehash({ ...a[3]!, ts_utc: '2030-01-01T00:00:00Z' })],
    ['sequence_gap', a.slice(0, 3), a[4]!],
    ['broken_link', a.slice(0, 3), rehash({ ...a[3]!, prev_hash: a[0]!.this_hash })],
    ['causal_mismatch', a.slice(0, 3), rehash({ ...a[3]!, causal_predecessor: a[0]!.event_id })],
    ['unknown_schema', a.slice(0, 3), rehash({ ...a[3]!, schema_id: 'coordination.nonexistent.v1' })],
    ['missing_provenance', a.slice(0, 3), rehash({ ...a[3]!, auth: null })],
    ['invalid_event', a.slice(0, 3), rehash({ ...a[3]!, ts_utc: 'yesterday' })],
  ];
  for (const [reason, prefix, bad] of cases) {
    const got = await quarantinedReason(prefix, bad);
    assert.equal(got.reason, reason, `${reason}: ${got.detail}`);
    assert.equal(got.events, prefix.length, `${reason}: the canonical table holds only the good prefix`);
  }
});

test('the same bad message redelivered is quarantined once', async () => {
  const { store, ingestor } = await fresh();
  const bad: TopicMessage = { topic: 't', partition: 0, offset: '7', value: Buffer.from(JSON.stringify({ schema_id: 'nope' })) };
  await ingestor.ingest([bad]);
  await ingestor.ingest([bad]);
  assert.equal((await store.counts()).quarantined, 1);
});

test('canonical and quarantine rows refuse UPDATE and DELETE at the database', async () => {
  const { store, ingestor } = await fresh();
  await ingestor.ingest(messages([...eventsOf(CMP_A).slice(0, 2), { schema_id: 'nope' }]));
  // reach into the connection: the point is that the database itself refuses
  const db = (store as unknown as { db: { exec(sql: string): void } }).db;
  assert.throws(() => db.exec("UPDATE ledger_events SET this_hash = 'x'"), /append-only/);
  assert.throws(() => db.exec('DELETE FROM ledger_events'), /append-only/);
  assert.throws(() => db.exec('DELETE FROM ledger_quarantine'), /append-only/);
  assert.equal((await store.counts()).events, 2);
});

test('a batch that fails before its commit leaves nothing behind; the retry stores it exactly once', async () => {
  const { store, ingestor } = await fresh();
  const batch = messages(stream);
  await assert.rejects(
    ingestor.ingest(batch, {
      beforeCommit: () => {
        throw new Error('crash before commit');
      },
    }),
    /crash before commit/,
  );
  assert.deepEqual(await store.counts(), { events: 0, compositions: 0, quarantined: 0 });
  assert.equal((await store.positions('t')).size, 0);
  assert.equal((await ingestor.ingest(batch)).accepted, 18);
  assert.equal((await ingestor.ingest(batch)).accepted, 0, 'redelivery after the commit is a no-op');
  assert.equal((await store.counts()).events, 18);
  assert.equal((await store.positions('t')).get(0), BigInt(batch.at(-1)!.offset) + 1n);
});

test('queries filter on every axis and page with a stable cursor', async () => {
  const { store, ingestor } = await fresh();
  await ingestor.ingest(messages(stream));
  const all: unknown[] = [];
  let cursor: string | null = null;
  let after: { composition_id: string; sequence: number } | undefined;
  do {
    const page = await store.events({ limit: 4, ...(after ? { after } : {}) });
    all.push(...page.events);
    cursor = page.next_cursor;
    after = cursor ? decodeEventCursor(cursor) : undefined;
  } while (cursor);
  assert.equal(all.length, 18);
  const ids = all.map((e) => (e as AuditEvent).event_id);
  assert.deepEqual(ids, [...eventsOf(CMP_A), ...eventsOf(CMP_B)].map((e) => e.event_id).sort((x, y) => (x < y ? -1 : 1)));

  const humans = await store.events({ limit: 100, actor_type: 'human', composition_id: CMP_A });
  assert.ok(humans.events.length > 0);
  assert.ok(humans.events.every((e) => (e as AuditEvent).actor.type === 'human' && (e as AuditEvent).composition_id === CMP_A));
  const first = eventsOf(CMP_A)[0]!;
  const bySchema = await store.events({ limit: 100, schema_id: first.schema_id });
  assert.equal(bySchema.events.length, 2);
  const byActor = await store.events({ limit: 100, actor_id: first.actor.id, issuer: first.auth!.issuer });
  assert.ok(byActor.events.every((e) => (e as AuditEvent).actor.id === first.actor.id));
  const t = Date.parse(eventsOf(CMP_A)[4]!.ts_utc);
  const window = await store.events({ limit: 100, composition_id: CMP_A, since: t, until: t + 1 });
  assert.deepEqual(window.events.map((e) => (e as AuditEvent).event_id), [eventsOf(CMP_A)[4]!.event_id]);
  assert.equal((await store.events({ limit: 100, abac_outcome: 'DENY' })).events.length, 0);
});
