// Keeps bench/tlog working: a tiny run commits, proves and verifies, and reports the JSON fields the full run does (no timing asserted).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTlogBench } from '../../../bench/tlog.js';

test('a tiny transparency-log benchmark appends every event, and its proofs verify', async () => {
  const result = await runTlogBench({ events: 300, batch: 50, proofs: 40 });
  assert.equal(result.events, 300);
  for (const key of ['appends_per_s', 'inclusion_verifications_per_s', 'consistency_verifications_per_s'] as const) assert.ok(Number.isFinite(result[key]) && result[key] > 0, key);
  assert.equal(result.inclusion_proof_ms.count, 40);
  assert.ok(result.proof_hashes >= 9 && result.proof_hashes <= 10, `a tree of 300 has proofs of 9 or 10 hashes, got ${result.proof_hashes}`);
});
