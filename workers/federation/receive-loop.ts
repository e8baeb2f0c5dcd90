/**
 * The receiving node's process: `coord federation receive --org <partner>` (and workers/federation-receiver.ts).
 * It reads its trust file, opens its own store and receipt key (workers/federation/), connects to RabbitMQ
 * as its organisation's user (ledger/federation/amqp.ts) — nothing else of the sender's: no Temporal, Kafka,
 * registry, ledger or PDP — and consumes `federation.slices.<org>` with manual acknowledgements. Each
 * message, one at a time: verify → import (commit) → signed receipt to `federation.receipts`, routing key the
 * sender, with the broker's confirm → only then the acknowledgement. On (re)connecting it first publishes the
 * receipts a crash left unconfirmed and imports pending slices whose turn has come. A lost connection is
 * retried with backoff; SIGTERM (the `signal`) lets the current message finish, then closes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { RECEIPTS_EXCHANGE, consume, connectFederation, publishConfirmed, slicesQueue, type Consumer } from '../../ledger/federation/amqp.js';
import { config } from '../../config/index.js';
import { rabbitmqCredential } from '../../config/rabbitmq-credentials.js';
import { CrashPoint } from '../../lib/crash-point.js';
import { loadOrCreateReceiptKey } from './receipt-key.js';
import { RECEIVER_FAILPOINTS, Receiver } from './receiver.js';
import { FederationStore, federationDir, storeFile } from './store.js';
import { defaultTrustFile, readTrust } from './trust.js';

export interface ReceiveLoopOptions {
  org: string;
  /** default: `<DATA_DIR>/federation/<org>/trust.json` */
  trustFile?: string | undefined;
  /** unacknowledged deliveries the broker may hand over at once (they are still handled one at a time) */
  prefetch?: number;
  logger: Logger;
  /** aborting it stops the node after the message in hand */
  signal: AbortSignal;
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000];

/** Runs the node until `signal` aborts. Throws only on what a retry cannot mend (trust file, store, key). */
export async function runReceiveLoop(opts: ReceiveLoopOptions): Promise<void> {
  const { org, logger, signal } = opts;
  const dir = federationDir(org);
  const trustFile = opts.trustFile ?? defaultTrustFile(dir);
  const trust = readTrust(trustFile);
  if (trust.partner !== org) throw new Error(`${trustFile} is the trust file of ${trust.partner}, not of ${org}`);
  const store = FederationStore.open(storeFile(org), { owner: trust });
  const receiptKey = await loadOrCreateReceiptKey(dir);
  const username = rabbitmqCredential(org).username;

  let confirm: ConfirmChannel | undefined;
  const receiver = new Receiver({
    store,
    trust,
    receiptKey,
    logger,
    failpoint: new CrashPoint(config().COORD_FEDERATION_RECEIVER_FAILPOINT, RECEIVER_FAILPOINTS, 'COORD_FEDERATION_RECEIVER_FAILPOINT'),
    publishReceipt: async (message) => {
      if (!confirm) throw new Error('not connected to the broker');
      await publishConfirmed(confirm, RECEIPTS_EXCHANGE, trust.sender, message, { partner: org }, { userId: username, contentType: 'application/json' });
    },
  });

  let announced = false;
  let failures = 0;
  // the node runs until told to stop, even while nothing else keeps the event loop busy (a held failpoint)
  const alive = setInterval(() => undefined, 1 << 30);
  try {
    while (!signal.aborted) {
      let connection: ChannelModel | undefined;
      try {
        connection = await connectFederation(org);
        const conn = connection;
        const lost = new Promise<Error>((resolve) => conn.once('close', (err?: Error) => resolve(err ?? new Error('the connection closed'))));
        const receipts = await connection.createConfirmChannel();
        // the receipts' channel closed by the broker (say, no receipts exchange): this session is over
        const receiptsLost = new Promise<Error>((resolve) => receipts.once('close', () => resolve(new Error('the receipts channel closed'))));
        confirm = receipts;
        const channel = await connection.createChannel();
        // what a crash left: receipts not yet confirmed, pending slices whose place came
        await receiver.drain();
        const flushed = await receiver.publishOutstanding();
        if (flushed) logger.info({ receipts: flushed }, 'federation: receipts left unconfirmed were published');
        const session = await serve(channel, receiver, org, opts.prefetch ?? 8, logger, signal);
        failures = 0;
        if (!announced) {
          announced = true;
          logger.info({ org, sender: trust.sender, queue: slicesQueue(org), store: store.file, trust: trustFile, receipt_key: receiptKey.kid, pid: process.pid }, 'federation receiver ready');
        } else {
          logger.info({ org }, 'federation receiver reconnected');
        }
        const stopped = new Promise<'stop'>((resolve) => (signal.aborted ? resolve('stop') : signal.addEventListener('abort', () => resolve('stop'), { once: true })));
        const ended = await Promise.race([stopped, lost, receiptsLost, session.consumer.done.then(() => new Error('the broker cancelled the consumer'), (err: Error) => err)]);
        if (ended === 'stop') {
          await session.consumer.cancel().catch(() => undefined);
          await session.idle(); // the message in hand is finished; those behind it go back to the queue
          await new Promise((resolve) => setImmediate(resolve)); // its acknowledgement is written before the connection closes
          break;
        }
        logger.warn({ err: ended.message }, 'federation: the broker connection was lost; reconnecting');
        session.close();
        await session.idle(); // the message in hand fails its receipt and stays unacknowledged; recovery publishes the receipt
      } catch (err) {
        failures += 1;
        logger.warn({ err: (err as Error).message, attempt: failures }, 'federation: cannot consume yet; retrying');
      } finally {
        confirm = undefined;
        await connection?.close().catch(() => undefined);
      }
      if (!signal.aborted) await sleep(BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    clearInterval(alive);
    store.close();
  }
}

/** Consumes the node's queue, one message at a time however many the broker hands over. */
async function serve(
  channel: Parameters<typeof consume>[0],
  receiver: Receiver,
  org: string,
  prefetch: number,
  logger: Logger,
  signal: AbortSignal,
): Promise<{ consumer: Consumer; idle: () => Promise<void>; close: () => void }> {
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const consumer = await consume(
    channel,
    slicesQueue(org),
    (msg) => {
      const run = chain.then(async () => {
        if (signal.aborted || closed) throw new Error('stopping'); // not started: the broker delivers it again
        try {
          await receiver.receive(msg.content);
        } catch (err) {
          logger.error({ err: (err as Error).message, redelivered: msg.fields.redelivered }, 'federation: a slice could not be handled; it will be delivered again');
          await sleep(1000); // no hot loop on a fault that persists
          throw err;
        }
      });
      chain = run.catch(() => undefined);
      return run;
    },
    { prefetch },
  );
  return { consumer, idle: () => chain, close: () => void (closed = true) };
}
