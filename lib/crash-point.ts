/**
 * Fault injection for recovery tests: a spec `<point>:<n>` kills this process (SIGKILL: no cleanup, like a
 * power cut) the n-th time the code passes `point`; `<point>:<n>:pause` holds it there instead until the
 * process receives SIGWINCH (a test then breaks something else meanwhile — a server the process talks to).
 * Not SIGUSR2: the Temporal SDK's runtime takes that one as a shutdown signal, and a worker told to shut
 * down while held would drain and stop (SIGWINCH's default action is to ignore it).
 * Unset in normal operation, where `hit` does nothing. (The ledger counts batches instead of passes:
 * ledger/failpoint.ts.)
 */
/** What releases a process held at a `:pause` point. */
export const RELEASE_SIGNAL = 'SIGWINCH';

export class CrashPoint<Name extends string> {
  private passes = 0;
  private readonly point: { name: Name; pass: number; pause: boolean } | undefined;
  private released: Promise<void> = Promise.resolve();

  /** `setting` names the variable in the error a malformed spec gets. */
  constructor(spec: string | undefined, names: readonly Name[], setting: string) {
    const m = spec ? /^([a-z-]+):(\d+)(:pause)?$/.exec(spec) : null;
    if (spec && (!m || !names.includes(m[1] as Name) || Number(m[2]) < 1)) {
      throw new Error(`${setting} must be <point>:<n>[:pause] with point one of ${names.join(', ')} and n ≥ 1, got "${spec}"`);
    }
    this.point = m ? { name: m[1] as Name, pass: Number(m[2]), pause: Boolean(m[3]) } : undefined;
    // listening from the start, so a release sent early is not lost
    if (this.point?.pause) this.released = new Promise((resolve) => process.once(RELEASE_SIGNAL, () => resolve()));
  }

  /** Dies, or waits for RELEASE_SIGNAL, if this is the configured point and its configured pass. */
  async hit(name: Name): Promise<void> {
    if (this.point?.name !== name) return;
    this.passes += 1;
    if (this.passes !== this.point.pass) return;
    if (!this.point.pause) process.kill(process.pid, 'SIGKILL');
    await this.released;
  }
}
