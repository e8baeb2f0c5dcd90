/**
 * The workflow code, bundled once. Bundling (webpack) costs seconds and a few hundred MB that stay with the
 * process; the worker and the replayer load the bundle instead, kept in `.cache/workflows/` keyed by a hash of
 * the sources it is built from (workflow code, what it imports, the lockfile), so the next start skips it.
 * A process whose cache is not writable just bundles in memory.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DefaultLogger, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { createFileOnce } from '../lib/create-once.js';
import { CACHE_DIR, ROOT } from '../config/paths.js';
import { WORKFLOWS_PATH } from './replay/recompute-audit.js';

/** What the workflow bundle is built from: the workflow code, everything it imports, and the pinned SDK. */
const SOURCE_DIRS = ['workflows', 'schemas', 'audit', 'activities', 'bench/workflows'];
const LOCKFILE = join(ROOT, 'package-lock.json');

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

export function sourcesKey(workflowsPath: string = WORKFLOWS_PATH): string {
  const hash = createHash('sha256').update(`${relative(ROOT, workflowsPath)}\0`);
  const files = [...SOURCE_DIRS.flatMap((d) => tsFiles(join(ROOT, d))).sort(), ...(existsSync(LOCKFILE) ? [LOCKFILE] : [])];
  for (const file of files) hash.update(`${relative(ROOT, file)}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

const DAY_MS = 24 * 3600 * 1000;

/** Bundles of other source versions, unused for a day (another checkout sharing COORD_CACHE_DIR may still want a newer one). */
function pruneStale(cacheDir: string, keep: string): void {
  for (const name of readdirSync(cacheDir)) {
    const path = join(cacheDir, name);
    if (/^workflows-[0-9a-f]+\.js$/.test(name) && path !== keep && Date.now() - statSync(path).mtimeMs > DAY_MS) rmSync(path, { force: true });
  }
}

async function build(cacheDir: string, workflowsPath: string): Promise<WorkflowBundleOption> {
  const file = join(cacheDir, `workflows-${sourcesKey(workflowsPath)}.js`);
  // Read at once, not handed over as a path: a cache file pruned meanwhile cannot fail the replay.
  if (existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  try {
    mkdirSync(cacheDir, { recursive: true });
    createFileOnce(file, code, 0o644);
    pruneStale(cacheDir, file);
  } catch {
    /* a read-only cache: the bundle stays in memory */
  }
  return { code };
}

const built = new Map<string, Promise<WorkflowBundleOption>>();

/**
 * The workflow bundle of `workflowsPath` (production's workflows/index.ts unless a benchmark worker names
 * its own): from the cache when the sources are unchanged, else built (once per process).
 */
export function workflowBundle(cacheDir = join(CACHE_DIR, 'workflows'), workflowsPath: string = WORKFLOWS_PATH): Promise<WorkflowBundleOption> {
  const key = `${cacheDir}\0${workflowsPath}`;
  let bundle = built.get(key);
  if (!bundle) built.set(key, (bundle = build(cacheDir, workflowsPath)));
  return bundle;
}
