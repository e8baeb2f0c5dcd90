// The self-audit against the real Temporal and Kafka: a VRS composition driven over HTTP, then the ledger
// held back (an injected mismatch), forged, and caught up. Also the ledger process end to end: its
// /status and /metrics, and the gateway's GET /audit/events with the audit_read scope.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { pinnedEmitterKeys } from '../../kafka/emitter-keys.js';
import { Ingestor, type TopicMessage } from '../../ledger/ingest.js';
import { SelfAudit, type SelfAuditReport } from '../../ledger/self-audit.js';
import { ingestToEnd } from '../../ledger/status.js';
import { type LedgerStore } from '../../ledger/store.js';
import { withLedgerStore } from '../../ledger/open-store.js';
import { withTemporal } from '../../ledger/temporal-client.js';
import { WireDecoder } from '../../ledger/wire.js';
import { TemporalWorkflowHeads } from '../../ledger/workflow-heads.js';
import { AuditSerializer } from '../../audit/serializer.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { schemaRegistryEndpoint } from '../../config/endpoints.js';
import { mintToken } from '../../infra/idp/client.js';
import { Services } from '../../workers/services.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import { rehash } from '../helpers/audit-streams.js';
import { rawMessages, scratchLedgerUrl, scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

let services: Services;
let http: GatewayHttp;
let tokens: VrsTokens;
let topic: string;
let taskQueue: string;
let ledgerStatusUrl: string;
let compositionId: string;

before(async () => {
  await stackReady();
  topic = await scratchTopic('self-audit');
  taskQueue = `it-self-audit-${randomUUID().slice(0, 8)}`;
  services = await Services.start({
    taskQueue,
    tag: 'test-self-audit',
    ledger: true,
    env: { COORD_AUDIT_TOPIC: topic, COORD_LEDGER_URL: scratchLedgerUrl(), COORD_SELF_AUDIT_INTERVAL: '1', COORD_SELF_AUDIT_LAG_WINDOW: '60' },
  });
  ledgerStatusUrl = `http://${services.env.COORD_LEDGER_METRICS_ADDRESS}`;
  http = new GatewayHttp(services.gatewayUrl);
  tokens = await mintVrsTokens();
  compositionId = newCompositionId();
  const steps = await runVrsScreening(http, tokens, compositionId);
  assert.ok(steps.every((s) => s.status < 300), JSON.stringify(steps.find((s) => s.status >= 300)));
});
after(async () => services?.stop());

test('the ledger process ingests the composition and its self-audit reports delta 0 (status and metrics)', async () => {
  const report = await waitFor(
    async () => {
      const r = (await (await fetch(`${ledgerStatusUrl}/status`)).json()) as SelfAuditReport | null;
      return r && r.matched >= 1 && r.delta === 0 ? r : undefined;
    },
    { what: 'a self-audit pass that matched the composition', timeoutMs: 60_000 },
  );
  assert.equal(report.alarm, false);
  const metrics = await (await fetch(`${ledgerStatusUrl}/metrics`)).text();
  assert.match(metrics, /^coordination_ledger_self_audit_delta 0$/m);
  assert.match(metrics, /^coordination_ledger_events_ingested_total 9$/m);
  assert.match(metrics, /^coordination_ledger_self_audit_alarm 0$/m);
});

test('GET /audit/events pages through the composition with the audit_read scope, and refuses without it', async () => {
  const auditor = await mintToken('firm', { sub: 'auditor@citi.example', actor_type: 'human', scope: ['audit_read'] });
  const pages: AuditEvent[][] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: { events: AuditEvent[]; next_cursor: string | null } } = await http.request('GET', `/audit/events?composition_id=${compositionId}&limit=4${cursor ? `&cursor=${cursor}` : ''}`, { token: auditor });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    pages.push(res.body.events);
    cursor = res.body.next_cursor;
  } while (cursor);
  assert.deepEqual(pages.map((p) => p.length), [4, 4, 1]);
  assert.deepEqual(pages.flat().map((e) => Number(e.event_id.slice(-3))), [1, 2, 3, 4, 5, 6, 7, 8, 9]);

  const humans = await http.request<{ events: AuditEvent[] }>('GET', `/audit/events?composition_id=${compositionId}&actor_type=human`, { token: auditor });
  assert.ok(humans.body.events.length >= 2 && humans.body.events.every((e) => e.actor.type === 'human'));

  const noScope = await http.request<{ error: { code: string } }>('GET', '/audit/events', { token: tokens.human });
  assert.equal(noScope.status, 403);
  assert.equal(noScope.body.error.code, 'ERR_SCOPE_MISSING');
  // the ABAC decision: a federation partner's auditor and an agent hold the scope and are still denied
  const partner = await mintToken('partner', { sub: 'auditor@partner.example', actor_type: 'human', scope: ['audit_read'] });
  const agent = await mintToken('internal', { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], actor_type: 'agent', scope: ['audit_read'], claims: { client_id: 'agent_vrs_screener_02', software_version: '1.4.2' } });
  for (const token of [partner, agent]) {
    const denied = await http.request<{ error: { code: string; message: string } }>('GET', `/audit/events?composition_id=${compositionId}`, { token });
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    assert.equal(denied.body.error.code, 'ERR_ABAC_DENY');
    assert.match(denied.body.error.message, /UDS denied read_events on the audit ledger \(evaluation [0-9A-Z]{26}\)/);
  }
  const quarantine = await http.request<{ entries: unknown[] }>('GET', '/audit/quarantine', { token: auditor });
  assert.equal(quarantine.status, 200, JSON.stringify(quarantine.body));
  const partnerQuarantine = await http.request<{ error: { code: string } }>('GET', '/audit/quarantine', { token: partner });
  assert.equal(partnerQuarantine.body.error.code, 'ERR_ABAC_DENY');

  const noToken = await http.request<{ error: { code: string } }>('GET', '/audit/events');
  assert.equal(noToken.status, 401);
  const bad = await http.request<{ error: { code: string; path: string } }>('GET', '/audit/events?actor_type=robot', { token: auditor });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.path, 'query.actor_type');
  const badCursor = await http.request<{ error: { path: string } }>('GET', '/audit/events?cursor=bm9wZQ', { token: auditor });
  assert.equal(badCursor.body.error.path, 'query.cursor');

  // each read is logged with its reader and query; a token pasted into the query is refused and not logged
  const pasted = await http.request<{ error: { path: string } }>('GET', `/audit/events?access_token=${auditor}`, { token: auditor });
  assert.equal(pasted.status, 400);
  const log = readFileSync(services.gateway.log, 'utf8');
  assert.match(log, /"reader":"auditor@partner\.example".*"code":"ERR_ABAC_DENY"/);
  assert.match(log, /"reader":"auditor@citi\.example".*"action":"read_events".*"uds_eval_id":"[0-9A-Z]{26}".*"msg":"audit ledger read"/);
  assert.ok(!log.includes(auditor.split('.')[2]!), 'no token (signature) in the gateway log');
});

