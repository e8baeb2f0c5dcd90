/**
 * The federation transport: RabbitMQ over AMQP 0-9-1. Seed 000 §7.5 makes cross-organisational replication
 * an outbox over RabbitMQ, the transport the seed's users already run between organisations; the ledger
 * sends each partner its slices, and each partner answers with receipts. What this module guarantees:
 *
 * - Who: each organisation connects as its own broker user (`connectFederation(org)`, credentials from
 *   RABBITMQ_CREDENTIALS_FILE), and the broker's permissions (infra/rabbitmq/permissions.ts) let the sender
 *   alone publish slices and each partner read only its own queue. `publishConfirmed` can stamp the
 *   message's `userId`, which RabbitMQ refuses unless it is the publishing user: a receiver may trust it.
 * - Where: `declareTopology` — direct exchange `federation.slices`, a durable queue
 *   `federation.slices.<partner>` per partner (routing key `<partner>`); direct exchange
 *   `federation.receipts`, a durable queue `federation.receipts.<sender>` (routing key `<sender>`).
 * - Delivered: `publishConfirmed` resolves only once the broker has taken responsibility for a persistent
 *   message (publisher confirm), and rejects when it cannot: nacked, unroutable (mandatory: no queue
 *   bound for the key), refused, or the channel closed first. `consume` acknowledges a message only after
 *   its handler resolved, so a crash before that means redelivery — at least once; receivers are idempotent.
 *
 * Every channel given to these functions gets an 'error' listener (amqplib throws a channel error nobody
 * listens to out of its socket handler); the errors reach the caller as rejections instead.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Message } from 'amqplib';
import { rabbitmqConnection } from '../../config/endpoints.js';
import { FEDERATION_SENDER_ORG, assertFederationOrg } from '../../config/rabbitmq-credentials.js';

export const SLICES_EXCHANGE = 'federation.slices';
export const RECEIPTS_EXCHANGE = 'federation.receipts';
/** The queue a partner reads its slices from. */
export const slicesQueue = (partner: string) => `${SLICES_EXCHANGE}.${assertFederationOrg(partner)}`;
/** The queue a sending organisation reads its receipts from. */
export const receiptsQueue = (sender: string) => `${RECEIPTS_EXCHANGE}.${assertFederationOrg(sender)}`;

export type FederationErrorCode =
  | 'ERR_AMQP_ACCESS_REFUSED' // 403: the broker's permissions forbid it (or a wrong password at login)
  | 'ERR_AMQP_NOT_FOUND' // 404: no such exchange or queue
  | 'ERR_AMQP_UNROUTABLE' // a mandatory message no queue was bound for
  | 'ERR_AMQP_NACKED' // the broker could not take the message
  | 'ERR_AMQP_CLOSED'; // the channel or connection closed first, for another reason

export class FederationTransportError extends Error {
  constructor(
    readonly code: FederationErrorCode,
    message: string,
    /** the AMQP reply code (403, 404, 312 …) when the broker gave one */
    readonly replyCode?: number,
  ) {
    super(message);
    this.name = 'FederationTransportError';
  }
}

