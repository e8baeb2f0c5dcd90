// The federation outbox on an in-memory SQLite ledger (the same cases run on PostgreSQL in
// test/integration/ledger-postgres.test.ts), and the publisher over it: in slice_seq order, `sent` only on
// the broker's confirm, the first failure keeps the order, a crash between the commit and the confirm
// re-publishes a slice the partner then answers as a duplicate — nothing lost, nothing doubled.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RECEIPT_FORMAT, type Receipt } from '../../../audit/slice/format.js';
import { receiptMessage } from '../../../audit/slice/sign.js';
import { verifySlice } from '../../../audit/slice/verify.js';
import { SlicePackager } from '../../../ledger/federation/packager.js';
import { OutboxPublisher, type SliceSink } from '../../../ledger/federation/publisher.js';
import { ReceiptHandler } from '../../../ledger/federation/receipts.js';
import type { FederationStore } from '../../../ledger/federation/store.js';
import { MemoryHeld } from '../../../workers/federation/memory-held.js';
import { federationStoreCases } from '../../helpers/federation-store-cases.js';
import { PARTNER, SENDER, senderFixture } from '../../helpers/federation-sender.js';
import { openSqliteInMemory } from '../../helpers/ledger-store-cases.js';

describe('the federation outbox on SQLite', () => federationStoreCases(openSqliteInMemory));

/** A broker that confirms (or not, as told) and keeps what it was given, by partner. */
class FakeBroker implements SliceSink {
  readonly queues = new Map<string, { message: Buffer; headers: Record<string, string | number> }[]>();
  failAt: number | undefined;
  private n = 0;

  async publishSlice(partner: string, message: Buffer, headers: Record<string, string | number>): Promise<void> {
    this.n += 1;
    if (this.n === this.failAt) throw new Error('ERR_AMQP_CLOSED: channel closed');
    this.queues.set(partner, [...(this.queues.get(partner) ?? []), { message, headers }]);
  }

  seqs(partner = PARTNER): number[] {
    return (this.queues.get(partner) ?? []).map((m) => Number(m.headers.slice_seq));
  }
}

async function outboxWithSlices() {
  const f = await senderFixture(openSqliteInMemory);
  await f.ingest(f.p.slice(0, 4));
  await f.checkpoint();
  await f.witness();
  const packager = new SlicePackager({ store: f.store, log: f.log, policy: f.policy, pdp: f.pdp, signingKey: f.signingKey, fingerprint: f.fingerprint });
  await packager.pass();
  await f.ingest(f.p.slice(4));
  await f.ingest(f.q);
  await f.checkpoint();
  await f.witness();
  await packager.pass(); // slices 2 (rest of P) and 3 (Q)
  return f;
}

test('the publisher sends every pending slice in order and marks it sent after the confirm, with its headers', async (t) => {
  const f = await outboxWithSlices();
  t.after(() => f.store.close());
  const broker = new FakeBroker();
  const publisher = new OutboxPublisher({ store: f.store.federation, sink: broker, sender: SENDER, partners: [PARTNER], resendAfterMs: 60_000, now: () => 1_000 });
  assert.deepEqual(await publisher.pass(), [{ partner: PARTNER, published: [1, 2, 3], resent: [] }]);
  assert.deepEqual(broker.seqs(), [1, 2, 3]);
  const first = broker.queues.get(PARTNER)![0]!;
  const row = (await f.store.federation.outboxRow(PARTNER, 1))!;
  assert.deepEqual(first.headers, { sender: SENDER, partner: PARTNER, slice_seq: 1, composition_id: row.composition_id, digest: row.digest });
  assert.equal(first.message.toString('utf8'), row.message);
  assert.deepEqual([row.status, row.sent_ms, row.publish_count], ['sent', 1_000, 1]);
  assert.deepEqual((await publisher.pass())[0]!.published, [], 'nothing again within the re-send window');
});

test('a publish the broker does not confirm stops the pass there; the next pass goes on from it, in order', async (t) => {
  const f = await outboxWithSlices();
  t.after(() => f.store.close());
  const broker = new FakeBroker();
  broker.failAt = 2;
  const publisher = new OutboxPublisher({ store: f.store.federation, sink: broker, sender: SENDER, partners: [PARTNER], resendAfterMs: 60_000 });
  const [first] = await publisher.pass();
  assert.deepEqual(first!.published, [1]);
  assert.match(first!.failed!, /slice 2: ERR_AMQP_CLOSED/);
  assert.equal((await f.store.federation.outboxRow(PARTNER, 2))!.status, 'pending');
  assert.equal((await f.store.federation.outboxRow(PARTNER, 3))!.status, 'pending', 'slice 3 was not sent past the gap');
  assert.deepEqual((await publisher.pass())[0]!.published, [2, 3]);
  assert.deepEqual(broker.seqs(), [1, 2, 3]);
});

