/**
 * Memory of a process from /proc/<pid>/status (Linux): VmRSS now and VmHWM, the peak resident set the
 * kernel recorded since the process started. A sampler also keeps the largest VmRSS seen per phase.
 */
import { readFileSync } from 'node:fs';

export interface ProcMemory {
  rss_mb: number;
  peak_rss_mb: number;
}

const kbField = (status: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN);
const mb = (kb: number) => Number((kb / 1024).toFixed(1));

/** VmRSS and VmHWM of `pid`; undefined once the process is gone (or off Linux). */
export function procMemory(pid: number): ProcMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss_mb: mb(kbField(status, 'VmRSS')), peak_rss_mb: mb(kbField(status, 'VmHWM')) };
  } catch {
    return undefined;
  }
}

/** Samples VmRSS every `intervalMs` and remembers the largest value seen since the last `reset()`. */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    const m = procMemory(this.pid);
    if (m && m.rss_mb > this.peak) this.peak = m.rss_mb;
  }

  /** The largest VmRSS (MB) sampled since the last reset; starts a new window. */
  reset(): number {
    this.sample();
    const peak = this.peak;
    this.peak = 0;
    return peak;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
