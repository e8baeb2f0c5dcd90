/**
 * The audit sink: the workflow reports every event it builds. Production workers ignore it; replay
 * (the edge worker, tests) registers it with `callDuringReplay` to recompute the audit stream from history.
 */
import { proxySinks, type Sinks } from '@temporalio/workflow';
import type { AuditEvent } from '../schemas/catalog.js';

export interface AuditSinks extends Sinks {
  audit: { built(event: AuditEvent): void };
}

export const auditSink = proxySinks<AuditSinks>().audit;
