/**
 * A restate-server for one benchmark run, started as a child process and stopped by its pid (SIGTERM, SIGKILL
 * after a grace period). The binary is the one npm installed: `@restatedev/restate-server-linux-x64`, the
 * platform package of `@restatedev/restate-server`, pinned directly as Cerbos is (the wrapper only adds a
 * launcher and an install-time analytics script). It listens on 127.0.0.1 only — ingress, admin and
 * node-to-node on free ports, TCP only — with telemetry off (it still tries one GitHub API call at start,
 * which fails harmlessly offline) and a data folder of its own under `.data/bench-restate/`, removed when it
 * stops. Its configuration is the stock single-node one (24 partitions, a 2 GiB RocksDB memory budget);
 * RESTATE_* variables in the environment change it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR, LOG_DIR, ensureDir } from '../../config/paths.js';
import { privateAppendStream } from '../../lib/private-files.js';
import { freePort } from '../../workers/services.js';

export interface RestateServer {
  pid: number;
  ingressUrl: string;
  adminUrl: string;
  /** where its log goes */
  log: string;
  /** Registers the SDK endpoint at `uri` (POST /deployments on the admin API); returns the deployment id. */
  registerDeployment(uri: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RestateServerOptions {
  /** suffix of the log file (`.data/logs/restate-server-<tag>.log`, appended to) */
  tag?: string;
  /** how long to wait for both health endpoints */
  readyTimeoutMs?: number;
}

const platformPackage = () => `@restatedev/restate-server-${platform()}-${arch()}`;

function resolveInPackage(file: string): string {
  try {
    return createRequire(import.meta.url).resolve(`${platformPackage()}/${file}`);
  } catch {
    throw new Error(`${platformPackage()} is not installed: the Restate benchmark runs where npm installs it (package.json pins the linux-x64 build)`);
  }
}

/** The restate-server binary npm installed (an optional dependency: linux-x64 only, like Cerbos). */
export function restateServerBinary(): string {
  return resolveInPackage('bin/restate-server');
}

/** Its version (the platform package's, which is the binary's). */
export function restateServerVersion(): string {
  return (JSON.parse(readFileSync(resolveInPackage('package.json'), 'utf8')) as { version: string }).version;
}

async function ok(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startRestateServer(opts: RestateServerOptions = {}): Promise<RestateServer> {
  const tag = opts.tag ?? 'bench';
  const run = `${tag}-${process.pid}-${Date.now().toString(36)}`;
  const baseDir = ensureDir(join(DATA_DIR, 'bench-restate', run));
  const log = join(ensureDir(LOG_DIR), `restate-server-${tag}.log`);
  const [ingress, admin, node] = [await freePort(), await freePort(), await freePort()];
  // RESTATE_* settings of the caller pass through (e.g. RESTATE_DEFAULT_NUM_PARTITIONS); addresses and folders are ours
  const passed = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('RESTATE_')));
  const env: NodeJS.ProcessEnv = {
    ...passed,
    PATH: process.env.PATH,
    RESTATE_BASE_DIR: baseDir,
    RESTATE_NODE_NAME: 'bench',
    RESTATE_CLUSTER_NAME: `coord-bench-${run}`,
    RESTATE_LISTEN_MODE: 'tcp',
    RESTATE_BIND_ADDRESS: `127.0.0.1:${node}`,
    RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${node}/`,
    RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingress}`,
    RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${admin}`,
    RESTATE_DISABLE_TELEMETRY: 'true',
    RESTATE_LOG_DISABLE_ANSI_CODES: 'true',
  };
  const out = privateAppendStream(log);
  const child = spawn(restateServerBinary(), ['--no-logo'], { cwd: baseDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const ingressUrl = `http://127.0.0.1:${ingress}`;
  const adminUrl = `http://127.0.0.1:${admin}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await done;
      clearTimeout(timer);
    }
    rmSync(baseDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  while (!(await ok(`${adminUrl}/health`)) || !(await ok(`${ingressUrl}/restate/health`))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`restate-server did not become healthy (exit ${child.exitCode ?? child.signalCode ?? 'none'}; log: ${log})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    pid: child.pid!,
    ingressUrl,
    adminUrl,
    log,
    async registerDeployment(uri: string): Promise<string> {
      const res = await fetch(`${adminUrl}/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uri, force: true }) });
      const text = await res.text();
      if (!res.ok) throw new Error(`registering ${uri} with restate-server: ${res.status} ${text}`);
      return (JSON.parse(text) as { id: string }).id;
    },
    stop,
  };
}
