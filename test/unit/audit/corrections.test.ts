// Corrections (issue 16 item 5): the correction contract, the workflow's target checks (each refusal code) and
// the current view — the latest correction of an event wins, a correction of a correction or of another
// composition's event changes nothing, and the recorded events still verify as a chain.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendToChain, headOf, type EventDraft } from '../../../audit/chain.js';
import { currentView, inView } from '../../../audit/corrections.js';
import { buildVrsExample, HUMAN, VRS_COMPOSITION_ID } from '../../../audit/examples/vrs-screening.js';
import { verifyEntries } from '../../../audit/verify.js';
import { validateEvent, type AuditEvent } from '../../../schemas/catalog.js';
import { checkScopes, checkTransition, INITIAL_SNAPSHOT, type LifecycleSnapshot } from '../../../schemas/lifecycle.js';
import { SCHEMA_IDS } from '../../../schemas/schema-ids.js';
import { checkCorrectionTarget, CORRECTABLE_WINDOW, RecordedEvents } from '../../../workflows/correction-target.js';
import { refusalDraft } from '../../../workflows/refusal.js';
import { CMP_B } from '../../helpers/audit-streams.js';

const AUDITOR_AUTH = {
  jwt_jti: 'jti_auditor_0001',
  subject: HUMAN.id,
  scopes: ['audit_correct'],
  issuer: 'idp.citi.example',
  delegation_chain: [HUMAN.id],
};
const ALLOW = { outcome: 'ALLOW' as const, evaluated_at: '2026-05-01T10:00:00Z', uds_eval_id: 'eval_corr_1' };

/** The §7b example up to the evidence (no close), so corrections are in a live composition. */
function liveExample(): AuditEvent[] {
  return buildVrsExample().slice(0, 8);
}

function correctionDraft(payload: Record<string, unknown>, compositionId = VRS_COMPOSITION_ID): EventDraft {
  return { schema_id: SCHEMA_IDS.correction, composition_id: compositionId, ts_utc: '2026-05-01T10:00:00Z', actor: HUMAN, auth: AUDITOR_AUTH, payload, abac_decision: ALLOW } as EventDraft;
}

function append(events: AuditEvent[], draft: EventDraft): AuditEvent {
  const { event } = appendToChain(headOf(events), draft);
  events.push(event);
  return event;
}

function recordOf(events: readonly AuditEvent[]): RecordedEvents {
  const recorded = new RecordedEvents();
  events.forEach((e, i) => recorded.note(i + 1, e.schema_id, e.this_hash));
  return recorded;
}

const lensRunCompleted = (events: readonly AuditEvent[]) => events.find((e) => e.schema_id === SCHEMA_IDS.lensRunCompleted)!;

test('the correction contract: a valid correction passes; missing reason, a bad hash, an empty or oversized `corrected` are refused with the field path', () => {
  const events = liveExample();
  const target = lensRunCompleted(events);
  const valid = { supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'match count was miscounted', corrected: { match_count: 3 } };
  const event = append([...events], correctionDraft(valid));
  assert.deepEqual(validateEvent(event), { ok: true, event });
  const cases: [Record<string, unknown>, string][] = [
    [{ ...valid, reason: undefined }, 'payload.reason'],
    [{ ...valid, reason: '   ' }, 'payload.reason'],
    [{ ...valid, supersedes_hash: 'sha256:abc' }, 'payload.supersedes_hash'],
    [{ ...valid, supersedes: 'not-an-event' }, 'payload.supersedes'],
    [{ ...valid, corrected: {} }, 'payload.corrected'],
    [{ ...valid, corrected: { note: 'x'.repeat(9000) } }, 'payload.corrected'],
    [{ ...valid, extra: 1 }, 'payload'],
  ];
  for (const [payload, path] of cases) {
    const result = validateEvent(append([...events], correctionDraft(payload)));
    assert.equal(result.ok, false, JSON.stringify(payload).slice(0, 80));
    if (!result.ok) assert.equal(result.path, path);
  }
});

