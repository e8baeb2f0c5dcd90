/**
 * The composition workflow's named messages — updates for synchronous actions, a signal for attestation,
 * queries for reading — defined once here and imported by the client SDK and the gateway.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Lease } from '../schemas/lease.js';
import { ACTION_NAMES, type ActionName, type ActionOutcome, type ActionRequest, type CompositionView } from './types.js';

export const WORKFLOW_TYPE = 'compositionWorkflow';

export const actionUpdates = Object.fromEntries(ACTION_NAMES.map((name) => [name, defineUpdate<ActionOutcome, [ActionRequest]>(name)])) as {
  [K in ActionName]: ReturnType<typeof defineUpdate<ActionOutcome, [ActionRequest]>>;
};

/** Attestation as a signal (fire and forget): the outcome is read back with `signalOutcomeQuery(requestId)`. */
export const attestSignal = defineSignal<[ActionRequest & { requestId: string }]>('attestSignal');

export const stateQuery = defineQuery<CompositionView>('state');
export const leaseQuery = defineQuery<Lease | null>('lease');
export const sequenceQuery = defineQuery<number>('sequence');
export const lastHashQuery = defineQuery<string | null>('lastHash');
export const signalOutcomeQuery = defineQuery<ActionOutcome | null, [string]>('signalOutcome');
