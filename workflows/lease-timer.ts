/**
 * The lease's timer, modelled on the Temporal samples' updatable timer: the workflow waits for the lease
 * to run out, and any change to the lease (claim, renewal, release, expiry) starts the wait over with the
 * new deadline. A version counter tells a stale expiry (the lease changed while the expiry waited for the
 * composition's lock) from a real one. Deterministic: only Temporal's timer and the workflow clock.
 */
import { condition } from '@temporalio/workflow';
import { msUntilExpiry, type Lease } from '../schemas/lease.js';

export class LeaseTimer {
  private version = 0;

  /** The lease changed: a wait in progress ends, and an expiry it found is stale. */
  changed(): void {
    this.version += 1;
  }

  /**
   * Waits until `lease` runs out (resolves with the version to expire) or until the lease changes or
   * `wake()` holds (resolves undefined). With no lease, waits only for a change or `wake()`.
   */
  async untilExpiry(lease: Lease | null, wake: () => boolean): Promise<number | undefined> {
    const version = this.version;
    const woken = () => this.version !== version || wake();
    if (!lease) {
      await condition(woken);
      return undefined;
    }
    const remaining = msUntilExpiry(lease, Date.now());
    const changed = remaining > 0 && (await condition(woken, remaining));
    return changed ? undefined : version;
  }

  /** True while nothing has changed the lease since `version`. */
  isCurrent(version: number): boolean {
    return version === this.version;
  }
}
