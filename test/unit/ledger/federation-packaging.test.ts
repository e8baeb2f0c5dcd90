// Packaging federation slices from a ledger (SQLite in memory, its log, a stub PDP): what the newest
// witnessed checkpoint covers, for compositions the partner took part in, becomes signed slices that the
// partner's own verification (audit/slice/verify.ts) accepts in order — with consistency proofs between
// checkpoints, one slice_seq after the other; a DENY packages nothing and is recorded; no decision, no slice.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { verifySlice, type SliceVerdict } from '../../../audit/slice/verify.js';
import { sliceSchema, MAX_SLICE_EVENTS } from '../../../audit/slice/format.js';
import { SlicePackager, splitRun } from '../../../ledger/federation/packager.js';
import type { CoveredEvent } from '../../../ledger/federation/store.js';
import { MemoryHeld } from '../../../workers/federation/memory-held.js';
import { openSqliteInMemory } from '../../helpers/ledger-store-cases.js';
import { CMP_P, CMP_Q, PARTNER, PARTNER_ISSUER, SENDER, policyFor, senderFixture, type SenderFixture } from '../../helpers/federation-sender.js';

async function setup(t: TestContext, policy?: (f: SenderFixture) => SenderFixture['policy']) {
  const f = await senderFixture(openSqliteInMemory);
  t.after(() => f.store.close());
  const packager = new SlicePackager({ store: f.store, log: f.log, policy: policy ? policy(f) : f.policy, pdp: f.pdp, signingKey: f.signingKey, fingerprint: f.fingerprint });
  const held = new MemoryHeld();
  /** what the partner's node makes of outbox row `seq` (and then holds) */
  const deliver = async (seq: number): Promise<SliceVerdict> => {
    const row = (await f.store.federation.outboxRow(PARTNER, seq))!;
    const verdict = await verifySlice(Buffer.from(row.message, 'utf8'), f.trust, held);
    held.record(verdict);
    return verdict;
  };
  return { f, packager, held, deliver };
}

const sliceOf = (message: string) => sliceSchema.parse((JSON.parse(message) as { slice: unknown }).slice);

test('nothing is packaged before a checkpoint is witnessed; then the covered run of a composition the partner took part in', async (t) => {
  const { f, packager, deliver } = await setup(t);
  await f.ingest(f.p.slice(0, 5));
  await f.checkpoint();
  assert.deepEqual(await packager.pass(), { checkpoint_size: null, partners: [] }, 'a checkpoint no witness cosigned is not used');

  const size = await f.witness();
  await f.ingest(f.p.slice(5, 7)); // admitted after the checkpoint: not covered yet
  const pass = await packager.pass();
  assert.equal(pass.checkpoint_size, size);
  assert.deepEqual(pass.partners[0]!.packaged, [{ slice_seq: 1, composition_id: CMP_P, from_sequence: 1, to_sequence: 5 }]);

  const row = (await f.store.federation.outboxRow(PARTNER, 1))!;
  assert.equal(row.status, 'pending');
  const slice = sliceOf(row.message);
  assert.equal(slice.sender, SENDER);
  assert.equal(slice.events.length, 5);
  assert.equal(slice.consistency, null, 'the first slice proves no consistency');
  assert.equal(slice.decision.uds_eval_id, 'eval_1');
  assert.deepEqual(slice.schemas.map((s) => s.schema_id), [...new Set(f.p.slice(0, 5).map((e) => e.schema_id))].sort());
  const verdict = await deliver(1);
  assert.equal(verdict.status, 'accepted', JSON.stringify(verdict));

  const [decision] = await f.store.federation.decisions(PARTNER);
  assert.deepEqual(
    { ...decision, id: undefined, decided_ms: undefined },
    {
      ...{ id: undefined, decided_ms: undefined, partner: PARTNER, composition_id: CMP_P, composition_type: null, from_sequence: 1, to_sequence: 5, partner_took_part: true },
      ...{ schema_ids: slice.schemas.map((s) => s.schema_id), outcome: 'ALLOW', uds_eval_id: 'eval_1', evaluated_at: '2026-12-06T12:00:00.000Z', slice_seq: 1 },
    },
  );
  const request = f.pdp.requests[0]!;
  assert.deepEqual([request.action, request.principal.id, request.principal.attributes.org, request.resource.kind], ['federate', 'coordination-ledger', SENDER, 'federation_slice']);
  assert.deepEqual(request.resource.attributes, { partner: PARTNER, composition_id: CMP_P, composition_type: '', partner_took_part: true, from_sequence: 1, to_sequence: 5, schema_ids: decision!.schema_ids });
});

