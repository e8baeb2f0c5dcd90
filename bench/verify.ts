/**
 * Benchmark: chain verification throughput over generated §7b-shaped events, against raw SHA-256 over the
 * same canonical bytes — the ratio says how much of verification is hashing and how much is the rest
 * (schema validation, canonicalization, bookkeeping). Prints one JSON object.
 * Usage: node --import tsx bench/verify.ts [--events 100000]
 */
import { parseArgs } from 'node:util';
import { sha256 } from '@noble/hashes/sha2.js';
import { createHash } from 'node:crypto';
import { canonicalBytes } from '../audit/canonical.js';
import { buildVrsExample } from '../audit/examples/vrs-screening.js';
import { verify } from '../audit/verify.js';
import type { AuditEvent } from '../schemas/catalog.js';

export interface VerifyBenchResult {
  benchmark: 'verify';
  events: number;
  compositions: number;
  verify_events_per_s: number;
  canonicalize_events_per_s: number;
  sha256_noble_events_per_s: number;
  sha256_node_events_per_s: number;
  canonical_mb: number;
  sha256_noble_mb_per_s: number;
  /** verify ÷ @noble/hashes over the same canonical bytes (the pure-JS hash workflow code uses) */
  verify_to_sha256_ratio: number;
  /** verify ÷ Node's native SHA-256 over the same canonical bytes (issue 14's measure; target ≥ 0.5) */
  verify_to_native_sha256_ratio: number;
  ok: boolean;
}

/** `count` events: whole §7b compositions (9 events each), the last one cut to fit. */
export function generateEvents(count: number): { events: AuditEvent[]; compositions: number } {
  const events: AuditEvent[] = [];
  let n = 0;
  while (events.length < count) {
    n += 1;
    events.push(...buildVrsExample(`cmp_bench${String(n).padStart(8, '0')}`).slice(0, count - events.length));
  }
  return { events, compositions: n };
}

function timed<T>(fn: () => T): { value: T; seconds: number } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

export function runVerifyBench(count: number): VerifyBenchResult {
  const { events, compositions } = generateEvents(count);
  const withoutHash = events.map(({ this_hash: _h, ...rest }) => rest);
  const canon = timed(() => withoutHash.map((e) => canonicalBytes(e)));
  const bytes = canon.value;
  const totalBytes = bytes.reduce((n, b) => n + b.length, 0);
  const noble = timed(() => bytes.forEach((b) => sha256(b)));
  const node = timed(() => bytes.forEach((b) => createHash('sha256').update(b).digest()));
  const verified = timed(() => verify(events));
  const rate = (s: number) => Math.round(events.length / s);
  return {
    benchmark: 'verify',
    events: events.length,
    compositions,
    verify_events_per_s: rate(verified.seconds),
    canonicalize_events_per_s: rate(canon.seconds),
    sha256_noble_events_per_s: rate(noble.seconds),
    sha256_node_events_per_s: rate(node.seconds),
    canonical_mb: Number((totalBytes / 1e6).toFixed(1)),
    sha256_noble_mb_per_s: Number((totalBytes / 1e6 / noble.seconds).toFixed(1)),
    verify_to_sha256_ratio: Number((noble.seconds / verified.seconds).toFixed(3)),
    verify_to_native_sha256_ratio: Number((node.seconds / verified.seconds).toFixed(3)),
    ok: verified.value.ok,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { events: { type: 'string', default: '100000' } } });
  process.stdout.write(`${JSON.stringify(runVerifyBench(Number(values.events)), null, 2)}\n`);
}
