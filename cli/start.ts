/**
 * `npm start` — the long-running service: the local stack if needed, then the worker, the gateway (on
 * 127.0.0.1:8088, the codec endpoint the Web UI is configured with) and the ledger, each supervised: one
 * that crashes is restarted with backoff, logged and counted (workers/supervisor.ts). Ctrl-C / SIGTERM stops
 * all of them.
 */
import { configOrExit } from '../config/index.js';
import { up } from '../infra/stack/stack.js';
import { Services } from '../workers/services.js';
import { Supervisor } from '../workers/supervisor.js';

const settings = configOrExit();
await up();
const services = await Services.start({ gatewayPort: settings.COORD_GATEWAY_PORT, tag: 'service', ledger: true, secondWorker: true });
const supervisor = new Supervisor(services);
const metrics = await supervisor.start(settings.COORD_SUPERVISOR_METRICS_ADDRESS);
process.stdout.write(
  `${JSON.stringify({ msg: 'service running', gateway: services.gatewayUrl, metrics, worker_pid: services.worker.child.pid, worker2_pid: services.worker2?.child.pid, gateway_pid: services.gateway.child.pid, ledger_pid: services.ledger?.child.pid, logs: services.processes().map((p) => p.log) })}\n`,
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    void supervisor.stop().finally(() => process.exit(0));
  });
}
