/** The ledger's Prometheus metrics: ingest counts and the self-audit's delta, lag and alarm. */
import { Counter, Gauge, Registry } from 'prom-client';
import type { BatchInfo } from './consumer.js';
import type { SelfAuditReport } from './self-audit.js';

export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly ingested = new Counter({ name: 'coordination_ledger_events_ingested_total', help: 'events accepted into the canonical table', registers: [this.registry] });
  private readonly duplicates = new Counter({ name: 'coordination_ledger_duplicates_total', help: 'identical duplicates skipped (at-least-once publishing)', registers: [this.registry] });
  private readonly quarantined = new Counter({ name: 'coordination_ledger_quarantined_total', help: 'messages sent to quarantine', registers: [this.registry] });
  private readonly delta = new Gauge({ name: 'coordination_ledger_self_audit_delta', help: 'compositions whose Temporal head and ledger head differ (must be 0)', registers: [this.registry] });
  private readonly lagEvents = new Gauge({ name: 'coordination_ledger_self_audit_lag_events', help: 'events acknowledged by workflows and not yet in the ledger', registers: [this.registry] });
  private readonly lagSeconds = new Gauge({ name: 'coordination_ledger_self_audit_lag_seconds', help: 'age of the oldest head difference', registers: [this.registry] });
  private readonly alarm = new Gauge({ name: 'coordination_ledger_self_audit_alarm', help: '1 when a head difference outlived the lag window', registers: [this.registry] });
  private readonly unverifiable = new Gauge({ name: 'coordination_ledger_self_audit_unverifiable', help: 'recent compositions whose workflow head could not be read', registers: [this.registry] });
  private readonly passes = new Counter({ name: 'coordination_ledger_self_audit_passes_total', help: 'self-audit passes completed', registers: [this.registry] });

  batch(info: BatchInfo): void {
    this.ingested.inc(info.accepted);
    this.duplicates.inc(info.duplicates);
    this.quarantined.inc(info.quarantined);
  }

  selfAudit(report: SelfAuditReport): void {
    this.delta.set(report.delta);
    this.lagEvents.set(report.lag.events);
    this.lagSeconds.set(report.lag.max_seconds);
    this.alarm.set(report.alarm ? 1 : 0);
    this.unverifiable.set(report.unverifiable.length);
    this.passes.inc();
  }
}
