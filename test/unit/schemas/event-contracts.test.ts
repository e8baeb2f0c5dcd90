// The event contracts: unknown schema ids and malformed events are refused with the field path; metadata is complete.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildVrsExample } from '../../../audit/examples/vrs-screening.js';
import { EVENT_DEFINITIONS, validateEvent } from '../../../schemas/catalog.js';
import { SCHEMA_IDS, SCHEMA_ID_PATTERN } from '../../../schemas/schema-ids.js';
import { clone } from '../../helpers/audit-streams.js';

const [requested, claimed] = buildVrsExample();

test('every lifecycle event has a contract, named namespace.entity.vN, with scopes, actor types and a description', () => {
  assert.deepEqual(EVENT_DEFINITIONS.map((d) => d.schemaId).sort(), Object.values(SCHEMA_IDS).sort());
  for (const d of EVENT_DEFINITIONS) {
    assert.match(d.schemaId, SCHEMA_ID_PATTERN);
    assert.ok(d.description.length > 20, d.schemaId);
    assert.ok(d.actorTypes.length > 0, d.schemaId);
    assert.ok(d.authority !== 'caller' || d.requiredScopes.length > 0, `${d.schemaId} needs scopes`);
  }
});

test('an unknown schema_id is refused as unknown_schema', () => {
  assert.deepEqual(validateEvent({ ...requested, schema_id: 'composition.requested.v9' }), {
    ok: false,
    kind: 'unknown_schema',
    path: 'schema_id',
    message: 'unknown schema_id "composition.requested.v9"',
  });
});

// Edits reach into arbitrary nested fields: a loose type is the honest one here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

test('invalid events are refused with the path of the offending field', () => {
  const cases: [string, (e: Loose) => void, string][] = [
    ['payload.lease_window_seconds', (e) => (e.payload.lease_window_seconds = 'long'), 'expected number'],
    ['actor.type', (e) => (e.actor.type = 'robot'), 'Invalid option'],
    ['agent', (e) => delete e.agent, 'required when actor.type is "agent"'],
    ['auth.scopes', (e) => (e.auth.scopes = 'lease_claim'), 'expected array'],
    ['this_hash', (e) => (e.this_hash = 'sha256:9c2a8b...e4f1'), 'sha256'],
    ['payload.unexpected', (e) => (e.payload.unexpected = 1), 'Unrecognized key'],
    ['abac_decision.outcome', (e) => (e.abac_decision.outcome = 'DENY'), 'expected "ALLOW"'],
    ['ts_utc', (e) => (e.ts_utc = '30/04/2026'), 'Invalid ISO datetime'],
  ];
  for (const [path, edit, message] of cases) {
    const event = clone(claimed) as Loose;
    edit(event);
    const result = validateEvent(event);
    assert.equal(result.ok, false, path);
    if (!result.ok) {
      assert.equal(result.kind, 'invalid_event', path);
      assert.equal(result.path, path.endsWith('unexpected') ? 'payload' : path);
      assert.match(result.message, new RegExp(message), path);
    }
  }
});

test('a human event may not carry agent provenance', () => {
  const result = validateEvent({ ...requested, agent: claimed!.agent });
  assert.deepEqual(result.ok ? undefined : [result.path, result.message], ['agent', 'not allowed when actor.type is "human"']);
});

test('a refusal may come from an unverified token: access_denied with null auth and decision is valid', () => {
  const denied = {
    ...requested,
    schema_id: 'coordination.access_denied.v1',
    actor: { type: 'service', id: 'coordination-ledger', version: '0.1.0' },
    auth: null,
    abac_decision: null,
    payload: { attempted_schema_id: 'coordination.lease_claimed.v1', reason_code: 'ERR_JWT_EXPIRED', reason: 'token expired', state: 'requested', unverified: { issuer: 'http://127.0.0.1:9403' } },
  };
  assert.equal(validateEvent(denied).ok, true);
  assert.equal(validateEvent({ ...denied, schema_id: 'coordination.lease_claimed.v1' }).ok, false, 'a domain event needs auth');
});
