// bench/lib/run-summary.ts: `npm run bench`'s summary reads each figure from the benchmarks' reports, judges
// it against its target, takes whichever name bench/verify gives the ratio to native SHA-256, and gives null
// (not a crash) for a benchmark that failed or a variant that did not run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchSummary } from '../../../bench/lib/run-summary.js';

const latency = (p50: number, p95: number, p99: number) => ({ p50_ms: p50, p95_ms: p95, p99_ms: p99 });
const lifecycle = {
  audited: { compositions_per_s: 4, temporal_actions_per_composition: 29, transition_latency_ms: latency(200, 300, 450) },
  baseline: { compositions_per_s: 5, temporal_actions_per_composition: 20, transition_latency_ms: latency(150, 250, 300) },
  restate: { compositions_per_s: 4, transition_latency_ms: latency(180, 260, 400), peak_rss_mb: { restate_endpoint: 240, restate_server: 300 } },
  ratio_audited_to_bare: 0.8,
  transition_p99_ms: { audited: 450, baseline: 300, restate: 400 },
  worker_peak_rss_mb: 299,
};
const edge = { events_only: { compositions: 10000, compositions_per_s: 6000, peak_rss_mb: 90 }, full: { compositions_per_s: 80, peak_rss_mb: 150 } };

test('every figure with its ratio and its target', () => {
  const s = benchSummary({ lifecycle, edge, verify: { verify_events_per_s: 50000, verify_to_native_sha256_ratio: 0.6 } });
  assert.equal(s.restate_compositions_per_s, 4);
  assert.equal(s.ratio_audited_to_restate, 1);
  assert.equal(s.ratio_p99_audited_to_bare, 1.5);
  assert.equal(s.ratio_billable_actions_audited_to_bare, 1.45);
  assert.deepEqual(s.transition_latency_ms.restate, latency(180, 260, 400));
  assert.deepEqual(s.targets.audited_to_bare, { value: 0.8, target: '≥ 0.8', met: true });
  assert.deepEqual(s.targets.billable_actions_audited_to_bare, { value: 1.45, target: '≤ 1.3', met: false });
  assert.equal(s.targets.p99_audited_to_bare.met, true);
  assert.equal(s.targets.worker_peak_rss_mb.met, true);
  assert.equal(s.targets.verify_to_native_sha256.value, 0.6);
  assert.deepEqual(
    [s.targets.edge_events_only_compositions_per_s.met, s.targets.edge_events_only_peak_rss_mb.met, s.targets.edge_full_compositions_per_s.met, s.targets.edge_full_peak_rss_mb.met],
    [true, true, false, true],
  );
});

test('the verify target is judged on the ratio to native SHA-256, never on the one to the pure-JS hash', () => {
  const s = benchSummary({ verify: { verify_to_native_sha256_ratio: 0.084, verify_to_sha256_ratio: 0.3 } });
  assert.deepEqual(s.targets.verify_to_native_sha256, { value: 0.084, target: '≥ 0.5', met: false });
  assert.deepEqual(benchSummary({ verify: { verify_to_sha256_ratio: 0.3 } }).targets.verify_to_native_sha256, { value: null, target: '≥ 0.5', met: null });
});

test('a failed benchmark or a run without Restate gives nulls', () => {
  const { restate: _, ...withoutRestate } = lifecycle;
  const s = benchSummary({ lifecycle: withoutRestate, edge: { error: 'bench/edge.ts exited with 1' } });
  assert.equal(s.restate_compositions_per_s, null);
  assert.equal(s.ratio_audited_to_restate, null);
  assert.deepEqual(s.transition_latency_ms.restate, { p50_ms: null, p95_ms: null, p99_ms: null });
  assert.deepEqual(s.targets.audited_to_restate, { value: null, target: '≥ 1', met: null });
  assert.equal(s.targets.edge_full_peak_rss_mb.met, null);
  assert.equal(s.verify_to_native_sha256_ratio, null);
});

test('every field is present, null when its benchmark did not run', () => {
  const s = benchSummary({});
  assert.equal(s.append_events_per_s, null);
  assert.deepEqual(s.edge, { events_only_compositions: null, events_only_compositions_per_s: null, events_only_peak_rss_mb: null, full_compositions_per_s: null, full_peak_rss_mb: null });
  assert.ok(Object.values(s).every((v) => v !== undefined));
});