test('registry metadata and lifecycle: humans only, scope audit_correct, live states keep their state, ended ones refuse', () => {
  assert.deepEqual(checkScopes(SCHEMA_IDS.correction, ['edition_attest']), { ok: false, code: 'ERR_SCOPE_MISSING', message: 'coordination.correction.v1 requires scope(s) audit_correct' });
  assert.deepEqual(checkScopes(SCHEMA_IDS.correction, ['audit_correct']), { ok: true, value: true });
  const inProgress: LifecycleSnapshot = { state: 'in_progress', lease: { holder: 'agent_x', issuer: 'i', claimed_at: '2026-05-01T09:00:00Z', lease_expires_at: '2026-05-01T11:00:00Z', lease_window_seconds: 7200 } as never };
  const agent = checkTransition(inProgress, SCHEMA_IDS.correction, { type: 'agent', id: 'agent_x' });
  assert.equal(agent.ok ? 'ok' : agent.code, 'ERR_ACTOR_TYPE_NOT_ALLOWED');
  const human = checkTransition(inProgress, SCHEMA_IDS.correction, { type: 'human', id: HUMAN.id });
  assert.ok(human.ok && human.value.to === 'same' && human.value.lease === undefined, 'no lease guard, no state change');
  for (const state of ['closed', 'cancelled'] as const) {
    const ended = checkTransition({ state, lease: null }, SCHEMA_IDS.correction, { type: 'human', id: HUMAN.id });
    assert.equal(ended.ok ? 'ok' : ended.code, 'ERR_WRONG_STATE', state);
  }
  const before = checkTransition(INITIAL_SNAPSHOT, SCHEMA_IDS.correction, { type: 'human', id: HUMAN.id });
  assert.equal(before.ok ? 'ok' : before.code, 'ERR_WRONG_STATE');
});

test('target checks: each refusal has its own code', () => {
  const events = liveExample();
  const target = lensRunCompleted(events);
  const first = append(events, correctionDraft({ supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'recount', corrected: { match_count: 3 } }));
  const denied = append(events, refusalDraft({ compositionId: VRS_COMPOSITION_ID, ts: '2026-05-01T10:01:00Z', attemptedSchemaId: SCHEMA_IDS.closed, code: 'ERR_SCOPE_MISSING', message: 'no scope', state: 'evidence' }));
  const facts = { compositionId: VRS_COMPOSITION_ID, lastSequence: events.length, recorded: recordOf(events) };
  const codeOf = (payload: Record<string, unknown>) => {
    const check = checkCorrectionTarget(facts, { reason: 'why', corrected: { match_count: 4 }, ...payload });
    return check.ok ? 'ok' : check.code;
  };
  assert.equal(codeOf({ supersedes: target.event_id, supersedes_hash: target.this_hash }), 'ok', 'a second correction of the original is allowed');
  assert.equal(codeOf({ supersedes: 'evt_01J0000000000000000000000B_005', supersedes_hash: target.this_hash }), 'ERR_CORRECTION_TARGET_FOREIGN');
  assert.equal(codeOf({ supersedes: `evt_${VRS_COMPOSITION_ID.slice(4)}_099`, supersedes_hash: target.this_hash }), 'ERR_CORRECTION_TARGET_UNKNOWN');
  assert.equal(codeOf({ supersedes: first.event_id, supersedes_hash: first.this_hash, corrected: { reason: 'x' } }), 'ERR_CORRECTION_OF_CORRECTION');
  assert.equal(codeOf({ supersedes: denied.event_id, supersedes_hash: denied.this_hash, corrected: { reason: 'x' } }), 'ERR_CORRECTION_TARGET_INVALID');
  assert.equal(codeOf({ supersedes: target.event_id, supersedes_hash: events[0]!.this_hash }), 'ERR_CORRECTION_HASH_MISMATCH');
  // the corrected fields must fit the superseded event: its own caller-supplied fields, each valid
  const fields = (corrected: Record<string, unknown>) => checkCorrectionTarget(facts, { supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'why', corrected });
  assert.deepEqual(fields({ colour: 'red' }), { ok: false, code: 'ERR_INVALID_PAYLOAD', message: 'payload.corrected.colour: not a payload field of coordination.lens_run_completed.v1' });
  assert.deepEqual(fields({ completed_at: '2026-05-01T00:00:00Z' }), { ok: false, code: 'ERR_INVALID_PAYLOAD', message: 'payload.corrected.completed_at: set by the ledger, not corrected by a caller' });
  const negative = fields({ match_count: -1 });
  assert.ok(!negative.ok && negative.code === 'ERR_INVALID_PAYLOAD' && negative.message.startsWith('payload.corrected.match_count:'), JSON.stringify(negative));
  const malformed = checkCorrectionTarget(facts, { supersedes: target.event_id, reason: 'why', corrected: { match_count: 1 } });
  assert.ok(!malformed.ok && malformed.code === 'ERR_INVALID_PAYLOAD' && malformed.message.startsWith('payload.supersedes_hash:'), JSON.stringify(malformed));
});

