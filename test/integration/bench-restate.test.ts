// The Restate variant of the lifecycle benchmark (bench/lib/restate-variant.ts) keeps the guarantees it is
// measured with: on a real restate-server, two compositions' nine §7b steps land in the bench topic as
// chained events signed by the emitter key; a step with a bad token is refused and recorded, and moves
// nothing; a lease that runs out is expired; and Restate stores the tokens only sealed. No timing is asserted.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { base64url, decodeJwt } from 'jose';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { EMITTER_KID_HEADER, EMITTER_SIG_HEADER, type EmitterSignature } from '../../audit/emitter-signature.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { verify } from '../../audit/verify.js';
import { benchTopic, prepareBenchTopic } from '../../bench/lib/bench-topic.js';
import { startRestateVariant, stepRequest, type RestateVariant } from '../../bench/lib/restate-variant.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { schemaRegistryEndpoint } from '../../config/endpoints.js';
import { pinnedEmitterKeys } from '../../kafka/emitter-keys.js';
import { readToEnd } from '../../kafka/reader.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { SCHEMA_IDS } from '../../schemas/schema-ids.js';
import { LEDGER_ACTOR } from '../../workflows/ledger-actor.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const topic = benchTopic();
let tokens: VrsTokens;
let variant: RestateVariant | undefined;

before(async () => {
  await stackReady();
  await prepareBenchTopic(topic);
  tokens = await mintVrsTokens();
  variant = await startRestateVariant({ topic, tokens, tag: 'test' });
});

after(async () => {
  await variant?.stop();
});

const restate = () => variant!;

interface TopicRecord {
  event: AuditEvent;
  signature: Partial<EmitterSignature>;
}

/** The bench topic's events of these compositions, in topic order, with the emitter signature of each. */
async function records(compositionIds: readonly string[]): Promise<TopicRecord[]> {
  const wanted = new Set(compositionIds);
  const serializer = new AuditSerializer(schemaRegistryEndpoint().address, topic);
  let found: TopicRecord[] = [];
  await readToEnd(
    topic,
    async (_partition, message) => {
      if (!message.value || !wanted.has(message.key?.toString() ?? '')) return;
      const header = (name: string) => message.headers?.[name]?.toString();
      found.push({ event: await serializer.decode(message.value), signature: { kid: header(EMITTER_KID_HEADER), sig: header(EMITTER_SIG_HEADER) } });
    },
    { restart: () => (found = []) },
  );
  return found;
}

/** The first copy of each event (publishing is at least once). */
const distinct = (rs: TopicRecord[]) => rs.filter((r, i) => rs.findIndex((o) => o.event.event_id === r.event.event_id) === i);

/** A token with the genuine header and signature over claims it never signed (another jti). */
function tampered(genuine: string): string {
  const [header, , signature] = genuine.split('.');
  return `${header}.${base64url.encode(JSON.stringify({ ...decodeJwt(genuine), jti: `forged_${Date.now()}` }))}.${signature}`;
}

test('two compositions through Restate: nine events each in the bench topic, chained, verified and signed by the emitter', async () => {
  const ids = [newCompositionId(), newCompositionId()];
  const latencies: number[] = [];
  await Promise.all(ids.map((id) => restate().driver(id, latencies)));
  assert.equal(latencies.length, 18);

  const found = await records(ids);
  const keyring = pinnedEmitterKeys();
  for (const id of ids) {
    const mine = distinct(found.filter((r) => r.event.composition_id === id));
    assert.deepEqual(
      mine.map((r) => r.event.schema_id),
      vrsScreeningSteps().map((s) => s.schemaId),
      id,
    );
    const result = verify(mine.map((r) => r.event));
    assert.ok(result.ok, JSON.stringify(result.first_break));
    for (const { event, signature } of mine) assert.equal(keyring.check(event.this_hash, signature), null, `${event.event_id} is not signed by a pinned emitter key`);

    // the object's state is where the chain ends
    const view = await restate().compositions.view(id);
    assert.equal(view.state, 'closed');
    assert.equal(view.sequence, 9);
    assert.equal(view.last_hash, result.heads[id]!.this_hash);
  }
  // the audit trail holds claims, never the tokens
  const text = JSON.stringify(found.map((r) => r.event));
  for (const token of Object.values(tokens)) assert.ok(!text.includes(token.split('.')[2]!), 'a token signature is in the audit topic');
});

