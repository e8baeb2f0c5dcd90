// Keeps bench/verify working: a tiny run produces the JSON fields the full run reports (no timing asserted).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateEvents, runVerifyBench } from '../../../bench/verify.js';

test('generated events are whole §7b compositions, cut to the requested count', () => {
  const { events, compositions } = generateEvents(20);
  assert.equal(events.length, 20);
  assert.equal(compositions, 3);
  assert.equal(events[9]!.event_id, 'evt_bench00000002_001');
});

test('a tiny verify benchmark run reports rates and a valid chain', () => {
  const result = runVerifyBench(30);
  assert.equal(result.ok, true);
  assert.equal(result.events, 30);
  for (const key of ['verify_events_per_s', 'canonicalize_events_per_s', 'sha256_noble_events_per_s', 'sha256_node_events_per_s', 'verify_to_sha256_ratio'] as const) {
    assert.ok(Number.isFinite(result[key]) && result[key] > 0, key);
  }
});
