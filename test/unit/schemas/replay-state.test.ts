// replayState: the declared lifecycle replayed over events — final state, or the first invalid step and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AGENT, buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import type { AuditEvent } from '../../../schemas/catalog.js';
import { replayState } from '../../../schemas/replay-state.js';
import { lifecycleMermaid } from '../../../schemas/mermaid.js';
import { STATES } from '../../../schemas/lifecycle.js';
import { clone } from '../../helpers/audit-streams.js';

const example = buildVrsExample();

function invalidOf(events: AuditEvent[]) {
  const result = replayState(events);
  assert.equal(result.valid, false, 'expected an invalid step');
  return result.valid ? undefined : result.invalid;
}

test('the example replays to "closed" with the lease released', () => {
  const result = replayState(example);
  assert.deepEqual(result, { valid: true, state: 'closed', lease: null, events: 9 });
});

test('each prefix stops in the state the sequence declares', () => {
  const states = example.map((_, i) => replayState(example.slice(0, i + 1)).state);
  assert.deepEqual(states, ['requested', 'leased', 'in_progress', 'in_progress', 'in_progress', 'evidence', 'evidence', 'evidence', 'closed']);
});

test('an agent may never close a composition, even holding the scope (Invariant 6)', () => {
  const events = clone(example);
  const close = events[8]!;
  close.actor = AGENT;
  close.agent = clone(example[1]!.agent!);
  const invalid = invalidOf(events);
  assert.deepEqual(
    { index: invalid!.index, code: invalid!.code, schema_id: invalid!.schema_id },
    { index: 8, code: 'ERR_ACTOR_TYPE_NOT_ALLOWED', schema_id: 'composition.closed.v1' },
  );
  assert.match(invalid!.message, /may be emitted by human, not by agent/);
});

test('wrong source state: evidence before any work', () => {
  const events = [example[0]!, example[1]!, example[5]!];
  const invalid = invalidOf(events);
  assert.equal(invalid!.code, 'ERR_WRONG_STATE');
  assert.equal(invalid!.index, 2);
  assert.match(invalid!.message, /not allowed in state "leased"/);
});

test('missing scope: a claim whose token lacks lease_claim', () => {
  const events = clone(example.slice(0, 2));
  events[1]!.auth!.scopes = ['fusion_operator'];
  const invalid = invalidOf(events);
  assert.deepEqual([invalid!.index, invalid!.code], [1, 'ERR_SCOPE_MISSING']);
  assert.match(invalid!.message, /requires scope\(s\) lease_claim/);
});

test('a second claim while leased is refused (lease held)', () => {
  const second = clone(example[1]!);
  const invalid = invalidOf([example[0]!, example[1]!, second]);
  assert.deepEqual([invalid!.index, invalid!.code], [2, 'ERR_LEASE_HELD']);
});

test('only the lease holder may release it', () => {
  const events = clone(example.slice(0, 8));
  events[7]!.actor = { ...AGENT, id: 'agent_other_02' };
  const invalid = invalidOf(events);
  assert.deepEqual([invalid!.index, invalid!.code], [7, 'ERR_NOT_LEASE_HOLDER']);
});

test('a domain event recorded with a DENY decision is not a valid step', () => {
  const events = clone(example.slice(0, 3));
  events[2]!.abac_decision = { ...events[2]!.abac_decision!, outcome: 'DENY' };
  assert.equal(invalidOf(events)!.code, 'ERR_ABAC_DENY');
});

test('the first event must open the composition', () => {
  const invalid = invalidOf(example.slice(1));
  assert.deepEqual([invalid!.index, invalid!.code], [0, 'ERR_WRONG_STATE']);
});

test('the Mermaid diagram is drawn from the transitions: every state, the human-only close, the refusal note', () => {
  const diagram = lifecycleMermaid();
  assert.match(diagram, /^stateDiagram-v2/);
  for (const state of STATES) assert.match(diagram, new RegExp(`state "${state}" as ${state}`));
  assert.match(diagram, /evidence --> closed: composition\.closed\.v1 \(human only\)/);
  assert.match(diagram, /\[\*\] --> requested: composition\.requested\.v1/);
  assert.match(diagram, /coordination\.access_denied\.v1 and changes no state/);
});
