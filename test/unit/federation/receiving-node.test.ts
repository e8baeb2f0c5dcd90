// The partner's receiving node without any server: its SQLite store (temp dirs), the import of each verdict
// with its signed receipt in one transaction, pending slices drained in order, refusals, crashes between
// the commit and the receipt, and `verify` — the whole store re-verified offline, finding an edited row.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { JWK } from 'jose';
import { openReceipt } from '../../../audit/slice/sign.js';
import type { Receipt } from '../../../audit/slice/format.js';
import { MAX_SLICE_BYTES } from '../../../audit/slice/format.js';
import { loadOrCreateReceiptKey, receiptKeyFile, receiptPublicKeyFile } from '../../../workers/federation/receipt-key.js';
import { Receiver } from '../../../workers/federation/receiver.js';
import { receiverStatus } from '../../../workers/federation/status.js';
import { FederationStore, QUARANTINE_KEEP_BYTES } from '../../../workers/federation/store.js';
import { verifyStore } from '../../../workers/federation/verify-store.js';
import { SliceFactory } from '../../helpers/slice-factory.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/** A receiving node in a temp dir: its store, its receipt key, a fake broker that records the receipts it confirms. */
async function node(f: SliceFactory, opts: { dir?: string; failPublish?: () => boolean } = {}) {
  const dir = opts.dir ?? join(mkdtempSync(join(tmpdir(), 'fed-node-')), 'partner');
  const store = FederationStore.open(join(dir, 'store.sqlite'), { owner: f.trust });
  const receiptKey = await loadOrCreateReceiptKey(dir);
  const published: Receipt[] = [];
  const receiver = new Receiver({
    store,
    trust: f.trust,
    receiptKey,
    publishReceipt: async (message) => {
      if (opts.failPublish?.()) throw new Error('the channel closed');
      const opened = await openReceipt(message, receiptKey.publicJwk);
      assert.ok(opened.ok, opened.ok ? '' : opened.reason);
      published.push(opened.receipt);
    },
  });
  return { dir, store, receiver, published, receiptKey, statuses: () => published.map((r) => [r.slice_seq, r.status, r.reason_code]) };
}

const A = 'cmp_NODE_A';
const B = 'cmp_NODE_B';

test('the store and the receipt key are private files; the public receipt key sits beside them', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  assert.equal(mode(n.dir), 0o700);
  assert.equal(mode(join(n.dir, 'store.sqlite')), 0o600);
  assert.equal(mode(receiptKeyFile(n.dir)), 0o600);
  assert.equal(mode(receiptPublicKeyFile(n.dir)), 0o644);
  const pub = JSON.parse(readFileSync(receiptPublicKeyFile(n.dir), 'utf8')) as JWK;
  assert.equal(pub.d, undefined);
  assert.equal(pub.kid, n.receiptKey.kid);
  assert.equal((await loadOrCreateReceiptKey(n.dir)).kid, n.receiptKey.kid); // kept, not made again
});

test('a slice is imported with its events, checkpoint and a signed receipt; delivered again it is a duplicate and changes nothing', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  const events = f.composition(A);
  const first = await f.next(events);
  const [imported] = await n.receiver.receive(first.bytes);
  assert.equal(imported!.verdict.status, 'accepted');
  assert.deepEqual(imported!.receipt.head, { sequence: 9, this_hash: events[8]!.this_hash });
  assert.equal(imported!.receipt.checkpoint_size, 9);
  assert.equal(imported!.receipt.slice_digest, first.digest);
  assert.equal(n.store.allEvents().length, 9);
  assert.deepEqual(n.store.events(A), events);

  await n.receiver.receive(first.bytes);
  assert.deepEqual(n.statuses(), [
    [1, 'accepted', null],
    [1, 'duplicate', null],
  ]);
  assert.equal(n.store.allEvents().length, 9);
  assert.equal(n.store.nextSeq(), 2);
  const status = receiverStatus('partner', n.store);
  assert.equal(status.accepted, 1);
  assert.equal(status.duplicates, 1);
  assert.equal(status.receipts.unpublished, 0);
  assert.deepEqual(status.compositions, [{ composition_id: A, sequence: 9, this_hash: events[8]!.this_hash }]);
  assert.equal(status.last_receipt?.status, 'duplicate');
});

