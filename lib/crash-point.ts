/**
 * Crash injection for recovery tests: a spec `<point>:<n>` kills this process (SIGKILL: no cleanup, like a
 * power cut) the n-th time the code passes `point`. Unset in normal operation, where `hit` does nothing.
 * (The ledger counts batches instead of passes: ledger/failpoint.ts.)
 */
export class CrashPoint<Name extends string> {
  private passes = 0;
  private readonly point: { name: Name; pass: number } | undefined;

  /** `setting` names the variable in the error a malformed spec gets. */
  constructor(spec: string | undefined, names: readonly Name[], setting: string) {
    const m = spec ? /^([a-z-]+):(\d+)$/.exec(spec) : null;
    if (spec && (!m || !names.includes(m[1] as Name) || Number(m[2]) < 1)) {
      throw new Error(`${setting} must be <point>:<n> with point one of ${names.join(', ')} and n ≥ 1, got "${spec}"`);
    }
    this.point = m ? { name: m[1] as Name, pass: Number(m[2]) } : undefined;
  }

  /** Dies here if this is the configured point and its configured pass. */
  hit(name: Name): void {
    if (this.point?.name !== name) return;
    this.passes += 1;
    if (this.passes === this.point.pass) process.kill(process.pid, 'SIGKILL');
  }
}
