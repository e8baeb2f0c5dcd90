/**
 * Activities for workflow tests under the time-skipping server: a fixed set of identities instead of real
 * JWTs, ALLOW from a stand-in PDP, and a publisher that keeps events in memory. Only the workflow module is
 * under test here; test/integration covers the same paths against the real IdPs, PDP and Kafka.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { CompositionActivities } from '../../../activities/index.js';
import type { VerifiedIdentity } from '../../../activities/jwt/identity.js';
import type { AuditEvent } from '../../../schemas/catalog.js';

const auth = (subject: string, scopes: string[], chain: string[] = [subject]) => ({
  jwt_jti: `jti_${subject.replace(/\W/g, '')}`,
  subject,
  scopes,
  issuer: 'https://idp.test',
  delegation_chain: chain,
});

/** "Tokens" of the fake verifier: the token text names the identity. */
export const IDENTITIES: Record<string, VerifiedIdentity> = {
  human: { org: 'firm', actor: { type: 'human', id: 'user_smith@citi.example', version: null }, auth: auth('user_smith@citi.example', ['fusion_operator', 'edition_attest']) },
  agent: { org: 'internal', actor: { type: 'agent', id: 'agent_a', version: '1.0.0' }, auth: auth('svc_a', ['fusion_operator', 'lease_claim', 'evidence_emit'], ['svc_a', 'user_smith@citi.example']) },
  agent2: { org: 'internal', actor: { type: 'agent', id: 'agent_b', version: '1.0.0' }, auth: auth('svc_b', ['fusion_operator', 'lease_claim'], ['svc_b', 'user_smith@citi.example']) },
};

export const AGENT_BLOCK = {
  model_id: 'test-model',
  prompt_hash: `sha256:${'1'.repeat(64)}`,
  temperature: 0,
  seed: 7,
  response_hash: `sha256:${'2'.repeat(64)}`,
  tool_call_chain: ['claim'],
};

export function fakeActivities(): { activities: CompositionActivities; published: AuditEvent[] } {
  const published: AuditEvent[] = [];
  let evaluations = 0;
  const activities: CompositionActivities = {
    async verifyToken(token) {
      const identity = IDENTITIES[token];
      if (!identity) throw ApplicationFailure.create({ type: 'ERR_JWT_SIGNATURE', message: 'unknown test token', nonRetryable: true, details: [{}] });
      return identity;
    },
    async authorize() {
      evaluations += 1;
      return { outcome: 'ALLOW', evaluated_at: new Date().toISOString(), uds_eval_id: `fake_eval_${evaluations}` };
    },
    async publishAuditEvent(event) {
      published.push(event);
      return { topic: 'test', partition: 0, offset: String(published.length - 1), event_id: event.event_id, this_hash: event.this_hash };
    },
  };
  return { activities, published };
}
