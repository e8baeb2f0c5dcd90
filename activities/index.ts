/**
 * The composition workflow's activities: every side effect of a transition. Built from their dependencies
 * by a factory, so the worker wires real clients and tests may wire others; workflows import the TYPE only.
 * Definitive refusals become non-retryable ApplicationFailures whose `type` is the stable reason code;
 * anything else (an IdP, the PDP or Kafka unreachable) is retried — no decision, no transition.
 */
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { AuditPublisher, PublishReceipt } from '../kafka/publisher.js';
import type { AbacDecision } from '../schemas/envelope.js';
import type { AuditEvent } from '../schemas/catalog.js';
import type { AbacRequest, UdsClient } from './abac/uds.js';
import type { VerifiedIdentity } from './jwt/identity.js';
import { TokenRefusal } from './jwt/refusal.js';
import type { JwtVerifier } from './jwt/verifier.js';
import { NO_PHASE_RECORDER, timed, type PhaseRecorder } from '../lib/phase-timing.js';
import type { CrashPoint } from '../lib/crash-point.js';
import type { LostAttemptProbe } from './lost-attempt.js';
import type { PublishJournal } from './publish-journal.js';

/** Where the worker can be made to crash (COORD_WORKER_FAILPOINT): right after the broker acknowledged an event. */
export const WORKER_CRASH_POINTS = ['after-publish-ack'] as const;
export type WorkerCrashPoint = (typeof WORKER_CRASH_POINTS)[number];

/**
 * A publish's result, as the history keeps it (on the fast path, in the local activity's marker, the only
 * trace of the publish there): where the broker put the event, and which event it was.
 */
export interface AuditAck extends PublishReceipt {
  event_id: string;
  this_hash: string;
  /** the published event's time (workflows/adoption.ts, atPublishedTime: replay rebuilds it at this time) */
  ts_utc?: string;
  /** set when a lost attempt of this workflow task had already published this event id: that event */
  adopted?: AuditEvent;
}

export interface PublishOptions {
  /**
   * Whether a lost workflow task of another worker may precede this one (activities/lost-attempt.ts asks
   * Temporal). The workflow says no once this instance of it has published live: a workflow kept in a
   * worker's cache continues from a task the server accepted (a failed completion evicts it). Default yes.
   */
  probeLostAttempt?: boolean;
}

export interface ActivityDeps {
  jwt: JwtVerifier;
  uds: UdsClient;
  publisher: AuditPublisher;
  /** where the time goes (bench/lifecycle's breakdown); the publisher reports its own phases */
  phases?: PhaseRecorder;
  /** crash injection for the at-least-once tests; absent in production */
  crashPoint?: CrashPoint<WorkerCrashPoint>;
  /** the fast path's read-back of what a lost workflow task published (activities/lost-attempt.ts) */
  lostAttempt?: LostAttemptProbe;
  /** this host's journal of publishes begun (activities/publish-journal.ts) */
  journal?: PublishJournal;
}

/** How often a running activity tells Temporal it is alive (the workflow's heartbeat timeout is a few of these). */
export const HEARTBEAT_EVERY_MS = 500;

/**
 * Runs `fn` while heartbeating, so a worker that dies mid-activity is noticed within the heartbeat timeout,
 * not after the whole start-to-close timeout: the retry starts on another worker within seconds. Outside
 * an activity (unit tests calling the functions directly) and in a local activity (the fast path: it lives
 * inside the workflow task, which Temporal already watches) it just runs `fn`.
 */
async function heartbeating<T>(fn: () => Promise<T>): Promise<T> {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return fn();
  }
  if (context.info.isLocal) return fn();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/** The running activity's info, or undefined outside an activity (unit tests calling the functions directly). */
function activityInfo() {
  try {
    return Context.current().info;
  } catch {
    return undefined;
  }
}

export function createActivities({ jwt, uds, publisher, phases = NO_PHASE_RECORDER, crashPoint, lostAttempt, journal }: ActivityDeps) {
  return {
    /** Verifies a bearer token; the token arrives inside an encrypted payload and never leaves this call. */
    async verifyToken(token: string): Promise<VerifiedIdentity> {
      try {
        return await heartbeating(() => timed(phases, 'jwt_verify', () => jwt.verify(token)));
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
      return heartbeating(() => timed(phases, 'pdp_decide', () => uds.decide(request)));
    },

    /**
     * Publishes one audit event and returns once the broker has acknowledged it. Run again after a crash
     * (at least once), it publishes the same bytes: the event and its signature are deterministic, and every
     * reader ignores an identical duplicate.
     */
    async publishAuditEvent(event: AuditEvent, opts: PublishOptions = {}): Promise<AuditAck> {
      // A publish this host began in this event's place, in a workflow task that left no trace: that event is
      // the record (published again: identical bytes, a no-op for readers, and landed if it never was).
      // Read before every publish, cached instance or not: a chaos run found a second event under one id when
      // this read was skipped for instances that had already published live.
      const begun = journal?.earlier(event);
      if (begun) {
        log.warn('an earlier attempt on this host began publishing this event: adopting it', { event_id: event.event_id });
        const receipt = await heartbeating(() => publisher.publish(begun));
        return { ...receipt, event_id: begun.event_id, this_hash: begun.this_hash, ts_utc: begun.ts_utc, adopted: begun };
      }
      const info = activityInfo();
      // Only a local activity can have run in a workflow task that was lost (a regular one's input is in the
      // history, so a re-run publishes the same bytes), and only where the workflow asks (see PublishOptions).
      if (info?.isLocal && info.workflowExecution && lostAttempt && opts.probeLostAttempt !== false) {
        const earlier = await timed(phases, 'lost_attempt_probe', () => lostAttempt(event, info.workflowExecution!));
        if (earlier) {
          log.warn('a lost workflow task had published this event: adopting it', { event_id: event.event_id });
          return { topic: earlier.topic, partition: earlier.partition, offset: earlier.offset, event_id: earlier.event.event_id, this_hash: earlier.event.this_hash, ts_utc: earlier.event.ts_utc, adopted: earlier.event };
        }
      }
      journal?.begin(event);
      const receipt = await heartbeating(() => publisher.publish(event));
      await crashPoint?.hit('after-publish-ack');
      return { ...receipt, event_id: event.event_id, this_hash: event.this_hash, ts_utc: event.ts_utc };
    },
  };
}

export type CompositionActivities = ReturnType<typeof createActivities>;
