// The partners' receipts at the sender: a receipt counts only when the partner's pinned key signed it, it
// names us as the sender, and it names one of our slices by place and digest; anything else — a forged
// receipt, one signed by another key, one for another sender, one about a slice we never sent — is dropped
// and leaves the outbox as it was. `coord federation status` reads the result.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { RECEIPT_FORMAT, type Receipt } from '../../../audit/slice/format.js';
import { receiptMessage } from '../../../audit/slice/sign.js';
import { SlicePackager } from '../../../ledger/federation/packager.js';
import { parseFederationPolicy } from '../../../ledger/federation/policy.js';
import { ReceiptHandler } from '../../../ledger/federation/receipts.js';
import { federationStatus } from '../../../ledger/federation/status.js';
import { CMP_P, PARTNER, PARTNER_ISSUER, SENDER, generateEd25519Key, senderFixture } from '../../helpers/federation-sender.js';
import { openSqliteInMemory } from '../../helpers/ledger-store-cases.js';

async function setup(t: TestContext) {
  const f = await senderFixture(openSqliteInMemory);
  t.after(() => f.store.close());
  await f.ingest(f.p.slice(0, 4));
  await f.checkpoint();
  await f.witness();
  await new SlicePackager({ store: f.store, log: f.log, policy: f.policy, pdp: f.pdp, signingKey: f.signingKey, fingerprint: f.fingerprint }).pass();
  await f.store.federation.markSent(PARTNER, 1, 1_000);
  const row = (await f.store.federation.outboxRow(PARTNER, 1))!;
  const receipt = (over: Partial<Receipt> = {}): Receipt => ({
    format: RECEIPT_FORMAT,
    sender: SENDER,
    partner: PARTNER,
    slice_seq: 1,
    slice_digest: row.digest,
    composition_id: CMP_P,
    status: 'accepted',
    reason_code: null,
    detail: null,
    head: { sequence: 4, this_hash: f.p[3]!.this_hash },
    checkpoint_size: 4,
    received_at: '2026-12-06T12:00:01.000Z',
    ...over,
  });
  const handler = new ReceiptHandler({ store: f.store.federation, policy: f.policy, now: () => 2_000 });
  return { f, row, receipt, handler };
}

test('a receipt the partner signed, for our slice, is recorded with its status', async (t) => {
  const { f, receipt, handler } = await setup(t);
  const message = await receiptMessage(receipt(), f.receiptKey);
  assert.deepEqual(await handler.handle(message), { outcome: 'recorded', partner: PARTNER, slice_seq: 1, status: 'accepted' });
  const row = (await f.store.federation.outboxRow(PARTNER, 1))!;
  assert.deepEqual([row.status, row.receipt, row.receipt_ms], ['accepted', message.toString('utf8'), 2_000]);
  assert.deepEqual(await handler.handle(await receiptMessage(receipt({ status: 'duplicate' }), f.receiptKey)), { outcome: 'unchanged', partner: PARTNER, slice_seq: 1, status: 'duplicate' });
});

