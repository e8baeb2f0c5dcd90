/** Worker and gateway processes for one integration test file, on a task queue of their own. */
import { randomUUID } from 'node:crypto';
import { Services } from '../../workers/services.js';

export async function startServices(name: string, env?: NodeJS.ProcessEnv): Promise<Services> {
  return Services.start({ taskQueue: `it-${name}-${randomUUID().slice(0, 8)}`, tag: `test-${name}`, ...(env ? { env } : {}) });
}