test('pending slices drain in order once the gap closes', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  const a = f.composition(A, { admit: false });
  f.admit(a.slice(0, 4));
  const s1 = await f.next(a.slice(0, 4));
  f.admit(a.slice(4, 7));
  const s2 = await f.next(a.slice(4, 7));
  f.admit(a.slice(7));
  const s3 = await f.next(a.slice(7));

  await n.receiver.receive(s3.bytes);
  await n.receiver.receive(s2.bytes);
  await n.receiver.receive(s3.bytes); // a duplicate delivery of a waiting slice waits once
  assert.equal(n.store.pending().length, 2);
  assert.equal(n.store.nextSeq(), 1);
  const done = await n.receiver.receive(s1.bytes);
  assert.deepEqual(
    done.map((d) => [d.verdict.slice?.slice_seq, d.verdict.status]),
    [
      [1, 'accepted'],
      [2, 'accepted'],
      [3, 'accepted'],
    ],
  );
  assert.deepEqual(n.statuses(), [
    [3, 'pending', 'waiting_for_earlier_slice'],
    [2, 'pending', 'waiting_for_earlier_slice'],
    [3, 'pending', 'waiting_for_earlier_slice'],
    [1, 'accepted', null],
    [2, 'accepted', null],
    [3, 'accepted', null],
  ]);
  assert.equal(n.store.pending().length, 0);
  assert.deepEqual(n.store.events(A), a);
  assert.deepEqual(n.store.checkpoints().map((c) => [c.size, c.slice_seq]), [
    [4, 1],
    [7, 2],
    [9, 3],
  ]);
});

test('a refusal that uses its place lets the next slice proceed, also one that was waiting for it', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  const stranger = await f.next(f.composition('cmp_NODE_STRANGER', { entitled: false }));
  const a = await f.next(f.composition(A));
  await n.receiver.receive(a.bytes); // waits for place 1
  await n.receiver.receive(stranger.bytes);
  assert.deepEqual(n.statuses(), [
    [2, 'pending', 'waiting_for_earlier_slice'],
    [1, 'refused', 'not_entitled'],
    [2, 'accepted', null],
  ]);
  assert.deepEqual(n.published.map((r) => r.next_seq), [1, 2, 3]); // a refusal that uses its place moves on
  assert.equal(n.store.settled(1)?.status, 'refused');
  assert.deepEqual(n.store.events('cmp_NODE_STRANGER'), []);
  assert.equal(n.store.events(A).length, 9);
  const status = receiverStatus('partner', n.store);
  assert.deepEqual(status.refused, { total: 1, by_reason: { not_entitled: 1 } });
  // the refused slice again: a duplicate whose receipt repeats the refusal
  await n.receiver.receive(stranger.bytes);
  assert.deepEqual(n.statuses().at(-1), [1, 'duplicate', 'not_entitled']);
});

test('what proves nothing goes to quarantine, bounded, with a receipt, and no place is used', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  const first = await f.next(f.composition(A));
  await n.receiver.receive(Buffer.alloc(MAX_SLICE_BYTES - 10, 0x61));
  await n.receiver.receive(await f.sign(first.slice, (await SliceFactory.create()).sliceKey));
  assert.deepEqual(n.statuses(), [
    [null, 'refused', 'slice_malformed'],
    [1, 'refused', 'slice_key_untrusted'],
  ]);
  const quarantined = n.store.quarantine();
  assert.deepEqual(quarantined.map((q) => [q.reason, q.message_bytes]), [
    ['slice_malformed', MAX_SLICE_BYTES - 10],
    ['slice_key_untrusted', quarantined[1]!.message_bytes],
  ]);
  const kept = new Database(n.store.file, { readonly: true }).prepare('SELECT length(message) AS n FROM quarantine ORDER BY id').all() as { n: number }[];
  assert.equal(kept[0]!.n, QUARANTINE_KEEP_BYTES);
  assert.equal(n.store.nextSeq(), 1);
  assert.equal(n.published[1]!.next_seq, 1); // the place is still open: the sender must send slice 1 again
  await n.receiver.receive(first.bytes);
  assert.equal(n.store.nextSeq(), 2);
  assert.equal(n.published[2]!.next_seq, 2);
  assert.deepEqual(receiverStatus('partner', n.store).quarantined, { total: 2, by_reason: { slice_malformed: 1, slice_key_untrusted: 1 } });
});

test('a crash after the commit, before the receipt is confirmed: the receipt goes out on restart, the redelivery is a duplicate', async () => {
  const f = await SliceFactory.create();
  let down = true;
  const crashed = await node(f, { failPublish: () => down });
  const first = await f.next(f.composition(A));
  await assert.rejects(crashed.receiver.receive(first.bytes), /the channel closed/); // not acked: the broker delivers it again
  assert.equal(crashed.store.nextSeq(), 2); // imported
  assert.equal(crashed.store.receipts({ unpublished: true }).length, 1);
  crashed.store.close();

  down = false;
  const restarted = await node(f, { dir: crashed.dir });
  assert.equal(await restarted.receiver.publishOutstanding(), 1);
  await restarted.receiver.receive(first.bytes);
  assert.deepEqual(restarted.statuses(), [
    [1, 'accepted', null],
    [1, 'duplicate', null],
  ]);
  assert.equal(restarted.store.allEvents().length, 9);
  assert.equal(restarted.store.receipts({ unpublished: true }).length, 0);
});

