/**
 * What every ledger store must do, written once: the SQLite unit tests and the PostgreSQL integration test
 * register these cases with their own way to open an empty store. Ingest is idempotent, every failure is
 * quarantined with its reason, rows are append-only at the database, a batch is all or nothing, queries
 * page by keyset, and the self-audit's arithmetic holds on top. (The decoder reads plain JSON: the wire
 * format and the registry are covered against the real stack in test/integration/ledger-*.test.ts.)
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type Database from 'better-sqlite3';
import { Ingestor, type TopicMessage } from '../../ledger/ingest.js';
import { decodeEventCursor, decodeQuarantineCursor } from '../../ledger/query.js';
import type { CanonicalRow, LedgerHead, QuarantineRow } from '../../ledger/records.js';
import { SelfAudit } from '../../ledger/self-audit.js';
import { SqliteLedgerStore } from '../../ledger/sqlite-store.js';
import type { LedgerStore } from '../../ledger/store.js';
import type { MessageDecoder } from '../../ledger/wire.js';
import type { WorkflowHead, WorkflowHeadSource } from '../../ledger/workflow-heads.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { CMP_A, CMP_B, clone, interleavedStream, rehash } from './audit-streams.js';
import { signatureHeaders, testEmitter } from './emitter.js';
import { canonicalJson } from '../../audit/canonical.js';
import { parseCheckpoint } from '../../audit/tlog/checkpoint.js';
import { cosign, cosignatureVerifier, cosignerFromKey, generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { openNote } from '../../audit/tlog/note.js';
import { generateNoteKey, noteSigner, noteVerifier } from '../../audit/tlog/note-keys.js';
import { refusalSigner, signRefusal } from '../../audit/tlog/witness-refusal.js';
import { Checkpointer } from '../../ledger/log/checkpointer.js';
import { checkpointBody, LogService } from '../../ledger/log/log-service.js';
import { EMPTY_RANGE, appendLeaves, compactRangeRoot, consistencyProof, inclusionProof, leafHash, root, verifyConsistency, verifyInclusion } from '../../audit/tlog/merkle.js';

export interface StoreUnderTest {
  store: LedgerStore;
  /** runs one statement on the store's database past the store: for what the database itself must refuse */
  exec(sql: string): Promise<void>;
}

/** Opens a new, empty store; the cases close it when their test ends. */
export type OpenStore = () => Promise<StoreUnderTest>;

/** The reference backend: SQLite in memory. */
export const openSqliteInMemory: OpenStore = async () => {
  const store = SqliteLedgerStore.open(':memory:');
  // reach into the connection: the point is that the database itself refuses
  const db = (store as unknown as { db: Database.Database }).db;
  return {
    store,
    exec: async (sql) => {
      db.exec(sql);
    },
  };
};

const jsonDecoder: MessageDecoder = {
  decode: async (buffer) => ({ ok: true, value: JSON.parse(buffer!.toString('utf8')) as unknown }),
};

let offset = 0;
const emitter = testEmitter();
const messages = (events: unknown[]): TopicMessage[] =>
  events.map((e) => ({ topic: 't', partition: 0, offset: String(offset++), value: Buffer.from(JSON.stringify(e)), headers: signatureHeaders(emitter.signer, String((e as { this_hash?: unknown }).this_hash ?? '')) }));

const stream = interleavedStream();
const a = stream.filter((e) => e.composition_id === CMP_A);
const b = stream.filter((e) => e.composition_id === CMP_B);
const headOf = (e: AuditEvent, sequence: number): LedgerHead => ({ composition_id: e.composition_id, sequence, event_id: e.event_id, this_hash: e.this_hash, ts_utc: e.ts_utc });

async function fresh(t: TestContext, open: OpenStore) {
  const opened = await open();
  t.after(() => opened.store.close());
  return { ...opened, ingestor: new Ingestor(opened.store, jsonDecoder, emitter.keyring) };
}

