// Histories as an export holds them: payloads decoded through the codec (no key needed offline), bearer
// tokens redacted wherever they sit — including the bare token the verifying activity receives — and the
// proto3 JSON form round-trips; a payload left encrypted is refused, and the caller's history is untouched.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { exportableHistory, historyFromJson, historyToJson, type History } from '../../../audit/bundle/history-json.js';
import { REDACTED, redactTokens } from '../../../audit/redact-tokens.js';
import { EncryptionCodec } from '../../../client/payload-codec.js';

const codec = new EncryptionCodec({ current: 'k1', keys: new Map([['k1', randomBytes(32)]]) });
// JWT-shaped (three base64url parts) but signed by nobody: built here, so no token text sits in the repository
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const JWT = [b64({ alg: 'EdDSA' }), b64({ sub: 'user_smith' }), b64('signature-bytes')].join('.');
const json = (value: unknown): Payload => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
const valueOf = (p: { data?: string }) => JSON.parse(Buffer.from(p.data ?? '', 'base64').toString('utf8')) as unknown;

async function encryptedHistory(): Promise<History> {
  const [input, update, activityInput, result] = await codec.encode([
    json({ compositionId: 'cmp_X', compositionType: 'vrs_screening' }),
    json({ token: JWT, payload: { lens_id: 'vrs', note: 'token' }, participantTokens: { node_a: JWT, node_b: JWT } }),
    json(JWT),
    json({ actor: { type: 'human', id: 'user_smith@citi.example', version: null } }),
  ]);
  const T = proto.temporal.api.enums.v1.EventType;
  return proto.temporal.api.history.v1.History.fromObject({
    events: [
      { eventId: 1, eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, workflowExecutionStartedEventAttributes: { workflowType: { name: 'compositionWorkflow' }, input: { payloads: [input!] } } },
      {
        eventId: 2,
        eventType: T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
        workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name: 'request', args: { payloads: [update!] } } } },
      },
      { eventId: 3, eventType: T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, activityTaskScheduledEventAttributes: { activityId: '1', activityType: { name: 'verifyToken' }, input: { payloads: [activityInput!] } } },
      { eventId: 4, eventType: T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, activityTaskCompletedEventAttributes: { scheduledEventId: 3, result: { payloads: [result!] } } },
    ],
  });
}

test('redaction: by key (token, participant tokens) and by shape (a bare JWT anywhere); other strings stay', () => {
  assert.deepEqual(redactTokens({ token: 'opaque', args: [JWT, 'eyJ-not-a-jwt'], participantTokens: { node_a: 'x', node_b: JWT }, agent: { node_a: 'kept' } }), {
    token: REDACTED,
    args: [REDACTED, 'eyJ-not-a-jwt'],
    participantTokens: { node_a: REDACTED, node_b: REDACTED },
    agent: { node_a: 'kept' },
  });
  assert.equal(redactTokens(JWT), REDACTED);
});

test('an exported history has its payloads decoded and every token redacted; nothing else changes', async () => {
  const history = await encryptedHistory();
  const before = JSON.stringify(historyToJson(history));
  const exported = await exportableHistory(history, codec);
  assert.equal(JSON.stringify(historyToJson(history)), before, 'the input is not modified');

  const text = JSON.stringify(exported);
  assert.ok(!text.includes(Buffer.from(JWT).toString('base64').slice(0, 40)), 'no token, even base64-encoded');
  assert.doesNotMatch(text, /YmluYXJ5L2VuY3J5cHRlZA/, 'no binary/encrypted payload left');
  const [started, accepted, scheduled, completed] = exported.events as Record<string, Record<string, never>>[];
  assert.equal(started!.eventId, '1', 'proto3 JSON: int64 as a string');
  assert.equal(started!.eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
  assert.deepEqual(valueOf(started!.workflowExecutionStartedEventAttributes!['input']!['payloads']![0]!), { compositionId: 'cmp_X', compositionType: 'vrs_screening' });
  assert.deepEqual(valueOf(accepted!.workflowExecutionUpdateAcceptedEventAttributes!['acceptedRequest']!['input']!['args']!['payloads']![0]!), {
    token: REDACTED,
    payload: { lens_id: 'vrs', note: 'token' },
    participantTokens: { node_a: REDACTED, node_b: REDACTED },
  });
  assert.equal(valueOf(scheduled!.activityTaskScheduledEventAttributes!['input']!['payloads']![0]!), REDACTED);
  assert.deepEqual(valueOf(completed!.activityTaskCompletedEventAttributes!['result']!['payloads']![0]!), { actor: { type: 'human', id: 'user_smith@citi.example', version: null } });
});

test('payloads holding no token keep their exact bytes', async () => {
  const history = await encryptedHistory();
  const [plain] = await codec.decode([history.events![3]!.activityTaskCompletedEventAttributes!.result!.payloads![0]!]);
  const exported = await exportableHistory(history, codec);
  const kept = (exported.events[3] as { activityTaskCompletedEventAttributes: { result: { payloads: { data: string }[] } } }).activityTaskCompletedEventAttributes.result.payloads[0]!;
  assert.equal(kept.data, Buffer.from(plain!.data!).toString('base64'));
});

test('the JSON form round-trips, and an exported history is accepted again as input', async () => {
  const exported = await exportableHistory(await encryptedHistory(), codec);
  assert.deepEqual(historyToJson(historyFromJson(exported)), exported);
  assert.deepEqual(await exportableHistory(exported), exported);
  assert.throws(() => historyFromJson({ nope: true }), /an object with an array of events/);
});

test('a payload still encrypted (no codec given) is refused: an export must need no key', async () => {
  await assert.rejects(exportableHistory(await encryptedHistory()), /still encrypted \(binary\/encrypted\): pass the payload codec/);
});
