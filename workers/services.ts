/**
 * Runs the project's own processes — the Temporal worker and the HTTP gateway — as child processes, waits
 * until each says it is ready, and stops them. Used by `npm run demo`, `npm start` and the integration tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LOG_DIR, ROOT, ensureDir } from '../config/paths.js';
import { privateAppendStream } from '../lib/private-files.js';

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  log: string;
}

export interface ServicesOptions {
  /** a separate task queue keeps concurrent runs (tests) apart */
  taskQueue?: string;
  /** 0 = any free port */
  gatewayPort?: number;
  env?: NodeJS.ProcessEnv;
  /** suffix of the log files in .data/logs */
  tag?: string;
  /** also run the ledger process (ingest + self-audit) */
  ledger?: boolean;
  /**
   * also run a second worker on the same task queue: when one dies, the other takes its tasks once Temporal
   * gives up on the dead one's sticky queue (2 s), instead of every task waiting for a restart
   */
  secondWorker?: boolean;
  /** command-line arguments of the workers (benchmarks: `--workflows bench/workflows/index.ts`) */
  workerArgs?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * Starts a TypeScript entry point and resolves with the first JSON log line whose msg is `readyMsg`.
 * `nodeArgs` go to node itself, before the script (heap flags).
 */
export async function startProcess(
  name: string,
  script: string,
  readyMsg: string,
  env: NodeJS.ProcessEnv,
  tag: string,
  args: readonly string[] = [],
  nodeArgs: readonly string[] = [],
): Promise<{ proc: ServiceProcess; ready: Record<string, unknown> }> {
  const log = join(ensureDir(LOG_DIR), `${name}${tag ? `-${tag}` : ''}.log`);
  const out = privateAppendStream(log); // logs may name callers and compositions: 0600
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.pipe(out);
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`${name} was not ready after 120 s (log: ${log})`)), 120_000);
    child.once('exit', (code, signal) => reject(new Error(`${name} exited with ${code ?? signal} before it was ready (log: ${log})`)));
    lines.on('line', (line) => {
      out.write(`${line}\n`);
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.msg === readyMsg) {
          clearTimeout(timer);
          resolve(entry);
        }
      } catch {
        /* not JSON: just log it */
      }
    });
  });
  child.removeAllListeners('exit');
  return { proc: { name, child, log }, ready };
}

