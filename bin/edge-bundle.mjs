// `coord edge replay --events-only` runs from a prebuilt JavaScript bundle of the CLI instead of through tsx:
// on a ~100 MB edge node, tsx's TypeScript loader alone would take a third of the memory. The bundle is built
// with esbuild (code splitting keeps every other command, and the Temporal replayer, in chunks that are never
// loaded), into node_modules/.cache so that npm packages resolve from it, and rebuilt when a source changes.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['config', 'lib', 'schemas', 'audit', 'kafka', 'workflows', 'activities', 'client', 'ledger', 'workers', 'gateway', 'witness', 'cli', 'infra'];

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (entry.name.endsWith('.ts')) yield path;
  }
}

/** A stamp of every source file's path, size and mtime: any edit gives a new bundle directory. */
function sourceStamp() {
  const hash = createHash('sha256');
  for (const dir of SOURCE_DIRS) {
    for (const file of sources(join(root, dir))) {
      const st = statSync(file);
      hash.update(`${file}\0${st.size}\0${st.mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** The path of the bundled cli/main.js, built first when missing or stale. */
export async function edgeCliBundle() {
  const outdir = join(root, 'node_modules', '.cache', 'coordination-ledger-cli', sourceStamp());
  const entry = join(outdir, 'main.js');
  if (!existsSync(entry)) {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(root, 'cli', 'main.ts')],
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
  }
  return entry;
}
