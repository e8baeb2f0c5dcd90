/**
 * The ledger's query axes beyond the basic ones (seed 003 §2.8), written once for every store: look-up by
 * event id and by hash, composition type, lease holder, entity references in payloads, ingest time, the
 * quarantine's reason / event id / ingest time, pages that stay put while events arrive, hostile values
 * that stay data, and a database from before these axes opening with its old rows still answering.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { appendToChain, EMPTY_CHAIN, type EventDraft } from '../../audit/chain.js';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { Ingestor, type TopicMessage } from '../../ledger/ingest.js';
import { decodeEventCursor, decodeQuarantineCursor, type EventFilter } from '../../ledger/query.js';
import type { LedgerStore } from '../../ledger/store.js';
import type { MessageDecoder } from '../../ledger/wire.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { CMP_A, CMP_B } from './audit-streams.js';
import { signatureHeaders, testEmitter } from './emitter.js';
import type { OpenStore, StoreUnderTest } from './ledger-store-cases.js';

export const CMP_C = 'cmp_01J0000000000000000000000C';

/** The §7b composition under `id`, its payloads edited by `edit` and the chain rebuilt (a valid stream). */
export function composition(id: string, edit: (payload: Record<string, unknown>, schemaId: string) => Record<string, unknown> = (p) => p): AuditEvent[] {
  let head = EMPTY_CHAIN;
  return buildVrsExample(id).map((e) => {
    const { event_id: _id, causal_predecessor: _cp, prev_hash: _ph, this_hash: _th, ...draft } = e;
    const next = appendToChain(head, { ...draft, payload: edit({ ...(e.payload as Record<string, unknown>) }, e.schema_id) } as EventDraft);
    head = next.head;
    return next.event;
  });
}

const typed = (type: string, holder: string) => (p: Record<string, unknown>, schemaId: string) => ({
  ...p,
  ...(schemaId === 'composition.requested.v1' ? { composition_type: type } : {}),
  ...('lease_holder' in p ? { lease_holder: holder } : {}),
});

/** A: a VRS screening held by agent_vrs; B: the untouched §7b example (no type); C: a fusion run held by agent_other. */
const A = composition(CMP_A, typed('vrs_screening', 'agent_vrs'));
const B = composition(CMP_B);
const C = composition(CMP_C, (p, s) => ({ ...typed('fusion_run', 'agent_other')(p, s), ...('lens_id' in p ? { lens_id: 'lens_fusion' } : {}) }));

const jsonDecoder: MessageDecoder = { decode: async (buffer) => ({ ok: true, value: JSON.parse(buffer!.toString('utf8')) as unknown }) };
const emitter = testEmitter();
let offset = 0;
const messages = (events: unknown[]): TopicMessage[] =>
  events.map((e) => ({ topic: 'q', partition: 0, offset: String(offset++), value: Buffer.from(JSON.stringify(e)), headers: signatureHeaders(emitter.signer, String((e as { this_hash?: unknown }).this_hash ?? '')) }));

/** The three compositions above, for route and CLI tests that query a ledger holding them. */
export const QUERY_STREAMS = { A, B, C };

/** Ingests `events` (signed by this file's emitter) into `store` at ingest time `now`. */
export async function ingestInto(store: LedgerStore, events: unknown[], now = 1_000): Promise<void> {
  await new Ingestor(store, jsonDecoder, emitter.keyring, () => now).ingest(messages(events));
}

/** A store and an ingestor whose clock the case sets (`clock.now`), so ingest times are known exactly. */
async function fresh(t: TestContext, open: OpenStore) {
  const opened = await open();
  t.after(() => opened.store.close());
  const clock = { now: 1_000 };
  return { ...opened, clock, ingestor: new Ingestor(opened.store, jsonDecoder, emitter.keyring, () => clock.now) };
}

const ids = (events: unknown[]) => events.map((e) => (e as AuditEvent).event_id);
const find = async (store: LedgerStore, filter: EventFilter) => ids((await store.events({ limit: 1000, ...filter })).events);
const bySeq = (events: AuditEvent[], ...seqs: number[]) => seqs.map((s) => events[s - 1]!.event_id);

