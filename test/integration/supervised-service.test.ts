// `npm start` supervises its processes: a worker, gateway or ledger killed with SIGKILL is restarted with
// backoff, logged and counted in the supervisor's metrics, and the service keeps answering (the gateway on
// the same address); SIGTERM stops everything it started.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { freePort } from '../../workers/services.js';
import { ROOT } from '../../config/paths.js';
import { startTicks } from '../../infra/stack/process.js';
import { compositionAtStep } from '../helpers/compositions.js';
import { scratchLedgerUrl } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

type Line = Record<string, unknown> & { msg?: string };
const lines: Line[] = [];
let service: ReturnType<typeof spawn>;
let running: Line;
let tokens: VrsTokens;

before(async () => {
  await stackReady();
  tokens = await mintVrsTokens();
  service = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/start.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      COORD_GATEWAY_PORT: '0',
      COORD_TASK_QUEUE: `it-supervised-${randomUUID().slice(0, 8)}`,
      COORD_LEDGER_URL: scratchLedgerUrl(),
      COORD_SUPERVISOR_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    },
  });
  createInterface({ input: service.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Line);
    } catch {
      /* not ours */
    }
  });
  running = await waitFor(() => lines.find((l) => l.msg === 'service running'), { what: 'npm start to be running', timeoutMs: 180_000 });
});
after(() => {
  if (service.exitCode === null) service.kill('SIGTERM');
});

const restartedPid = (name: string, after: number) =>
  waitFor(() => lines.slice(after).find((l) => l.msg === 'service restarted' && l.service === name)?.pid as number | undefined, {
    what: `the supervisor to restart the ${name}`,
    timeoutMs: 120_000,
  });

test('a killed worker, gateway and ledger are each restarted, logged and counted; the service keeps answering on the same address', async () => {
  const http = new GatewayHttp(String(running.gateway));
  for (const name of ['worker', 'gateway', 'ledger'] as const) {
    const pid = running[`${name}_pid`] as number;
    const seen = lines.length;
    process.kill(pid, 'SIGKILL');
    const fresh = await restartedPid(name, seen);
    assert.notEqual(fresh, pid);
    assert.ok(startTicks(fresh), `the new ${name} runs`);
    assert.ok(lines.slice(seen).some((l) => l.msg === 'service exited; restarting' && l.service === name && l.signal === 'SIGKILL'));
    running[`${name}_pid`] = fresh;
    await compositionAtStep(http, tokens, 2); // the service still takes transitions, through the same address
  }
  const metrics = await (await fetch(String(running.metrics))).text();
  for (const name of ['worker', 'gateway', 'ledger']) {
    assert.match(metrics, new RegExp(`coord_service_restarts_total\\{service="${name}"\\} 1\\b`));
    assert.match(metrics, new RegExp(`coord_service_up\\{service="${name}"\\} 1\\b`));
  }
});

test('SIGTERM stops the service and every process it started', async () => {
  const pids = ['worker', 'gateway', 'ledger'].map((n) => running[`${n}_pid`] as number);
  const exited = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)));
  service.kill('SIGTERM');
  assert.equal(await exited, 0);
  for (const pid of pids) assert.equal(startTicks(pid), undefined, `pid ${pid} is gone`);
});
