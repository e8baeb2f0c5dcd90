/** What the stack needs to know about each of its components. */
import type { Endpoint } from '../../config/endpoints.js';
import type { LaunchSpec } from './process.js';

export interface Component {
  /** Stable name used by `coord stack …`, pid and log files. */
  readonly name: string;
  readonly endpoint: Endpoint;
  /** Ports this component binds locally; a port already taken by someone else is a clear start error. */
  readonly ports: readonly number[];
  /** Extra addresses worth printing (e.g. the Web UI). */
  readonly links?: Readonly<Record<string, string>>;
  /** Download whatever is missing (idempotent, cached). */
  install(): Promise<void>;
  /** One-time data preparation before start (e.g. formatting Kafka's storage); idempotent. */
  prepare?(): Promise<void>;
  launchSpec(): LaunchSpec;
  /** A real request against the component, true once it serves. */
  healthy(): Promise<boolean>;
  /** Configuration applied after every start (e.g. the registry's global compatibility). */
  configure?(): Promise<void>;
  /** How long a cold start may take before we give up. */
  readonly startTimeoutMs: number;
  /** Grace period for SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
}