/** A canonical row as the ingestor would write it, for cases that commit past the ingestor. */
const row = (e: AuditEvent, sequence: number, offset: number): CanonicalRow => ({
  ...{ composition_id: e.composition_id, sequence, event_id: e.event_id, schema_id: e.schema_id, ts_utc: e.ts_utc, ts_ms: Date.parse(e.ts_utc) },
  ...{ actor_type: e.actor.type, actor_id: e.actor.id, issuer: null, abac_outcome: null, prev_hash: e.prev_hash, this_hash: e.this_hash, body: '{}' },
  ...(({ kid, sig }) => ({ emitter_kid: kid, emitter_sig: sig }))(emitter.signer.sign(e.this_hash)),
  source: { topic: 't', partition: 0, offset: String(offset) },
});

/** `n` one-event compositions and `n` quarantined messages, for batches larger than one INSERT statement. */
function bulkBatch(n: number) {
  const id = (i: number) => String(i).padStart(5, '0');
  return {
    accepted: Array.from({ length: n }, (_, i) => row({ ...a[0]!, composition_id: `cmp_bulk_${id(i)}`, event_id: `evt_bulk_${id(i)}` }, 1, i)),
    quarantined: Array.from({ length: n }, (_, i): QuarantineRow => ({
      ...{ reason: 'invalid_event', detail: `bad ${id(i)}`, composition_id: null, event_id: null, schema_id: null, this_hash: null, body: 'e30=' },
      source: { topic: 't', partition: 1, offset: String(i) },
    })),
    positions: [{ topic: 't', partition: 0, next_offset: String(n) }],
  };
}

