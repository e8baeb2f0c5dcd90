/**
 * Emitter signatures: the worker that publishes an audit event signs it, so that a reader admits only
 * events a pinned emitter key vouches for — not whatever anyone able to write to the topic produced.
 *
 * The signature is Ed25519 over `EMITTER_SIGNATURE_CONTEXT + this_hash`. `this_hash` already commits to the
 * whole event, its sequence and the previous hash, so the event body and its hash stay exactly as they were;
 * the context string keeps a signature made for this purpose from being valid for any other. Ed25519 is
 * deterministic: a retried publish of the same event carries byte-identical signature headers.
 *
 * The signature and the key id (RFC 7638 thumbprint of the public JWK) travel beside the event — Kafka
 * headers, `signatures.jsonl` in an export — never inside the hashed event.
 */
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ed25519Kid, ed25519PrivateKeyObject, ed25519PublicJwk, ed25519PublicKeyObject, type Ed25519PrivateJwk, type Ed25519PublicJwk } from './ed25519-jwk.js';

export const EMITTER_SIGNATURE_CONTEXT = 'coordination-ledger emitter signature v1\n';
/** Kafka header names. */
export const EMITTER_SIG_HEADER = 'emitter_sig';
export const EMITTER_KID_HEADER = 'emitter_kid';

/** Why an event's emitter signature does not vouch for it (a ledger quarantine reason each). */
export const SIGNATURE_FAILURES = ['signature_missing', 'signature_invalid', 'unknown_signer'] as const;
export type SignatureFailure = (typeof SIGNATURE_FAILURES)[number];

/** Each failure in words, for quarantine rows and verification reports. */
export const SIGNATURE_FAILURE_DETAIL: Record<SignatureFailure, string> = {
  signature_missing: 'the event carries no emitter signature (kid and sig)',
  unknown_signer: 'signed by a key that is not a pinned emitter key',
  signature_invalid: 'the emitter signature does not verify over this_hash',
};

/** What travels beside one event. */
export interface EmitterSignature {
  /** RFC 7638 thumbprint of the emitter's public key */
  kid: string;
  /** base64url Ed25519 signature */
  sig: string;
}

const message = (thisHash: string) => Buffer.from(EMITTER_SIGNATURE_CONTEXT + thisHash, 'utf8');
const SIG = /^[A-Za-z0-9_-]{86}$/; // 64 bytes, base64url without padding
const KID = /^[A-Za-z0-9_-]{43}$/; // a SHA-256 thumbprint, base64url

/** Signs events with one private key. */
export class EmitterSigner {
  readonly kid: string;
  readonly publicJwk: Ed25519PublicJwk;
  private readonly privateKey: KeyObject;

  constructor(privateJwk: Ed25519PrivateJwk) {
    this.publicJwk = ed25519PublicJwk(privateJwk);
    this.kid = ed25519Kid(this.publicJwk);
    this.privateKey = ed25519PrivateKeyObject(privateJwk);
  }

  sign(thisHash: string): EmitterSignature {
    return { kid: this.kid, sig: sign(null, message(thisHash), this.privateKey).toString('base64url') };
  }

  /** A signer with a fresh key that is kept nowhere (tests, benchmarks). */
  static ephemeral(): EmitterSigner {
    const { x, d } = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as { x: string; d: string };
    return new EmitterSigner({ kty: 'OKP', crv: 'Ed25519', x, d });
  }
}

/**
 * The pinned emitter keys a reader trusts, by key id (each key's thumbprint, computed here). A rotated-out
 * key stays pinned: it remains valid for what it signed; a compromised key is removed, and what it signed
 * is then `unknown_signer`.
 */
export class EmitterKeyring {
  private readonly keys = new Map<string, KeyObject>();

  constructor(publicJwks: Iterable<unknown>) {
    for (const jwk of publicJwks) {
      const pub = ed25519PublicJwk(jwk, 'a pinned emitter key');
      this.keys.set(ed25519Kid(pub), ed25519PublicKeyObject(pub));
    }
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** null when a pinned key signed exactly this hash; otherwise why not. */
  check(thisHash: string, signature: Partial<EmitterSignature> | undefined): SignatureFailure | null {
    const { kid, sig } = signature ?? {};
    if (typeof kid !== 'string' || typeof sig !== 'string' || !kid || !sig) return 'signature_missing';
    const key = KID.test(kid) ? this.keys.get(kid) : undefined;
    if (!key) return 'unknown_signer';
    if (!SIG.test(sig)) return 'signature_invalid';
    return verify(null, message(thisHash), key, Buffer.from(sig, 'base64url')) ? null : 'signature_invalid';
  }
}

/** Reads pinned emitter keys from a file: a JWK Set (`{"keys":[…]}`) or a single public JWK. */
export function readEmitterKeyring(file: string): EmitterKeyring {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TypeError(`${file}: not a JWK or JWK Set (${(err as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  return new EmitterKeyring(Array.isArray(keys) ? keys : [parsed]);
}
