/**
 * Starting and stopping the stack's processes by pid. Each process gets its own process group (so its
 * children stop with it) and a pid file that records the kernel's start time, so a recycled pid is never
 * mistaken for ours.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_DIR, RUN_DIR } from '../../config/paths.js';
import { OWNER_ONLY_UMASK, ensurePrivateDir } from '../../lib/private-files.js';

export interface PidRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  startTicks: string;
  command: string;
  startedAt: string;
}

export interface LaunchSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const pidFile = (name: string) => join(RUN_DIR, `${name}.pid`);
export const logFile = (name: string) => join(LOG_DIR, `${name}.log`);

/**
 * Fields 3 onwards of /proc/<path>/stat (`<pid>` or `<pid>/task/<tid>`): index 0 is field 3, the state; index
 * 19 field 22, the start time in clock ticks. Undefined when the process is gone.
 */
export function procStat(path: string | number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${path}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it are space-separated.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function statFields(path: string): { state: string; ticks: string } | undefined {
  const fields = procStat(path);
  return fields && { state: fields[0]!, ticks: fields[19]! };
}

const dead = (state: string) => state === 'Z' || state === 'X';

/** When a live process started (field 22), undefined once it has exited: with the pid, it names one process. */
export function startTicks(pid: number): string | undefined {
  const fields = statFields(String(pid));
  return fields && !dead(fields.state) ? fields.ticks : undefined; // a zombie has exited, not yet reaped
}

/**
 * True once every thread of our process has exited. After SIGKILL the main thread turns zombie first while
 * the other threads (libuv, JVM) still hold the shared file table — and so the listening ports — for a moment;
 * only when the last thread is gone is the port free for a restart.
 */
export function fullyExited(pid: number, ticks: string): boolean {
  const leader = statFields(String(pid));
  if (!leader || leader.ticks !== ticks) return true; // reaped, or the pid now belongs to someone else
  if (!dead(leader.state)) return false;
  try {
    return readdirSync(`/proc/${pid}/task`).every((tid) => {
      const thread = statFields(`${pid}/task/${tid}`);
      return !thread || dead(thread.state);
    });
  } catch {
    return true;
  }
}

export function readPid(name: string): PidRecord | undefined {
  const file = pidFile(name);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/** The pid of our running process for this component, or undefined (pid files of exited processes are removed). */
export function runningPid(name: string): number | undefined {
  const rec = readPid(name);
  if (!rec) return undefined;
  if (startTicks(rec.pid) === rec.startTicks) return rec.pid;
  // Keep the record of a dying process until its last thread is gone: `up` waits on it before the port check.
  if (fullyExited(rec.pid, rec.startTicks)) rmSync(pidFile(name), { force: true });
  return undefined;
}

export function launch(name: string, spec: LaunchSpec): PidRecord {
  ensurePrivateDir(RUN_DIR);
  ensurePrivateDir(LOG_DIR);
  const log = openSync(logFile(name), 'a', 0o600);
  chmodSync(logFile(name), 0o600); // a log created before files were private
  writeFileSync(log, `\n=== ${new Date().toISOString()} starting ${name}: ${spec.command} ${spec.args.join(' ')}\n`);
  // The server inherits an owner-only umask: its databases, logs and keys under .data are 0600 / 0700.
  const previousUmask = process.umask(OWNER_ONLY_UMASK);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true, // own process group: `down` signals the group, and it outlives this CLI
      stdio: ['ignore', log, log],
    });
  } finally {
    process.umask(previousUmask);
    closeSync(log);
  }
  if (child.pid === undefined) throw new Error(`could not start ${name} (${spec.command})`);
  child.unref();
  const rec: PidRecord = {
    pid: child.pid,
    startTicks: startTicks(child.pid) ?? '',
    command: [spec.command, ...spec.args].join(' '),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(pidFile(name), JSON.stringify(rec));
  return rec;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function alive(pid: number, ticks: string): boolean {
  return startTicks(pid) === ticks;
}

/** Waits until every thread of the process has exited (ports released); false after `ms`. */
export async function waitGone(pid: number, ticks: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (fullyExited(pid, ticks)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return fullyExited(pid, ticks);
}

/** SIGTERM the component's process group, SIGKILL after `graceMs`. Only touches a pid we recorded. */
export async function stop(name: string, graceMs = 30_000): Promise<boolean> {
  const rec = readPid(name);
  if (!rec || !alive(rec.pid, rec.startTicks)) {
    if (rec) await waitGone(rec.pid, rec.startTicks, 5_000); // dying: let it release its ports
    rmSync(pidFile(name), { force: true });
    return false;
  }
  signalGroup(rec.pid, 'SIGTERM');
  if (!(await waitGone(rec.pid, rec.startTicks, graceMs))) {
    signalGroup(rec.pid, 'SIGKILL');
    await waitGone(rec.pid, rec.startTicks, 5_000);
  }
  rmSync(pidFile(name), { force: true });
  return true;
}

/**
 * Sends SIGKILL to a component (tests use it to simulate a crash) and resolves once every thread of it has
 * exited. Waiting matters: SIGKILL is delivered asynchronously, and an `up` that still found the dying
 * process would wait on its health and report it as "exited during start-up".
 */
export async function kill(name: string): Promise<boolean> {
  const rec = readPid(name);
  if (!rec || !alive(rec.pid, rec.startTicks)) return false;
  signalGroup(rec.pid, 'SIGKILL');
  if (!(await waitGone(rec.pid, rec.startTicks, 30_000))) throw new Error(`${name} (pid ${rec.pid}) still running 30 s after SIGKILL`);
  return true;
}

export function isExited(pid: number, ticks: string): boolean {
  return !alive(pid, ticks);
}
