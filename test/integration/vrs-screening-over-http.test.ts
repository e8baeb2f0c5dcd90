// The seed's §7b example through the HTTP gateway on the real stack: what lands in Kafka is exactly what
// the Temporal history recomputes, the chain verifies, the §7b.7 assertions hold, ops can find it by
// search attribute, and no bearer token is readable in the topic, in history, in the codec view or in logs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { vrsAssertions } from '../../audit/invariants.js';
import { verify } from '../../audit/verify.js';
import { runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { encryptedDataConverter } from '../../client/data-converter.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { fetchAllRunHistories } from '../../client/histories.js';
import { idpEndpoint, temporalEndpoint, temporalNamespace } from '../../config/endpoints.js';
import { mintToken } from '../../infra/idp/client.js';
import type { Services } from '../../workers/services.js';
import { ROOT } from '../../config/paths.js';
import { recomputeAuditStream } from '../../workers/replay/recompute-audit.js';
import '../helpers/quiet-temporal.js';
import { distinct, topicEvents } from '../helpers/audit-topic.js';
import { startServices } from '../helpers/services.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

let services: Services;
let tokens: VrsTokens;
let connection: Connection;
const compositionId = newCompositionId();
let steps: Awaited<ReturnType<typeof runVrsScreening>>;

before(async () => {
  await stackReady();
  services = await startServices('vrs');
  tokens = await mintVrsTokens();
  connection = await Connection.connect({ address: temporalEndpoint().address });
  steps = await runVrsScreening(new GatewayHttp(services.gatewayUrl), tokens, compositionId);
});
after(async () => {
  await services?.stop();
  await connection?.close();
});

const allTokens = () => Object.values(tokens);

test('all nine steps are accepted over HTTP and the composition ends closed', () => {
  assert.deepEqual(steps.map((s) => s.status), [201, 200, 200, 200, 200, 200, 200, 200, 200], JSON.stringify(steps.filter((s) => s.status >= 300)));
  assert.equal(steps.at(-1)!.body.state, 'closed');
});

test('the events in Kafka verify, satisfy §7b.7, and equal the events recomputed from the Temporal history', async () => {
  const inKafka = distinct(await topicEvents(compositionId));
  assert.equal(inKafka.length, 9);
  assert.equal(verify(inKafka).ok, true);
  for (const a of vrsAssertions(inKafka, { firmIssuer: idpEndpoint('firm').address, partnerIssuer: idpEndpoint('partner').address })) assert.ok(a.ok, `${a.name}: ${a.detail}`);

  const client = new Client({ connection, namespace: temporalNamespace(), dataConverter: encryptedDataConverter() });
  const histories = await fetchAllRunHistories(client, compositionId);
  const recomputed = await recomputeAuditStream(histories, compositionId, encryptedDataConverter());
  assert.deepEqual(recomputed, inKafka);
});

test('ops find it in the Web UI by its search attributes', async () => {
  const client = new Client({ connection, namespace: temporalNamespace() });
  const query = `WorkflowId = "${compositionId}" AND CompositionState = "closed" AND CompositionType = "vrs_screening"`;
  const found = await waitFor(async () => {
    for await (const wf of client.workflow.list({ query })) return wf;
    return undefined;
  }, { what: 'the composition in visibility' });
  assert.equal(found.workflowId, compositionId);
});

test('coord audit pull writes JSONL that coord audit verify accepts; it holds no bearer token', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'pull-')), 'events.jsonl');
  const pull = spawnSync(process.execPath, ['bin/coord.mjs', 'audit', 'pull', '--composition', compositionId, '--out', file], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(pull.status, 0, pull.stderr);
  const verified = spawnSync(process.execPath, ['bin/coord.mjs', 'audit', 'verify', '--file', file, '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(verified.status, 0, verified.stdout);
  assert.equal(JSON.parse(verified.stdout).events, 9);
  const text = readFileSync(file, 'utf8');
  for (const token of allTokens()) assert.ok(!text.includes(token), 'a token in the pulled events');
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
});

test('Temporal history holds no token in clear: every payload is encrypted', async () => {
  const raw = new Client({ connection, namespace: temporalNamespace() }); // no codec: what the server stores
  const history = await raw.workflow.getHandle(compositionId).fetchHistory();
  const text = JSON.stringify(history);
  for (const token of allTokens()) {
    assert.ok(!text.includes(token), 'a token in clear in history');
    assert.ok(!text.includes(Buffer.from(token).toString('base64')), 'a token base64-encoded in history');
  }
  // Every payload is sealed, except search attributes (the server must index those: state, type, holder),
  // the SDK's own patch markers (`patch-data`: the patch id) and the SDK core's bookkeeping of a local
  // activity (its marker's `data`: sequence, attempt, activity id and type, times) — never caller data.
  const LOCAL_ACTIVITY_BOOKKEEPING = new Set(['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'backoff', 'original_schedule_time']);
  const clear: string[] = [];
  const collect = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((x, i) => collect(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') {
      const enc = (v as { metadata?: { encoding?: Uint8Array } }).metadata?.encoding;
      if (enc && Buffer.from(enc).toString() !== 'binary/encrypted') clear.push(path);
      for (const [k, x] of Object.entries(v)) if (k !== 'searchAttributes' && k !== 'patch-data') collect(x, `${path}.${k}`);
    }
  };
  collect(history.events, 'events');
  const bookkeeping = (path: string) => {
    const m = /^events\[(\d+)\]\.markerRecordedEventAttributes\.details\.data\.payloads\[0\]$/.exec(path);
    const marker = m ? history.events![Number(m[1])]!.markerRecordedEventAttributes : undefined;
    if (marker?.markerName !== 'core_local_activity') return false;
    const fields = Object.keys(JSON.parse(Buffer.from(marker.details!.data!.payloads![0]!.data!).toString()) as object);
    return fields.every((f) => LOCAL_ACTIVITY_BOOKKEEPING.has(f));
  };
  assert.deepEqual(clear.filter((path) => !bookkeeping(path)), []);
});

test('the codec endpoint decodes payloads for the Web UI, with tokens redacted', async () => {
  const raw = new Client({ connection, namespace: temporalNamespace() });
  const history = await raw.workflow.getHandle(compositionId).fetchHistory();
  const accepted = history.events!.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)!.workflowExecutionUpdateAcceptedEventAttributes!;
  const payload = accepted.acceptedRequest!.input!.args!.payloads![0]!;
  const wire = { payloads: [{ metadata: Object.fromEntries(Object.entries(payload.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(payload.data!).toString('base64') }] };
  // what the Web UI sends with codec.passAccessToken: the signed-in ops user's access token
  const ops = await mintToken('firm', { sub: 'ops_alice@citi.example', actor_type: 'human', scope: ['ops_codec'] });
  const res = await fetch(`${services.gatewayUrl}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1:8233', authorization: `Bearer ${ops}`, 'x-namespace': temporalNamespace() }, body: JSON.stringify(wire) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), 'http://127.0.0.1:8233');
  const decoded = JSON.parse(Buffer.from(((await res.json()) as typeof wire).payloads[0]!.data, 'base64').toString()) as { token: string; payload: Record<string, unknown> };
  assert.equal(decoded.token, '[redacted bearer token]');
  assert.equal(decoded.payload.lens_id, 'vrs_alerts_v2_equivalent');
});

test('the worker exposes the SDK runtime metrics for Prometheus', async () => {
  const res = await fetch(`http://${services.env.COORD_METRICS_ADDRESS}/metrics`);
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /^temporal_workflow_completed/m);
  assert.match(text, /^temporal_local_activity_execution_latency/m); // the fast path: side effects are local activities
});

test('graceful shutdown, and no token in the worker or gateway logs', async () => {
  await services.stop(); // SIGTERM
  assert.equal(services.worker.child.exitCode, 0);
  const workerLog = readFileSync(services.worker.log, 'utf8');
  assert.match(workerLog, /"msg":"worker stopped"/);
  const logs = workerLog + readFileSync(services.gateway.log, 'utf8');
  for (const token of allTokens()) assert.ok(!logs.includes(token), 'a token in the logs');
});
