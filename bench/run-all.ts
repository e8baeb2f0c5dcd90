/**
 * `npm run bench`: every benchmark, one after the other, each in a fresh process — verify (chain
 * verification), edge (when bench/edge.ts exists), lifecycle (audited vs bare vs the Restate peer, on the
 * local stack), append (the audit publish path, unsigned and signed), tlog (the transparency log in the ledger
 * store) and recovery (kill → first transition) — then one JSON object with the machine, the commit, each
 * benchmark's report and a summary (bench/lib/run-summary.ts: the issue-14 figures, each against its target),
 * printed and written to bench/results/<YYYY-MM-DD>[-<label>].json.
 * Brings the local stack up if needed and stops only what it started (COORD_KEEP_STACK=1 keeps it).
 * Usage: node infra/bootstrap.mjs bench/run-all.ts [--compositions 200] [--concurrency 10]
 *          [--levels 1,4,16,64] [--duration 30] [--label before-optimisations]
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../config/paths.js';
import { down, up } from '../infra/stack/stack.js';
import { config } from '../config/index.js';
import { benchSummary } from './lib/run-summary.js';

const { values } = parseArgs({
  options: {
    compositions: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    levels: { type: 'string', default: '1,4,16,64' },
    duration: { type: 'string', default: '30' },
    'verify-events': { type: 'string', default: '100000' },
    label: { type: 'string' },
  },
});

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Runs one benchmark script in its own process; its stdout is its JSON report, its stderr is progress. */
async function runBench(script: string, args: string[]): Promise<Record<string, unknown>> {
  say(`── ${script} ${args.join(' ')}`);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const seconds = Number(((performance.now() - t0) / 1000).toFixed(1));
  if (code !== 0) return { error: `${script} exited with ${code}`, seconds };
  // The report is the whole output, or its last top-level JSON object (a line opening with "{" onwards).
  const text = out.trim();
  const lines = text.split('\n');
  const starts = lines.flatMap((line, i) => (line.startsWith('{') ? [i] : [])).reverse();
  const candidates = [text, ...starts.map((i) => lines.slice(i).join('\n'))];
  for (const candidate of candidates) {
    try {
      return { ...(JSON.parse(candidate) as Record<string, unknown>), seconds };
    } catch {
      /* not the JSON report: try the next candidate */
    }
  }
  return { error: `${script} printed no JSON`, seconds };
}

function git(...args: string[]): string {
  return spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
}

const startedAt = new Date();
const { outcomes } = await up();
const startedHere = Object.entries(outcomes).filter(([, o]) => o === 'started').map(([n]) => n);
const machine = {
  cpus: cpus().length,
  cpu_model: cpus()[0]?.model ?? 'unknown',
  memory_gb: Number((totalmem() / 2 ** 30).toFixed(1)),
  kernel: release(),
  node: process.version,
  load_average_at_start: loadavg().map((l) => Number(l.toFixed(2))),
};

const benchmarks: Record<string, Record<string, unknown>> = {};
try {
  benchmarks.verify = await runBench('bench/verify.ts', ['--events', values['verify-events']!]);
  if (existsSync(join(ROOT, 'bench/edge.ts'))) benchmarks.edge = await runBench('bench/edge.ts', []);
  benchmarks.lifecycle = await runBench('bench/lifecycle.ts', ['--compositions', values.compositions!, '--concurrency', values.concurrency!]);
  benchmarks.append = await runBench('bench/append.ts', ['--levels', values.levels!, '--duration', values.duration!]);
  // the same publish path with every event signed by an emitter key, as the worker runs it: the cost of signing
  benchmarks.append_signed = await runBench('bench/append.ts', ['--levels', values.levels!, '--duration', values.duration!, '--signed']);
  benchmarks.tlog = await runBench('bench/tlog.ts', []);
  benchmarks.recovery = await runBench('bench/recovery.ts', []);
} finally {
  if (!config().COORD_KEEP_STACK && startedHere.length) await down({ only: startedHere });
}

const result = {
  date: startedAt.toISOString(),
  ...(values.label ? { label: values.label } : {}),
  commit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (uncommitted changes)' : ''}`,
  machine: { ...machine, load_average_at_end: loadavg().map((l) => Number(l.toFixed(2))) },
  summary: benchSummary(benchmarks),
  benchmarks,
};
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${startedAt.toISOString().slice(0, 10)}${values.label ? `-${values.label}` : ''}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
say(`── written to ${file}`);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
process.exit(Object.values(benchmarks).some((b) => 'error' in b) ? 1 : 0);
