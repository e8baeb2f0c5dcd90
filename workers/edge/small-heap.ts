/**
 * Keeps the edge worker's heap near its live set on a ~100 MB node. V8 sizes its heap for throughput: on a
 * large machine it lets the young generation grow to tens of MB and lets garbage pile up in the old one
 * before collecting, so a long streaming pass peaks far above what it holds. Here the young generation stops
 * growing, and a full collection runs every 100 ms (a few ms each for a heap of a few MB).
 * Used by `--events-only`; the full replay loads the Temporal worker and is not meant for such nodes.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function keepHeapSmall(intervalMs = 100): () => void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--expose-gc');
  // --expose-gc takes effect for contexts created after it: the new context's `gc` collects the whole heap
  const gc = runInNewContext('gc') as () => void;
  const timer = setInterval(gc, intervalMs).unref();
  return () => clearInterval(timer);
}
