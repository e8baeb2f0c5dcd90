/**
 * Benchmark: the transparency log in the ledger store (no servers). Commits N events in batches as the
 * ledger's ingest does — canonical rows and their log leaves and subtree nodes in one SQLite transaction —
 * then, at the final size, computes inclusion proofs for random events (p50/p99) and verifies them, and
 * consistency proofs between random sizes. Anchor: Tessera reports about 2,900 appends/s on 12 cores with
 * POSIX storage. Prints one JSON object.
 * Usage: node --import tsx bench/tlog.ts [--events 100000] [--batch 500] [--proofs 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildVrsExample } from '../audit/examples/vrs-screening.js';
import { consistencyProof, inclusionProof, leafHash, root, verifyConsistency, verifyInclusion } from '../audit/tlog/merkle.js';
import { canonicalRow } from '../ledger/ingest.js';
import type { CanonicalRow } from '../ledger/records.js';
import { SqliteLedgerStore } from '../ledger/sqlite-store.js';
import { round, summarize, type LatencySummary } from './lib/stats.js';

export interface TlogBenchResult {
  benchmark: 'tlog';
  events: number;
  batch: number;
  /** events committed per second: canonical rows + log leaves + subtree nodes, one transaction per batch */
  appends_per_s: number;
  inclusion_proof_ms: LatencySummary;
  consistency_proof_ms: LatencySummary;
  inclusion_verifications_per_s: number;
  consistency_verifications_per_s: number;
  /** nodes read per inclusion proof at the final size (⌈log2 n⌉ + a few) */
  proof_hashes: number;
}

/** `n` canonical rows of §7b compositions, as ingest writes them. */
function rows(n: number): CanonicalRow[] {
  const out: CanonicalRow[] = [];
  for (let c = 0; out.length < n; c++) {
    for (const [i, e] of buildVrsExample(`cmp_TLOGBENCH${String(c).padStart(10, '0')}`).entries()) {
      if (out.length === n) break;
      out.push(canonicalRow(e, i + 1, { topic: 'bench', partition: 0, offset: String(out.length) }, { kid: 'bench', sig: 'bench' }));
    }
  }
  return out;
}

const pick = (n: number) => Math.floor(Math.random() * n);

export async function runTlogBench(opts: { events: number; batch: number; proofs: number }): Promise<TlogBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tlog-bench-'));
  const store = SqliteLedgerStore.open(join(dir, 'ledger.db'));
  try {
    const all = rows(opts.events);
    const t0 = performance.now();
    for (let i = 0; i < all.length; i += opts.batch) {
      await store.commit({ accepted: all.slice(i, i + opts.batch), quarantined: [], positions: [] });
    }
    const appendSeconds = (performance.now() - t0) / 1000;
    const size = await store.log.size();
    const rootN = await root(store.log, size);

    const inclusion: { index: number; proof: Uint8Array[]; ms: number }[] = [];
    for (let k = 0; k < opts.proofs; k++) {
      const index = pick(size);
      const s = performance.now();
      const proof = await inclusionProof(store.log, index, size);
      inclusion.push({ index, proof, ms: performance.now() - s });
    }
    const leaves = inclusion.map(({ index }) => leafHash(Buffer.from(all[index]!.body, 'utf8')));
    let s = performance.now();
    for (const [k, { index, proof }] of inclusion.entries()) if (!verifyInclusion(leaves[k]!, index, size, proof, rootN)) throw new Error(`inclusion proof of leaf ${index} does not verify`);
    const inclusionVerifySeconds = (performance.now() - s) / 1000;

    const consistency: { m: number; rootM: Uint8Array; proof: Uint8Array[]; ms: number }[] = [];
    for (let k = 0; k < Math.min(opts.proofs, 500); k++) {
      const m = 1 + pick(size - 1);
      const rootM = await root(store.log, m);
      const t = performance.now();
      const proof = await consistencyProof(store.log, m, size);
      consistency.push({ m, rootM, proof, ms: performance.now() - t });
    }
    s = performance.now();
    for (const { m, rootM, proof } of consistency) if (!verifyConsistency(m, size, proof, rootM, rootN)) throw new Error(`consistency proof ${m}→${size} does not verify`);
    const consistencyVerifySeconds = (performance.now() - s) / 1000;

    return {
      benchmark: 'tlog',
      events: size,
      batch: opts.batch,
      appends_per_s: round(size / appendSeconds, 0),
      inclusion_proof_ms: summarize(inclusion.map((p) => p.ms)),
      consistency_proof_ms: summarize(consistency.map((p) => p.ms)),
      inclusion_verifications_per_s: round(inclusion.length / inclusionVerifySeconds, 0),
      consistency_verifications_per_s: round(consistency.length / consistencyVerifySeconds, 0),
      proof_hashes: Math.max(...inclusion.map((p) => p.proof.length)),
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '100000' }, batch: { type: 'string', default: '500' }, proofs: { type: 'string', default: '2000' } } });
  const result = await runTlogBench({ events: Number(values.events), batch: Number(values.batch), proofs: Number(values.proofs) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
