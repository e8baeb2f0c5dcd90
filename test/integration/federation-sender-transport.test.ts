// The ledger's federation transport (ledger/federation/transport.ts) on the stack's real RabbitMQ: it declares
// the topology as the sender's user, publishes a slice the partner's user then finds on its own queue (stamped
// with the sender's user id), consumes the receipts the partner publishes, refuses an unroutable slice, and
// after its connection is cut connects again on the next pass and resumes consuming receipts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { FEDERATION_SENDER_ORG, rabbitmqCredential } from '../../config/rabbitmq-credentials.js';
import { up } from '../../infra/stack/stack.js';
import { RECEIPTS_EXCHANGE, connectFederation, publishConfirmed, receiptsQueue, slicesQueue } from '../../ledger/federation/amqp.js';
import { AmqpFederationTransport } from '../../ledger/federation/transport.js';
import { firstMessage } from '../helpers/amqp.js';
import { waitFor } from '../helpers/wait.js';

const SENDER = FEDERATION_SENDER_ORG;
const PARTNER = 'partner';
const open: ChannelModel[] = [];
const receipts: Buffer[] = [];
let transport: AmqpFederationTransport;
let partner: ChannelModel;

before(async () => {
  await up({ only: ['rabbitmq'] });
  transport = new AmqpFederationTransport({ sender: SENDER, partners: [PARTNER] });
  await transport.consumeReceipts(async (message) => void receipts.push(message));
  partner = await connectFederation(PARTNER);
  open.push(partner);
  await (await partner.createChannel()).purgeQueue(slicesQueue(PARTNER));
});

after(async () => {
  await transport?.close();
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
});

/** The first message on the partner's queue with this slice_seq header, acknowledged. */
const partnerReceives = (seq: number): Promise<ConsumeMessage> => firstMessage(partner, slicesQueue(PARTNER), (msg) => msg.properties.headers?.slice_seq === seq);

async function partnerSendsReceipt(body: Buffer): Promise<void> {
  const channel = (await partner.createConfirmChannel()) as ConfirmChannel;
  await publishConfirmed(channel, RECEIPTS_EXCHANGE, SENDER, body, {}, { userId: rabbitmqCredential(PARTNER).username });
  await channel.close();
}

test('a slice goes to the partner’s own queue, confirmed, with its headers and the sender’s user id', async () => {
  const seq = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  const body = Buffer.from(JSON.stringify({ slice: { slice_seq: seq }, jws: randomUUID() }));
  await transport.publishSlice(PARTNER, body, { sender: SENDER, partner: PARTNER, slice_seq: seq, composition_id: 'cmp_it', digest: 'sha256:x' });
  const msg = await partnerReceives(seq);
  assert.deepEqual(msg.content, body);
  assert.equal(msg.properties.userId, rabbitmqCredential(SENDER).username);
  assert.equal(msg.properties.contentType, 'application/json');
  assert.equal(msg.properties.deliveryMode, 2, 'persistent');
  assert.deepEqual(msg.properties.headers, { sender: SENDER, partner: PARTNER, slice_seq: seq, composition_id: 'cmp_it', digest: 'sha256:x' });
});

test('the partner’s receipts reach the ledger’s handler', async () => {
  const body = Buffer.from(`{"receipt":"${randomUUID()}"}`);
  await partnerSendsReceipt(body);
  await waitFor(() => receipts.some((r) => r.equals(body)), { timeoutMs: 10_000, what: 'the receipt' });
});

test('a slice for a partner without a queue is refused, and the transport stays usable', async () => {
  await assert.rejects(transport.publishSlice(`nobody-${randomUUID().slice(0, 8)}`, Buffer.from('{}'), { slice_seq: 1 }), { code: 'ERR_AMQP_UNROUTABLE' });
  const seq = 2_000_000 + Math.floor(Math.random() * 1_000_000);
  await transport.publishSlice(PARTNER, Buffer.from('{}'), { slice_seq: seq });
  await partnerReceives(seq);
});

test('a cut connection: the next pass connects again and receipts flow again', async () => {
  const connection = (transport as unknown as { connection: ChannelModel }).connection;
  await connection.close();
  await transport.connect();
  const body = Buffer.from(`{"receipt":"${randomUUID()}"}`);
  await partnerSendsReceipt(body);
  await waitFor(() => receipts.some((r) => r.equals(body)), { timeoutMs: 10_000, what: 'the receipt after reconnecting' });
  assert.ok(receiptsQueue(SENDER).endsWith(SENDER));
});
