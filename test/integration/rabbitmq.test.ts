// The federation transport on the stack's real RabbitMQ: the ledger's user publishes a slice with publisher
// confirms and the partner's user consumes it from its own queue; the broker's permissions refuse the partner
// publishing slices or reading another organisation's queue, and the ledger reading a partner's slices; an
// unroutable slice is an error; a confirmed message survives a broker crash; and the broker's epmd never
// outlives it, however the broker ends.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { rabbitmqEndpoint } from '../../config/endpoints.js';
import { FEDERATION_SENDER_ORG, rabbitmqCredential } from '../../config/rabbitmq-credentials.js';
import { kill, procStat, runningPid } from '../../infra/stack/process.js';
import { status, up } from '../../infra/stack/stack.js';
import {
  FederationTransportError,
  SLICES_EXCHANGE,
  connectFederation,
  consume,
  declareTopology,
  publishConfirmed,
  slicesQueue,
} from '../../ledger/federation/amqp.js';
import { firstMessage } from '../helpers/amqp.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const LEDGER = FEDERATION_SENDER_ORG;
const PARTNER = 'partner';
/** a second partner with a queue but no user of its own here: "another organisation" */
const OTHER = `it-other-${randomUUID().slice(0, 8)}`;

const open: ChannelModel[] = [];
async function connectAs(org: string): Promise<ChannelModel> {
  const connection = await connectFederation(org);
  open.push(connection);
  return connection;
}

before(async () => {
  await stackReady();
  const ledger = await connectAs(LEDGER);
  const channel = await ledger.createChannel();
  await declareTopology(channel, [PARTNER, OTHER]);
  // the partner's queue is shared with other tests of the federation: start from an empty one
  const partner = await connectAs(PARTNER);
  await (await partner.createChannel()).purgeQueue(slicesQueue(PARTNER));
});

after(async () => {
  const ledger = await connectFederation(LEDGER).catch(() => undefined);
  await (await ledger?.createChannel())?.deleteQueue(slicesQueue(OTHER)).catch(() => undefined);
  await ledger?.close().catch(() => undefined);
  await Promise.all(open.map((c) => c.close().catch(() => undefined)));
});

/** Resolves with the first message on `queue` whose id is `messageId` (as `org`), acknowledging it. */
const receive = async (org: string, queue: string, messageId: string): Promise<ConsumeMessage> => firstMessage(await connectAs(org), queue, (msg) => msg.properties.messageId === messageId);

const refused = (err: unknown) => err instanceof FederationTransportError && err.code === 'ERR_AMQP_ACCESS_REFUSED' && err.replyCode === 403;

test('the rabbitmq component runs on 127.0.0.1 and is healthy', async () => {
  const [rabbit] = await status({ only: ['rabbitmq'] });
  assert.equal(rabbit!.healthy, true);
  assert.ok(rabbit!.external || (typeof rabbit!.pid === 'number' && rabbit!.pid > 0));
  assert.match(rabbit!.address, /^amqp:\/\/127\.0\.0\.1:\d+\/federation$/);
});

test("a slice the ledger publishes with confirms reaches the partner's queue; the partner consumes it, and the broker vouches for the sender", async () => {
  const channel = await (await connectAs(LEDGER)).createConfirmChannel();
  const messageId = `it-slice-${randomUUID()}`;
  const body = Buffer.from(JSON.stringify({ slice: messageId }));
  await publishConfirmed(channel, SLICES_EXCHANGE, PARTNER, body, { 'x-slice-events': 3 }, { messageId, userId: rabbitmqCredential(LEDGER).username, contentType: 'application/json' });
  const msg = await receive(PARTNER, slicesQueue(PARTNER), messageId);
  assert.deepEqual(msg.content, body);
  assert.equal(msg.properties.headers?.['x-slice-events'], 3);
  assert.equal(msg.properties.deliveryMode, 2, 'persistent');
  assert.equal(msg.properties.userId, rabbitmqCredential(LEDGER).username);
});

test('a userId other than the publishing user is refused by the broker', async () => {
  const channel = await (await connectAs(LEDGER)).createConfirmChannel();
  await assert.rejects(
    publishConfirmed(channel, SLICES_EXCHANGE, PARTNER, Buffer.from('forged'), {}, { userId: rabbitmqCredential(PARTNER).username }),
    (err: unknown) => err instanceof FederationTransportError && err.code === 'ERR_AMQP_CLOSED' && err.replyCode === 406,
  );
});

