/**
 * The typed SDK for services: start a composition, act on it, read it — over @temporalio/client, with the
 * project's encrypted data converter. Every call carries the caller's bearer token; the workflow verifies
 * it. Refusals come back as `{ ok: false, code, message, audit_event_id }`, never as exceptions.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type DataConverter } from '@temporalio/client';
import { ulid } from 'ulid';
import { temporalConnection, temporalNamespace } from '../config/endpoints.js';
import { COMPOSITION_STATE, COMPOSITION_TYPE } from '../schemas/search-attributes.js';
import type { compositionWorkflow } from '../workflows/composition.js';
import { actionUpdates, attestSignal, signalOutcomeQuery, stateQuery, WORKFLOW_TYPE } from '../workflows/definitions.js';
import type { ActionName, ActionOutcome, ActionRequest, CompositionView } from '../workflows/types.js';
import { encryptedDataConverter } from './data-converter.js';
import { CoordinationError } from './errors.js';
import { config } from '../config/index.js';

export interface StartRequest {
  /** defaults to a new `cmp_<ULID>` */
  compositionId?: string;
  compositionType: string;
  payload: Record<string, unknown>;
  agent?: unknown;
  /** continue-as-new threshold (events of history) */
  historyLimit?: number;
}

export interface CallOptions {
  /** repeat a call with the same key and get the first outcome back, instead of acting twice */
  idempotencyKey?: string;
}

export type ActionBody = Omit<ActionRequest, 'token'>;

/** What a correction says: the event it supersedes (id and this_hash), why, and the replacement payload values. */
export interface CorrectionRequest {
  supersedes: string;
  supersedes_hash: string;
  reason: string;
  corrected: Record<string, unknown>;
}

export const newCompositionId = () => `cmp_${ulid()}`;

/** Per attempt of a workflow task: how long a task lost with a crashed worker holds up its composition. */
export const WORKFLOW_TASK_TIMEOUT = '5s';

export class CoordinationClient {
  constructor(
    readonly temporal: Client,
    readonly taskQueue: string = config().COORD_TASK_QUEUE,
  ) {}

  static async connect(opts: { address?: string; namespace?: string; taskQueue?: string; dataConverter?: DataConverter } = {}): Promise<CoordinationClient> {
    const connection = await Connection.connect({ ...temporalConnection(), ...(opts.address ? { address: opts.address } : {}) });
    const client = new Client({ connection, namespace: opts.namespace ?? temporalNamespace(), dataConverter: opts.dataConverter ?? encryptedDataConverter() });
    return new CoordinationClient(client, opts.taskQueue);
  }

  /** Starts the composition's workflow (idempotently: fixed id, USE_EXISTING) with its opening request. */
  async start(token: string, req: StartRequest, opts: CallOptions = {}): Promise<ActionOutcome> {
    const compositionId = req.compositionId ?? newCompositionId();
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof compositionWorkflow>(WORKFLOW_TYPE, {
      workflowId: compositionId,
      taskQueue: this.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      // A composition id is never reused: a second chain under the same id would be indistinguishable from tampering.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // A workflow task lost with a crashed worker is retried after this (Temporal's default is 10 s). Each of
      // ours is a few milliseconds of work; a long replay after a cache miss stays far below it.
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      args: [{ compositionId, compositionType: req.compositionType, ...(req.historyLimit ? { historyLimit: req.historyLimit } : {}) }],
      typedSearchAttributes: [
        { key: COMPOSITION_STATE, value: 'none' },
        { key: COMPOSITION_TYPE, value: req.compositionType },
      ],
    });
    return this.call(compositionId, () =>
      this.temporal.workflow.executeUpdateWithStart(actionUpdates.request, {
        args: [{ token, payload: req.payload, compositionType: req.compositionType, ...(req.agent !== undefined ? { agent: req.agent } : {}) }],
        startWorkflowOperation,
        ...(opts.idempotencyKey ? { updateId: opts.idempotencyKey } : {}),
      }),
    );
  }

  /** Any synchronous action on an existing composition (claim, renew, release, report, evidence, attest, reject, cancel). */
  async act(compositionId: string, action: Exclude<ActionName, 'request'>, token: string, body: ActionBody, opts: CallOptions = {}): Promise<ActionOutcome> {
    const handle = this.temporal.workflow.getHandle(compositionId);
    return this.call(compositionId, () => handle.executeUpdate(actionUpdates[action], { args: [{ ...body, token }], ...(opts.idempotencyKey ? { updateId: opts.idempotencyKey } : {}) }));
  }

  /**
   * Corrects an earlier event of the composition: records a coordination.correction.v1 that supersedes it
   * (by id and hash) with the replacement payload values and the reason. The corrected event stays as it was.
   */
  async correct(compositionId: string, token: string, correction: CorrectionRequest, opts: CallOptions = {}): Promise<ActionOutcome> {
    return this.act(compositionId, 'correct', token, { payload: { ...correction } }, opts);
  }

  /** Attestation as a signal: returns at once with a request id; read the outcome with `signalOutcome`. */
  async attestBySignal(compositionId: string, token: string, body: ActionBody, requestId: string = randomUUID()): Promise<string> {
    await this.call(compositionId, () => this.temporal.workflow.getHandle(compositionId).signal(attestSignal, { ...body, token, requestId }));
    return requestId;
  }

  async signalOutcome(compositionId: string, requestId: string): Promise<ActionOutcome | null> {
    return this.call(compositionId, () => this.temporal.workflow.getHandle(compositionId).query(signalOutcomeQuery, requestId));
  }

  async read(compositionId: string): Promise<CompositionView> {
    return this.call(compositionId, () => this.temporal.workflow.getHandle(compositionId).query(stateQuery));
  }

  async exists(compositionId: string): Promise<boolean> {
    try {
      await this.temporal.workflow.getHandle(compositionId).describe();
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** Maps Temporal's "no such workflow" / "already completed" onto the SDK's stable codes. */
  private async call<T>(compositionId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // Temporal answers "not found" both for an unknown id and for an update to a workflow that has ended.
        if (await this.exists(compositionId)) throw new CoordinationError('ERR_COMPOSITION_CLOSED', `composition ${compositionId} has ended; no further actions are accepted`, compositionId);
        throw new CoordinationError('ERR_NOT_FOUND', `composition ${compositionId} does not exist`, compositionId);
      }
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new CoordinationError('ERR_COMPOSITION_CLOSED', `composition ${compositionId} has ended and its id cannot be reused`, compositionId);
      }
      const message = String((err as Error)?.message ?? err);
      if (/already completed|workflow execution (is )?completed/i.test(message)) {
        throw new CoordinationError('ERR_COMPOSITION_CLOSED', `composition ${compositionId} has ended; no further actions are accepted`, compositionId);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.temporal.connection.close();
  }
}
