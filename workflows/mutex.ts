/** One action at a time per composition: updates and signals run concurrently in Temporal, transitions must not. */
import { condition } from '@temporalio/workflow';

export class Mutex {
  private locked = false;

  get idle(): boolean {
    return !this.locked;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // Several waiters may wake in one activation; each re-checks before taking the lock.
    while (this.locked) await condition(() => !this.locked);
    this.locked = true;
    try {
      return await fn();
    } finally {
      this.locked = false;
    }
  }
}
