/**
 * Benchmark: the edge lite worker (`coord edge replay`) on generated exports, each mode run as a child
 * process of its own so its peak RSS is its own (read from the child's `process.resourceUsage().maxRSS` at
 * exit). Events-only: N compositions of the §7b example (history.json empty — the mode only hashes it),
 * through the prebuilt bundle `coord edge replay --events-only` runs from (its heap kept small in-process).
 * Full: M compositions copied from one VRS screening recorded under the time-skipping test server, each
 * replayed through the workflow code (the workflow bundle is warmed in .cache/edge first). Prints one JSON
 * object. Usage: node --import tsx bench/edge.ts [--compositions 10000] [--full-compositions 50] [--keep]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Manifest } from '../audit/bundle/format.js';
import { writeBundle, type BundleComposition } from '../audit/bundle/write.js';
import { buildVrsExample } from '../audit/examples/vrs-screening.js';
import { ROOT } from '../config/paths.js';
import { loadOrCreateSigningKey } from '../ledger/signing-key.js';
import { createEd25519KeyFile } from '../lib/ed25519-key-file.js';
import type { EdgeReport } from '../workers/edge/report.js';

export interface EdgeModeResult {
  compositions: number;
  events: number;
  runs: number;
  export_mb: number;
  seconds: number;
  compositions_per_s: number;
  peak_rss_mb: number;
  ok: boolean;
}

export interface EdgeBenchResult {
  benchmark: 'edge';
  events_only: EdgeModeResult;
  full: EdgeModeResult | null;
}

// Printed by the child at exit: its own peak resident set (KiB).
const RSS_PROBE = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\n@@maxrss '+process.resourceUsage().maxRSS+'\\n'))`;

const benchId = (n: number) => `cmp_bench${String(n).padStart(8, '0')}`;

async function* vrsCompositions(count: number): AsyncGenerator<BundleComposition> {
  for (let n = 1; n <= count; n++) yield { composition_id: benchId(n), workflow_id: benchId(n), events: buildVrsExample(benchId(n)), runs: [] };
}

/** Runs `coord edge replay` (bin/coord.mjs, as `npx coord` does) in a child process: its report, wall time and peak RSS. */
function runEdge(dir: string, eventsOnly: boolean, publicKeyFile?: string): Promise<{ report: EdgeReport; seconds: number; peakRssMb: number }> {
  const pin = publicKeyFile ? ['--key', publicKeyFile] : ['--allow-unsigned'];
  const args = ['--import', RSS_PROBE, join(ROOT, 'bin/coord.mjs'), 'edge', 'replay', dir, '--json', ...pin, ...(eventsOnly ? ['--events-only'] : [])];
  const env = process.env;
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const rss = /@@maxrss (\d+)/.exec(stderr);
      if (!rss || !stdout.trim()) return reject(new Error(`coord edge replay exited with ${code}: ${stderr.slice(-2000)}`));
      resolve({ report: JSON.parse(stdout) as EdgeReport, seconds, peakRssMb: Number((Number(rss[1]) / 1024).toFixed(1)) });
    });
  });
}

async function measure(dir: string, manifest: Manifest, eventsOnly: boolean, publicKeyFile: string): Promise<EdgeModeResult> {
  const { report, seconds, peakRssMb } = await runEdge(dir, eventsOnly, publicKeyFile);
  const bytes = manifest.files['events.jsonl'].bytes + manifest.files['history.json'].bytes;
  return {
    compositions: report.compositions,
    events: report.events,
    runs: report.runs_replayed ?? 0,
    export_mb: Number((bytes / 1e6).toFixed(1)),
    seconds: Number(seconds.toFixed(2)),
    // three significant digits: a slow run of the miniature (2 compositions in 4 s) is 0.48/s, not 0
    compositions_per_s: Number((report.compositions / seconds).toPrecision(3)),
    peak_rss_mb: peakRssMb,
    ok: report.ok,
  };
}

export async function runEdgeBench(opts: { compositions: number; fullCompositions: number; keep?: boolean }): Promise<EdgeBenchResult> {
  const root = mkdtempSync(join(tmpdir(), 'edge-bench-'));
  try {
    // Signed, and verified against the pinned key, as an auditor runs it.
    const keyFile = join(root, 'signing.jwk');
    createEd25519KeyFile(keyFile);
    const signingKey = await loadOrCreateSigningKey({ file: keyFile });
    const publicKeyFile = join(root, 'public.jwk');
    writeFileSync(publicKeyFile, JSON.stringify(signingKey.publicJwk));
    const eventsDir = join(root, 'events-only');
    const eventsManifest = await writeBundle(eventsDir, vrsCompositions(opts.compositions), { selection: { benchmark: 'edge', mode: 'events-only' }, signingKey });
    await runEdge(join(root, 'missing'), true).catch(() => undefined); // builds the events-only bundle outside the timing
    const eventsOnly = await measure(eventsDir, eventsManifest, true, publicKeyFile);

    let full: EdgeModeResult | null = null;
    if (opts.fullCompositions > 0) {
      // Loaded only for this mode: the time-skipping server and the Temporal worker.
      const { copyComposition, recordTemplate } = await import('./edge-template.js');
      const { workflowBundle } = await import('../workers/workflow-bundle.js');
      const [template] = await Promise.all([recordTemplate(), workflowBundle()]);
      const fullDir = join(root, 'full');
      const copies = Array.from({ length: opts.fullCompositions }, (_, i) => copyComposition(template, i + 1));
      const fullManifest = await writeBundle(fullDir, copies, { selection: { benchmark: 'edge', mode: 'full' }, signingKey });
      full = await measure(fullDir, fullManifest, false, publicKeyFile);
    }
    return { benchmark: 'edge', events_only: eventsOnly, full };
  } finally {
    if (!opts.keep) rmSync(root, { recursive: true, force: true });
    else process.stderr.write(`exports kept in ${root}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { compositions: { type: 'string', default: '10000' }, 'full-compositions': { type: 'string', default: '50' }, keep: { type: 'boolean', default: false } },
  });
  const result = await runEdgeBench({ compositions: Number(values.compositions), fullCompositions: Number(values['full-compositions']), keep: values.keep });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
