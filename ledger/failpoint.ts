/**
 * Crash injection for the ledger's recovery tests: `<point>:<n>` (the ledger process passes COORD_LEDGER_FAILPOINT) kills the process
 * (SIGKILL: no cleanup, like a power cut) at `point` of the n-th batch. Unset in normal operation.
 */
export type FailpointName = 'before-db-commit' | 'after-db-commit';

export class Failpoint {
  private batches = 0;
  private readonly point: { name: FailpointName; batch: number } | undefined;

  constructor(spec: string | undefined) {
    const m = spec ? /^(before-db-commit|after-db-commit):(\d+)$/.exec(spec) : null;
    if (spec && !m) throw new Error(`COORD_LEDGER_FAILPOINT must be before-db-commit:<n> or after-db-commit:<n>, got "${spec}"`);
    this.point = m ? { name: m[1] as FailpointName, batch: Number(m[2]) } : undefined;
  }

  /** Counts a new batch. */
  nextBatch(): void {
    this.batches += 1;
  }

  /** Dies here if this is the configured point of the configured batch. */
  hit(name: FailpointName): void {
    if (this.point?.name === name && this.point.batch === this.batches) process.kill(process.pid, 'SIGKILL');
  }
}