test('a crash after the confirm, before it is recorded: the slice goes out again and the partner answers duplicate — it holds each event once', async (t) => {
  const f = await outboxWithSlices();
  t.after(() => f.store.close());
  const broker = new FakeBroker();
  let crashes = 1;
  const crashing: FederationStore = Object.create(f.store.federation, {
    markSent: {
      value: async (partner: string, seq: number, now: number) => {
        if (seq === 2 && crashes-- > 0) throw new Error('SIGKILL');
        return f.store.federation.markSent(partner, seq, now);
      },
    },
  }) as FederationStore;
  const publisher = new OutboxPublisher({ store: crashing, sink: broker, sender: SENDER, partners: [PARTNER], resendAfterMs: 60_000 });
  await assert.rejects(publisher.pass(), /SIGKILL/);
  assert.equal((await f.store.federation.outboxRow(PARTNER, 2))!.status, 'pending');
  await publisher.pass(); // the restarted ledger
  assert.deepEqual(broker.seqs(), [1, 2, 2, 3]);

  const held = new MemoryHeld();
  const verdicts = [];
  for (const { message } of broker.queues.get(PARTNER)!) {
    const verdict = await verifySlice(message, f.trust, held);
    held.record(verdict);
    verdicts.push(verdict.status);
  }
  assert.deepEqual(verdicts, ['accepted', 'accepted', 'duplicate', 'accepted']);
  assert.deepEqual(held.events(f.p[0]!.composition_id).map((e) => e.event_id), f.p.map((e) => e.event_id));
  assert.deepEqual(held.events(f.q[0]!.composition_id).map((e) => e.event_id), f.q.map((e) => e.event_id));
});

test('a slice sent long ago without a receipt is sent again; one with a verdict is not', async (t) => {
  const f = await outboxWithSlices();
  t.after(() => f.store.close());
  const broker = new FakeBroker();
  let clock = 1_000;
  const publisher = new OutboxPublisher({ store: f.store.federation, sink: broker, sender: SENDER, partners: [PARTNER], resendAfterMs: 60_000, now: () => clock });
  await publisher.pass();
  await f.store.federation.recordReceipt(PARTNER, 1, (await f.store.federation.outboxRow(PARTNER, 1))!.digest, { reason_code: null, message: '{}', received_ms: clock }, () => ({ status: 'accepted', keepReceipt: true }));
  clock += 59_000;
  assert.deepEqual((await publisher.pass())[0]!.published, []);
  clock += 2_000;
  assert.deepEqual(await publisher.pass(), [{ partner: PARTNER, published: [2, 3], resent: [2, 3] }]);
  assert.equal((await f.store.federation.outboxRow(PARTNER, 2))!.publish_count, 2);
});

test('a slice refused for a schema the partner had not pinned is sent again, and accepted once the partner pinned it; the slices behind it follow', async (t) => {
  const f = await outboxWithSlices();
  t.after(() => f.store.close());
  const broker = new FakeBroker();
  let clock = 1_000;
  const publisher = new OutboxPublisher({ store: f.store.federation, sink: broker, sender: SENDER, partners: [PARTNER], resendAfterMs: 60_000, now: () => clock });
  const receipts = new ReceiptHandler({ store: f.store.federation, policy: f.policy, now: () => clock });
  const held = new MemoryHeld();
  const [first] = f.p.map((e) => e.schema_id);
  let trust = { ...f.trust, schemaFingerprints: { ...f.trust.schemaFingerprints, [first!]: [] } };
  /** the partner's node: verify each delivered message, answer with a signed receipt */
  const partnerReceives = async () => {
    for (const { message } of broker.queues.get(PARTNER)!.splice(0)) {
      const verdict = await verifySlice(message, trust, held);
      held.record(verdict);
      const slice = 'slice' in verdict ? verdict.slice : undefined;
      const receipt: Receipt = {
        ...{ format: RECEIPT_FORMAT, sender: SENDER, partner: PARTNER, slice_seq: slice?.slice_seq ?? null, slice_digest: 'digest' in verdict ? (verdict.digest ?? null) : null },
        ...{ composition_id: slice?.composition_id ?? null, status: verdict.status, reason_code: 'reason' in verdict ? verdict.reason : null, detail: null, head: null, checkpoint_size: null, received_at: new Date(clock).toISOString() },
      };
      await receipts.handle(await receiptMessage(receipt, f.receiptKey));
    }
  };
  await publisher.pass();
  await partnerReceives();
  const statuses = async () => Promise.all([1, 2, 3].map(async (seq) => (await f.store.federation.outboxRow(PARTNER, seq))!.status));
  assert.deepEqual(await statuses(), ['refused', 'sent', 'refused'], 'slices 1 and 3 (each opens a composition) refused, schema_unpinned; 2 waits behind 1');
  assert.equal(JSON.parse((await f.store.federation.outboxRow(PARTNER, 2))!.receipt!).receipt.status, 'pending');
  assert.equal((await f.store.federation.outboxRow(PARTNER, 1))!.reason_code, 'schema_unpinned');

  trust = f.trust; // the partner pins the fingerprint
  clock += 61_000;
  assert.deepEqual((await publisher.pass())[0]!.published, [1, 2, 3]);
  await partnerReceives();
  assert.deepEqual(await statuses(), ['accepted', 'accepted', 'accepted']);
  assert.deepEqual(held.events(f.p[0]!.composition_id).length, f.p.length);
});
