// The seed's §7b worked example, built by the project's code, satisfies the §7b.7 replay assertions (9 events).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildVrsExample, SEED_ISSUERS, VRS_COMPOSITION_ID } from '../../../audit/examples/vrs-screening.js';
import { vrsAssertions } from '../../../audit/invariants.js';
import { verify } from '../../../audit/verify.js';
import { replayState } from '../../../schemas/replay-state.js';
import { validateEvent } from '../../../schemas/catalog.js';

const events = buildVrsExample();

test('§7b.7: every assertion holds for the example', () => {
  const results = vrsAssertions(events, { firmIssuer: SEED_ISSUERS.firm, partnerIssuer: SEED_ISSUERS.partner });
  for (const r of results) assert.ok(r.ok, `${r.name}: ${r.detail}`);
  assert.equal(results.length, 9);
});

test('§7b.7 spelled out: verify, replay, 9 events, first requested, last closed, privacy, federation, ABAC', () => {
  assert.equal(verify(events).ok, true);
  assert.equal(events.length, 9);
  assert.equal(events[0]!.schema_id, 'composition.requested.v1');
  assert.equal(events.at(-1)!.schema_id, 'composition.closed.v1');
  const replay = replayState(events);
  assert.equal(replay.valid && replay.state, 'closed');
  const psi = events.find((e) => e.schema_id === 'coordination.psi_round_completed.v1')!;
  assert.equal((psi.payload as { raw_records_transmitted: number }).raw_records_transmitted, 0);
  assert.ok(events.filter((e) => e.actor.type === 'human').every((e) => e.auth?.issuer === 'idp.citi.example'));
  assert.equal((psi.payload as { node_a_issuer: string }).node_a_issuer, 'idp.vrs.example');
  assert.equal((psi.payload as { node_b_issuer: string }).node_b_issuer, 'idp.citi.example');
  assert.ok(events.every((e) => e.abac_decision?.outcome === 'ALLOW'));
});

test('ids, links and hashes follow the seed: evt_<cmp>_001 … _009, each linked to its predecessor', () => {
  events.forEach((e, i) => {
    assert.equal(e.event_id, `evt_01HZQ4XY2N7K8R3V5W6P9T2QSL_${String(i + 1).padStart(3, '0')}`);
    assert.equal(e.composition_id, VRS_COMPOSITION_ID);
    assert.equal(e.causal_predecessor, i === 0 ? null : events[i - 1]!.event_id);
    assert.equal(e.prev_hash, i === 0 ? null : events[i - 1]!.this_hash);
    assert.match(e.this_hash, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(validateEvent(e), { ok: true, event: e });
  });
});

test('the example is deterministic: built twice, byte-identical', () => {
  assert.equal(JSON.stringify(buildVrsExample()), JSON.stringify(events));
});

test('a failing assertion is reported, not hidden: the privacy invariant broken', () => {
  const leaky = structuredClone(events);
  (leaky[3]!.payload as { raw_records_transmitted: number }).raw_records_transmitted = 12;
  const results = vrsAssertions(leaky, { firmIssuer: SEED_ISSUERS.firm, partnerIssuer: SEED_ISSUERS.partner });
  assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.name), ['chain integrity', 'privacy: raw_records_transmitted == 0']);
});
