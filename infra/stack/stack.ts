/**
 * The local stack: install, start, probe and stop every component, as local processes on 127.0.0.1.
 * `up` is idempotent (a healthy component is left alone), `down` stops only the processes it started.
 */
import { existsSync, readFileSync } from 'node:fs';
import { IDP_NAMES } from '../../config/endpoints.js';
import type { Component } from './component.js';
import { portOpen } from './health.js';
import { isExited, launch, logFile, readPid, runningPid, stop, waitGone } from './process.js';
import { idpComponent } from './components/idp.js';
import { kafkaComponent } from './components/kafka.js';
import { pdpComponent } from './components/pdp.js';
import { rabbitmqComponent } from './components/rabbitmq.js';
import { schemaRegistryComponent } from './components/schema-registry.js';
import { temporalComponent } from './components/temporal.js';

export function components(): Component[] {
  return [temporalComponent(), kafkaComponent(), schemaRegistryComponent(), pdpComponent(), ...IDP_NAMES.map(idpComponent), rabbitmqComponent()];
}

export const COMPONENT_NAMES = components().map((c) => c.name);

export class ComponentError extends Error {
  constructor(
    readonly component: string,
    message: string,
    readonly log?: string,
  ) {
    super(`${component}: ${message}${log ? ` (log: ${log})` : ''}`);
    this.name = 'ComponentError';
  }
}

export type UpOutcome = 'started' | 'running' | 'external';

export interface ComponentStatus {
  name: string;
  address: string;
  external: boolean;
  pid: number | null;
  healthy: boolean;
  log: string | null;
  links?: Readonly<Record<string, string>>;
}

function select(only?: readonly string[]): Component[] {
  const all = components();
  if (!only?.length) return all;
  const unknown = only.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length) throw new TypeError(`unknown component(s): ${unknown.join(', ')}; known: ${all.map((c) => c.name).join(', ')}`);
  return all.filter((c) => only.includes(c.name));
}

function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

async function waitHealthy(c: Component, pid: number | undefined, ticksOf: () => boolean): Promise<void> {
  const deadline = Date.now() + c.startTimeoutMs;
  for (;;) {
    if (await c.healthy()) return;
    if (pid !== undefined && ticksOf()) {
      throw new ComponentError(c.name, `exited during start-up:\n${tail(logFile(c.name))}`, logFile(c.name));
    }
    if (Date.now() > deadline) throw new ComponentError(c.name, `not healthy after ${c.startTimeoutMs / 1000}s`, pid ? logFile(c.name) : undefined);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function bringUp(c: Component): Promise<UpOutcome> {
  if (c.endpoint.external) {
    if (!(await c.healthy())) throw new ComponentError(c.name, `external instance at ${c.endpoint.address} (${c.endpoint.envVar}) is not reachable`);
    await c.configure?.();
    return 'external';
  }
  const recorded = readPid(c.name);
  const existing = runningPid(c.name);
  if (existing !== undefined) {
    await waitHealthy(c, existing, () => runningPid(c.name) === undefined);
    await c.configure?.();
    return 'running';
  }
  // Our previous process has died (crash, kill): let its last threads let go of its ports first.
  if (recorded) await waitGone(recorded.pid, recorded.startTicks, c.stopGraceMs ?? 10_000);
  for (const port of c.ports) {
    if (await portOpen('127.0.0.1', port)) {
      throw new ComponentError(c.name, `port ${port} is in use by a process this stack did not start; stop it, or point ${c.endpoint.envVar} at it`);
    }
  }
  try {
    await c.install();
    await c.prepare?.();
  } catch (err) {
    throw new ComponentError(c.name, `install failed: ${(err as Error).message}`);
  }
  const rec = launch(c.name, c.launchSpec());
  await waitHealthy(c, rec.pid, () => isExited(rec.pid, rec.startTicks));
  await c.configure?.();
  return 'started';
}

export interface UpResult {
  outcomes: Record<string, UpOutcome>;
}

/**
 * Starts what is not running, in parallel, and waits until everything is healthy. On failure, stops what
 * this call started and throws a ComponentError naming the first component that failed and its log.
 */
export async function up(opts: { only?: readonly string[] } = {}): Promise<UpResult> {
  const selected = select(opts.only);
  const results = await Promise.allSettled(selected.map((c) => bringUp(c)));
  const outcomes: Record<string, UpOutcome> = {};
  results.forEach((r, i) => r.status === 'fulfilled' && (outcomes[selected[i]!.name] = r.value));
  const failed = results.findIndex((r) => r.status === 'rejected');
  if (failed >= 0) {
    const startedNow = Object.entries(outcomes).filter(([, o]) => o === 'started').map(([n]) => n);
    // Components that failed may have left a process behind too.
    const failedNames = selected.filter((_, i) => results[i]!.status === 'rejected').map((c) => c.name);
    await down({ only: [...startedNow, ...failedNames] });
    const reason = (results[failed] as PromiseRejectedResult).reason as unknown;
    throw reason instanceof ComponentError ? reason : new ComponentError(selected[failed]!.name, String(reason));
  }
  return { outcomes };
}

/** Stops the components this stack started (by pid). Returns the names it stopped. */
export async function down(opts: { only?: readonly string[] } = {}): Promise<string[]> {
  const selected = select(opts.only).filter((c) => !c.endpoint.external);
  const stopped = await Promise.all(selected.map(async (c) => ((await stop(c.name, c.stopGraceMs)) ? c.name : undefined)));
  return stopped.filter((n): n is string => n !== undefined);
}

export async function status(opts: { only?: readonly string[] } = {}): Promise<ComponentStatus[]> {
  return Promise.all(
    select(opts.only).map(async (c) => {
      const pid = c.endpoint.external ? undefined : runningPid(c.name);
      const healthy = c.endpoint.external || pid !== undefined ? await c.healthy() : false;
      return {
        name: c.name,
        address: c.endpoint.address,
        external: c.endpoint.external,
        pid: pid ?? null,
        healthy,
        log: c.endpoint.external ? null : logFile(c.name),
        ...(c.links ? { links: c.links } : {}),
      };
    }),
  );
}
