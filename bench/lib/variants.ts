/**
 * The two ways bench/lifecycle drives one composition through the §7b lifecycle, step by step, timing each
 * transition: the audited path users take (HTTP gateway, real tokens → JWT, ABAC, audit publish), and the
 * bare baseline (the Temporal client straight to workflows/baseline.ts: same updates, no activities).
 */
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { vrsScreeningSteps, type VrsStep } from '../../audit/examples/vrs-screening.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import type { VrsTokens } from '../../cli/demo/vrs-tokens.js';
import type { GatewayHttp } from '../../client/gateway-http.js';
import { COMPOSITION_STATE, COMPOSITION_TYPE } from '../../schemas/search-attributes.js';
import { LEDGER_FIELDS } from '../../workflows/actions.js';
import { BASELINE_WORKFLOW_TYPE, baselineStep, type BaselineRequest, type baselineWorkflow } from '../workflows/baseline.js';
import { since } from './stats.js';

export const COMPOSITION_TYPE_NAME = 'vrs_screening';

/** Runs one composition; pushes each transition's latency (ms); throws on the first step that is refused. */
export type CompositionDriver = (compositionId: string, latencies: number[]) => Promise<void>;

export function auditedDriver(http: GatewayHttp, tokens: VrsTokens, steps: readonly VrsStep[] = vrsScreeningSteps()): CompositionDriver {
  return async (compositionId, latencies) => {
    for (const step of steps) {
      const t0 = performance.now();
      const { status, body } = await runStep(http, step, tokens, compositionId); // HTTP request in → response out
      latencies.push(since(t0));
      if (status >= 300) throw new Error(`${compositionId} ${step.schemaId} → ${status} ${JSON.stringify(body)}`);
    }
  };
}

/** The caller's part of a step's payload, as over HTTP (the fields the ledger sets are left out). */
function baselineRequest(step: VrsStep): BaselineRequest {
  const ledgerSet = new Set(LEDGER_FIELDS[step.schemaId] ?? []);
  const payload = Object.fromEntries(Object.entries(step.payload).filter(([k]) => !ledgerSet.has(k)));
  return { schemaId: step.schemaId, actor: { type: step.actor.type, id: step.actor.id }, payload };
}

export function baselineDriver(client: Client, taskQueue: string, steps: readonly VrsStep[] = vrsScreeningSteps()): CompositionDriver {
  const requests = steps.map(baselineRequest);
  return async (compositionId, latencies) => {
    for (const [i, req] of requests.entries()) {
      const t0 = performance.now();
      const outcome =
        i === 0
          ? await client.workflow.executeUpdateWithStart(baselineStep, {
              args: [req],
              startWorkflowOperation: new WithStartWorkflowOperation<typeof baselineWorkflow>(BASELINE_WORKFLOW_TYPE, {
                workflowId: compositionId,
                taskQueue,
                workflowIdConflictPolicy: 'USE_EXISTING',
                args: [{ compositionId, compositionType: COMPOSITION_TYPE_NAME }],
                typedSearchAttributes: [
                  { key: COMPOSITION_STATE, value: 'none' },
                  { key: COMPOSITION_TYPE, value: COMPOSITION_TYPE_NAME },
                ],
              }),
            })
          : await client.workflow.getHandle(compositionId).executeUpdate(baselineStep, { args: [req] });
      latencies.push(since(t0));
      if (!outcome.ok) throw new Error(`${compositionId} ${req.schemaId} refused: ${outcome.code} ${outcome.message}`);
    }
  };
}
