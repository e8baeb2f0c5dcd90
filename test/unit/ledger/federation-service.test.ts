// Federation in the ledger process, over a transport stand-in: a pass packages what the witnessed checkpoint
// covers and publishes it; receipts delivered by the transport are recorded; stopping waits for the pass in
// hand and closes the transport.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECEIPT_FORMAT } from '../../../audit/slice/format.js';
import { receiptMessage } from '../../../audit/slice/sign.js';
import { verifySlice } from '../../../audit/slice/verify.js';
import { FederationService, type FederationTransport } from '../../../ledger/federation/service.js';
import { MemoryHeld } from '../../../workers/federation/memory-held.js';
import { CMP_P, PARTNER, SENDER, senderFixture } from '../../helpers/federation-sender.js';
import { openSqliteInMemory } from '../../helpers/ledger-store-cases.js';

class StandInTransport implements FederationTransport {
  readonly published: Buffer[] = [];
  handler: ((message: Buffer) => Promise<void>) | undefined;
  connects = 0;
  closed = false;

  async publishSlice(_partner: string, message: Buffer): Promise<void> {
    this.published.push(message);
  }

  async consumeReceipts(handler: (message: Buffer) => Promise<void>): Promise<void> {
    this.handler = handler;
  }

  async connect(): Promise<void> {
    this.connects += 1;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

test('a pass packages and publishes; the partner’s receipt comes back through the transport and is recorded', async (t) => {
  const f = await senderFixture(openSqliteInMemory);
  t.after(() => f.store.close());
  const transport = new StandInTransport();
  const service = new FederationService({ store: f.store, log: f.log, policy: f.policy, pdp: f.pdp, signingKey: f.signingKey, fingerprint: f.fingerprint, transport, intervalMs: 3_600_000, resendAfterMs: 60_000, logger: silent });
  await service.start();
  assert.ok(transport.handler, 'receipts are consumed from the start');
  await f.ingest(f.p);
  await f.checkpoint();
  await f.witness();
  await service.poke();
  assert.deepEqual(service.lastPass?.packaging.partners[0]!.packaged.map((s) => s.slice_seq), [1]);
  assert.deepEqual(service.lastPass?.publishing, [{ partner: PARTNER, published: [1], resent: [] }]);
  assert.ok(transport.connects >= 1, 'each pass makes sure the transport is connected');

  const verdict = await verifySlice(transport.published[0]!, f.trust, new MemoryHeld());
  assert.equal(verdict.status, 'accepted');
  const digest = (await f.store.federation.outboxRow(PARTNER, 1))!.digest;
  const receipt = { format: RECEIPT_FORMAT, sender: SENDER, partner: PARTNER, slice_seq: 1, slice_digest: digest, composition_id: CMP_P, status: 'accepted', reason_code: null, detail: null, head: { sequence: 9, this_hash: f.p[8]!.this_hash }, checkpoint_size: 9, received_at: '2026-12-06T12:00:00Z' } as const;
  await transport.handler!(await receiptMessage(receipt, f.receiptKey));
  assert.equal((await f.store.federation.outboxRow(PARTNER, 1))!.status, 'accepted');

  await service.stop();
  assert.equal(transport.closed, true);
  await service.poke();
  assert.equal(transport.published.length, 1, 'a stopped service passes no more');
});