test('a step with a bad token is refused and recorded as access_denied: no transition event, nothing moves', async () => {
  const id = newCompositionId();
  const [request, claim] = vrsScreeningSteps();
  const opened = await restate().compositions.act(id, 'request', stepRequest(request!, tokens));
  assert.equal(opened.ok, true, JSON.stringify(opened));

  const refused = await restate().compositions.act(id, 'claim', { ...stepRequest(claim!, tokens), token: tampered(tokens.agent) });
  assert.equal(refused.ok, false);
  assert.ok(!refused.ok && refused.code === 'ERR_JWT_SIGNATURE', JSON.stringify(refused));
  assert.equal(refused.state, 'requested');
  const view = await restate().compositions.view(id);
  assert.deepEqual({ state: view.state, lease: view.lease, sequence: view.sequence }, { state: 'requested', lease: null, sequence: 2 });

  const events = distinct(await records([id])).map((r) => r.event);
  assert.deepEqual(
    events.map((e) => e.schema_id),
    [SCHEMA_IDS.requested, SCHEMA_IDS.accessDenied],
  );
  const denied = events[1]!;
  assert.equal(denied.event_id, refused.ok ? undefined : refused.audit_event_id);
  const { attempted_schema_id, reason_code } = denied.payload as { attempted_schema_id?: unknown; reason_code?: unknown };
  assert.deepEqual({ attempted_schema_id, reason_code }, { attempted_schema_id: SCHEMA_IDS.leaseClaimed, reason_code: 'ERR_JWT_SIGNATURE' });
  assert.ok(verify(events).ok);

  // the refusal wedged nothing: the genuine token claims next, chained after the refusal
  const claimed = await restate().compositions.act(id, 'claim', stepRequest(claim!, tokens));
  assert.ok(claimed.ok && claimed.state === 'leased' && claimed.sequence === 3, JSON.stringify(claimed));
});

test('a lease that runs out is expired by the delayed self-call: recorded by the ledger actor, claimable again', async () => {
  const id = newCompositionId();
  const [request, claim] = vrsScreeningSteps();
  assert.equal((await restate().compositions.act(id, 'request', stepRequest(request!, tokens))).ok, true);
  const short = stepRequest(claim!, tokens);
  const claimed = await restate().compositions.act(id, 'claim', { ...short, payload: { ...short.payload, lease_window_seconds: 1 } });
  assert.ok(claimed.ok && claimed.lease !== null, JSON.stringify(claimed));

  const expired = await waitFor(async () => {
    const view = await restate().compositions.view(id);
    return view.sequence === 3 && view;
  }, { what: 'the lease expiry', timeoutMs: 20_000 });
  assert.deepEqual({ state: expired.state, lease: expired.lease }, { state: 'requested', lease: null }); // the lifecycle's rule for an expiry while leased
  const events = distinct(await records([id])).map((r) => r.event);
  assert.deepEqual(
    events.map((e) => e.schema_id),
    [SCHEMA_IDS.requested, SCHEMA_IDS.leaseClaimed, SCHEMA_IDS.leaseExpired],
  );
  assert.equal(events[2]!.actor.id, LEDGER_ACTOR.id);
  assert.ok(verify(events).ok);
  const again = await restate().compositions.act(id, 'claim', short);
  assert.ok(again.ok && again.sequence === 4, JSON.stringify(again));
});

test('Restate stores every journal entry and state value sealed: no token in clear', async () => {
  const query = async (sql: string) => {
    const res = await fetch(`${restate().adminUrl}/query`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: sql }) });
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as { rows: Record<string, unknown>[] }).rows;
  };
  const id = newCompositionId();
  await restate().driver(id, []);
  const journal = await query(`SELECT j.entry_type, j.raw, j.entry_json FROM sys_journal j JOIN sys_invocation i ON j.id = i.id WHERE i.target_service_key = '${id}'`);
  const state = await query(`SELECT value FROM state WHERE service_key = '${id}'`);
  // there is something to search: the nine steps' inputs (each with a token), their steps' results, the object's state
  assert.ok(journal.filter((r) => r.entry_type === 'Command: Input').length >= 9, `${journal.length} journal entries`);
  assert.ok(state.length >= 4, `${state.length} state values`);
  const stored = [...journal.flatMap((r) => [Buffer.from(String(r.raw), 'hex').toString('latin1'), String(r.entry_json)]), ...state.map((r) => Buffer.from(String(r.value), 'hex').toString('latin1'))].join('\n');
  for (const [who, token] of Object.entries(tokens)) {
    const [, claims, signature] = token.split('.');
    assert.ok(!stored.includes(signature!) && !stored.includes(claims!), `${who}'s token is stored in clear`);
  }
  // and the claims a token carries are sealed too (Temporal's codec seals them as well)
  assert.ok(!stored.includes('user_smith@citi.example'), 'a subject is stored in clear');
});
