/**
 * Bearer tokens never leave the ledger in clear: wherever decoded payloads are shown or exported (the Web
 * UI's codec endpoint, export bundles), tokens are replaced by a marker. A token is found by where it sits
 * (`token`, and `node_a`/`node_b` under `participantTokens`) and by its shape (a compact JWS, e.g. the bare
 * string argument of the token-verifying activity).
 */
import type { Payload } from '@temporalio/common';

export const REDACTED = '[redacted bearer token]';
const TOKEN_KEYS = new Set(['token', 'node_a', 'node_b']);
/** A compact JWS whose header and payload are JSON objects: what a JWT looks like. */
const JWT_SHAPE = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/;

/** Replaces bearer tokens anywhere in a decoded JSON value. */
export function redactTokens(value: unknown, inParticipants = false): unknown {
  if (typeof value === 'string') return JWT_SHAPE.test(value) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redactTokens(v, inParticipants));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (typeof v === 'string' && (k === 'token' || (inParticipants && TOKEN_KEYS.has(k)))) return [k, REDACTED];
        return [k, redactTokens(v, inParticipants || k === 'participantTokens')];
      }),
    );
  }
  return value;
}

/** A request URL with the bearer tokens in its query replaced: by name (…token…) or by shape. */
export function redactUrlTokens(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const tokens = [...params].filter(([k, v]) => /token/i.test(k) || JWT_SHAPE.test(v)).map(([k]) => k);
  if (tokens.length === 0) return url;
  for (const k of tokens) params.set(k, REDACTED);
  return `${url.slice(0, q)}?${params.toString()}`;
}

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');

/**
 * A decoded `json/plain` payload with its tokens redacted. Payloads holding no token are returned as they
 * are (same bytes), so a redacted history still replays to exactly the same values.
 */
export function redactPayload(p: Payload): Payload {
  if (text(p.metadata?.encoding) !== 'json/plain') return p;
  const json = JSON.parse(text(p.data)) as unknown;
  const redacted = JSON.stringify(redactTokens(json));
  return redacted === JSON.stringify(json) ? p : { ...p, data: Buffer.from(redacted, 'utf8') };
}