export function ledgerStoreCases(open: OpenStore): void {
  test('a clean stream is accepted in full; ingesting it again changes nothing', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    const batch = messages(stream);
    assert.deepEqual(await ingestor.ingest(batch), { accepted: 18, duplicates: 0, quarantined: 0 });
    assert.deepEqual(await ingestor.ingest(messages(stream)), { accepted: 0, duplicates: 18, quarantined: 0 });
    assert.deepEqual(await store.counts(), { events: 18, compositions: 2, quarantined: 0 });
    const heads = await store.heads([CMP_A, CMP_B, 'cmp_unknown']);
    assert.deepEqual([...heads.keys()].sort(), [CMP_A, CMP_B], 'a composition without events has no head');
    assert.deepEqual(heads.get(CMP_A), headOf(a[8]!, 9));
    assert.deepEqual(heads.get(CMP_B), headOf(b[8]!, 9));
    assert.equal(await store.hashAt(CMP_A, 4), a[3]!.this_hash);
    assert.equal(await store.hashAt(CMP_A, 10), undefined);
    assert.deepEqual(await store.positions('t'), new Map([[0, BigInt(offset)]]));
    assert.deepEqual(await store.positions('other'), new Map());
  });

  test('an identical duplicate inside one batch is a no-op too', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    assert.deepEqual(await ingestor.ingest(messages([a[0], a[1], a[1], a[0], a[2]])), { accepted: 3, duplicates: 2, quarantined: 0 });
    assert.equal((await store.counts()).events, 3);
  });

  async function quarantinedReason(t: TestContext, prefix: AuditEvent[], bad: unknown): Promise<{ reason: string; detail: string; events: number }> {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages(prefix));
    const stats = await ingestor.ingest(messages([bad]));
    assert.equal(stats.quarantined, 1, 'the bad event is quarantined');
    const { entries } = await store.quarantine({ limit: 10 });
    return { reason: entries[0]!.reason, detail: entries[0]!.detail, events: (await store.counts()).events };
  }

  test('failures go to quarantine with the right reason, never to the canonical table', async (t) => {
    const edited = clone(a[3]!);
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
      const got = await quarantinedReason(t, prefix, bad);
      assert.equal(got.reason, reason, `${reason}: ${got.detail}`);
      assert.equal(got.events, prefix.length, `${reason}: the canonical table holds only the good prefix`);
    }
  });

  test('the same bad message redelivered is quarantined once', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    const bad: TopicMessage = { topic: 't', partition: 0, offset: '7', value: Buffer.from(JSON.stringify({ schema_id: 'nope' })) };
    await ingestor.ingest([bad]);
    await ingestor.ingest([bad]);
    assert.equal((await store.counts()).quarantined, 1);
  });

  test('quarantine entries filter by reason and composition and page by id', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages([a[0], a[2], { schema_id: 'nope' }, b[0], b[2], a[3]]));
    const first = await store.quarantine({ limit: 2 });
    assert.deepEqual(first.entries.map((e) => [e.reason, e.composition_id]), [['sequence_gap', CMP_A], ['unknown_schema', null]]);
    assert.ok(first.entries.every((e) => Number.isInteger(e.id) && typeof e.source.partition === 'number'));
    const rest = await store.quarantine({ limit: 2, after: decodeQuarantineCursor(first.next_cursor!) });
    assert.deepEqual(rest.entries.map((e) => [e.reason, e.composition_id, e.event_id]), [['sequence_gap', CMP_B, b[2]!.event_id], ['sequence_gap', CMP_A, a[3]!.event_id]]);
    assert.equal(rest.next_cursor, null);
    const gapsOfA = await store.quarantine({ limit: 10, composition_id: CMP_A, reason: 'sequence_gap' });
    assert.deepEqual(gapsOfA.entries.map((e) => e.event_id), [a[2]!.event_id, a[3]!.event_id]);
    assert.equal(gapsOfA.entries[0]!.body, JSON.stringify(a[2]));
  });

  test('canonical and quarantine rows refuse UPDATE and DELETE at the database', async (t) => {
    const { store, ingestor, exec } = await fresh(t, open);
    await ingestor.ingest(messages([...a.slice(0, 2), { schema_id: 'nope' }]));
    await assert.rejects(exec("UPDATE ledger_events SET this_hash = 'x'"), /append-only/);
    await assert.rejects(exec('DELETE FROM ledger_events'), /append-only/);
    await assert.rejects(exec("UPDATE ledger_quarantine SET reason = 'x'"), /append-only/);
    await assert.rejects(exec('DELETE FROM ledger_quarantine'), /append-only/);
    assert.deepEqual(await store.counts(), { events: 2, compositions: 1, quarantined: 1 });
  });

  test('a batch that fails before its commit leaves nothing behind; the retry stores it exactly once', async (t) => {
    const { store, ingestor } = await fresh(t, open);
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

  test('the log: a leaf per admitted event in admission order, RFC 9162 root and proofs, nothing from a refused batch', async (t) => {
    const { store, ingestor, exec } = await fresh(t, open);
    const first = stream.slice(0, 7);
    await ingestor.ingest(messages(first));
    await assert.rejects(store.commit({ accepted: [row(a[0]!, 1, 99)], quarantined: [], positions: [] }), 'a primary key already held');
    await ingestor.ingest(messages(stream)); // the rest, and duplicates of the first seven (no new leaves)
    const admitted = [...first, ...stream.slice(7)];
    const reference = appendLeaves(EMPTY_RANGE, admitted.map((e) => leafHash(Buffer.from(canonicalJson(e), 'utf8'))));
    assert.equal(await store.log.size(), admitted.length);
    const rootHash = await root(store.log, admitted.length);
    assert.deepEqual(rootHash, compactRangeRoot(reference.range));
    for (const [i, e] of admitted.entries()) {
      assert.equal(await store.log.leafIndex(e.event_id), i);
      const proof = await inclusionProof(store.log, i, admitted.length);
      assert.ok(verifyInclusion(reference.nodes.find((n) => n.level === 0 && n.index === i)!.hash, i, admitted.length, proof, rootHash));
    }
    const older = await root(store.log, 5);
    assert.ok(verifyConsistency(5, admitted.length, await consistencyProof(store.log, 5, admitted.length), older, rootHash));
    await assert.rejects(exec('DELETE FROM tlog_leaves'), /append-only/);
    await assert.rejects(exec("UPDATE tlog_nodes SET hash = 'x'"), /append-only/);
  });

  test('a batch the database refuses midway leaves nothing behind either', async (t) => {
    const { store } = await fresh(t, open);
    // the second row repeats the first's primary key: the database refuses the batch after one insert
    const batch = { accepted: [row(a[0]!, 1, 0), row(a[1]!, 1, 1)], quarantined: [], positions: [{ topic: 't', partition: 0, next_offset: '2' }] };
    await assert.rejects(store.commit(batch));
    assert.deepEqual(await store.counts(), { events: 0, compositions: 0, quarantined: 0 });
    assert.equal((await store.positions('t')).size, 0);
    await store.commit({ ...batch, accepted: [row(a[0]!, 1, 0)] });
    assert.equal((await store.counts()).events, 1, 'the store is usable after a refused batch');
  });

  test('a batch of 2,500 events and 2,500 quarantined messages commits whole, in order', async (t) => {
    const { store } = await fresh(t, open);
    const batch = bulkBatch(2_500);
    await store.commit(batch);
    assert.deepEqual(await store.counts(), { events: 2_500, compositions: 2_500, quarantined: 2_500 });
    assert.deepEqual(await store.compositionIds({}), batch.accepted.map((r) => r.composition_id));
    const { entries } = await store.quarantine({ limit: 3_000 });
    assert.deepEqual(entries.map((q) => q.detail), batch.quarantined.map((q) => q.detail), 'quarantine ids follow the batch order');
    assert.equal((await store.positions('t')).get(0), 2_500n);
  });

  test('a large batch refused in its last rows leaves nothing behind', async (t) => {
    const { store } = await fresh(t, open);
    const batch = bulkBatch(2_500);
    batch.accepted.push({ ...batch.accepted[0]!, source: { topic: 't', partition: 0, offset: '2500' } }); // repeats a primary key
    await assert.rejects(store.commit(batch));
    assert.deepEqual(await store.counts(), { events: 0, compositions: 0, quarantined: 0 });
    assert.equal((await store.positions('t')).size, 0);
  });

  test('positions move forward with each batch, per topic and partition', async (t) => {
    const { store } = await fresh(t, open);
    const at = (topic: string, partition: number, next_offset: string) => ({ topic, partition, next_offset });
    await store.commit({ accepted: [], quarantined: [], positions: [at('t', 0, '5'), at('t', 1, '3'), at('u', 0, '9')] });
    await store.commit({ accepted: [], quarantined: [], positions: [at('t', 0, '18446744073709551615')] });
    assert.deepEqual(await store.positions('t'), new Map([[0, 18446744073709551615n], [1, 3n]]));
    assert.deepEqual(await store.positions('u'), new Map([[0, 9n]]));
  });

  test('queries filter on every axis and page with a stable cursor', async (t) => {
    const { store, ingestor } = await fresh(t, open);
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
    assert.deepEqual(ids, [...a, ...b].map((e) => e.event_id).sort((x, y) => (x < y ? -1 : 1)));
    assert.deepEqual(all[0], a[0], 'events come back as they were stored');

    const humans = await store.events({ limit: 100, actor_type: 'human', composition_id: CMP_A });
    assert.ok(humans.events.length > 0);
    assert.ok(humans.events.every((e) => (e as AuditEvent).actor.type === 'human' && (e as AuditEvent).composition_id === CMP_A));
    const bySchema = await store.events({ limit: 100, schema_id: a[0]!.schema_id });
    assert.equal(bySchema.events.length, 2);
    const byActor = await store.events({ limit: 100, actor_id: a[0]!.actor.id, issuer: a[0]!.auth!.issuer });
    assert.ok(byActor.events.length > 0);
    assert.ok(byActor.events.every((e) => (e as AuditEvent).actor.id === a[0]!.actor.id));
    const time = Date.parse(a[4]!.ts_utc);
    const window = await store.events({ limit: 100, composition_id: CMP_A, since: time, until: time + 1 });
    assert.deepEqual(window.events.map((e) => (e as AuditEvent).event_id), [a[4]!.event_id]);
    assert.equal((await store.events({ limit: 100, abac_outcome: 'DENY' })).events.length, 0);
    assert.equal((await store.events({ limit: 100, abac_outcome: 'ALLOW' })).events.length, 18);
  });

  test('recent heads and composition ids follow each composition’s last event', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages([...a.slice(0, 7), ...b]));
    const lastOfA = Date.parse(a[6]!.ts_utc);
    assert.deepEqual(await store.recentHeads(), [headOf(a[6]!, 7), headOf(b[8]!, 9)]);
    assert.deepEqual(await store.recentHeads(lastOfA), [headOf(a[6]!, 7), headOf(b[8]!, 9)], 'the bound is inclusive');
    assert.deepEqual(await store.recentHeads(lastOfA + 1), [headOf(b[8]!, 9)]);
    assert.deepEqual(await store.recentHeads(Date.parse(b[8]!.ts_utc) + 1), []);

    assert.deepEqual(await store.compositionIds({}), [CMP_A, CMP_B]);
    assert.deepEqual(await store.compositionIds({ schema_id: b[8]!.schema_id }), [CMP_B]);
    assert.deepEqual(await store.compositionIds({ actor_type: 'service', since: lastOfA }), [CMP_A, CMP_B]);
    assert.deepEqual(await store.compositionIds({ actor_id: b[0]!.actor.id, until: lastOfA }), [CMP_A, CMP_B]);
    assert.deepEqual(await store.compositionIds({ composition_id: CMP_B, issuer: 'idp.nowhere.example' }), []);
  });
}