export function ledgerQueryCases(open: OpenStore): void {
  test('one event by event_id and by this_hash; an unknown id or hash finds none', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages([...A, ...B]));
    assert.deepEqual((await store.events({ limit: 10, event_id: B[4]!.event_id })).events, [B[4]]);
    assert.deepEqual((await store.events({ limit: 10, this_hash: A[6]!.this_hash })).events, [A[6]]);
    assert.deepEqual(await find(store, { this_hash: A[6]!.this_hash, composition_id: CMP_B }), [], 'axes combine with AND');
    assert.deepEqual(await find(store, { event_id: 'evt_nope' }), []);
    assert.deepEqual(await find(store, { this_hash: `sha256:${'0'.repeat(64)}` }), []);
  });

  test('composition type and lease holder select whole compositions, in store order', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages([...A, ...B, ...C]));
    assert.deepEqual(await find(store, { composition_type: 'fusion_run' }), ids(C));
    assert.deepEqual(await find(store, { composition_type: 'vrs_screening' }), ids(A));
    assert.deepEqual(await find(store, { lease_holder: 'agent_other' }), ids(C));
    assert.deepEqual(await find(store, { lease_holder: 'agent_vrs_screener_01' }), ids(B), 'the untouched example keeps its holder');
    assert.deepEqual(await find(store, { lease_holder: 'agent_vrs', schema_id: 'composition.closed.v1' }), bySeq(A, 9));
    assert.deepEqual(await find(store, { composition_type: 'fusion_run', lease_holder: 'agent_vrs' }), []);
    assert.deepEqual(await store.compositionIds({ composition_type: 'vrs_screening' }), [CMP_A]);
    assert.deepEqual(await store.compositionIds({ lease_holder: 'agent_other' }), [CMP_C]);
  });

  test('entity references: any reference field, or one field only; a field alone finds every event carrying it', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages([...A, ...C]));
    const blockA = (A[5]!.payload as { block_id: string }).block_id;
    // requested, lens run started and completed, evidence block: the four events naming the lens
    assert.deepEqual(await find(store, { entity_ref: 'vrs_alerts_v2_equivalent' }), bySeq(A, 1, 3, 5, 6));
    assert.deepEqual(await find(store, { entity_ref: 'lens_fusion' }), bySeq(C, 1, 3, 5, 6));
    // block_id on the evidence and its publication, evidence_block_ref on the closing attestation; the
    // example's block id is a constant, so both compositions name the same block
    assert.deepEqual(await find(store, { entity_ref: blockA }), [...bySeq(A, 6, 7, 9), ...bySeq(C, 6, 7, 9)]);
    assert.deepEqual(await find(store, { entity_ref: blockA, entity_ref_field: 'evidence_block_ref', composition_id: CMP_A }), bySeq(A, 9));
    assert.deepEqual(await find(store, { entity_ref: 'FIRM-CUST-789012', entity_ref_field: 'customer_internal_ref' }), [...bySeq(A, 1), ...bySeq(C, 1)]);
    assert.deepEqual(await find(store, { entity_ref: 'vrs_alerts_v2_equivalent', entity_ref_field: 'block_id' }), [], 'a value in another field does not match');
    assert.deepEqual(await find(store, { entity_ref_field: 'edition_id' }), [...bySeq(A, 9), ...bySeq(C, 9)]);
    assert.deepEqual(await find(store, { entity_ref: 'agent_vrs' }), [], 'the lease holder is not an entity reference');
  });

  test('ingest time: from inclusive, to exclusive, on events and quarantine alike', async (t) => {
    const { store, ingestor, clock } = await fresh(t, open);
    clock.now = 10_000;
    await ingestor.ingest(messages([...A.slice(0, 4), { schema_id: 'nope' }]));
    clock.now = 20_000;
    await ingestor.ingest(messages([...A.slice(4), A[0], { ...A[2], this_hash: `sha256:${'1'.repeat(64)}` }]));
    assert.deepEqual(await find(store, { ingested_since: 10_000, ingested_until: 20_000 }), bySeq(A, 1, 2, 3, 4));
    assert.deepEqual(await find(store, { ingested_since: 20_000 }), bySeq(A, 5, 6, 7, 8, 9), 'the redelivered duplicate keeps its first ingest time');
    assert.deepEqual(await find(store, { ingested_until: 10_000 }), []);
    const first = await store.quarantine({ limit: 10, ingested_until: 20_000 });
    assert.deepEqual(first.entries.map((e) => [e.reason, e.ingested_ms]), [['unknown_schema', 10_000]]);
    const second = await store.quarantine({ limit: 10, ingested_since: 20_000 });
    assert.equal(second.entries.length, 1);
    assert.equal(second.entries[0]!.ingested_ms, 20_000);
  });

  test('quarantine by event id, reason and time together; pages by id with the filter held', async (t) => {
    const { store, ingestor, clock } = await fresh(t, open);
    await ingestor.ingest(messages([A[0], A[2], A[3], { schema_id: 'nope' }, B[0], B[3]]));
    clock.now = 5_000;
    await ingestor.ingest(messages([A[4], { ...A[0], payload: {} }]));
    assert.deepEqual((await store.quarantine({ limit: 10, event_id: A[3]!.event_id })).entries.map((e) => [e.reason, e.composition_id]), [['sequence_gap', CMP_A]]);
    const gaps = await store.quarantine({ limit: 2, reason: 'sequence_gap', ingested_until: 5_000 });
    assert.deepEqual(gaps.entries.map((e) => e.event_id), bySeq(A, 3, 4));
    const rest = await store.quarantine({ limit: 2, reason: 'sequence_gap', ingested_until: 5_000, after: decodeQuarantineCursor(gaps.next_cursor!) });
    assert.deepEqual(rest.entries.map((e) => e.event_id), bySeq(B, 4));
    assert.equal(rest.next_cursor, null);
    const late = await store.quarantine({ limit: 10, ingested_since: 5_000 });
    assert.deepEqual(late.entries.map((e) => e.event_id), [...bySeq(A, 5), ...bySeq(A, 1)]);
    assert.deepEqual((await store.quarantine({ limit: 10, event_id: A[4]!.event_id, reason: 'unknown_schema' })).entries, []);
  });

  test('a filtered page’s cursor is stable while new events arrive before and after it', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages([...A.slice(0, 6), ...C.slice(0, 6)]));
    const filter = { entity_ref_field: 'lens_id' as const };
    const first = await store.events({ ...filter, limit: 3 });
    assert.deepEqual(ids(first.events), bySeq(A, 1, 3, 5));
    // composition B sorts between A and C; it arrives between the two pages
    await ingestor.ingest(messages([...B, ...A.slice(6), ...C.slice(6)]));
    const second = await store.events({ ...filter, limit: 100, after: decodeEventCursor(first.next_cursor!) });
    assert.deepEqual(ids(second.events), [...bySeq(A, 6), ...bySeq(B, 1, 3, 5, 6), ...bySeq(C, 1, 3, 5, 6)]);
    assert.equal(second.next_cursor, null);
  });

  test('key rows refuse UPDATE and DELETE at the database, like the events they index', async (t) => {
    const { store, ingestor, exec } = await fresh(t, open);
    await ingestor.ingest(messages(A));
    await assert.rejects(exec("UPDATE ledger_event_keys SET value = 'lens_other' WHERE axis = 'lens_id'"), /append-only/);
    await assert.rejects(exec('DELETE FROM ledger_event_keys'), /append-only/);
    assert.deepEqual(await find(store, { entity_ref: 'vrs_alerts_v2_equivalent' }), bySeq(A, 1, 3, 5, 6));
  });

  test('hostile filter values are data: quotes, wildcards and comment markers match nothing and change nothing', async (t) => {
    const { store, ingestor } = await fresh(t, open);
    await ingestor.ingest(messages([...A, { schema_id: 'nope' }]));
    const before = await store.counts();
    for (const value of ["x' OR '1'='1", '%', '_', "'; DROP TABLE ledger_events; --", 'vrs_alerts_v2_equivalent ', 'a'.repeat(512)]) {
      for (const filter of [{ entity_ref: value }, { composition_type: value }, { lease_holder: value }, { event_id: value }, { composition_id: value }] as EventFilter[]) {
        assert.deepEqual(await find(store, filter), [], JSON.stringify(filter).slice(0, 80));
      }
      assert.deepEqual((await store.quarantine({ limit: 10, event_id: value })).entries, []);
    }
    assert.deepEqual(await store.counts(), before);
    assert.equal((await find(store, {})).length, 9);
  });
}

