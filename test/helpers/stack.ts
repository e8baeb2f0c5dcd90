/**
 * Integration tests run against the real local stack. The test command brings it up once; this helper makes
 * each test file runnable on its own too (`up` is a quick no-op when everything is healthy).
 */
import { up } from '../../infra/stack/stack.js';

let ready: Promise<unknown> | undefined;

export function stackReady(): Promise<unknown> {
  ready ??= up();
  return ready;
}
