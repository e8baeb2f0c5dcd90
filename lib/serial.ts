/**
 * Runs an async task one at a time: a `run()` while it runs asks for one more run after it (coalesced:
 * any number of requests meanwhile make one more run, not many). For periodic work that events also
 * trigger, such as issuing a checkpoint after a batch.
 */
export class Serial {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly task: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.task();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
