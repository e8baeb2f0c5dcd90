// workflows/adoption.ts, atPublishedTime: replay takes the published event's time when, and only when, the event
// rebuilt at that time hashes to what was published.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendToChain, EMPTY_CHAIN, type EventDraft } from '../../audit/chain.js';
import { buildVrsExample } from '../../audit/examples/vrs-screening.js';
import type { AuditAck } from '../../activities/index.js';
import { atPublishedTime } from '../../workflows/adoption.js';

const [opening] = buildVrsExample();
const { event_id: _i, causal_predecessor: _c, prev_hash: _p, this_hash: _h, ...fields } = opening!;
const draftAt = (ts: string): EventDraft => ({ ...(fields as EventDraft), ts_utc: ts });
const at = (ts: string) => appendToChain(EMPTY_CHAIN, draftAt(ts)).event;
const ackOf = (e: ReturnType<typeof at>, ts_utc?: string): AuditAck => ({ topic: 't', partition: 0, offset: '1', event_id: e.event_id, this_hash: e.this_hash, ...(ts_utc ? { ts_utc } : {}) });

test('an event published at another clock than this run has is rebuilt at the published time', () => {
  const published = at('2026-12-06T13:18:35.759Z');
  const built = at('2026-12-06T13:18:36.669Z');
  assert.notEqual(published.this_hash, built.this_hash);
  assert.deepEqual(atPublishedTime(ackOf(published, published.ts_utc), built, at), published);
});

test('nothing is taken when the clocks agree, when the ack has no time (older histories), or when the rebuilt event hashes otherwise', () => {
  const published = at('2026-12-06T13:18:35.759Z');
  assert.equal(atPublishedTime(ackOf(published, published.ts_utc), published, at), undefined);
  const built = at('2026-12-06T13:18:36.669Z');
  assert.equal(atPublishedTime(ackOf(published), built, at), undefined);
  // an edited input: the rebuilt event differs in more than its time, and replay must say so
  const edited = (ts: string) => appendToChain(EMPTY_CHAIN, { ...draftAt(ts), payload: { ...(fields.payload as object), lens_version: '9.9.9' } } as EventDraft).event;
  assert.equal(atPublishedTime(ackOf(published, published.ts_utc), edited('2026-12-06T13:18:36.669Z'), edited), undefined);
});
