/**
 * Keeps `npm start`'s processes running: a worker, gateway or ledger that exits unexpectedly is started
 * again at once, and again after a backoff if it keeps dying (1 s, doubling to 30 s; a process that ran for
 * a minute starts afresh with an immediate restart), and every exit
 * and restart is logged (JSON lines) and counted (Prometheus, `coord_service_restarts_total{service}` and
 * `coord_service_up{service}` on COORD_SUPERVISOR_METRICS_ADDRESS). A process that will not even start is
 * retried on the same backoff; nothing is given up on while the supervisor runs.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ServiceName, ServiceProcess, Services } from './services.js';

const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
const STABLE_AFTER_MS = 60_000;

export type SupervisorLog = (entry: Record<string, unknown> & { msg: string }) => void;

export class Supervisor {
  readonly registry = new Registry();
  private readonly restarts = new Counter({ name: 'coord_service_restarts_total', help: 'restarts of a supervised process after it exited', labelNames: ['service'], registers: [this.registry] });
  private readonly up = new Gauge({ name: 'coord_service_up', help: '1 while the supervised process runs', labelNames: ['service'], registers: [this.registry] });
  private readonly failures = new Map<ServiceName, number>();
  private stopping = false;
  private server: Server | undefined;

  constructor(
    private readonly services: Services,
    private readonly log: SupervisorLog = (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`),
  ) {}

  /** Watches every process of `services`; serves metrics on `metricsAddress` (host:port; port 0 = any). */
  async start(metricsAddress?: string): Promise<string | undefined> {
    for (const proc of this.services.processes()) this.watch(proc.name as ServiceName, proc);
    if (!metricsAddress) return undefined;
    const at = metricsAddress.lastIndexOf(':');
    this.server = createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void this.registry.metrics().then((text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text));
    });
    await new Promise<void>((resolve) => this.server!.listen(Number(metricsAddress.slice(at + 1)), metricsAddress.slice(0, at), resolve));
    const { port } = this.server.address() as { port: number };
    return `http://${metricsAddress.slice(0, at)}:${port}/metrics`;
  }

  private watch(name: ServiceName, proc: ServiceProcess): void {
    this.up.set({ service: name }, 1);
    const startedAt = Date.now();
    proc.child.once('exit', (code, signal) => {
      this.up.set({ service: name }, 0);
      if (this.stopping) return;
      if (Date.now() - startedAt >= STABLE_AFTER_MS) this.failures.set(name, 0);
      this.log({ msg: 'service exited; restarting', service: name, pid: proc.child.pid, code, signal, log: proc.log });
      void this.restart(name);
    });
  }

  private async restart(name: ServiceName): Promise<void> {
    for (;;) {
      const failures = (this.failures.get(name) ?? 0) + 1;
      this.failures.set(name, failures);
      // a crash after a healthy run costs no wait; a crash loop backs off
      const backoffMs = failures === 1 ? 0 : Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (failures - 2));
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      if (this.stopping) return;
      try {
        const proc = await this.services.restart(name);
        this.restarts.inc({ service: name });
        this.log({ msg: 'service restarted', service: name, pid: proc.child.pid, after_ms: backoffMs, attempt: failures });
        this.watch(name, proc);
        return;
      } catch (err) {
        this.log({ msg: 'service failed to restart; trying again', service: name, error: String(err), attempt: failures });
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.services.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
