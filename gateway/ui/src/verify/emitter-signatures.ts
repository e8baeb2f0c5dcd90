/**
 * Emitter signatures checked in the page: the WebCrypto twin of audit/emitter-signature.ts's EmitterKeyring
 * (that module signs and verifies with node:crypto synchronously). Same message — Ed25519 over
 * EMITTER_SIGNATURE_CONTEXT + this_hash —, same key ids (RFC 7638 thumbprints, computed here), same order
 * of checks and the same three failures. test/unit/ui-verifier-twins.test.ts holds the two in agreement.
 */
import { fromBase64Url, utf8 } from './bytes.js';
import { ed25519Thumbprint, importEd25519Jwk, verifyEd25519, type CryptoKey } from './ed25519.js';
import type { PublicJwk } from './types.js';

/** audit/emitter-signature.ts EMITTER_SIGNATURE_CONTEXT (that module loads node:crypto, so it is repeated, and tested equal). */
export const EMITTER_SIGNATURE_CONTEXT = 'coordination-ledger emitter signature v1\n';

const SIG = /^[A-Za-z0-9_-]{86}$/; // 64 bytes, base64url without padding
const KID = /^[A-Za-z0-9_-]{43}$/; // a SHA-256 thumbprint, base64url

/** audit/emitter-signature.ts SignatureFailure. */
export type EmitterFailure = 'signature_missing' | 'unknown_signer' | 'signature_invalid';

export interface EmitterSignatureInput {
  kid?: unknown;
  sig?: unknown;
}

export class WebEmitterKeyring {
  private constructor(private readonly keys: ReadonlyMap<string, CryptoKey>) {}

  /** Pins public JWKs; throws TypeError for one that is not an Ed25519 public key (the page's configuration). */
  static async of(jwks: Iterable<PublicJwk>): Promise<WebEmitterKeyring> {
    const keys = new Map<string, CryptoKey>();
    for (const jwk of jwks) {
      const { x, key } = await importEd25519Jwk(jwk, 'a pinned emitter key');
      keys.set(await ed25519Thumbprint(x), key);
    }
    return new WebEmitterKeyring(keys);
  }

  get kids(): string[] {
    return [...this.keys.keys()];
  }

  /** null when a pinned key signed exactly this hash; otherwise why not (EmitterKeyring.check's order). */
  async check(thisHash: string, signature: EmitterSignatureInput | null | undefined): Promise<EmitterFailure | null> {
    const { kid, sig } = signature ?? {};
    if (typeof kid !== 'string' || typeof sig !== 'string' || !kid || !sig) return 'signature_missing';
    const key = KID.test(kid) ? this.keys.get(kid) : undefined;
    if (!key) return 'unknown_signer';
    const bytes = SIG.test(sig) ? fromBase64Url(sig, true) : null;
    if (!bytes) return 'signature_invalid';
    return (await verifyEd25519(key, bytes, utf8(EMITTER_SIGNATURE_CONTEXT + thisHash))) ? null : 'signature_invalid';
  }
}
