/** The UDS client backed by a Cerbos PDP (the local stand-in); the Cerbos call id is the evaluation receipt. */
import { HTTP } from '@cerbos/http';
import type { AbacDecision } from '../../schemas/envelope.js';
import type { AbacRequest, UdsClient } from './uds.js';

export class CerbosUdsClient implements UdsClient {
  private readonly cerbos: HTTP;

  constructor(pdpUrl: string) {
    this.cerbos = new HTTP(pdpUrl);
  }

  async decide(request: AbacRequest): Promise<AbacDecision> {
    const response = await this.cerbos.checkResources({
      principal: { id: request.principal.id, roles: [request.principal.actorType], attr: request.principal.attributes },
      resources: [
        {
          resource: { kind: request.resource.kind, id: request.resource.id, attr: { ...request.resource.attributes, now: request.environment.time } },
          actions: [request.action],
        },
      ],
    });
    const allowed = response.isAllowed({ resource: { kind: request.resource.kind, id: request.resource.id }, action: request.action });
    if (allowed === undefined) throw new Error(`the PDP returned no decision for ${request.action}`);
    return { outcome: allowed ? 'ALLOW' : 'DENY', evaluated_at: new Date().toISOString(), uds_eval_id: response.cerbosCallId };
  }
}
