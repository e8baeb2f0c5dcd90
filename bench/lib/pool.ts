/** Runs `count` jobs with at most `concurrency` in flight; each job gets its index. Rejects on the first failure. */
export async function runPool(count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await job(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
}

/** Runs `lanes` loops side by side until `deadline` (performance.now() ms); each loop gets its lane number. */
export async function runUntil(deadline: number, lanes: number, step: (lane: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (performance.now() < deadline) await step(lane);
    }),
  );
}
