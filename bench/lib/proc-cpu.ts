/**
 * CPU time of the processes a transition crosses — the bench itself, the worker, the gateway and each
 * component of the local stack — from /proc/<pid>/stat (utime + stime). On a small machine the sum per
 * composition bounds the throughput: 2 cores give at most 2000 ms of CPU per second. The stack's processes
 * are shared: what other users of the stack do meanwhile is counted too.
 */
import { procStat, runningPid } from '../../infra/stack/process.js';
import { COMPONENT_NAMES } from '../../infra/stack/stack.js';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds (user + system) `pid` has used so far; undefined if it is gone. */
export function cpuMs(pid: number): number | undefined {
  const fields = procStat(pid);
  return fields && (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime: fields 14 and 15
}

/** CPU milliseconds used so far, by process name, with the pid they were read from. */
export type CpuSnapshot = Record<string, { pid: number; ms: number }>;

/** CPU used so far by each named process, plus this process (`bench`) and the stack's running components. */
export function cpuSnapshot(processes: Record<string, number | undefined>): CpuSnapshot {
  const snapshot: CpuSnapshot = {};
  const usage = process.cpuUsage();
  snapshot.bench = { pid: process.pid, ms: (usage.user + usage.system) / 1000 };
  const all: Record<string, number | undefined> = { ...processes };
  for (const name of COMPONENT_NAMES) all[name] = runningPid(name);
  for (const [name, pid] of Object.entries(all)) {
    const ms = pid === undefined ? undefined : cpuMs(pid);
    if (pid !== undefined && ms !== undefined) snapshot[name] = { pid, ms };
  }
  return snapshot;
}

/**
 * CPU milliseconds each process used between two snapshots, divided by `per`, with their total. A process
 * that was restarted in between (another pid) is left out: its CPU time is not known.
 */
export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot, per: number): Record<string, number> {
  const delta: Record<string, number> = {};
  let total = 0;
  for (const [name, { pid, ms }] of Object.entries(after)) {
    const was = before[name];
    if (!was || was.pid !== pid) continue;
    const d = (ms - was.ms) / per;
    delta[name] = Number(d.toFixed(1));
    total += d;
  }
  delta.total = Number(total.toFixed(1));
  return delta;
}