test('the self-audit flags a ledger held back, raises the alarm after the lag window, and clears once it catches up', () =>
  withScratchLedger(async (temporal, store) => {
    let clock = Date.now();
    const audit = new SelfAudit({ store, workflows: new TemporalWorkflowHeads(temporal, taskQueue), lagWindowSeconds: 60, now: () => clock });
    const messages = await rawMessages(topic);
    const ours = messages.filter((m) => decodeId(m) === compositionId);
    const withheld = new Set(ours.slice(-2)); // the injected mismatch: the ledger never got the last two
    await new Ingestor(store, new WireDecoder(schemaRegistryEndpoint().address), pinnedEmitterKeys()).ingest(messages.filter((m) => !withheld.has(m)));

    let report = await audit.pass();
    assert.equal(report.delta, 1);
    assert.deepEqual(
      report.mismatches.map((m) => [m.composition_id, m.kind, m.workflow?.sequence, m.ledger?.sequence, m.alarm]),
      [[compositionId, 'ledger_behind', 9, 7, false]],
    );
    assert.equal(report.lag.events, 2);

    clock += 61_000;
    report = await audit.pass();
    assert.equal(report.alarm, true, 'the mismatch outlived the lag window');

    await ingestToEnd(store, topic);
    report = await audit.pass();
    assert.equal(report.delta, 0, JSON.stringify(report.mismatches));
    assert.equal(report.alarm, false);
    assert.ok(report.matched >= 1);
  }));

