/**
 * The test command (`npm test`): brings the local stack up (installing what is missing), runs every test
 * file — unit, workflow, integration — with node's test runner, stops what it started, and ends with the
 * line `N passed, N failed`. Set COORD_KEEP_STACK=1 to leave the stack running afterwards.
 * Arguments narrow the run to files whose path contains one of them: `npm test -- kafka registry`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { CACHE_DIR, ROOT } from '../config/paths.js';
import { chromiumForTestRun } from '../infra/browser/test-run.js';
import { ComponentError, down, up } from '../infra/stack/stack.js';
import { config } from '../config/index.js';

const LAYERS = ['unit', 'workflow', 'integration'] as const;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? (e.name === 'fixtures' ? [] : testFiles(join(dir, e.name))) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []))
    .sort();
}

const filters = process.argv.slice(2);
const files = LAYERS.flatMap((layer) => testFiles(join(ROOT, 'test', layer))).filter(
  (f) => filters.length === 0 || filters.some((s) => relative(ROOT, f).includes(s)),
);

/** A browser test launches chromium through test/helpers/browser.ts; a run without one needs no browser. */
const drivesBrowser = (file: string) => readFileSync(file, 'utf8').includes('/helpers/browser.js');

let startedHere: string[] = [];
let passed = 0;
let failed = 0;
try {
  const t0 = Date.now();
  const { outcomes } = await up();
  startedHere = Object.entries(outcomes).filter(([, o]) => o === 'started').map(([n]) => n);
  console.log(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)}s (started: ${startedHere.join(', ') || 'none'})`);
  // the browser tests' chromium: found, or installed on a fresh machine (Debian's package), once per run —
  // and only for a run that selects a browser test (`npm test -- kafka` installs nothing)
  const browserEnv = files.some(drivesBrowser) ? await chromiumForTestRun(process.env.COORD_CHROMIUM, CACHE_DIR) : {};

  const child = spawn(
    process.execPath,
    [
      '--import', 'tsx',
      '--test',
      '--test-concurrency=1',
      // a hung test fails after 10 minutes, and a file whose tests are done exits even if a client lingers
      '--test-timeout=600000',
      '--test-force-exit',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      ...files,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...browserEnv, NODE_ENV: 'test' } },
  );
  // The spec report goes on to the console as it comes, and is kept: its summary gives the run's totals.
  let report = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    report += chunk.toString('utf8');
  });
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const plain = stripVTControlCharacters(report);
  // the runner's summary comes last
  const total = (label: string) => Number([...plain.matchAll(new RegExp(`^ℹ ${label} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  passed = total('pass');
  failed = total('fail') + total('cancelled');
  if (status !== 0 && failed === 0) failed = 1; // the runner itself failed (e.g. a file did not load)
} catch (err) {
  if (!(err instanceof ComponentError)) throw err;
  console.error(`the local stack did not come up — ${err.message}`);
  failed += 1;
} finally {
  if (!config().COORD_KEEP_STACK && startedHere.length) await down({ only: startedHere });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
