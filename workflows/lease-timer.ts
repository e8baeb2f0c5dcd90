/**
 * The lease's timer, modelled on the Temporal samples' updatable timer: the workflow waits for the lease
 * to run out, and any change to the lease (claim, renewal, release, expiry) starts the wait over with the
 * new deadline. A version counter tells a stale expiry (the lease changed while the expiry waited for the
 * composition's lock) from a real one. Deterministic: only Temporal's timer and the workflow clock.
 */
import { msUntilExpiry, type Lease } from '../schemas/lease.js';

export class LeaseTimer {
  private version = 0;

  /** The lease changed: a wait in progress ends, and an expiry it found is stale. */
  changed(): void {
    this.version += 1;
  }

  /**
   * What to wait for next (synchronous on purpose: the workflow awaits `condition` itself, so the timer is
   * started at exactly the point in the workflow's coroutine order it always was — an extra `await` layer
   * here would start it a step later and break the replay of recorded histories; the replay corpus
   * caught exactly that). `timeoutMs` undefined: no lease, wait for a change only; ≤ 0: already expired.
   */
  next(lease: Lease | null, wake: () => boolean): { woken: () => boolean; timeoutMs: number | undefined; version: number } {
    const version = this.version;
    return { woken: () => this.version !== version || wake(), timeoutMs: lease ? msUntilExpiry(lease, Date.now()) : undefined, version };
  }

  /** True while nothing has changed the lease since `version`. */
  isCurrent(version: number): boolean {
    return version === this.version;
  }
}
