/**
 * A real composition history for the edge benchmark's full mode, with no stack: the §7b VRS screening's nine
 * steps driven through the composition workflow under the time-skipping test server (stand-in activities:
 * identities from the example, ALLOW, an in-memory publisher). `copyComposition` then makes any number of
 * compositions from it — ids and run ids rewritten in the history and the events re-chained — which replay
 * exactly as the original does.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { VerifiedIdentity } from '../activities/jwt/identity.js';
import type { HistoryJson } from '../audit/bundle/format.js';
import { exportableHistory } from '../audit/bundle/history-json.js';
import type { BundleComposition } from '../audit/bundle/write.js';
import { appendToChain, EMPTY_CHAIN, type EventDraft } from '../audit/chain.js';
import { canonicalJson } from '../audit/canonical.js';
import { SEED_ISSUERS, vrsScreeningSteps } from '../audit/examples/vrs-screening.js';
import { installTemporalTestServer, registerSearchAttributes, temporalTestServerPath } from '../infra/stack/components/temporal.js';
import type { AuditEvent } from '../schemas/catalog.js';
import { SCHEMA_IDS } from '../schemas/schema-ids.js';
import { LEDGER_FIELDS } from '../workflows/actions.js';
import type { compositionWorkflow } from '../workflows/composition.js';
import { actionUpdates, WORKFLOW_TYPE } from '../workflows/definitions.js';
import type { ActionName, ActionOutcome } from '../workflows/types.js';
import { WORKFLOWS_PATH } from '../workers/replay/recompute-audit.js';

export const TEMPLATE_ID = 'cmp_EDGEBENCHTEMPLATE0000000000';

export interface Template {
  history: HistoryJson;
  events: AuditEvent[];
}

const ACTION_OF: Partial<Record<string, ActionName>> = {
  [SCHEMA_IDS.requested]: 'request',
  [SCHEMA_IDS.leaseClaimed]: 'claim',
  [SCHEMA_IDS.leaseReleased]: 'release',
  [SCHEMA_IDS.evidenceBlockEmitted]: 'evidence',
  [SCHEMA_IDS.closed]: 'attest',
};

/** A PSI node as its verified token names it: its id is the payload's node id (the workflow checks that). */
const participant = (nodeId: string, issuer: string, jti: string): VerifiedIdentity => ({
  org: issuer,
  actor: { type: 'service', id: nodeId, version: null },
  auth: { jwt_jti: jti, subject: nodeId, scopes: ['psi_participant'], issuer, delegation_chain: [nodeId] },
});

/** Records the template: one §7b composition under the time-skipping server; its history and its events. */
export async function recordTemplate(): Promise<Template> {
  try {
    // Core logs to stdout unless forwarded: the benchmark's stdout is its JSON alone.
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } } });
  } catch {
    /* installed already */
  }
  await installTemporalTestServer();
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  try {
    await registerSearchAttributes(env.connection);
    const steps = vrsScreeningSteps();
    const psiPayload = steps.find((s) => s.schemaId === SCHEMA_IDS.psiRoundCompleted)!.payload;
    // "Tokens" name an identity: each step's own, and the two PSI participants.
    const identities: Record<string, VerifiedIdentity> = {
      ...Object.fromEntries(steps.map((s, i) => [`step-${i}`, { org: s.auth.issuer, actor: s.actor, auth: s.auth }])),
      'node-a': participant(String(psiPayload.node_a_id), SEED_ISSUERS.partner, 'jti_partner_node'),
      'node-b': participant(String(psiPayload.node_b_id), SEED_ISSUERS.firm, 'jti_firm_node'),
    };
    const published: AuditEvent[] = [];
    let evaluations = 0;
    const activities = {
      verifyToken: async (token: string) => identities[token]!,
      authorize: async () => ({ outcome: 'ALLOW' as const, evaluated_at: new Date().toISOString(), uds_eval_id: `bench_eval_${(evaluations += 1)}` }),
      publishAuditEvent: async (event: AuditEvent) => {
        published.push(event);
        return { topic: 'bench', partition: 0, offset: String(published.length - 1), event_id: event.event_id, this_hash: event.this_hash };
      },
    };
    const taskQueue = `edge-bench-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: WORKFLOWS_PATH, activities, sinks: { audit: { built: { fn: () => undefined } } } });
    const history = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<typeof compositionWorkflow>(WORKFLOW_TYPE, {
        workflowId: TEMPLATE_ID,
        taskQueue,
        args: [{ compositionId: TEMPLATE_ID, compositionType: 'vrs_screening' }],
      });
      for (const [i, step] of steps.entries()) {
        const ledgerSet = new Set(LEDGER_FIELDS[step.schemaId] ?? []);
        const payload = Object.fromEntries(Object.entries(step.payload).filter(([k]) => !ledgerSet.has(k)));
        const action = ACTION_OF[step.schemaId] ?? 'report';
        const request = {
          token: `step-${i}`,
          payload,
          ...(action === 'report' ? { schemaId: step.schemaId } : {}),
          ...(step.agent ? { agent: step.agent } : {}),
          ...(step.schemaId === SCHEMA_IDS.psiRoundCompleted ? { participantTokens: { node_a: 'node-a', node_b: 'node-b' } } : {}),
        };
        const outcome = (await handle.executeUpdate(actionUpdates[action], { args: [request] })) as ActionOutcome;
        if (!outcome.ok) throw new Error(`template step ${i} (${step.schemaId}) was refused: ${outcome.code} ${outcome.message}`);
      }
      await handle.result();
      return handle.fetchHistory();
    });
    return { history: await exportableHistory(history), events: published };
  } finally {
    await env.teardown();
  }
}

const isPayload = (v: Record<string, unknown>) => typeof v.data === 'string' && typeof (v.metadata as Record<string, unknown> | undefined)?.encoding === 'string';

/** Every string replaced, payload data (base64 JSON) included. */
function rewrite(value: unknown, replace: (s: string) => string): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((v) => rewrite(v, replace));
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    if (isPayload(obj)) return { ...obj, data: Buffer.from(replace(Buffer.from(obj.data as string, 'base64').toString('utf8'))).toString('base64') };
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, rewrite(v, replace)]));
  }
  return value;
}

/** Composition number `n`: the template under a new composition id and run id, its events re-chained. */
export function copyComposition(template: Template, n: number): BundleComposition {
  const id = `cmp_EDGEBENCH${String(n).padStart(8, '0')}`;
  const started = template.history.events[0] as { workflowExecutionStartedEventAttributes?: { originalExecutionRunId?: string } };
  const runId = started.workflowExecutionStartedEventAttributes?.originalExecutionRunId ?? '';
  const newRunId = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const replace = (s: string) => s.replaceAll(TEMPLATE_ID.slice(4), id.slice(4)).replaceAll(runId || '\u0000', newRunId);
  let head = EMPTY_CHAIN;
  const events = template.events.map((event) => {
    const { event_id: _e, causal_predecessor: _c, prev_hash: _p, this_hash: _t, ...draft } = JSON.parse(replace(canonicalJson(event))) as AuditEvent;
    const next = appendToChain(head, draft as EventDraft);
    head = next.head;
    return next.event;
  });
  return { composition_id: id, workflow_id: id, events, runs: [rewrite(template.history, replace) as HistoryJson] };
}
