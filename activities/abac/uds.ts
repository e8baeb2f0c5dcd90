/**
 * The UDS ABAC authority, as the ledger sees it (seed §7a.4): subject attributes, the action (the event's
 * schema_id), resource attributes and environment in; a decision and its evaluation receipt out. UDS is the
 * sole authority — the ledger records what it decided and never decides itself.
 */
import type { AbacDecision } from '../../schemas/envelope.js';

export interface AbacRequest {
  action: string;
  principal: {
    id: string;
    actorType: string;
    attributes: Record<string, string | number | boolean | string[]>;
  };
  resource: {
    /**
     * a composition (the action is an event's schema_id); the audit ledger (read_events, read_quarantine); a
     * composition's view (read, read_signal_outcome); the payload codec (decode, encode); a federation slice
     * the ledger would send a partner (federate: ledger/federation/decision.ts)
     */
    kind: 'composition' | 'audit_ledger' | 'composition_view' | 'payload_codec' | 'federation_slice';
    id: string;
    attributes: Record<string, string | number | boolean | string[]>;
  };
  environment: { time: string };
}

export interface UdsClient {
  /** Throws when no decision could be obtained: the caller retries and never defaults to ALLOW. */
  decide(request: AbacRequest): Promise<AbacDecision>;
}
