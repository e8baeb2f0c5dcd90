/**
 * The §7b cast, with real tokens from the three dev IdPs: the firm's human user (firm IdP), the partner
 * organisation's participant (partner IdP), and internal service accounts acting for the user via RFC 8693
 * `act` — the screening agent and the fusion pipeline (internal IdP) — plus the firm's Beacon service and
 * the firm's PSI node.
 */
import { mintToken } from '../../infra/idp/client.js';

export interface VrsTokens {
  human: string;
  agent: string;
  fusionPipeline: string;
  beacon: string;
  partnerParticipant: string;
  /** the firm's PSI node (node_b of the round): its own token, with psi_participant */
  firmParticipant: string;
}

export async function mintVrsTokens(ttlSeconds = 3600): Promise<VrsTokens> {
  const onBehalfOfUser = { sub: 'user_smith@citi.example', act: ['service_acct_axonis_screener'], ttl_seconds: ttlSeconds };
  const [human, agent, fusionPipeline, beacon, partnerParticipant, firmParticipant] = await Promise.all([
    mintToken('firm', { sub: 'user_smith@citi.example', actor_type: 'human', ttl_seconds: ttlSeconds, scope: ['fusion_operator', 'vrs_screening_request', 'edition_attest', 'vrs_screening_review'] }),
    mintToken('internal', { ...onBehalfOfUser, actor_type: 'agent', scope: ['fusion_operator', 'lease_claim', 'evidence_emit'], claims: { client_id: 'agent_vrs_screener_01', software_version: '1.4.2' } }),
    mintToken('internal', { ...onBehalfOfUser, actor_type: 'service', scope: ['fusion_operator', 'psi_participant'], claims: { client_id: 'parallax.fusion_pipeline', software_version: '1.13.0' } }),
    mintToken('firm', { sub: 'svc_beacon@citi.example', actor_type: 'service', ttl_seconds: ttlSeconds, scope: ['fusion_operator', 'matches_publish'], claims: { client_id: 'firm.beacon', software_version: '3.2.0' } }),
    mintToken('partner', { sub: 'participant@vrs.example', actor_type: 'service', ttl_seconds: ttlSeconds, scope: ['psi_participant'], claims: { client_id: 'vrs_register_node' } }),
    mintToken('firm', { sub: 'svc_psi_node@citi.example', actor_type: 'service', ttl_seconds: ttlSeconds, scope: ['psi_participant'], claims: { client_id: 'firm_node_citi_uk' } }),
  ]);
  return { human, agent, fusionPipeline, beacon, partnerParticipant, firmParticipant };
}