class ScriptedWorkflows implements WorkflowHeadSource {
  heads = new Map<string, WorkflowHead>();
  set(id: string, sequence: number, last_hash: string | null) {
    this.heads.set(id, { composition_id: id, found: true, status: 'RUNNING', sequence, last_hash });
  }
  async recent() {
    return [...this.heads.keys()];
  }
  async head(id: string): Promise<WorkflowHead> {
    return this.heads.get(id) ?? { composition_id: id, found: false };
  }
}

async function selfAuditSetup(t: TestContext, open: OpenStore) {
  const { ingestor, store } = await fresh(t, open);
  const ingest = (events: unknown[]) => ingestor.ingest(messages(events));
  const workflows = new ScriptedWorkflows();
  let clock = Date.parse(a.at(-1)!.ts_utc) + 1000;
  const audit = new SelfAudit({ store, workflows, lagWindowSeconds: 60, now: () => clock });
  return { ingest, workflows, audit, tick: (s: number) => (clock += s * 1000) };
}

/** The self-audit's arithmetic against a store and a scripted Temporal side: delta, lag, the lag window, clearing. */
export function selfAuditCases(open: OpenStore): void {
  test('delta is 0 when every head agrees', async (t) => {
    const { ingest, workflows, audit } = await selfAuditSetup(t, open);
    await ingest(stream);
    workflows.set(CMP_A, 9, a[8]!.this_hash);
    workflows.set(CMP_B, 9, b[8]!.this_hash);
    const report = await audit.pass();
    assert.equal(report.delta, 0);
    assert.equal(report.matched, 2);
    assert.equal(report.ok, true);
  });

  test('a ledger behind the workflow is lag, becomes an alarm after the lag window, and clears once ingested', async (t) => {
    const { ingest, workflows, audit, tick } = await selfAuditSetup(t, open);
    await ingest([...a.slice(0, 7), ...b]);
    workflows.set(CMP_A, 9, a[8]!.this_hash);
    workflows.set(CMP_B, 9, b[8]!.this_hash);
    let report = await audit.pass();
    assert.equal(report.delta, 1);
    assert.deepEqual(report.lag, { events: 2, compositions: 1, max_seconds: 0 });
    assert.equal(report.mismatches[0]!.kind, 'ledger_behind');
    assert.equal(report.alarm, false, 'lag is normal for a moment');

    tick(61);
    report = await audit.pass();
    assert.equal(report.alarm, true, 'a difference that outlives the lag window is an alarm');
    assert.equal(report.mismatches[0]!.age_seconds, 61);

    await ingest(a.slice(7));
    report = await audit.pass();
    assert.equal(report.delta, 0);
    assert.equal(report.alarm, false);
  });

  test('a different hash at the same sequence and a composition without a workflow are mismatches', async (t) => {
    const { ingest, workflows, audit } = await selfAuditSetup(t, open);
    await ingest(stream);
    workflows.set(CMP_A, 9, b[8]!.this_hash);
    const report = await audit.pass();
    assert.deepEqual(
      report.mismatches.map((m) => [m.composition_id, m.kind]),
      [
        [CMP_A, 'hash_differs'],
        [CMP_B, 'no_workflow'],
      ],
    );
    assert.equal(report.delta, 2);
  });
}

