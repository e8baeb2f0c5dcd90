// Copied from /work/main/test/helpers/kafka-fault-proxy.ts (project commit 40a774e), unchanged.
/**
 * A TCP proxy between Kafka clients and the broker's fault-injection listener, for crash-window tests that
 * must not depend on the client library. It reads only the Kafka framing (a 4-byte size, then the request
 * header: api key, api version, correlation id; a response starts with the correlation id), so any client
 * can sit behind it. Armed, it lets the next Produce request through to the broker — which appends it —
 * and swallows its answer and everything after it on that connection: the client cannot know whether its
 * events were written. The broker advertises the proxy's port on that listener, so clients bootstrapped
 * through the proxy keep talking through it.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

const PRODUCE = 0;

/** Splits a byte stream into Kafka frames (size-prefixed). */
class Frames {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Buffer[] = [];
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) break;
      frames.push(this.buffered.subarray(0, 4 + size));
      this.buffered = this.buffered.subarray(4 + size);
    }
    return frames;
  }
}

export interface SwallowedAnswer {
  correlationId: number;
  /** the request's bytes as the broker received them (record batches in clear: keys and values are visible) */
  request: Buffer;
}

export class KafkaFaultProxy {
  private armed: ((answer: SwallowedAnswer) => void) | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port: number, upstream: { host: string; port: number }): Promise<KafkaFaultProxy> {
    const server = createServer();
    const proxy = new KafkaFaultProxy(server, port);
    server.on('connection', (client) => proxy.accept(client, upstream));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /**
   * The next Produce request goes through; its answer never comes back. Resolves once the broker has
   * answered it (so the records are appended), with the request.
   */
  swallowNextProduceAnswer(): Promise<SwallowedAnswer> {
    if (this.armed) throw new TypeError('already armed');
    return new Promise((resolve) => (this.armed = resolve));
  }

  private accept(client: Socket, upstream: { host: string; port: number }): void {
    const broker = createConnection(upstream);
    this.sockets.add(client).add(broker);
    const requests = new Frames();
    const answers = new Frames();
    let victim: { correlationId: number; request: Buffer; answered: (answer: SwallowedAnswer) => void } | undefined;
    let silenced = false;
    const close = () => {
      client.destroy();
      broker.destroy();
      this.sockets.delete(client);
      this.sockets.delete(broker);
    };
    client.on('error', close).on('close', close);
    broker.on('error', close).on('close', close);

    client.on('data', (chunk: Buffer) => {
      for (const frame of requests.push(chunk)) {
        if (this.armed && !victim && frame.length >= 12 && frame.readInt16BE(4) === PRODUCE) {
          victim = { correlationId: frame.readInt32BE(8), request: frame, answered: this.armed };
          this.armed = undefined;
        }
        broker.write(frame);
      }
    });
    broker.on('data', (chunk: Buffer) => {
      for (const frame of answers.push(chunk)) {
        if (silenced) continue;
        if (victim && frame.readInt32BE(4) === victim.correlationId) {
          silenced = true; // this answer and every later one on this connection: the broker "died" mid-answer
          victim.answered({ correlationId: victim.correlationId, request: victim.request });
          continue;
        }
        client.write(frame);
      }
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
