/** From a workflow outcome to an HTTP reply: 200/201 with the recorded event, or the refusal's status. */
import type { FastifyReply } from 'fastify';
import type { ActionOutcome } from '../workflows/types.js';
import { httpStatusOf, type ErrorBody } from './errors.js';

export function sendOutcome(reply: FastifyReply, outcome: ActionOutcome, successStatus = 200): FastifyReply {
  if (outcome.ok) return reply.code(successStatus).send(outcome);
  const body: ErrorBody = { error: { code: outcome.code, message: outcome.message, audit_event_id: outcome.audit_event_id, state: outcome.state } };
  if (httpStatusOf(outcome.code) === 401) reply.header('www-authenticate', `Bearer error="invalid_token", error_description="${outcome.code}"`);
  return reply.code(httpStatusOf(outcome.code)).send(body);
}
