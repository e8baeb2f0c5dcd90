/**
 * The Restate variant of bench/lifecycle (Path B's lighter variant, B2): the same nine §7b steps with the
 * same guarantees — JWT verified, PDP decided, event chained, signed and acknowledged by Kafka before the
 * step returns, one virtual object per composition — on a real restate-server, with the SDK endpoint in a
 * process of its own (bench/restate/). A measuring stick, not a product path; what differs from the
 * Temporal path is listed at the top of bench/restate/service.ts.
 *
 * The driver calls Restate's ingress over HTTP: `POST /Composition/<composition id>/<action>`, the body
 * (token included) sealed with the payload keys, as a Temporal client seals what it sends.
 */
import { vrsScreeningSteps, type VrsStep } from '../../audit/examples/vrs-screening.js';
import { callerPayload, tokenFor } from '../../cli/demo/vrs-over-http.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { loadCodecKeys } from '../../client/codec-keys.js';
import { benchTopic } from './bench-topic.js';
import { SCHEMA_IDS, type SchemaId } from '../../schemas/schema-ids.js';
import { ACTION_SCHEMAS } from '../../workflows/actions.js';
import { ACTION_NAMES, type ActionName, type ActionOutcome, type ActionRequest } from '../../workflows/types.js';
import { startProcess, stopProcess } from '../../workers/services.js';
import { COMPOSITION_OBJECT, ENDPOINT_READY_MSG, SEALED_CONTENT_TYPE, VIEW_HANDLER } from '../restate/names.js';
import { SealedCodec } from '../restate/sealed-codec.js';
import { startRestateServer } from '../restate/server.js';
import type { CompositionView } from '../restate/service.js';
import { since } from './stats.js';
import { COMPOSITION_TYPE_NAME, type CompositionDriver } from './variants.js';

/** The action that emits `schemaId` (each schema belongs to exactly one). */
export function actionFor(schemaId: SchemaId): ActionName {
  const action = ACTION_NAMES.find((a) => ACTION_SCHEMAS[a].includes(schemaId));
  if (!action) throw new TypeError(`no action emits ${schemaId}`);
  return action;
}

/** Calls the composition object through Restate's ingress, sealing requests and opening answers. */
export class RestateCompositions {
  constructor(
    readonly ingressUrl: string,
    private readonly codec: SealedCodec = new SealedCodec(loadCodecKeys()),
  ) {}

  private async call<T>(compositionId: string, handler: string, body: unknown): Promise<T> {
    const sealed = body === undefined ? undefined : this.codec.encode(Buffer.from(JSON.stringify(body), 'utf8'));
    const res = await fetch(`${this.ingressUrl}/${COMPOSITION_OBJECT}/${encodeURIComponent(compositionId)}/${handler}`, {
      method: 'POST',
      ...(sealed ? { headers: { 'content-type': SEALED_CONTENT_TYPE }, body: sealed } : {}),
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    // Restate's own errors (no such handler, a handler that failed for good) come back unsealed
    if (!res.ok) throw new Error(`${COMPOSITION_OBJECT}/${compositionId}/${handler} → ${res.status} ${Buffer.from(bytes).toString('utf8').slice(0, 500)}`);
    return JSON.parse(Buffer.from(this.codec.open(bytes)).toString('utf8')) as T;
  }

  /** One action; the outcome is the workflow's (accepted, or refused with its recorded access_denied event). */
  act(compositionId: string, action: ActionName, req: ActionRequest): Promise<ActionOutcome> {
    return this.call<ActionOutcome>(compositionId, action, req);
  }

  view(compositionId: string): Promise<CompositionView> {
    return this.call<CompositionView>(compositionId, VIEW_HANDLER, undefined);
  }
}

/** The request of one §7b step, as its actor sends it (fields the ledger sets left out). */
export function stepRequest(step: VrsStep, tokens: VrsTokens): ActionRequest {
  const action = actionFor(step.schemaId);
  return {
    token: tokenFor(step, tokens),
    payload: callerPayload(step),
    ...(action === 'report' ? { schemaId: step.schemaId } : {}),
    ...(step.agent ? { agent: step.agent } : {}),
    ...(step.schemaId === SCHEMA_IDS.requested ? { compositionType: COMPOSITION_TYPE_NAME } : {}),
    ...(step.schemaId === SCHEMA_IDS.psiRoundCompleted ? { participantTokens: { node_a: tokens.partnerParticipant, node_b: tokens.firmParticipant } } : {}),
  };
}

export function restateDriver(compositions: RestateCompositions, tokens: VrsTokens, steps: readonly VrsStep[] = vrsScreeningSteps()): CompositionDriver {
  const requests = steps.map((step) => ({ schemaId: step.schemaId, action: actionFor(step.schemaId), req: stepRequest(step, tokens) }));
  return async (compositionId, latencies) => {
    for (const { schemaId, action, req } of requests) {
      const t0 = performance.now();
      const outcome = await compositions.act(compositionId, action, req); // HTTP request in → response out
      latencies.push(since(t0));
      if (!outcome.ok) throw new Error(`${compositionId} ${schemaId} refused: ${outcome.code} ${outcome.message}`);
    }
  };
}

export interface RestateVariantOptions {
  /** the audit topic the endpoint publishes to (default: the bench topic) */
  topic?: string;
  tokens?: VrsTokens;
  /** suffix of the log files (`.data/logs/restate-{server,endpoint}-<tag>.log`) */
  tag?: string;
  log?: (line: string) => void;
}

export interface RestateVariant {
  driver: CompositionDriver;
  compositions: RestateCompositions;
  /** restate-server's admin API (deployments, SQL introspection of what it stores) */
  adminUrl: string;
  /** the processes a transition crosses besides the bench and the stack */
  pids: Record<string, number | undefined>;
  stop(): Promise<void>;
}

/** Starts a restate-server and the SDK endpoint, registers the endpoint, and returns a driver; `stop` ends both. */
export async function startRestateVariant(opts: RestateVariantOptions = {}): Promise<RestateVariant> {
  const log = opts.log ?? (() => undefined);
  const tag = opts.tag ?? 'bench';
  const topic = opts.topic ?? benchTopic();
  const [server, endpoint] = await Promise.allSettled([
    startRestateServer({ tag }),
    // the SDK logs two lines per invocation at INFO; the Temporal worker logs none per activity
    startProcess('restate-endpoint', 'bench/restate/endpoint.ts', ENDPOINT_READY_MSG, { RESTATE_LOGGING: 'WARN', ...process.env, COORD_AUDIT_TOPIC: topic }, tag),
  ]);
  const stop = async () => {
    await Promise.all([
      endpoint.status === 'fulfilled' ? stopProcess(endpoint.value.proc) : undefined,
      server.status === 'fulfilled' ? server.value.stop() : undefined,
    ]);
  };
  try {
    if (server.status === 'rejected') throw server.reason;
    if (endpoint.status === 'rejected') throw endpoint.reason;
    const uri = `http://127.0.0.1:${Number(endpoint.value.ready.port)}`;
    const deployment = await server.value.registerDeployment(uri);
    log(`restate: server pid ${server.value.pid} (ingress ${server.value.ingressUrl}), endpoint pid ${endpoint.value.proc.child.pid} at ${uri} (deployment ${deployment}), topic ${topic}`);
    const compositions = new RestateCompositions(server.value.ingressUrl);
    const tokens = opts.tokens ?? (await mintVrsTokens());
    return {
      driver: restateDriver(compositions, tokens),
      compositions,
      adminUrl: server.value.adminUrl,
      pids: { restate_server: server.value.pid, restate_endpoint: endpoint.value.proc.child.pid },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
