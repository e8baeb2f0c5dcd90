/**
 * Federation in the ledger process: every `COORD_FEDERATION_INTERVAL` seconds (and once a checkpoint is
 * issued) one pass — package what the newest witnessed checkpoint covers into the outbox, then publish
 * what the outbox holds — one pass at a time; and, all along, the partners' receipts recorded as they come.
 * The transport (RabbitMQ: ledger/federation/transport.ts) comes in from outside, so every part runs in
 * tests without a broker. A pass that fails is logged; the next one starts again from the store.
 */
import type { Logger } from 'pino';
import { Serial } from '../../lib/serial.js';
import { SlicePackager, passSummary, type PackagerOptions, type PackagingPass } from './packager.js';
import { OutboxPublisher, type PublishPass, type SliceSink } from './publisher.js';
import { ReceiptHandler } from './receipts.js';

/** What federation needs of its transport. */
export interface FederationTransport extends SliceSink {
  /**
   * Delivers each receipt message to `handler`, acknowledging it once the handler resolved (a rejection
   * leaves it to be delivered again). Resolves once consuming started.
   */
  consumeReceipts(handler: (message: Buffer) => Promise<void>): Promise<void>;
  /** (Re)connects when the connection was lost, resuming the receipts; never throws (a failure waits for the next pass). */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export interface FederationServiceOptions extends PackagerOptions {
  transport: FederationTransport;
  intervalMs: number;
  resendAfterMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
}

export interface FederationPass {
  packaging: PackagingPass;
  publishing: PublishPass[];
}

export class FederationService {
  readonly packager: SlicePackager;
  readonly publisher: OutboxPublisher;
  readonly receipts: ReceiptHandler;
  private readonly serial: Serial;
  private timer: NodeJS.Timeout | undefined;
  private last: FederationPass | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly opts: FederationServiceOptions) {
    const fed = opts.store.federation;
    this.packager = new SlicePackager(opts);
    this.publisher = new OutboxPublisher({ store: fed, sink: opts.transport, sender: opts.policy.sender, partners: [...opts.policy.partners.keys()], resendAfterMs: opts.resendAfterMs, logger: opts.logger, ...(opts.now ? { now: opts.now } : {}) });
    this.receipts = new ReceiptHandler({ store: fed, policy: opts.policy, logger: opts.logger, ...(opts.now ? { now: opts.now } : {}) });
    this.serial = new Serial(async () => {
      try {
        this.last = await this.passOnce();
      } catch (err) {
        opts.logger.error({ err }, 'federation pass failed');
      }
    });
  }

  /** One pass: package, then publish. */
  async passOnce(): Promise<FederationPass> {
    await this.opts.transport.connect();
    // what is already in the outbox goes out even when packaging fails this time
    let packaging: PackagingPass = { checkpoint_size: null, partners: [] };
    try {
      packaging = await this.packager.pass();
    } catch (err) {
      this.opts.logger.error({ err }, 'federation: packaging failed; publishing what the outbox holds');
    }
    const publishing = await this.publisher.pass();
    const busy = packaging.partners.some((p) => p.packaged.length || p.denied.length || p.stopped) || publishing.some((p) => p.published.length || p.failed);
    if (busy) this.opts.logger.info({ ...passSummary(packaging), published: Object.fromEntries(publishing.map((p) => [p.partner, p.published.length])) }, 'federation pass');
    return { packaging, publishing };
  }

  /** Asks for a pass now (coalesced with one running). */
  poke(): Promise<void> {
    if (this.stopped) return this.running;
    this.running = this.serial.run();
    return this.running;
  }

  get lastPass(): FederationPass | undefined {
    return this.last;
  }

  async start(): Promise<void> {
    await this.opts.transport.consumeReceipts(async (message) => {
      await this.receipts.handle(message);
    });
    this.timer = setInterval(() => void this.poke(), this.opts.intervalMs);
    void this.poke();
  }

  /** Stops the timer, waits for a running pass, closes the transport. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    await this.opts.transport.close();
  }
}