/** A store that can be closed and opened again on the same database. */
export type OpenReopenable = () => Promise<StoreUnderTest & { reopen(): Promise<LedgerStore> }>;

/** What a database from before ingest times and key rows lacked; the same SQL on both stores. */
const TO_OLD_SCHEMA = [
  'DROP INDEX ledger_events_ingested',
  'DROP INDEX ledger_quarantine_ingested',
  'ALTER TABLE ledger_events DROP COLUMN ingested_ms',
  'ALTER TABLE ledger_quarantine DROP COLUMN ingested_ms',
  'DROP TABLE ledger_event_keys',
];

export function ledgerMigrationCase(open: OpenReopenable): void {
  test('a ledger from before these axes opens: keys backfilled from stored events, old rows without ingest time', async (t) => {
    const opened = await open();
    const old = new Ingestor(opened.store, jsonDecoder, emitter.keyring, () => 1_000);
    await old.ingest(messages([...A.slice(0, 5), { schema_id: 'nope' }]));
    for (const sql of TO_OLD_SCHEMA) await opened.exec(sql);
    await opened.store.close();

    const store = await opened.reopen();
    t.after(() => store.close());
    assert.deepEqual(await find(store, { entity_ref: 'vrs_alerts_v2_equivalent' }), bySeq(A, 1, 3, 5), 'backfilled from the stored bodies');
    assert.deepEqual(await find(store, { composition_type: 'vrs_screening' }), bySeq(A, 1, 2, 3, 4, 5));
    assert.deepEqual(await find(store, { ingested_since: 0 }), [], 'old rows have no ingest time, and none is invented');
    assert.equal((await store.quarantine({ limit: 10 })).entries[0]!.ingested_ms, null);
    await new Ingestor(store, jsonDecoder, emitter.keyring, () => 2_000).ingest(messages(A.slice(5)));
    assert.deepEqual(await find(store, { ingested_since: 2_000 }), bySeq(A, 6, 7, 8, 9));
    assert.deepEqual(await find(store, { lease_holder: 'agent_vrs', entity_ref_field: 'edition_id' }), bySeq(A, 9));
  });
}