test('the store is append-only, and belongs to one sender and partner', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  await n.receiver.receive((await f.next(f.composition(A))).bytes);
  const db = new Database(n.store.file);
  assert.throws(() => db.prepare(`UPDATE events SET line = '{}'`).run(), /events is append-only/);
  assert.throws(() => db.prepare('DELETE FROM slices').run(), /slices is append-only/);
  assert.throws(() => db.prepare('DELETE FROM receipts').run(), /receipts is append-only/);
  db.close();
  n.store.close();
  assert.throws(() => FederationStore.open(n.store.file, { owner: { sender: 'ledger', partner: 'someone-else' } }), /holds slices from ledger for partner/);
});

test('verify re-derives the store from its slice messages and the trust file; it names an edited row', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  const a = f.composition(A, { admit: false });
  f.admit(a.slice(0, 5));
  await n.receiver.receive((await f.next(a.slice(0, 5))).bytes);
  f.admit(a.slice(5));
  await n.receiver.receive((await f.next(a.slice(5))).bytes);
  await n.receiver.receive((await f.next(f.composition('cmp_NODE_STRANGER', { entitled: false }))).bytes);
  const b = f.composition(B);
  const fourth = await f.next(b);
  const fifth = await f.next(b.slice(3)); // overlaps the fourth: when its turn comes, chain_broken
  await n.receiver.receive(fifth.bytes);
  await n.receiver.receive(fourth.bytes);
  const key = JSON.parse(readFileSync(receiptPublicKeyFile(n.dir), 'utf8')) as JWK;

  const clean = await verifyStore(n.store, f.trust, { receiptKey: key });
  assert.deepEqual(clean.differences, []);
  assert.deepEqual(clean.slices, { accepted: 3, refused: 2 });
  assert.equal(clean.events, 18);
  assert.equal(clean.receipts.checked, n.store.receipts().length);
  assert.equal(clean.checkpoint_size, 27);

  // an attacker with the file: the triggers dropped, an event's line edited, a receipt row relabelled
  const db = new Database(n.store.file);
  db.exec('DROP TRIGGER events_no_update; DROP TRIGGER receipts_no_update; DROP TRIGGER checkpoints_no_delete');
  const line = JSON.parse(db.prepare(`SELECT line FROM events WHERE event_id = 'evt_NODE_A_004'`).pluck().get() as string) as Record<string, unknown>;
  (line.payload as Record<string, unknown>).intersection_size = 1;
  db.prepare(`UPDATE events SET line = ? WHERE event_id = 'evt_NODE_A_004'`).run(JSON.stringify(line));
  db.prepare(`UPDATE receipts SET status = 'accepted', reason = NULL WHERE slice_seq = 3`).run();
  db.prepare('DELETE FROM checkpoints WHERE size = 9').run();
  db.close();

  const report = await verifyStore(n.store, f.trust, { receiptKey: key });
  assert.equal(report.ok, false);
  assert.deepEqual(
    report.differences.map((d) => [d.kind, d.event_id ?? d.slice_seq]),
    [
      ['event_differs', 'evt_NODE_A_004'],
      ['checkpoint_missing', 2],
      ['receipt_invalid', 3],
    ],
  );
  assert.match(report.differences[0]!.detail, /line differ/);
});

test('verify: a slice message edited in the file no longer verifies, and what it brought is unexplained', async () => {
  const f = await SliceFactory.create();
  const n = await node(f);
  await n.receiver.receive((await f.next(f.composition(A))).bytes);
  const db = new Database(n.store.file);
  db.exec('DROP TRIGGER slices_no_update');
  const message = JSON.parse((db.prepare('SELECT message FROM slices WHERE seq = 1').pluck().get() as Buffer).toString('utf8')) as { slice: { decision: { uds_eval_id: string } } };
  message.slice.decision.uds_eval_id = 'ueval_edited';
  db.prepare('UPDATE slices SET message = ? WHERE seq = 1').run(Buffer.from(JSON.stringify(message)));
  db.close();
  const report = await verifyStore(n.store, f.trust);
  const kinds = report.differences.map((d) => d.kind);
  assert.deepEqual([...new Set(kinds)], ['digest_differs', 'verdict_differs', 'event_unexplained', 'head_differs', 'checkpoint_unexplained']);
  assert.match(report.differences.find((d) => d.kind === 'verdict_differs')!.detail, /slice_signature_invalid/);
  assert.equal(existsSync(n.store.file), true);
});
