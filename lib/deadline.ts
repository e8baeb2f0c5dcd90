/** Bounding a wait that a client library might never end. */

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** Rejects with a DeadlineError when `promise` has not settled after `ms`; the timer keeps no process alive. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
