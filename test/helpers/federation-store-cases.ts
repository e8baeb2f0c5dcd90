/**
 * What every ledger store's federation outbox must do (ledger/federation/store.ts), written once: the SQLite
 * unit test and the PostgreSQL integration test register these cases with their own way to open an empty
 * store. Packaging is one transaction — decision, outbox row, progress, partner state, or nothing — and
 * refuses to give a slice_seq out twice or to package past a composition's progress twice; the decisions
 * are append-only at the database; a confirm never undoes a receipt; receipts match by place and digest.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { OutboxConflictError, type DecisionRecord, type PackagedSlice } from '../../ledger/federation/store.js';
import { receiptTransition } from '../../ledger/federation/receipts.js';
import type { OpenStore } from './ledger-store-cases.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

const decision = (over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  partner: 'partner',
  composition_id: 'cmp_A',
  composition_type: 'vrs_screening',
  from_sequence: 1,
  to_sequence: 4,
  partner_took_part: true,
  schema_ids: ['composition.requested.v1'],
  outcome: 'ALLOW',
  uds_eval_id: 'eval_1',
  evaluated_at: '2026-12-06T12:00:00.000Z',
  decided_ms: 1_000,
  ...over,
});

const slice = (over: Partial<PackagedSlice> = {}): PackagedSlice => ({
  partner: 'partner',
  slice_seq: 1,
  composition_id: 'cmp_A',
  previous_sequence: 0,
  from_sequence: 1,
  to_sequence: 4,
  checkpoint_size: 10,
  checkpoint_root: 'ab'.repeat(32),
  digest: DIGEST,
  message: '{"slice":{},"jws":"x"}',
  created_ms: 1_000,
  decision: decision(),
  ...over,
});

async function fresh(t: TestContext, open: OpenStore) {
  const opened = await open();
  t.after(() => opened.store.close());
  const fed = opened.store.federation;
  await fed.partnerState('partner', 'sha256:selection');
  return { ...opened, fed };
}

export function federationStoreCases(open: OpenStore): void {
  test('packaging writes the decision, the outbox row, the progress and the partner state together', async (t) => {
    const { fed } = await fresh(t, open);
    await fed.packageSlice(slice());
    const state = await fed.partnerState('partner', 'sha256:selection');
    assert.deepEqual([state.next_seq, state.sent_size, state.sent_root], [2, 10, 'ab'.repeat(32)]);
    assert.equal(await fed.progress('partner', 'cmp_A'), 4);
    const row = (await fed.outboxRow('partner', 1))!;
    assert.deepEqual([row.status, row.composition_id, row.from_sequence, row.to_sequence, row.digest, row.publish_count, row.sent_ms], ['pending', 'cmp_A', 1, 4, DIGEST, 0, null]);
    const [d] = await fed.decisions('partner');
    assert.deepEqual([d!.id, d!.slice_seq, d!.outcome, d!.partner_took_part, d!.schema_ids], [row.decision_id, 1, 'ALLOW', true, ['composition.requested.v1']]);
    await fed.packageSlice(slice({ slice_seq: 2, previous_sequence: 4, from_sequence: 5, to_sequence: 9, checkpoint_size: 20 }));
    assert.equal(await fed.progress('partner', 'cmp_A'), 9);
  });

  test('a packaging write that fails at its last statement leaves nothing behind', async (t) => {
    const { fed, exec } = await fresh(t, open);
    // an outbox row already at slice 1 (behind the store's back): the INSERT of the slice fails last
    await exec(`INSERT INTO federation_outbox (partner, slice_seq, composition_id, from_sequence, to_sequence, checkpoint_size, digest, message, status, decision_id, created_ms)
      VALUES ('partner', 1, 'cmp_X', 1, 1, 1, '${DIGEST}', '{}', 'pending', 0, 0)`);
    await assert.rejects(fed.packageSlice(slice()));
    const state = await fed.partnerState('partner', 'sha256:selection');
    assert.deepEqual([state.next_seq, state.sent_size], [1, 0], 'the partner state did not move');
    assert.equal(await fed.progress('partner', 'cmp_A'), 0, 'nor the progress');
    assert.deepEqual(await fed.decisions(), [], 'nor is the decision on record');
  });

  test('a slice_seq is given out once, and a composition is packaged past its progress once', async (t) => {
    const { fed } = await fresh(t, open);
    await fed.packageSlice(slice());
    await assert.rejects(fed.packageSlice(slice({ composition_id: 'cmp_B' })), OutboxConflictError, 'slice 1 again');
    await assert.rejects(fed.packageSlice(slice({ slice_seq: 2 })), OutboxConflictError, 'cmp_A from 0 again');
    await assert.rejects(fed.packageSlice(slice({ slice_seq: 2, previous_sequence: 2, from_sequence: 3 })), OutboxConflictError, 'cmp_A from a progress it does not have');
    assert.equal((await fed.partnerState('partner', 'sha256:selection')).next_seq, 2);
    assert.equal((await fed.decisions()).length, 1);
  });

  test('decisions are append-only at the database; a DENY stands on its own', async (t) => {
    const { fed, exec } = await fresh(t, open);
    const id = await fed.recordDecision(decision({ outcome: 'DENY', uds_eval_id: 'eval_9' }));
    assert.deepEqual((await fed.decisions()).map((d) => [d.id, d.outcome, d.slice_seq]), [[id, 'DENY', null]]);
    await assert.rejects(exec("UPDATE federation_decisions SET outcome = 'ALLOW'"), /append-only/);
    await assert.rejects(exec('DELETE FROM federation_decisions'), /append-only/);
  });

  test('a new selection digest looks through the log again; the rest of the state stays', async (t) => {
    const { fed } = await fresh(t, open);
    await fed.packageSlice(slice());
    await fed.setScanned('partner', 10);
    assert.equal((await fed.partnerState('partner', 'sha256:selection')).scanned_size, 10);
    const changed = await fed.partnerState('partner', 'sha256:other');
    assert.deepEqual([changed.scanned_size, changed.next_seq, changed.sent_size], [0, 2, 10]);
  });

  test('publishing order, re-sending, and a confirm that never undoes a receipt', async (t) => {
    const { fed } = await fresh(t, open);
    await fed.packageSlice(slice());
    await fed.packageSlice(slice({ slice_seq: 2, composition_id: 'cmp_B', digest: `sha256:${'b'.repeat(64)}` }));
    assert.deepEqual((await fed.toPublish('partner', 0)).map((r) => r.slice_seq), [1, 2]);
    await fed.markSent('partner', 1, 5_000);
    assert.deepEqual((await fed.toPublish('partner', 5_000)).map((r) => r.slice_seq), [2], 'sent at 5000: not re-sent before then');
    assert.deepEqual((await fed.toPublish('partner', 5_001)).map((r) => r.slice_seq), [1, 2], 'sent long ago without a receipt: again');
    // slice 2's receipt comes before its confirm is recorded
    assert.equal(await fed.recordReceipt('partner', 2, `sha256:${'b'.repeat(64)}`, { reason_code: null, message: '{"receipt":2}', received_ms: 6_000 }, receiptTransition('accepted')), 'recorded');
    await fed.markSent('partner', 2, 6_001);
    const two = (await fed.outboxRow('partner', 2))!;
    assert.deepEqual([two.status, two.publish_count, two.sent_ms, two.receipt, two.receipt_ms], ['accepted', 1, 6_001, '{"receipt":2}', 6_000]);
    assert.deepEqual((await fed.toPublish('partner', 10_000)).map((r) => r.slice_seq), [1]);
  });

  test('a refusal that took no place in the partner’s sequence is sent again; one that did is not', async (t) => {
    const { fed } = await fresh(t, open);
    const digest = (seq: number) => `sha256:${String(seq).repeat(64)}`;
    for (const seq of [1, 2]) {
      await fed.packageSlice(slice({ slice_seq: seq, composition_id: `cmp_${seq}`, digest: digest(seq) }));
      await fed.markSent('partner', seq, 100);
    }
    await fed.recordReceipt('partner', 1, digest(1), { reason_code: 'schema_unpinned', message: '{}', received_ms: 101 }, receiptTransition('refused'));
    await fed.recordReceipt('partner', 2, digest(2), { reason_code: 'not_entitled', message: '{}', received_ms: 101 }, receiptTransition('refused'));
    const retry = ['schema_unpinned', 'slice_key_untrusted'];
    assert.deepEqual((await fed.toPublish('partner', 100, retry)).map((r) => r.slice_seq), [], 'not before the re-send time');
    assert.deepEqual((await fed.toPublish('partner', 101, retry)).map((r) => r.slice_seq), [1]);
    assert.deepEqual((await fed.toPublish('partner', 101)).map((r) => r.slice_seq), [], 'no reasons, no re-send of a refusal');
    await fed.markSent('partner', 1, 200);
    assert.equal((await fed.outboxRow('partner', 1))!.status, 'refused', 'a confirm does not undo the refusal');
  });

  test('a receipt applies to the slice of its place and digest only, by the transition it comes with', async (t) => {
    const { fed } = await fresh(t, open);
    await fed.packageSlice(slice());
    await fed.markSent('partner', 1, 1);
    const at = (ms: number) => ({ reason_code: null, message: `{"at":${ms}}`, received_ms: ms });
    assert.equal(await fed.recordReceipt('partner', 1, `sha256:${'c'.repeat(64)}`, at(2), receiptTransition('refused')), 'unknown_slice', 'another digest');
    assert.equal(await fed.recordReceipt('partner', 9, DIGEST, at(2), receiptTransition('accepted')), 'unknown_slice', 'another place');
    assert.equal(await fed.recordReceipt('other', 1, DIGEST, at(2), receiptTransition('accepted')), 'unknown_slice', 'another partner');
    assert.equal(await fed.recordReceipt('partner', 1, DIGEST, at(3), receiptTransition('pending')), 'recorded');
    assert.deepEqual([(await fed.outboxRow('partner', 1))!.status, (await fed.outboxRow('partner', 1))!.receipt], ['sent', '{"at":3}']);
    assert.equal(await fed.recordReceipt('partner', 1, DIGEST, { ...at(4), reason_code: 'schema_unpinned' }, receiptTransition('refused')), 'recorded');
    assert.equal(await fed.recordReceipt('partner', 1, DIGEST, at(5), receiptTransition('duplicate')), 'unchanged', 'a verdict stays');
    assert.equal(await fed.recordReceipt('partner', 1, DIGEST, at(6), receiptTransition('accepted')), 'recorded', 're-sent after the partner fixed its trust file');
    assert.equal(await fed.recordReceipt('partner', 1, DIGEST, at(7), receiptTransition('refused')), 'unchanged', 'accepted is final');
    const row = (await fed.outboxRow('partner', 1))!;
    assert.deepEqual([row.status, row.reason_code, row.receipt_ms], ['accepted', null, 6]);
  });

  test('per-partner summaries: statuses, refusals by reason, decisions, the last receipt', async (t) => {
    const { fed } = await fresh(t, open);
    for (const seq of [1, 2, 3]) await fed.packageSlice(slice({ slice_seq: seq, composition_id: `cmp_${seq}`, digest: `sha256:${String(seq).repeat(64)}` }));
    await fed.recordDecision(decision({ outcome: 'DENY', composition_id: 'cmp_9' }));
    await fed.markSent('partner', 1, 10);
    await fed.markSent('partner', 2, 10);
    await fed.recordReceipt('partner', 1, `sha256:${'1'.repeat(64)}`, { reason_code: null, message: '{"first":1}', received_ms: 20 }, receiptTransition('accepted'));
    await fed.recordReceipt('partner', 2, `sha256:${'2'.repeat(64)}`, { reason_code: 'not_entitled', message: '{"second":2}', received_ms: 30 }, receiptTransition('refused'));
    assert.deepEqual(await fed.summaries(), [
      {
        partner: 'partner',
        next_seq: 4,
        sent_size: 10,
        statuses: { accepted: 1, refused: 1, pending: 1 },
        refused_reasons: { not_entitled: 1 },
        decisions: { ALLOW: 3, DENY: 1 },
        last_receipt: { slice_seq: 2, receipt: '{"second":2}', receipt_ms: 30 },
      },
    ]);
  });
}
