// Replay against the export, per composition: the first difference is named — the event and the
// top-level fields that differ, or the event one side lacks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../../../audit/canonical.js';
import { buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import { firstDifference } from '../../../workers/edge/event-diff.js';

const ID = 'cmp_DIFF0001';
const built = buildVrsExample(ID);
const lines = () => built.map((e) => canonicalJson(e));

test('identical streams: no difference', () => {
  assert.equal(firstDifference(ID, built, lines()), undefined);
});

test('an exported event that differs is named with its differing fields, the hashes last', () => {
  const exported = lines();
  exported[4] = canonicalJson({ ...built[4]!, payload: { ...(built[4]!.payload as object), matches_found: 99 } });
  const d = firstDifference(ID, built, exported)!;
  assert.equal(d.kind, 'event_mismatch');
  assert.equal(d.event_id, 'evt_DIFF0001_005');
  assert.deepEqual(d.fields, ['payload']);
  assert.equal(d.detail, 'payload differs; payload.matches_found: replay builds (absent), events.jsonl has 99');

  exported[4] = canonicalJson({ ...built[4]!, ts_utc: '2030-01-01T00:00:00.000Z', this_hash: 'sha256:x' });
  assert.deepEqual(firstDifference(ID, built, exported)!.fields, ['ts_utc', 'this_hash']);
  assert.equal(firstDifference(ID, built, exported)!.detail, `ts_utc, this_hash differ; ts_utc: replay builds "${built[4]!.ts_utc}", events.jsonl has "2030-01-01T00:00:00.000Z"`);
});

test('an event missing from the export, an extra one, a shorter or longer stream', () => {
  const all = lines();
  assert.deepEqual(firstDifference(ID, built, [...all.slice(0, 3), ...all.slice(4)]), {
    composition_id: ID,
    event_id: 'evt_DIFF0001_004',
    kind: 'missing_event',
    detail: 'replaying the history builds evt_DIFF0001_004 (coordination.psi_round_completed.v1); events.jsonl has evt_DIFF0001_005 in its place',
  });
  assert.equal(firstDifference(ID, built.slice(0, 8), all)!.kind, 'extra_event');
  assert.equal(firstDifference(ID, built.slice(0, 8), all)!.event_id, 'evt_DIFF0001_009');
  assert.equal(firstDifference(ID, built, all.slice(0, 8))!.kind, 'missing_event');
  const extra = canonicalJson({ ...built[1]!, event_id: 'evt_DIFF0001_777' });
  assert.equal(firstDifference(ID, built, [...all.slice(0, 2), extra, ...all.slice(2)])!.kind, 'extra_event');
});
