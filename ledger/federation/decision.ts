/**
 * The PDP's decision on one slice (action `federate` on a `federation_slice`; policy
 * infra/cerbos/policies/federation.yaml). The ledger selects candidates by its federation policy; UDS (locally
 * Cerbos) is the authority that lets each slice out or not, and its answer — ALLOW or DENY, with the
 * evaluation id — is recorded either way. No answer, no slice: a PDP that cannot be reached is asked again
 * on the next pass, never taken for an ALLOW.
 *
 * The ledger may not import activities/, so the PDP client comes in through this interface; the ledger
 * process passes the same Cerbos client the worker and the gateway use (activities/abac/cerbos-uds.ts).
 */
import type { AbacDecision } from '../../schemas/envelope.js';

export const FEDERATE_ACTION = 'federate';
export const FEDERATION_RESOURCE = 'federation_slice';
/** The ledger service, as the PDP sees it when it asks to send a slice. */
export const LEDGER_PRINCIPAL_ID = 'coordination-ledger';

export interface FederationPdpRequest {
  action: typeof FEDERATE_ACTION;
  principal: { id: string; actorType: 'service'; attributes: Record<string, string | number | boolean | string[]> };
  resource: { kind: typeof FEDERATION_RESOURCE; id: string; attributes: Record<string, string | number | boolean | string[]> };
  environment: { time: string };
}

/** What the ledger needs of a PDP client (activities/abac/uds.ts `UdsClient` is one). Throws when no decision could be had. */
export interface FederationPdp {
  decide(request: FederationPdpRequest): Promise<AbacDecision>;
}

/** What the PDP is told about a slice. */
export interface SliceFacts {
  sender: string;
  partner: string;
  composition_id: string;
  /** from the composition's request event; '' when it names none */
  composition_type: string;
  partner_took_part: boolean;
  from_sequence: number;
  to_sequence: number;
  /** the distinct schema ids of the slice's events, sorted */
  schema_ids: readonly string[];
}

export function federateRequest(facts: SliceFacts, now: Date): FederationPdpRequest {
  return {
    action: FEDERATE_ACTION,
    principal: { id: LEDGER_PRINCIPAL_ID, actorType: 'service', attributes: { org: facts.sender, service: 'ledger' } },
    resource: {
      kind: FEDERATION_RESOURCE,
      id: `${facts.composition_id}@${facts.partner}`,
      attributes: {
        partner: facts.partner,
        composition_id: facts.composition_id,
        composition_type: facts.composition_type,
        partner_took_part: facts.partner_took_part,
        from_sequence: facts.from_sequence,
        to_sequence: facts.to_sequence,
        schema_ids: [...facts.schema_ids],
      },
    },
    environment: { time: now.toISOString() },
  };
}

/** The PDP's decision on the slice (throws when the PDP gives none). */
export async function decideSlice(pdp: FederationPdp, facts: SliceFacts, now: Date = new Date()): Promise<AbacDecision> {
  const decision = await pdp.decide(federateRequest(facts, now));
  if (decision.outcome !== 'ALLOW' && decision.outcome !== 'DENY') throw new Error(`the PDP answered ${String(decision.outcome)} for federate`);
  return decision;
}
