/**
 * Bounds on what the page reads: a user may load any file. Those that twin a Node verifier's bound carry its
 * value (test/unit/ui-verifier-twins.test.ts holds them equal); the others are the page's own.
 */

/** workers/edge/lines.ts MAX_LINE_BYTES: an event is a few KB; a longer line is counted, never parsed. */
export const MAX_LINE_BYTES = 1 << 20;
/** The signed-note limits are the Node verifier's own (audit/tlog/note-text.ts, Go's golang.org/x/mod/sumdb/note limits). */
export { MAX_NOTE_BYTES, MAX_SIGNATURES as MAX_NOTE_SIGNATURES } from '../../../../audit/tlog/note-text.js';
/** workers/edge/events-pass.ts: an audit path longer than 64 hashes is for a tree past 2^64 leaves. */
export const MAX_PROOF_HASHES = 64;
/** A file the page holds in memory as a string; past this the page says it cannot check the bundle. */
export const MAX_FILE_BYTES = 64 << 20;
/** manifest.json and bundle.jws are small; a larger one is refused before parsing. */
export const MAX_MANIFEST_BYTES = 4 << 20;
export const MAX_JWS_BYTES = 64 << 10;
/** Breaks listed in a verdict (each event's own problems are on its EventVerdict). */
export const MAX_LISTED_BREAKS = 100;
