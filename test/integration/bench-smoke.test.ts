// Keeps bench/lifecycle and bench/append working: tiny runs on the real stack produce the JSON the full runs
// report, with sane values. No timing is asserted — speed is measured by `npm run bench`, never by a test.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { runAppendBench } from '../../bench/append.js';
import { runLifecycleBench } from '../../bench/lifecycle.js';
import type { LatencySummary } from '../../bench/lib/stats.js';
import { stackReady } from '../helpers/stack.js';

before(async () => {
  await stackReady();
});

const positive = (v: number, what: string) => assert.ok(Number.isFinite(v) && v > 0, `${what} = ${v}`);

function assertLatencies(l: LatencySummary, count: number, what: string): void {
  assert.equal(l.count, count, `${what}.count`);
  positive(l.p50_ms, `${what}.p50_ms`);
  assert.ok(l.p50_ms <= l.p95_ms && l.p95_ms <= l.p99_ms && l.p99_ms <= l.max_ms, `${what}: ${JSON.stringify(l)}`);
}

test('a tiny lifecycle run drives both variants through the 9 transitions and reports every figure', async () => {
  const r = await runLifecycleBench({ compositions: 2, concurrency: 2, warmup: 1, restate: false });
  assert.equal(r.benchmark, 'lifecycle');
  assert.equal(r.transitions_per_composition, 9);
  for (const [name, v] of [['audited', r.audited], ['baseline', r.baseline]] as const) {
    assert.equal(v.compositions, 2, name);
    assert.equal(v.transitions, 18, name);
    positive(v.compositions_per_s, `${name}.compositions_per_s`);
    assertLatencies(v.transition_latency_ms, 18, `${name}.transition_latency_ms`);
    positive(v.worker_peak_rss_mb, `${name}.worker_peak_rss_mb`);
    positive(v.cpu_ms_per_composition.total!, `${name}.cpu_ms_per_composition.total`);
    // the same shape: one start, one accepted update and one search attribute upsert per transition
    assert.equal(v.actions_by_kind_per_composition.workflow_started, 1, name);
    assert.equal(v.actions_by_kind_per_composition.update_accepted, 9, `${name} ${JSON.stringify(v.actions_by_kind_per_composition)}`);
    // a patch marker (workflow versioning) comes with the SDK's own upsert of TemporalChangeVersion
    const patchUpserts = v.actions_by_kind_per_composition.markers_unbilled ?? 0;
    assert.equal((v.actions_by_kind_per_composition.search_attributes_upserted ?? 0) - patchUpserts, 9, `${name} ${JSON.stringify(v.actions_by_kind_per_composition)}`);
  }
  // the audited fast path: verify, authorize and publish as local activities, billed once per workflow task
  // (one per transition), and no regular activity on a healthy stack; one audit event per transition
  const audited = r.audited.actions_by_kind_per_composition;
  assert.equal(audited.activity_scheduled, undefined, JSON.stringify(audited));
  assert.equal(audited.local_activity_tasks, 9, JSON.stringify(audited));
  assert.ok((audited.local_activity_markers ?? 0) >= 27, JSON.stringify(audited));
  assert.equal(r.baseline.actions_by_kind_per_composition.activity_scheduled, undefined);
  assert.equal(r.baseline.actions_by_kind_per_composition.local_activity_tasks, undefined);
  assert.ok(r.audited.temporal_actions_per_composition > r.baseline.temporal_actions_per_composition);
  assert.ok(r.audited.kafka_events_per_composition >= 9, `kafka events ${r.audited.kafka_events_per_composition}`); // at least once
  assert.equal(r.baseline.kafka_events_per_composition, 0);
  positive(r.ratio_audited_to_bare, 'ratio_audited_to_bare');
  positive(r.worker_peak_rss_mb, 'worker_peak_rss_mb');
  for (const phase of ['jwt_verify', 'pdp_decide', 'audit_encode', 'audit_produce']) {
    const call = r.breakdown_ms.audited.per_call[phase];
    assert.ok(call && call.calls_per_transition >= 1 && call.mean_ms >= 0, `${phase}: ${JSON.stringify(call)}`);
  }
  assert.equal(r.breakdown_ms.baseline.per_call.jwt_verify, undefined);
  assert.ok(r.breakdown_ms.audited.per_transition_ms.other! >= 0);
});

test('a tiny append run publishes at each concurrency level and reports rate, ack latency and phases', async () => {
  const r = await runAppendBench({ levels: [1, 4], durationS: 1, warmupS: 0.2 });
  assert.equal(r.benchmark, 'append');
  assert.deepEqual(r.levels.map((l) => l.concurrency), [1, 4]);
  for (const l of r.levels) {
    positive(l.events_per_s, `events_per_s at ${l.concurrency}`);
    assertLatencies(l.ack_latency_ms, l.events, `ack_latency_ms at ${l.concurrency}`);
    assert.ok(l.kafka_messages >= l.events, `${l.kafka_messages} messages for ${l.events} events`);
    positive(l.phase_mean_ms.produce, 'produce');
    assert.ok(l.phase_mean_ms.encode > 0 && l.phase_mean_ms.build_hash > 0);
  }
  assert.ok(r.levels.some((l) => l.concurrency === r.best.concurrency));
  positive(r.best.events_per_s, 'best.events_per_s');
  assert.equal(r.signed, false);
});

test('a tiny signed append run signs every event (the signing-cost variant of npm run bench)', async () => {
  const r = await runAppendBench({ levels: [4], durationS: 1, warmupS: 0.2, signed: true });
  assert.equal(r.signed, true);
  positive(r.best.events_per_s, 'best.events_per_s');
});