test('a forged event that reaches the ledger first is quarantined for want of an emitter signature, and the genuine one is admitted', () =>
  withScratchLedger(async (temporal, store) => {
    const decoder = new WireDecoder(schemaRegistryEndpoint().address);
    const ours = (await rawMessages(topic)).filter((m) => decodeId(m) === compositionId);
    const ingestor = new Ingestor(store, decoder, pinnedEmitterKeys());
    await ingestor.ingest(ours.slice(0, 8));
    const genuine = JSON.parse(ours[8]!.value!.subarray(5).toString()) as AuditEvent;
    const forged = rehash({ ...genuine, ts_utc: '2031-01-01T00:00:00.000Z' });
    const forgedMessage: TopicMessage = { topic: 'forger', partition: 0, offset: '0', value: await new AuditSerializer(schemaRegistryEndpoint().address, topic).encode(forged) };
    await ingestor.ingest([forgedMessage, ours[8]!]);
    const quarantined = (await store.quarantine({ limit: 10 })).entries;
    assert.deepEqual(quarantined.map((q) => [q.reason, q.this_hash]), [['signature_missing', forged.this_hash]]);

    const report = await new SelfAudit({ store, workflows: new TemporalWorkflowHeads(temporal, taskQueue) }).pass();
    assert.deepEqual(report.mismatches.filter((m) => m.composition_id === compositionId), [], 'the ledger holds the genuine chain');
  }));

test('a terminated composition is verified from its final state (the worker answers the query from history), not left unverifiable', () =>
  withScratchLedger(async (temporal, store) => {
    const id = newCompositionId();
    const steps = await runVrsScreening(http, tokens, id, vrsScreeningSteps().slice(0, 4));
    assert.deepEqual(steps.map((s) => s.status < 300), [true, true, true, true], JSON.stringify(steps));
    await temporal.workflow.getHandle(id).terminate('operator stopped the screening');
    await ingestToEnd(store, topic);
    const [ledgerHead] = [...(await store.heads([id])).values()];
    assert.equal(ledgerHead?.sequence, 4);

    const head = await new TemporalWorkflowHeads(temporal, taskQueue).head(id);
    assert.deepEqual(head, { composition_id: id, found: true, status: 'TERMINATED', sequence: 4, last_hash: ledgerHead.this_hash });
    const report = await new SelfAudit({ store, workflows: new TemporalWorkflowHeads(temporal, taskQueue) }).pass();
    assert.deepEqual(report.unverifiable, [], 'every composition, the terminated one included, could be read');
    assert.deepEqual(report.mismatches.filter((m) => m.composition_id === id), []);
    // the heads agree, but the pipeline never terminates a composition: reported, and an alarm
    assert.deepEqual(report.outside_pipeline.filter((o) => o.composition_id === id), [{ composition_id: id, status: 'TERMINATED' }]);
    assert.equal(report.alarm, true);
  }));

test('a composition whose history was reset outside the pipeline is reported (and an alarm), whatever the heads say', () =>
  withScratchLedger(async (temporal, store) => {
    const id = newCompositionId();
    const steps = await runVrsScreening(http, tokens, id, vrsScreeningSteps().slice(0, 3));
    assert.deepEqual(steps.map((s) => s.status < 300), [true, true, true], JSON.stringify(steps));
    const handle = temporal.workflow.getHandle(id);
    const { runId } = await handle.describe();
    const history = await handle.fetchHistory();
    const firstTask = history.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
    await temporal.workflowService.resetWorkflowExecution({
      namespace: temporal.options.namespace,
      workflowExecution: { workflowId: id, runId },
      workflowTaskFinishEventId: firstTask.eventId,
      requestId: randomUUID(),
      reason: 'an operator reset the screening',
    });
    await ingestToEnd(store, topic);
    const head = await new TemporalWorkflowHeads(temporal, taskQueue).head(id);
    assert.equal('reset' in head && head.reset, true, JSON.stringify(head));
    const report = await new SelfAudit({ store, workflows: new TemporalWorkflowHeads(temporal, taskQueue) }).pass();
    assert.deepEqual(report.outside_pipeline.filter((o) => o.composition_id === id), [{ composition_id: id, status: 'RESET' }]);
    assert.equal(report.alarm, true);
  }));

/** A Temporal client and an empty ledger of the test's own, for the length of `fn`. */
function withScratchLedger(fn: (temporal: Client, store: LedgerStore) => Promise<void>): Promise<void> {
  return withTemporal((temporal) => withLedgerStore((store) => fn(temporal, store), scratchLedgerUrl()));
}

function decodeId(m: TopicMessage): string | undefined {
  return m.value ? (JSON.parse(m.value.subarray(5).toString()) as { composition_id?: string }).composition_id : undefined;
}
