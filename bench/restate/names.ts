/** Names shared by the Restate variant's endpoint (service.ts, endpoint.ts) and its callers (bench/lib/restate-variant.ts). */

/** The virtual object: one per composition id (its key). */
export const COMPOSITION_OBJECT = 'Composition';
/** The delayed self-call that is the lease timer (not reachable through the ingress). */
export const EXPIRE_LEASE_HANDLER = 'expireLease';
/** A shared (read-only, concurrent) handler: where the composition stands. */
export const VIEW_HANDLER = 'view';
/** Sealed bytes on the wire: the journal value codec opens them before the JSON serde reads them. */
export const SEALED_CONTENT_TYPE = 'application/octet-stream';
/** The endpoint's JSON log line once it listens (with its `port`). */
export const ENDPOINT_READY_MSG = 'restate endpoint listening';