/** amqplib's errors carry the broker's reply code as `code` (a number); others are connection-level. */
function transportError(err: unknown, what: string): FederationTransportError {
  if (err instanceof FederationTransportError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const replyCode = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : undefined;
  const refused = replyCode === 403 || /ACCESS.REFUSED/.test(message);
  const code = refused ? 'ERR_AMQP_ACCESS_REFUSED' : replyCode === 404 ? 'ERR_AMQP_NOT_FOUND' : 'ERR_AMQP_CLOSED';
  return new FederationTransportError(code, `${what}: ${message}`, replyCode ?? (refused ? 403 : undefined));
}

/**
 * A connection as `org` (its user from RABBITMQ_CREDENTIALS_FILE) to RABBITMQ_URL's broker and vhost.
 * A refused login rejects with ERR_AMQP_ACCESS_REFUSED. Listen for 'close' to learn that it dropped.
 */
export async function connectFederation(org: string): Promise<ChannelModel> {
  const settings = rabbitmqConnection(org);
  try {
    const connection = await connect(settings, { timeout: 10_000, clientProperties: { connection_name: `coord-federation-${org}` } });
    connection.on('error', () => undefined); // reported again by 'close', with the error
    return connection;
  } catch (err) {
    throw transportError(err, `connecting to ${settings.hostname}:${settings.port}/${settings.vhost} as ${org}`);
  }
}

/**
 * Per channel: messages the broker returned as unroutable (by message id), the error that closed it, and
 * what waits for the channel's end (unconfirmed publishes, consumers).
 */
interface ChannelWatch {
  returned: Map<string, Message>;
  failure?: FederationTransportError;
  onClose: Set<(failure: FederationTransportError | undefined) => void>;
}
const watches = new WeakMap<Channel, ChannelWatch>();

function watch(channel: Channel): ChannelWatch {
  const known = watches.get(channel);
  if (known) return known;
  const state: ChannelWatch = { returned: new Map(), onClose: new Set() };
  channel.on('return', (msg: Message) => {
    const id = msg.properties.messageId as unknown;
    if (typeof id === 'string') state.returned.set(id, msg);
  });
  channel.on('error', (err: Error) => void (state.failure ??= transportError(err, 'channel closed by the broker')));
  channel.once('close', () => {
    for (const notify of state.onClose) notify(state.failure);
    state.onClose.clear();
  });
  watches.set(channel, state);
  return state;
}

/**
 * Declares the federation topology (durable; idempotent; needs the sender's configure permission): both
 * exchanges, each partner's slices queue bound by its name, and the sender's receipts queue bound by its.
 */
export async function declareTopology(channel: Channel, partners: readonly string[], sender = FEDERATION_SENDER_ORG): Promise<void> {
  watch(channel);
  try {
    await channel.assertExchange(SLICES_EXCHANGE, 'direct', { durable: true, autoDelete: false });
    await channel.assertExchange(RECEIPTS_EXCHANGE, 'direct', { durable: true, autoDelete: false });
    for (const partner of partners) {
      await channel.assertQueue(slicesQueue(partner), { durable: true, autoDelete: false, exclusive: false });
      await channel.bindQueue(slicesQueue(partner), SLICES_EXCHANGE, partner);
    }
    await channel.assertQueue(receiptsQueue(sender), { durable: true, autoDelete: false, exclusive: false });
    await channel.bindQueue(receiptsQueue(sender), RECEIPTS_EXCHANGE, sender);
  } catch (err) {
    throw transportError(err, 'declaring the federation topology');
  }
}

export type FederationHeaders = Record<string, string | number | boolean>;

export interface PublishOptions {
  /** Correlates an unroutable return with this publish; unique per channel among publishes in flight (default: a random UUID). */
  messageId?: string;
  /** The publishing organisation's broker username: RabbitMQ checks it, so the receiver can trust `properties.userId`. */
  userId?: string;
  contentType?: string;
}

/**
 * Publishes a persistent, mandatory message and resolves once the broker confirmed it (for a durable queue:
 * written to disk). Rejects with ERR_AMQP_UNROUTABLE (no queue bound for the key), ERR_AMQP_NACKED,
 * ERR_AMQP_ACCESS_REFUSED (no write permission on the exchange; the broker closes the channel) or
 * ERR_AMQP_CLOSED. After a rejection the message may or may not be queued: publish again (same message id)
 * and let the receiver drop the duplicate.
 */
export function publishConfirmed(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  body: Buffer,
  headers: FederationHeaders = {},
  options: PublishOptions = {},
): Promise<void> {
  const state = watch(channel);
  const messageId = options.messageId ?? randomUUID();
  return new Promise((resolvePromise, reject) => {
    const settle = (err?: FederationTransportError) => {
      state.onClose.delete(onClose);
      if (err) reject(err);
      else resolvePromise();
    };
    // A channel that closes with the message unconfirmed fails the callback below too; this covers the rest.
    const onClose = (failure?: FederationTransportError) => settle(failure ?? new FederationTransportError('ERR_AMQP_CLOSED', `publishing to ${exchange}: channel closed`));
    state.onClose.add(onClose);
    try {
      channel.publish(
        exchange,
        routingKey,
        body,
        {
          persistent: true,
          mandatory: true,
          messageId,
          timestamp: Math.floor(Date.now() / 1000),
          contentType: options.contentType ?? 'application/octet-stream',
          headers,
          ...(options.userId ? { userId: options.userId } : {}),
        },
        (err: unknown) => {
          const returned = state.returned.get(messageId);
          state.returned.delete(messageId);
          if (err) settle(state.failure ?? new FederationTransportError('ERR_AMQP_NACKED', `the broker did not confirm ${messageId} on ${exchange}: ${String(err)}`));
          // the broker sends basic.return before the basic.ack of the same message
          else if (returned) {
            const { replyCode, replyText } = returned.fields as unknown as { replyCode: number; replyText: string }; // basic.return's fields
            settle(new FederationTransportError('ERR_AMQP_UNROUTABLE', `${exchange} has no queue bound for ${JSON.stringify(routingKey)} (${replyCode} ${replyText})`, replyCode));
          } else settle();
        },
      );
    } catch (err) {
      settle(state.failure ?? transportError(err, `publishing to ${exchange}`));
    }
  });
}

export interface Consumer {
  readonly consumerTag: string;
  /**
   * Settles when consuming stops: resolves after `cancel()` or a cancel by the broker (the queue was
   * deleted); rejects when the channel or its connection closes first (ERR_AMQP_CLOSED, or the broker's error).
   */
  readonly done: Promise<void>;
  cancel(): Promise<void>;
}

/**
 * Consumes `queue` with manual acknowledgements and at most `prefetch` unacknowledged messages: a message is
 * acknowledged when `handle` resolves and requeued when it rejects (a transient failure: the receiver
 * quarantines bad content itself and resolves). Rejects with ERR_AMQP_ACCESS_REFUSED when this user may not
 * read the queue, ERR_AMQP_NOT_FOUND when it does not exist.
 */
export async function consume(channel: Channel, queue: string, handle: (msg: ConsumeMessage) => Promise<void>, options: { prefetch?: number } = {}): Promise<Consumer> {
  const state = watch(channel);
  let stop!: (err?: FederationTransportError) => void;
  const done = new Promise<void>((resolvePromise, reject) => (stop = (err) => (err ? reject(err) : resolvePromise())));
  done.catch(() => undefined); // a caller that never awaits `done` must not get an unhandled rejection
  let cancelled = false;
  state.onClose.add((failure) => stop(failure ?? (cancelled ? undefined : new FederationTransportError('ERR_AMQP_CLOSED', `consuming ${queue}: channel closed`))));
  const settleMessage = (msg: ConsumeMessage, ok: boolean) => {
    try {
      if (ok) channel.ack(msg);
      else channel.nack(msg, false, true);
    } catch {
      // the channel is gone: the broker redelivers what was not acknowledged
    }
  };
  try {
    await channel.prefetch(options.prefetch ?? 16);
    const { consumerTag } = await channel.consume(
      queue,
      (msg) => {
        if (msg === null) return stop(); // cancelled by the broker (e.g. the queue was deleted)
        Promise.resolve()
          .then(() => handle(msg))
          .then(
            () => settleMessage(msg, true),
            () => settleMessage(msg, false),
          );
      },
      { noAck: false },
    );
    return {
      consumerTag,
      done,
      async cancel() {
        cancelled = true;
        try {
          await channel.cancel(consumerTag);
        } catch (err) {
          if (!state.failure && !/closed/i.test(String(err))) throw transportError(err, `cancelling the consumer of ${queue}`);
        }
        stop();
      },
    };
  } catch (err) {
    throw state.failure ?? transportError(err, `consuming ${queue}`);
  }
}
