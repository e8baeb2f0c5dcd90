// Reading one message off a federation queue in an integration test, on the stack's real RabbitMQ.
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import { consume } from '../../ledger/federation/amqp.js';

/**
 * Resolves with the first message on `queue` that `matches`, acknowledged; any other is refused and so
 * requeued for the test it belongs to. The consumer and its channel are closed once it is found.
 */
export async function firstMessage(connection: ChannelModel, queue: string, matches: (msg: ConsumeMessage) => boolean): Promise<ConsumeMessage> {
  const channel = await connection.createChannel();
  let found!: (msg: ConsumeMessage) => void;
  const received = new Promise<ConsumeMessage>((resolve) => (found = resolve));
  const consumer = await consume(channel, queue, async (msg) => {
    if (!matches(msg)) throw new Error('not this test’s message');
    found(msg);
  });
  try {
    return await received;
  } finally {
    await consumer.cancel();
    await channel.close();
  }
}