test('later slices carry the consistency proof from the previous slice’s checkpoint, one slice_seq after the other, and the partner accepts each in order', async (t) => {
  const { f, packager, deliver, held } = await setup(t);
  await f.ingest(f.p.slice(0, 5));
  await f.checkpoint();
  const first = await f.witness();
  await packager.pass();
  // the rest of P, and Q up to before its PSI round: the partner took no part in Q yet
  await f.ingest([...f.p.slice(5), ...f.q.slice(0, 3)]);
  await f.checkpoint();
  const second = await f.witness();
  let pass = await packager.pass();
  assert.deepEqual(pass.partners[0]!.packaged, [{ slice_seq: 2, composition_id: CMP_P, from_sequence: 6, to_sequence: 9 }]);
  const slice2 = sliceOf((await f.store.federation.outboxRow(PARTNER, 2))!.message);
  assert.deepEqual(slice2.consistency?.from_size, first);
  assert.ok(second > first);

  await f.ingest(f.q.slice(3, 4)); // the PSI round with the partner's node: Q is the partner's now, from its first event
  await f.checkpoint();
  await f.witness();
  pass = await packager.pass();
  assert.deepEqual(pass.partners[0]!.packaged, [{ slice_seq: 3, composition_id: CMP_Q, from_sequence: 1, to_sequence: 4 }]);
  for (const seq of [1, 2, 3]) assert.equal((await deliver(seq)).status, 'accepted', `slice ${seq}`);
  assert.deepEqual(held.events(CMP_P).map((e) => e.this_hash), f.p.map((e) => e.this_hash), 'the partner holds the whole composition, as the ledger does');
  assert.equal(held.events(CMP_Q).length, 4);

  assert.deepEqual((await packager.pass()).partners[0]!.packaged, [], 'a pass over the same checkpoint packages nothing again');
  const state = await f.store.federation.partnerState(PARTNER, f.policy.partners.get(PARTNER)!.selectionDigest);
  assert.deepEqual([state.next_seq, state.sent_size], [4, await f.store.log.size()]);
});

test('the partner’s slices of one checkpoint share it; a slice of the same tree proves no consistency', async (t) => {
  const { f, packager, deliver } = await setup(t);
  await f.ingest([...f.p, ...f.q]);
  await f.checkpoint();
  await f.witness();
  const pass = await packager.pass();
  assert.deepEqual(pass.partners[0]!.packaged.map((s) => [s.slice_seq, s.composition_id]), [[1, CMP_P], [2, CMP_Q]]);
  assert.equal(sliceOf((await f.store.federation.outboxRow(PARTNER, 2))!.message).consistency, null);
  assert.equal((await deliver(1)).status, 'accepted');
  assert.equal((await deliver(2)).status, 'accepted');
});

test('a DENY is recorded with its evaluation id and packages nothing; the composition is asked again when it grows', async (t) => {
  const { f, packager } = await setup(t);
  f.pdp.rule = (r) => (r.resource.attributes.composition_id === CMP_Q ? 'DENY' : 'ALLOW');
  await f.ingest([...f.p.slice(0, 4), ...f.q.slice(0, 4)]);
  await f.checkpoint();
  await f.witness();
  const pass = await packager.pass();
  assert.deepEqual(pass.partners[0]!.packaged.map((s) => s.composition_id), [CMP_P]);
  assert.deepEqual(pass.partners[0]!.denied, [{ composition_id: CMP_Q, from_sequence: 1, to_sequence: 4, uds_eval_id: 'eval_2' }]);
  const denied = (await f.store.federation.decisions(PARTNER)).filter((d) => d.outcome === 'DENY');
  assert.deepEqual(denied.map((d) => [d.composition_id, d.uds_eval_id, d.slice_seq]), [[CMP_Q, 'eval_2', null]]);
  assert.equal(await f.store.federation.progress(PARTNER, CMP_Q), 0);
  assert.equal(await f.store.federation.outboxRow(PARTNER, 2), undefined);

  assert.equal((await packager.pass()).partners[0]!.denied.length, 0, 'not asked again over the same checkpoint');
  f.pdp.rule = () => 'ALLOW';
  await f.ingest(f.q.slice(4, 5));
  await f.checkpoint();
  await f.witness();
  assert.deepEqual((await packager.pass()).partners[0]!.packaged, [{ slice_seq: 2, composition_id: CMP_Q, from_sequence: 1, to_sequence: 5 }]);
});

