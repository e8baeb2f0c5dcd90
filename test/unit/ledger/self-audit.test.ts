// The self-audit's arithmetic against an in-memory ledger and a scripted Temporal side (the real Temporal
// side is exercised in test/integration/ledger-service.test.ts): delta, lag, the lag window, clearing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ingestor, type TopicMessage } from '../../../audit/ledger/ingest.js';
import { SelfAudit } from '../../../audit/ledger/self-audit.js';
import { SqliteLedgerStore } from '../../../audit/ledger/sqlite-store.js';
import type { WorkflowHead, WorkflowHeadSource } from '../../../audit/ledger/workflow-heads.js';
import { CMP_A, CMP_B, interleavedStream } from '../../helpers/audit-streams.js';

const stream = interleavedStream();
const a = stream.filter((e) => e.composition_id === CMP_A);
const b = stream.filter((e) => e.composition_id === CMP_B);

class ScriptedWorkflows implements WorkflowHeadSource {
  heads = new Map<string, WorkflowHead>();
  set(id: string, sequence: number, last_hash: string | null) {
    this.heads.set(id, { composition_id: id, found: true, status: 'RUNNING', sequence, last_hash });
  }
  async recent() {
    return [...this.heads.keys()];
  }
  async head(id: string): Promise<WorkflowHead> {
    return this.heads.get(id) ?? { composition_id: id, found: false };
  }
}

async function setup() {
  const store = SqliteLedgerStore.open(':memory:');
  const ingestor = new Ingestor(store, { decode: async (buf) => ({ ok: true, value: JSON.parse(buf!.toString()) as unknown }) });
  let offset = 0;
  const ingest = (events: unknown[]) => ingestor.ingest(events.map((e): TopicMessage => ({ topic: 't', partition: 0, offset: String(offset++), value: Buffer.from(JSON.stringify(e)) })));
  const workflows = new ScriptedWorkflows();
  let clock = Date.parse(a.at(-1)!.ts_utc) + 1000;
  const audit = new SelfAudit({ store, workflows, lagWindowSeconds: 60, now: () => clock });
  return { ingest, workflows, audit, tick: (s: number) => (clock += s * 1000) };
}

test('delta is 0 when every head agrees', async () => {
  const { ingest, workflows, audit } = await setup();
  await ingest(stream);
  workflows.set(CMP_A, 9, a[8]!.this_hash);
  workflows.set(CMP_B, 9, b[8]!.this_hash);
  const report = await audit.pass();
  assert.equal(report.delta, 0);
  assert.equal(report.matched, 2);
  assert.equal(report.ok, true);
});

test('a ledger behind the workflow is lag, becomes an alarm after the lag window, and clears once ingested', async () => {
  const { ingest, workflows, audit, tick } = await setup();
  await ingest([...a.slice(0, 7), ...b]);
  workflows.set(CMP_A, 9, a[8]!.this_hash);
  workflows.set(CMP_B, 9, b[8]!.this_hash);
  let report = await audit.pass();
  assert.equal(report.delta, 1);
  assert.deepEqual(report.lag, { events: 2, compositions: 1, max_seconds: 0 });
  assert.equal(report.mismatches[0]!.kind, 'ledger_behind');
  assert.equal(report.alarm, false, 'lag is normal for a moment');

  tick(61);
  report = await audit.pass();
  assert.equal(report.alarm, true, 'a difference that outlives the lag window is an alarm');
  assert.equal(report.mismatches[0]!.age_seconds, 61);

  await ingest(a.slice(7));
  report = await audit.pass();
  assert.equal(report.delta, 0);
  assert.equal(report.alarm, false);
});

test('a different hash at the same sequence and a composition without a workflow are mismatches', async () => {
  const { ingest, workflows, audit } = await setup();
  await ingest(stream);
  workflows.set(CMP_A, 9, b[8]!.this_hash);
  const report = await audit.pass();
  assert.deepEqual(
    report.mismatches.map((m) => [m.composition_id, m.kind]),
    [
      [CMP_A, 'hash_differs'],
      [CMP_B, 'no_workflow'],
    ],
  );
  assert.equal(report.delta, 2);
});