export async function stopProcess(proc: ServiceProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 20_000): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * The worker's V8 heap: with node's default limit (a quarter of the machine's memory, 4 GB here) V8 lets
 * garbage pile up and the worker's resident set climbs past 700 MB over a benchmark; a 192 MB old space and
 * 4 MB semi-spaces (the young generation of each isolate: the worker's own and the workflow thread's) keep it
 * near 300 MB at no measured cost in throughput (README, Performance). The SDK sizes its workflow cache from
 * this limit unless `maxCachedWorkflows` is set (workers/worker.ts sets it). A `--max-old-space-size` in
 * NODE_OPTIONS replaces both flags.
 */
export const WORKER_HEAP_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=4'] as const;

/** The worker's node flags under `env`: the heap flags above unless NODE_OPTIONS sizes the heap itself. */
export function workerNodeArgs(env: NodeJS.ProcessEnv): readonly string[] {
  return env.NODE_OPTIONS?.includes('--max-old-space-size') ? [] : WORKER_HEAP_FLAGS;
}

/** The project's processes: entry point, the log line that says it is ready, and node flags if any. */
export const SERVICE_SPECS = {
  worker: { script: 'workers/worker.ts', readyMsg: 'worker ready', nodeArgs: workerNodeArgs },
  worker2: { script: 'workers/worker.ts', readyMsg: 'worker ready', nodeArgs: workerNodeArgs },
  gateway: { script: 'gateway/main.ts', readyMsg: 'gateway listening' },
  ledger: { script: 'workers/ledger.ts', readyMsg: 'ledger ready' },
} as const;
export type ServiceName = keyof typeof SERVICE_SPECS;

/** Starts service `name` with `env` and its arguments. */
function startService(name: ServiceName, env: NodeJS.ProcessEnv, tag: string, args?: readonly string[]) {
  const spec: { script: string; readyMsg: string; nodeArgs?: (env: NodeJS.ProcessEnv) => readonly string[] } = SERVICE_SPECS[name];
  return startProcess(name, spec.script, spec.readyMsg, env, tag, args, spec.nodeArgs?.(env));
}

export class Services {
  private constructor(
    readonly gatewayUrl: string,
    readonly env: NodeJS.ProcessEnv,
    readonly tag: string,
    /** per process, what differs from `env` (each worker its own metrics port) */
    private readonly envOf: Partial<Record<ServiceName, NodeJS.ProcessEnv>>,
    private readonly argsOf: Partial<Record<ServiceName, readonly string[]>>,
    public worker: ServiceProcess,
    public gateway: ServiceProcess,
    public ledger: ServiceProcess | undefined,
    public worker2: ServiceProcess | undefined,
  ) {}

  static async start(opts: ServicesOptions = {}): Promise<Services> {
    const tag = opts.tag ?? '';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...opts.env,
      ...(opts.taskQueue ? { COORD_TASK_QUEUE: opts.taskQueue } : {}),
      COORD_METRICS_ADDRESS: opts.env?.COORD_METRICS_ADDRESS ?? `127.0.0.1:${await freePort()}`,
      COORD_GATEWAY_PORT: String(opts.gatewayPort ?? 0),
      COORD_LEDGER_METRICS_ADDRESS: opts.env?.COORD_LEDGER_METRICS_ADDRESS ?? `127.0.0.1:${await freePort()}`,
    };
    const envOf: Partial<Record<ServiceName, NodeJS.ProcessEnv>> = opts.secondWorker ? { worker2: { COORD_METRICS_ADDRESS: `127.0.0.1:${await freePort()}` } } : {};
    const argsOf: Partial<Record<ServiceName, readonly string[]>> = opts.workerArgs ? { worker: opts.workerArgs, worker2: opts.workerArgs } : {};
    const launch = (name: ServiceName) => startService(name, { ...env, ...envOf[name] }, tag, argsOf[name]);
    const [worker, gateway, ledger, worker2] = await Promise.all([
      launch('worker'),
      launch('gateway'),
      opts.ledger ? launch('ledger') : undefined,
      opts.secondWorker ? launch('worker2') : undefined,
    ]);
    // a restarted gateway must come back on the same address
    env.COORD_GATEWAY_PORT = String(new URL(String(gateway.ready.url)).port);
    return new Services(String(gateway.ready.url), env, tag, envOf, argsOf, worker.proc, gateway.proc, ledger?.proc, worker2?.proc);
  }

  /** The running processes, by name. */
  processes(): ServiceProcess[] {
    return [this.worker, this.gateway, ...(this.ledger ? [this.ledger] : []), ...(this.worker2 ? [this.worker2] : [])];
  }

  /** Starts a fresh `name` process with the same configuration (after it exited), plus `extraEnv` if given. */
  async restart(name: ServiceName, extraEnv: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
    const { proc } = await startService(name, { ...this.env, ...this.envOf[name], ...extraEnv }, this.tag, this.argsOf[name]);
    this[name] = proc;
    return proc;
  }

  /** Stops the worker; SIGKILL simulates a crash (no graceful shutdown). */
  async killWorker(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await stopProcess(this.worker, signal);
  }

  /** Starts a fresh worker on the same task queue (`extraEnv`: e.g. a crash point for this one process). */
  async startWorker(extraEnv?: NodeJS.ProcessEnv): Promise<void> {
    await this.restart('worker', extraEnv);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes().map((p) => stopProcess(p)));
  }
}
