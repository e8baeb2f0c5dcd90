/**
 * The sender's federation transport over RabbitMQ (ledger/federation/amqp.ts): one connection as our
 * organisation's broker user, one confirm channel on it that declares the topology, publishes slices to
 * `federation.slices` with the partner as routing key (resolving on the broker's confirm), and consumes
 * `federation.receipts.<sender>` with manual acknowledgements. Whatever closes the connection or the channel,
 * the next use connects again (and resumes consuming): the outbox keeps what could not be published, and the
 * broker keeps the receipts that were not acknowledged.
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import { rabbitmqCredential } from '../../config/rabbitmq-credentials.js';
import { SLICES_EXCHANGE, connectFederation, consume, declareTopology, publishConfirmed, receiptsQueue, type Consumer } from './amqp.js';
import type { FederationTransport } from './service.js';

export interface AmqpTransportOptions {
  sender: string;
  partners: readonly string[];
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
}

export class AmqpFederationTransport implements FederationTransport {
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private consumer: Consumer | undefined;
  private connecting: Promise<ConfirmChannel> | undefined;
  private handler: ((message: Buffer) => Promise<void>) | undefined;
  private closed = false;
  private lastFailure: string | undefined;

  constructor(private readonly opts: AmqpTransportOptions) {}

  /** The channel, connecting (and declaring, and consuming receipts) first when there is none. */
  private ready(): Promise<ConfirmChannel> {
    if (this.closed) return Promise.reject(new Error('the federation transport is closed'));
    if (this.channel) return Promise.resolve(this.channel);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<ConfirmChannel> {
    const { sender, partners, logger } = this.opts;
    let connection: ChannelModel | undefined;
    try {
      connection = await connectFederation(sender);
      const channel = await connection.createConfirmChannel();
      const opened = connection;
      opened.once('close', () => this.forget(opened));
      channel.once('close', () => this.forget(opened));
      await declareTopology(channel, partners, sender);
      if (this.handler) {
        const handler = this.handler;
        this.consumer = await consume(channel, receiptsQueue(sender), (msg) => handler(msg.content));
      }
      this.connection = connection;
      this.channel = channel;
      if (this.lastFailure !== undefined) logger?.info({ sender }, 'federation: connected to RabbitMQ again');
      this.lastFailure = undefined;
      return channel;
    } catch (err) {
      await connection?.close().catch(() => undefined);
      const message = (err as Error).message;
      // said once per kind of failure, not at every pass while the broker is away
      if (message !== this.lastFailure) logger?.warn({ sender, err: message }, 'federation: RabbitMQ unavailable; slices stay in the outbox');
      this.lastFailure = message;
      throw err;
    }
  }

  /** The connection or its channel closed: drop both (the next use connects again). */
  private forget(connection: ChannelModel): void {
    if (this.connection !== connection && this.connection !== undefined) return;
    this.connection = undefined;
    this.channel = undefined;
    this.consumer = undefined;
    void connection.close().catch(() => undefined);
  }

  /** Connects if not connected; a failure is reported once and left for the next pass. */
  async connect(): Promise<void> {
    await this.ready().catch(() => undefined);
  }

  async publishSlice(partner: string, message: Buffer, headers: Record<string, string | number>): Promise<void> {
    const channel = await this.ready();
    await publishConfirmed(channel, SLICES_EXCHANGE, partner, message, headers, {
      messageId: `${partner}.${String(headers.slice_seq)}`,
      userId: rabbitmqCredential(this.opts.sender).username,
      contentType: 'application/json',
    });
  }

  async consumeReceipts(handler: (message: Buffer) => Promise<void>): Promise<void> {
    this.handler = handler;
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    const { connection, consumer } = this;
    this.connection = undefined;
    this.channel = undefined;
    this.consumer = undefined;
    await consumer?.cancel().catch(() => undefined);
    await connection?.close().catch(() => undefined);
  }
}