test('forged and misdirected receipts are dropped and change nothing', async (t) => {
  const { f, receipt, handler } = await setup(t);
  const stranger = await generateEd25519Key();
  const genuine = JSON.parse((await receiptMessage(receipt({ status: 'refused', reason_code: 'not_entitled', detail: 'no' }), f.receiptKey)).toString('utf8')) as { receipt: Receipt; jws: string };
  const cases: [string, Buffer, RegExp][] = [
    ['signed by another key', await receiptMessage(receipt({ status: 'refused', reason_code: 'not_entitled' }), stranger), /not signed by partner's pinned receipt key/],
    ['a genuine signature over another receipt', Buffer.from(JSON.stringify({ ...genuine, receipt: { ...genuine.receipt, reason_code: 'schema_unpinned' } })), /not signed by partner's pinned receipt key/],
    ['from a partner the policy does not name', await receiptMessage(receipt({ partner: 'stranger' }), stranger), /partner stranger is not in the federation policy/],
    ['for another sender', await receiptMessage(receipt({ sender: 'firm' }), f.receiptKey), /a receipt for slices of firm, not of internal/],
    ['about a slice with another digest', await receiptMessage(receipt({ slice_digest: `sha256:${'0'.repeat(64)}`, status: 'refused', reason_code: 'slice_signature_invalid' }), f.receiptKey), /no slice 1 with digest sha256:0{64} was sent/],
    ['about a place we never used', await receiptMessage(receipt({ slice_seq: 7 }), f.receiptKey), /no slice 7 with digest/],
    ['naming no slice', await receiptMessage(receipt({ slice_seq: null, slice_digest: null, status: 'refused', reason_code: 'slice_malformed' }), f.receiptKey), /names no slice/],
    ['not JSON', Buffer.from('{"receipt":'), /not a receipt message/],
    ['not a receipt', Buffer.from(JSON.stringify({ receipt: { partner: PARTNER }, jws: 'x' })), /not signed by partner's pinned receipt key: not a receipt/],
  ];
  for (const [what, message, reason] of cases) {
    const outcome = await handler.handle(message);
    assert.equal(outcome.outcome, 'dropped', what);
    assert.match((outcome as { reason: string }).reason, reason, what);
  }
  const row = (await f.store.federation.outboxRow(PARTNER, 1))!;
  assert.deepEqual([row.status, row.receipt], ['sent', null], 'the slice is as it was: sent, waiting for a receipt');
});

test('a receipt key kept in a file is read when a receipt comes: the partner may create it after the ledger started', async (t) => {
  const { f, receipt } = await setup(t);
  const dir = mkdtempSync(join(tmpdir(), 'federation-policy-'));
  const policyFile = join(dir, 'policy.json');
  const policy = parseFederationPolicy(JSON.stringify({ sender: SENDER, partners: { [PARTNER]: { issuers: [PARTNER_ISSUER], receipt_key: 'keys/partner.pub.jwk' } } }), policyFile);
  const handler = new ReceiptHandler({ store: f.store.federation, policy });
  const message = await receiptMessage(receipt(), f.receiptKey);
  const missing = await handler.handle(message);
  assert.match((missing as { reason: string }).reason, /receipt key .*keys\/partner\.pub\.jwk does not exist \(yet\)/);
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'partner.pub.jwk'), JSON.stringify(f.receiptKey.publicJwk));
  assert.equal((await handler.handle(message)).outcome, 'recorded');
});

test('the status: per partner what was sent, acknowledged, refused and pending, the denials, and the last receipt', async (t) => {
  const { f, receipt, handler } = await setup(t);
  f.pdp.rule = () => 'DENY';
  await f.ingest(f.q.slice(0, 4));
  await f.checkpoint();
  await f.witness();
  await new SlicePackager({ store: f.store, log: f.log, policy: f.policy, pdp: f.pdp, signingKey: f.signingKey, fingerprint: f.fingerprint }).pass();
  let status = await federationStatus(f.store.federation, f.policy);
  assert.deepEqual(status.partners.map((p) => [p.packaged, p.sent, p.pending, p.unpublished, p.acknowledged, p.refused, p.allowed, p.denied, p.last_receipt]), [[1, 1, 1, 0, 0, 0, 1, 1, null]]);
  assert.equal(status.ok, true);

  await handler.handle(await receiptMessage(receipt({ status: 'refused', reason_code: 'schema_unpinned', detail: 'schema x is not accepted' }), f.receiptKey));
  status = await federationStatus(f.store.federation, f.policy);
  const [p] = status.partners;
  assert.equal(status.ok, false, 'a refusal is something to look at');
  assert.deepEqual([p!.refused, p!.refused_by_reason, p!.pending], [1, { schema_unpinned: 1 }, 0]);
  assert.deepEqual(p!.last_receipt, {
    slice_seq: 1,
    status: 'refused',
    reason_code: 'schema_unpinned',
    detail: 'schema x is not accepted',
    head: { sequence: 4, this_hash: f.p[3]!.this_hash },
    checkpoint_size: 4,
    received_at: '2026-12-06T12:00:01.000Z',
    recorded_at: new Date(2_000).toISOString(),
  });
});
