/**
 * One idempotent producer identity (producer id + epoch) at a time, replaced after any send whose outcome
 * is unknown. Kafka deduplicates retries of an idempotent producer by (producer id, partition, sequence).
 * kafkajs rolls its sequence numbers back when a produce request fails — even when the broker appended it
 * and only the answer was lost — and takes a new producer id only when it connects. Sending again on that
 * identity would reuse sequences the broker already holds: the next batch of the same size is taken for a
 * duplicate and acknowledged without being written; any other is refused as out of order, forever. So a
 * failed send retires the producer, and the next send connects a new one (InitProducerId: a fresh id whose
 * sequences start at 0). Resending the same events under the new id may write them twice: an identical
 * duplicate is a no-op for every reader (ARCHITECTURE §5).
 */
import type { Kafka, Producer, ProducerConfig } from 'kafkajs';

export class ProducerIdentity {
  private current: { producer: Producer; connected: Promise<Producer> } | undefined;
  private generation = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ProducerConfig,
    /** runs once per new producer, after it connects (e.g. make sure the topic exists) */
    private readonly onConnect: () => Promise<void> = async () => {},
  ) {}

  /** The producer to send on: the current one, or a newly connected one after a retirement. */
  acquire(): Promise<Producer> {
    if (!this.current) {
      const producer = this.kafka.producer(this.config);
      const connected = (async () => {
        await producer.connect();
        await this.onConnect();
        return producer;
      })();
      const entry = { producer, connected };
      this.current = entry;
      this.generation += 1;
      connected.catch(() => this.retire(producer));
    }
    return this.current.connected;
  }

  /** Never send on `producer` again: its sequence numbers may be behind what the broker holds. */
  retire(producer: Producer): void {
    if (this.current?.producer !== producer) return;
    this.current = undefined;
    producer.disconnect().catch(() => undefined); // its connections go; nothing is sent on it any more
  }

  /** How many producer identities have been used so far (each retirement starts a new one). */
  get identities(): number {
    return this.generation;
  }

  async close(): Promise<void> {
    const entry = this.current;
    this.current = undefined;
    if (entry) await entry.producer.disconnect().catch(() => undefined);
  }
}
