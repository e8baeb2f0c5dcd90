/**
 * `npm start` — the long-running service: the local stack if needed, then the worker and the gateway
 * (on 127.0.0.1:8088, the codec endpoint the Web UI is configured with). Stops both on Ctrl-C / SIGTERM;
 * if either dies, stops the other and exits non-zero.
 */
import { Services } from '../infra/services.js';
import { up } from '../infra/stack/stack.js';

await up();
const services = await Services.start({ gatewayPort: Number(process.env.COORD_GATEWAY_PORT ?? 8088), tag: 'service', ledger: true });
process.stdout.write(`${JSON.stringify({ msg: 'service running', gateway: services.gatewayUrl, worker_pid: services.worker.child.pid, ledger_pid: services.ledger?.child.pid, logs: [services.worker.log, services.gateway.log, services.ledger?.log] })}\n`);

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await services.stop();
  }
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop(0));
for (const proc of [services.worker, services.gateway]) {
  proc.child.once('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`${proc.name} exited (${code}); stopping (log: ${proc.log})\n`);
    void stop(1);
  });
}