test('an unroutable slice is an error, not a silent drop', async () => {
  const channel = await (await connectAs(LEDGER)).createConfirmChannel();
  await assert.rejects(publishConfirmed(channel, SLICES_EXCHANGE, `nobody-${randomUUID().slice(0, 8)}`, Buffer.from('lost?')), (err: unknown) => {
    assert.ok(err instanceof FederationTransportError);
    assert.equal(err.code, 'ERR_AMQP_UNROUTABLE');
    assert.equal(err.replyCode, 312); // NO_ROUTE
    return true;
  });
  // the channel stays usable
  const messageId = `it-after-return-${randomUUID()}`;
  await publishConfirmed(channel, SLICES_EXCHANGE, PARTNER, Buffer.from('routable'), {}, { messageId });
  await receive(PARTNER, slicesQueue(PARTNER), messageId);
});

test('the partner may not publish slices: ACCESS_REFUSED', async () => {
  const channel = await (await connectAs(PARTNER)).createConfirmChannel();
  await assert.rejects(publishConfirmed(channel, SLICES_EXCHANGE, PARTNER, Buffer.from('forged slice')), refused);
});

test("the partner may not read another organisation's queue, the ledger may not read the partner's slices: ACCESS_REFUSED", async () => {
  for (const [org, queue] of [
    [PARTNER, slicesQueue(OTHER)],
    [PARTNER, `federation.receipts.${LEDGER}`],
    [LEDGER, slicesQueue(PARTNER)],
  ] as const) {
    const channel = await (await connectAs(org)).createChannel();
    await assert.rejects(
      consume(channel, queue, async () => undefined),
      refused,
      `${org} reading ${queue}`,
    );
  }
});

test('the partner declares nothing: its passive check of its queue is allowed, a declaration is refused', async () => {
  const connection = await connectAs(PARTNER);
  const channel = await connection.createChannel();
  assert.equal((await channel.checkQueue(slicesQueue(PARTNER))).queue, slicesQueue(PARTNER));
  const other = await connection.createChannel();
  other.on('error', () => undefined);
  await assert.rejects(declareTopology(other, [PARTNER], LEDGER), refused);
});

/** The processes of a process group (the stack starts each component as its own group). */
function groupMembers(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      const fields = procStat(pid);
      return fields !== undefined && fields[0] !== 'Z' && Number(fields[2]) === pgid; // field 5: the process group
    });
}

/** crashes and restarts need the stack's own broker */
const ownBroker = { skip: rabbitmqEndpoint().external && 'RABBITMQ_URL names an external broker' };

test('a confirmed slice survives a broker crash (SIGKILL) and restart; nothing of the old broker is left', ownBroker, async () => {
  const channel = await (await connectAs(LEDGER)).createConfirmChannel();
  const messageId = `it-durable-${randomUUID()}`;
  await publishConfirmed(channel, SLICES_EXCHANGE, PARTNER, Buffer.from('durable'), {}, { messageId });

  const old = runningPid('rabbitmq');
  assert.ok(old, 'the stack runs the broker');
  assert.ok(groupMembers(old).length >= 2, 'the broker and its epmd run in one process group');
  assert.ok(await kill('rabbitmq'));
  await waitFor(() => groupMembers(old).length === 0, { what: "the old broker's process group to be gone (epmd included)" });
  const { outcomes } = await up({ only: ['rabbitmq'] });
  assert.equal(outcomes.rabbitmq, 'started');

  const msg = await receive(PARTNER, slicesQueue(PARTNER), messageId);
  assert.equal(msg.content.toString(), 'durable');
});

test("epmd does not outlive the broker's VM when the VM dies alone", ownBroker, async () => {
  const vm = runningPid('rabbitmq');
  assert.ok(vm);
  process.kill(vm, 'SIGKILL'); // the VM only, not its process group
  await waitFor(() => groupMembers(vm).length === 0, { what: 'epmd to stop after the VM died' });
  const { outcomes } = await up({ only: ['rabbitmq'] });
  assert.equal(outcomes.rabbitmq, 'started');
});
