/** How `GET /audit/stream` is bounded and paced; the defaults come from config/settings.ts (COORD_AUDIT_STREAM_*). */
import { config } from '../../config/index.js';

export interface StreamSettings {
  /** between heartbeat comments */
  heartbeatMs: number;
  /** between the gateway's reads of newly admitted events */
  pollMs: number;
  /** open streams per verified caller */
  perCaller: number;
  /** open streams on this gateway */
  total: number;
  /** what one stream may hold for a slow client before it is closed */
  bufferBytes: number;
  /** rows per backlog page (and per poll page) */
  pageSize: number;
  /** the `retry:` hint: how long a client waits before reconnecting */
  retryMs: number;
}

/** Rows read per page: large enough that a backlog replays in few queries, small enough to bound one read's memory. */
export const STREAM_PAGE_SIZE = 500;
/** Reconnect quickly: every reconnect resumes exactly, so waiting buys nothing but latency. */
export const STREAM_RETRY_MS = 2_000;

export function streamSettings(): StreamSettings {
  const c = config();
  return {
    heartbeatMs: c.COORD_AUDIT_STREAM_HEARTBEAT_SECONDS * 1000,
    pollMs: c.COORD_AUDIT_STREAM_POLL_MS,
    perCaller: c.COORD_AUDIT_STREAM_PER_CALLER,
    total: c.COORD_AUDIT_STREAM_MAX,
    bufferBytes: c.COORD_AUDIT_STREAM_BUFFER_BYTES,
    pageSize: STREAM_PAGE_SIZE,
    retryMs: STREAM_RETRY_MS,
  };
}