test('no PDP decision, no slice: the pass for the partner stops and the next one asks again', async (t) => {
  const { f, packager, deliver } = await setup(t);
  await f.ingest([...f.p.slice(0, 4), ...f.q.slice(0, 4)]);
  await f.checkpoint();
  await f.witness();
  f.pdp.rule = (r) => {
    if (r.resource.attributes.composition_id === CMP_Q) throw new Error('connect ECONNREFUSED 127.0.0.1:3592');
    return 'ALLOW';
  };
  const stopped = (await packager.pass()).partners[0]!;
  assert.deepEqual(stopped.packaged.map((s) => s.composition_id), [CMP_P]);
  assert.match(stopped.stopped ?? '', /no PDP decision for cmp_01J0000000000000000000FEDB 1–4: connect ECONNREFUSED/);
  assert.equal((await f.store.federation.decisions()).length, 1, 'only the ALLOW of P is on record');
  f.pdp.rule = () => 'ALLOW';
  assert.deepEqual((await packager.pass()).partners[0]!.packaged, [{ slice_seq: 2, composition_id: CMP_Q, from_sequence: 1, to_sequence: 4 }]);
  assert.equal((await deliver(1)).status, 'accepted');
  assert.equal((await deliver(2)).status, 'accepted');
});

test('the policy selects: a partner none of whose issuers took part, or of another composition type, gets nothing and the PDP is not asked', async (t) => {
  for (const partner of [{ issuers: ['idp.stranger.example'] }, { composition_types: ['fusion_run'] }]) {
    const { f, packager } = await setup(t, (fx) => policyFor(fx.receiptKey, partner));
    await f.ingest(f.p);
    await f.checkpoint();
    await f.witness();
    assert.deepEqual((await packager.pass()).partners[0]!.packaged, [], JSON.stringify(partner));
    assert.equal(f.pdp.requests.length, 0);
  }
});

test('a changed selection in the policy looks through the whole log again', async (t) => {
  const { f } = await setup(t);
  await f.ingest(f.p);
  await f.checkpoint();
  await f.witness();
  const narrow = new SlicePackager({ store: f.store, log: f.log, policy: policyFor(f.receiptKey, { composition_types: ['fusion_run'] }), pdp: f.pdp, signingKey: f.signingKey, fingerprint: f.fingerprint });
  assert.deepEqual((await narrow.pass()).partners[0]!.packaged, []);
  const wide = new SlicePackager({ store: f.store, log: f.log, policy: policyFor(f.receiptKey, { issuers: ['idp.other.example', PARTNER_ISSUER] }), pdp: f.pdp, signingKey: f.signingKey, fingerprint: f.fingerprint });
  assert.deepEqual((await wide.pass()).partners[0]!.packaged.map((s) => s.composition_id), [CMP_P]);
});

test('a long run is split into slices that each fit a message', () => {
  const row = (sequence: number, bytes: number): { row: CoveredEvent } => ({ row: { sequence, event_id: `e${sequence}`, body: 'x'.repeat(bytes), leaf_index: sequence, emitter_kid: 'k', emitter_sig: 's' } });
  const many = Array.from({ length: MAX_SLICE_EVENTS * 2 + 5 }, (_, i) => row(i + 1, 10));
  assert.deepEqual(splitRun(many, 1_000_000).map((p) => p.length), [MAX_SLICE_EVENTS, MAX_SLICE_EVENTS, 5]);
  const big = Array.from({ length: 40 }, (_, i) => row(i + 1, 200 * 1024));
  const parts = splitRun(big, 1_000_000);
  assert.ok(parts.length > 1 && parts.every((p) => p.reduce((n, r) => n + r.row.body.length, 0) < 4 << 20));
  assert.deepEqual(parts.flat().map((r) => r.row.sequence), big.map((r) => r.row.sequence), 'in order, nothing left out');
});

test('a log that does not extend the checkpoint last sent is not sent: the pass stops, nothing is packaged', async (t) => {
  const { f, packager } = await setup(t);
  await f.ingest(f.p.slice(0, 5));
  await f.checkpoint();
  await f.witness();
  await packager.pass();
  // what the partner last got, as our records have it, no longer matches our log (as after a rewrite)
  await f.exec(`UPDATE federation_partners SET sent_root = '${'00'.repeat(32)}'`);
  await f.ingest(f.p.slice(5));
  await f.checkpoint();
  await f.witness();
  const pass = (await packager.pass()).partners[0]!;
  assert.deepEqual(pass.packaged, []);
  assert.match(pass.stopped ?? '', /is not consistent with the checkpoint of size 5 last sent to partner: the log was rewritten/);
  assert.equal(await f.store.federation.outboxRow(PARTNER, 2), undefined);
});
