/** Driving compositions over HTTP in integration tests: open one, advance it, read it back. */
import { vrsScreeningSteps } from '../../audit/examples/vrs-screening.js';
import { runStep } from '../../cli/demo/vrs-over-http.js';
import type { VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { CoordinationClient, newCompositionId } from '../../client/coordination-client.js';
import type { GatewayHttp } from '../../client/gateway-http.js';
import type { CompositionView } from '../../workflows/types.js';

/** A fresh composition advanced through the first `steps` steps of §7b (1 = requested, 2 = leased, …). */
export async function compositionAtStep(http: GatewayHttp, tokens: VrsTokens, steps: number): Promise<string> {
  const id = newCompositionId();
  for (const step of vrsScreeningSteps().slice(0, steps)) {
    const { status, body } = await runStep(http, step, tokens, id);
    if (status >= 300) throw new Error(`setting up ${id}: ${step.schemaId} → ${status} ${JSON.stringify(body)}`);
  }
  return id;
}

/**
 * The composition's state, read over HTTP with the http client's read token. A read needs an ABAC decision:
 * while the PDP is down (503) the state is read from the workflow's state query instead.
 */
export async function view(http: GatewayHttp, id: string): Promise<CompositionView> {
  const { status, body } = await http.get<CompositionView & { error?: { code: string } }>(`/compositions/${id}`);
  if (status === 503 && body.error?.code === 'ERR_UNAVAILABLE') {
    const client = await CoordinationClient.connect();
    try {
      return await client.read(id);
    } finally {
      await client.close();
    }
  }
  if (status !== 200) throw new Error(`GET /compositions/${id} → ${status} ${JSON.stringify(body)}`);
  return body;
}

export const AGENT_BLOCK = vrsScreeningSteps()[1]!.agent!;
