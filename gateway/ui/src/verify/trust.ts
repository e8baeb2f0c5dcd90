/**
 * What the page pins, checked once before a bundle is read: a malformed key is the page's configuration,
 * so it throws TypeError (never a verdict), as the edge worker's readTrustFile does for its file.
 */
import { SIG_COSIGNATURE_V1, SIG_ED25519 } from '../../../../audit/tlog/note-key-text.js';
import { WebEmitterKeyring } from './emitter-signatures.js';
import { importEd25519Jwk } from './ed25519.js';
import { parseVerifierKey } from './signed-note.js';
import type { PageTrust, PublicJwk } from './types.js';

export interface PreparedTrust {
  bundleKey?: PublicJwk;
  emitters?: WebEmitterKeyring;
  logKeys: readonly string[];
  witnessKeys: readonly string[];
}

const MAX_KEYS = 1000;

function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_KEYS || !value.every((s) => typeof s === 'string')) throw new TypeError(`${what} must be a list of verifier keys`);
  return value as string[];
}

export async function prepareTrust(trust: PageTrust): Promise<PreparedTrust> {
  const logKeys = stringList(trust.logKeys, 'logKeys') ?? [];
  const witnessKeys = stringList(trust.witnessKeys, 'witnessKeys') ?? [];
  for (const k of logKeys) await parseVerifierKey(k, SIG_ED25519);
  for (const k of witnessKeys) await parseVerifierKey(k, SIG_COSIGNATURE_V1);
  if (trust.bundleKey !== undefined) await importEd25519Jwk(trust.bundleKey, 'the pinned bundle key');
  if (trust.emitterKeys !== undefined && (!Array.isArray(trust.emitterKeys) || trust.emitterKeys.length > MAX_KEYS)) throw new TypeError('emitterKeys must be a list of JWKs');
  return {
    ...(trust.bundleKey !== undefined ? { bundleKey: trust.bundleKey } : {}),
    ...(trust.emitterKeys !== undefined ? { emitters: await WebEmitterKeyring.of(trust.emitterKeys) } : {}),
    logKeys,
    witnessKeys,
  };
}

/**
 * A PageTrust from the edge verifier's trust file as JSON (audit/bundle/trust-file.ts: `bundle_key`,
 * `emitter_keys`, `log_keys`, `witness_keys`, each optional), so the page can pin exactly what
 * `coord edge replay --trust` pins. Throws TypeError for a file of another shape.
 */
export function trustFromTrustFile(value: unknown): PageTrust {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('a trust file is a JSON object');
  const v = value as Record<string, unknown>;
  const own = (key: string) => (Object.hasOwn(v, key) ? v[key] : undefined);
  const emitters = own('emitter_keys');
  if (emitters !== undefined && !Array.isArray(emitters)) throw new TypeError('emitter_keys must be a list of JWKs');
  const bundleKey = own('bundle_key');
  if (bundleKey !== undefined && (typeof bundleKey !== 'object' || bundleKey === null)) throw new TypeError('bundle_key must be a JWK');
  const logKeys = stringList(own('log_keys'), 'log_keys');
  const witnessKeys = stringList(own('witness_keys'), 'witness_keys');
  return {
    ...(bundleKey !== undefined ? { bundleKey: bundleKey as PublicJwk } : {}),
    ...(emitters !== undefined ? { emitterKeys: emitters as PublicJwk[] } : {}),
    ...(logKeys ? { logKeys } : {}),
    ...(witnessKeys ? { witnessKeys } : {}),
  };
}