test('a run carried without the record (before corrections) knows no target; the record is bounded and survives carrying', () => {
  const events = liveExample();
  const target = lensRunCompleted(events);
  const payload = { supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'why', corrected: { match_count: 1 } };
  const carriedBefore = checkCorrectionTarget({ compositionId: VRS_COMPOSITION_ID, lastSequence: events.length, recorded: new RecordedEvents() }, payload);
  assert.equal(carriedBefore.ok ? 'ok' : carriedBefore.code, 'ERR_CORRECTION_TARGET_UNKNOWN');
  const carried = new RecordedEvents(recordOf(events).entries());
  assert.deepEqual(checkCorrectionTarget({ compositionId: VRS_COMPOSITION_ID, lastSequence: events.length, recorded: carried }, payload), { ok: true, value: true });
  const big = new RecordedEvents();
  for (let s = 1; s <= CORRECTABLE_WINDOW + 5; s++) big.note(s, SCHEMA_IDS.lensRunCompleted, target.this_hash);
  assert.equal(big.entries().length, CORRECTABLE_WINDOW);
  assert.equal(big.get(5), undefined, 'the oldest fall out of the window');
  assert.ok(big.get(CORRECTABLE_WINDOW + 5));
});

test('currentView: the latest of two corrections wins, fields it does not name stay, corrections stay listed; historical is as recorded', () => {
  const events = liveExample();
  const target = lensRunCompleted(events);
  const original = structuredClone(target.payload) as Record<string, unknown>;
  const first = append(events, correctionDraft({ supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'first recount', corrected: { match_count: 3 } }));
  const second = append(events, correctionDraft({ supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'second recount', corrected: { match_count: 4 } }));
  const view = currentView(events);
  assert.equal(view.length, events.length, 'nothing is dropped');
  const corrected = view.find((e) => e.event_id === target.event_id)!;
  assert.deepEqual(corrected.payload, { ...original, match_count: 4 });
  assert.equal(corrected.superseded_by, second.event_id);
  assert.equal(corrected.correction_reason, 'second recount');
  assert.ok(view.some((e) => e.event_id === first.event_id) && view.some((e) => e.event_id === second.event_id));
  assert.equal(view.filter((e) => e.superseded_by).length, 1, 'only the corrected event is annotated');
  // given out of order, the higher sequence still wins; the input is never changed
  assert.equal(currentView([target], [second, first])[0]!.superseded_by, second.event_id);
  assert.deepEqual(target.payload, original);
  assert.deepEqual(inView('historical', events), events);
  // the recorded events (corrections included) verify as one chain
  const verified = verifyEntries(events.map((value, index) => ({ index, value })));
  assert.equal(verified.ok, true, JSON.stringify(verified.first_break));
});

test('currentView ignores a correction of a correction, of another composition, or naming another hash', () => {
  const events = liveExample();
  const target = lensRunCompleted(events);
  const first = append(events, correctionDraft({ supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'recount', corrected: { match_count: 3 } }));
  // recorded here only to prove the reader checks too: the workflow refuses these before recording
  append(events, correctionDraft({ supersedes: first.event_id, supersedes_hash: first.this_hash, reason: 'of a correction', corrected: { reason: 'rewritten' } }));
  const foreign = appendToChain(headOf([]), correctionDraft({ supersedes: target.event_id, supersedes_hash: target.this_hash, reason: 'from elsewhere', corrected: { match_count: 99 } }, CMP_B)).event;
  const view = currentView(events, [...events, foreign]);
  assert.equal(view.find((e) => e.event_id === first.event_id)!.superseded_by, undefined, 'a correction is never corrected');
  assert.equal((view.find((e) => e.event_id === target.event_id)!.payload as { match_count: number }).match_count, 3, 'the foreign correction does not apply');
  const wrongHash = append([...liveExample()], correctionDraft({ supersedes: target.event_id, supersedes_hash: events[0]!.this_hash, reason: 'wrong hash', corrected: { match_count: 7 } }));
  assert.equal(currentView([target], [wrongHash])[0]!.superseded_by, undefined);
});