/** A log key and one pinned witness, for the log's cases. */
function logFixture(store: LedgerStore) {
  const log = generateNoteKey('ledger.test/log');
  const key = { signer: noteSigner(log.signerKey), vkey: log.verifierKey };
  const witnessKey = generateCosignerKey('witness.partner.test');
  const witnesses = new Map([['witness.partner.test', { vkey: witnessKey.verifierKey, verifier: cosignatureVerifier(witnessKey.verifierKey) }]]);
  let clock = 1_000_000;
  const checkpointer = new Checkpointer(store.log, key, 'ledger.test/log', { everyEvents: 5, everyMs: 10_000 }, () => clock);
  const service = new LogService(store, () => witnesses);
  const cosigned = (body: string) => `${body}\n${cosign(body, cosignerFromKey(witnessKey.signerKey), 1_700_000_000)}`;
  return { key, witnessKey, checkpointer, service, cosigned, tick: (ms: number) => (clock += ms) };
}

/** The transparency log's checkpoints, proofs and witnesses over a store (ledger/log/). */
export function logCases(open: OpenStore): void {
  test('checkpoints: signed C2SP notes of size and root, issued every N events or T seconds', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    const { key, checkpointer, tick } = logFixture(store);
    assert.equal(await checkpointer.maybeCheckpoint(), undefined, 'an empty log has none');
    await ingestor.ingest(messages(stream.slice(0, 6)));
    const first = (await checkpointer.maybeCheckpoint())!;
    const body = parseCheckpoint(openNote(first.note, [noteVerifier(key.vkey)]).text);
    assert.deepEqual([body.origin, body.size, Buffer.from(body.root).toString('hex')], ['ledger.test/log', 6, first.root]);
    await ingestor.ingest(messages(stream.slice(6, 9)));
    assert.equal((await checkpointer.maybeCheckpoint())!.tree_size, 6, '3 new events, 0 s: not yet');
    tick(10_000);
    assert.equal((await checkpointer.maybeCheckpoint())!.tree_size, 9, 'T seconds passed');
    await ingestor.ingest(messages(stream.slice(9, 14)));
    assert.equal((await checkpointer.maybeCheckpoint())!.tree_size, 14, 'N events appended');
    assert.throws(() => openNote(first.note, [noteVerifier(generateNoteKey('ledger.test/log').verifierKey)]), 'another key with the same name does not verify it');
  });

  test('inclusion and consistency proofs served for any event and sizes verify against the checkpoints', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    const { checkpointer, service, tick } = logFixture(store);
    await ingestor.ingest(messages(stream.slice(0, 7)));
    const old = (await checkpointer.maybeCheckpoint())!;
    await ingestor.ingest(messages(stream));
    tick(10_000);
    const latest = (await checkpointer.maybeCheckpoint())!;
    const answer = await service.inclusion(b[4]!.event_id);
    assert.equal(answer.tree_size, latest.tree_size);
    const proof = answer.proof.map((p) => Buffer.from(p, 'base64'));
    assert.deepEqual(Buffer.from(answer.leaf_hash, 'base64'), Buffer.from(leafHash(Buffer.from(canonicalJson(b[4]), 'utf8'))));
    assert.ok(verifyInclusion(Buffer.from(answer.leaf_hash, 'base64'), answer.leaf_index, answer.tree_size, proof, Buffer.from(latest.root, 'hex')));
    const consistency = await service.consistency(old.tree_size, latest.tree_size);
    assert.ok(verifyConsistency(old.tree_size, latest.tree_size, consistency.proof.map((p) => Buffer.from(p, 'base64')), Buffer.from(old.root, 'hex'), Buffer.from(latest.root, 'hex')));
    await assert.rejects(service.inclusion('evt_NOWHERE_001'), { code: 'ERR_NOT_FOUND' });
    await assert.rejects(service.consistency(5, 999), { code: 'ERR_BAD_REQUEST' });
  });

  test('with no witness configured no checkpoint is witnessed, and finding that out reads no checkpoint', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    const { checkpointer } = logFixture(store);
    await ingestor.ingest(messages(stream.slice(0, 6)));
    assert.ok(await checkpointer.maybeCheckpoint());
    let reads = 0;
    const counting = new Proxy(store, {
      get: (target, key) => (key === 'log' ? new Proxy(target.log, { get: (log, k) => (reads++, Reflect.get(log, k).bind(log)) }) : Reflect.get(target, key)),
    });
    assert.equal(await new LogService(counting, () => new Map()).latestWitnessed(), undefined);
    assert.equal(reads, 0, 'the checkpoint history is not walked');
  });

  test('a pinned witness’s cosignature makes a checkpoint witnessed; an unknown witness or a body the log never signed is refused', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    const { checkpointer, service, cosigned } = logFixture(store);
    await ingestor.ingest(messages(stream.slice(0, 6)));
    const cp = (await checkpointer.maybeCheckpoint())!;
    const body = checkpointBody(cp);
    assert.equal((await service.checkpointNote())!.witnessed, false);
    assert.deepEqual(await service.acceptCosignature(cosigned(body)), { size: 6, witness: 'witness.partner.test', witnessed: true });
    const served = (await service.checkpointNote())!;
    assert.equal(served.witnessed, true);
    assert.match(served.note, /\n— witness\.partner\.test /);
    assert.equal((await service.latestWitnessed())!.row.tree_size, 6);

    const stranger = generateCosignerKey('witness.partner.test');
    await assert.rejects(service.acceptCosignature(`${body}\n${cosign(body, cosignerFromKey(stranger.signerKey), 1)}`), { code: 'ERR_WITNESS_UNKNOWN' });
    const forged = body.replace(/\n6\n/, '\n5\n');
    await assert.rejects(service.acceptCosignature(cosigned(forged)), { code: 'ERR_NOT_FOUND' });
  });

  test('a witness’s signed refusal is an alarm of the self-audit until that witness cosigns again; a forged one is refused', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    const { service, witnessKey } = logFixture(store);
    await ingestor.ingest(messages(stream));
    const fields = { witness: 'witness.partner.test', origin: 'ledger.test/log', old_size: 18, new_size: 12, reason: 'rollback' as const, detail: 'the tree shrank', time: 1_700_000_000 };
    const signed = signRefusal(fields, refusalSigner(witnessKey.signerKey));
    await assert.rejects(service.acceptRefusal({ ...signed, detail: 'edited' }), { code: 'ERR_SIGNATURE_INVALID' });
    await service.acceptRefusal(signed);
    const workflows = new ScriptedWorkflows();
    workflows.set(CMP_A, 9, a[8]!.this_hash);
    workflows.set(CMP_B, 9, b[8]!.this_hash);
    const report = await new SelfAudit({ store, workflows }).pass();
    assert.equal(report.delta, 0);
    assert.deepEqual(report.log.witness_refusals.map((r) => [r.witness, r.reason, r.old_size, r.new_size]), [['witness.partner.test', 'rollback', 18, 12]]);
    assert.equal(report.alarm, true);
    assert.deepEqual([report.log.size, report.log.events], [18, 18]);
  });

  test('events deleted behind the store’s back (triggers dropped) leave leaves without events: an alarm', async (t) => {
    const { store, ingestor, exec } = await fresh(t, open);
    await ingestor.ingest(messages(stream));
    // the SQLite trigger, then PostgreSQL's (each statement is a syntax error on the other database)
    for (const sql of ['DROP TRIGGER IF EXISTS ledger_events_no_delete', 'DROP TRIGGER IF EXISTS ledger_events_no_change ON ledger_events']) await exec(sql).catch(() => undefined);
    await exec(`DELETE FROM ledger_events WHERE composition_id = '${CMP_A}'`);
    const workflows = new ScriptedWorkflows();
    workflows.set(CMP_B, 9, b[8]!.this_hash);
    const report = await new SelfAudit({ store, workflows }).pass();
    assert.deepEqual([report.log.size, report.log.events, report.alarm], [18, 9, true]);
  });
}
