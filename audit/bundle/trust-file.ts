/**
 * What a verifier of exports pins, in one file (`--trust`): the bundle signer's public JWK, the emitter
 * keys, the transparency log's keys and the witnesses' keys. Every member is optional; keys given on the
 * command line come in addition. Example (what `npm run demo` writes):
 *
 *   { "bundle_key": { "kty": "OKP", "crv": "Ed25519", "x": "…" },
 *     "emitter_keys": [{ "kty": "OKP", "crv": "Ed25519", "x": "…" }],
 *     "log_keys": ["coordination-ledger.dev/audit-log+1a2b3c4d+AR…"],
 *     "witness_keys": ["partner+5e6f7a8b+BP…"] }
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { JWK } from 'jose';
import { ed25519PublicJwk } from '../ed25519-jwk.js';
import { EmitterKeyring } from '../emitter-signature.js';

export interface TrustFile {
  bundleKey?: JWK;
  emitters?: EmitterKeyring;
  logKeys?: string[];
  witnessKeys?: string[];
}

const MAX_TRUST_FILE = 1 << 20;

/** A verifier key given as itself (`name+hex+base64`) or as a file holding it. */
export function readVerifierKey(value: string): string {
  if (!existsSync(value)) return value; // parsed (and refused when malformed) where it is used
  if (statSync(value).size > 64 * 1024) throw new TypeError(`${value}: larger than a verifier key file should be`);
  return readFileSync(value, 'utf8').trim();
}

export function readTrustFile(file: string): TrustFile {
  if (statSync(file).size > MAX_TRUST_FILE) throw new TypeError(`${file}: larger than ${MAX_TRUST_FILE} bytes`);
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new TypeError(`${file}: not JSON (${(err as Error).message})`);
  }
  const strings = (key: string): string[] | undefined => {
    const v = value[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new TypeError(`${file}: ${key} must be a list of verifier keys`);
    return v as string[];
  };
  const emitters = value.emitter_keys;
  if (emitters !== undefined && !Array.isArray(emitters)) throw new TypeError(`${file}: emitter_keys must be a list of JWKs`);
  const logKeys = strings('log_keys');
  const witnessKeys = strings('witness_keys');
  return {
    ...(value.bundle_key !== undefined ? { bundleKey: ed25519PublicJwk(value.bundle_key, `${file}: bundle_key`) as JWK } : {}),
    ...(emitters ? { emitters: new EmitterKeyring(emitters) } : {}),
    ...(logKeys ? { logKeys } : {}),
    ...(witnessKeys ? { witnessKeys } : {}),
  };
}
