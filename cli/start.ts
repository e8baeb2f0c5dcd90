/**
 * `npm start` — the long-running service: the local stack if needed, then the worker, the gateway (on
 * 127.0.0.1:8088, the codec endpoint the Web UI is configured with) and the ledger, each supervised: one
 * that crashes is restarted with backoff, logged and counted (infra/supervisor.ts). Ctrl-C / SIGTERM stops
 * all of them.
 */
import { Services } from '../infra/services.js';
import { up } from '../infra/stack/stack.js';
import { Supervisor } from '../infra/supervisor.js';

await up();
const services = await Services.start({ gatewayPort: Number(process.env.COORD_GATEWAY_PORT ?? 8088), tag: 'service', ledger: true });
const supervisor = new Supervisor(services);
const metrics = await supervisor.start(process.env.COORD_SUPERVISOR_METRICS_ADDRESS ?? '127.0.0.1:9466');
process.stdout.write(
  `${JSON.stringify({ msg: 'service running', gateway: services.gatewayUrl, metrics, worker_pid: services.worker.child.pid, gateway_pid: services.gateway.child.pid, ledger_pid: services.ledger?.child.pid, logs: services.processes().map((p) => p.log) })}\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void supervisor.stop().finally(() => process.exit(0));
  });
}
