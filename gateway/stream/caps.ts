/**
 * How many streams are open, per caller and in all. A stream holds a connection, timers and a buffer for as
 * long as the client likes, so unlike a request it is counted while it lasts, not per time window.
 */
export class StreamCaps {
  private readonly open = new Map<string, number>();

  private count = 0;

  constructor(private readonly limits: { perCaller: number; total: number }) {}

  /** Takes a slot for `caller`: the release function, or why there is none. */
  acquire(caller: string): { release: () => void } | { refused: string } {
    if (this.count >= this.limits.total) return { refused: `this gateway serves at most ${this.limits.total} audit streams at once; try again later` };
    const mine = this.open.get(caller) ?? 0;
    if (mine >= this.limits.perCaller) return { refused: `at most ${this.limits.perCaller} audit streams per caller; close one first` };
    this.open.set(caller, mine + 1);
    this.count += 1;
    let released = false;
    return {
      release: () => {
        if (released) return; // a stream may end for several reasons at once
        released = true;
        this.count -= 1;
        const left = (this.open.get(caller) ?? 1) - 1;
        if (left > 0) this.open.set(caller, left);
        else this.open.delete(caller);
      },
    };
  }
}
