/**
 * The composition workflow's activities: every side effect of a transition. Built from their dependencies
 * by a factory, so the worker wires real clients and tests may wire others; workflows import the TYPE only.
 * Definitive refusals become non-retryable ApplicationFailures whose `type` is the stable reason code;
 * anything else (an IdP, the PDP or Kafka unreachable) is retried — no decision, no transition.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import type { AuditPublisher, PublishReceipt } from '../audit/kafka/publisher.js';
import type { AbacDecision } from '../schemas/envelope.js';
import type { AuditEvent } from '../schemas/catalog.js';
import type { AbacRequest, UdsClient } from './abac/uds.js';
import type { VerifiedIdentity } from './jwt/identity.js';
import { TokenRefusal } from './jwt/refusal.js';
import type { JwtVerifier } from './jwt/verifier.js';
import { NO_PHASE_RECORDER, timed, type PhaseRecorder } from '../infra/phase-timing.js';

export interface ActivityDeps {
  jwt: JwtVerifier;
  uds: UdsClient;
  publisher: AuditPublisher;
  /** where the time goes (bench/lifecycle's breakdown); the publisher reports its own phases */
  phases?: PhaseRecorder;
}

export function createActivities({ jwt, uds, publisher, phases = NO_PHASE_RECORDER }: ActivityDeps) {
  return {
    /** Verifies a bearer token; the token arrives inside an encrypted payload and never leaves this call. */
    async verifyToken(token: string): Promise<VerifiedIdentity> {
      try {
        return await timed(phases, 'jwt_verify', () => jwt.verify(token));
      } catch (err) {
        if (err instanceof TokenRefusal) {
          throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true, details: [err.unverified] });
        }
        log.warn('token verification could not complete; retrying', { error: String(err) });
        throw err;
      }
    },

    /** Asks UDS for a decision. No answer = an error = a retry; never a default ALLOW. */
    async authorize(request: AbacRequest): Promise<AbacDecision> {
      return timed(phases, 'pdp_decide', () => uds.decide(request));
    },

    /** Publishes one audit event and returns once the broker has acknowledged it. */
    async publishAuditEvent(event: AuditEvent): Promise<PublishReceipt> {
      return publisher.publish(event);
    },
  };
}

export type CompositionActivities = ReturnType<typeof createActivities>;
