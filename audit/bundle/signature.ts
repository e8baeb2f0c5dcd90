/**
 * The bundle's signature: a compact JWS with a detached payload (`header..signature`) over the exact bytes
 * of manifest.json, EdDSA (Ed25519), `kid` = the RFC 7638 thumbprint of the public key carried in the
 * protected header (`jwk`). A verifier either pins the key it trusts or, lacking one, checks the signature
 * against the header's key and reports that key's thumbprint — which proves integrity, not authorship.
 */
import { CompactSign, base64url, decodeProtectedHeader, flattenedVerify, importJWK, type JWK } from 'jose';
import { SIGNING_ALG, publicJwkOf, thumbprintOf, type SigningKey } from './signing-key.js';

export type SignatureProblemKind = 'signature_missing' | 'signature_malformed' | 'kid_mismatch' | 'signature_wrong_key' | 'signature_invalid';

export interface SignatureCheck {
  /** bundle.jws exists */
  present: boolean;
  ok: boolean;
  /** checked against a key the caller gave, rather than the one the bundle carries */
  pinned: boolean;
  alg?: string;
  kid?: string;
  /** thumbprint of the key in the header (the signer, if the signature holds) */
  thumbprint?: string;
  /** thumbprint of the pinned key */
  pinned_thumbprint?: string;
  kind?: SignatureProblemKind;
  reason?: string;
}

export async function signManifest(manifestBytes: Uint8Array, key: SigningKey): Promise<string> {
  const jws = await new CompactSign(manifestBytes).setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, jwk: key.publicJwk }).sign(key.privateKey);
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

/** Checks `jws` (null: no bundle.jws) against manifest.json's bytes. Never throws on bad input: it says why. */
export async function verifyManifestSignature(jws: string | null, manifestBytes: Uint8Array, pinned?: JWK): Promise<SignatureCheck> {
  const pinnedThumbprint = pinned ? thumbprintOf(pinned) : undefined;
  const base = { pinned: pinned !== undefined, ...(pinnedThumbprint ? { pinned_thumbprint: pinnedThumbprint } : {}) };
  if (jws === null) {
    return pinned
      ? { present: false, ok: false, ...base, kind: 'signature_missing', reason: 'the bundle is not signed (no bundle.jws), but a public key was given' }
      : { present: false, ok: true, ...base };
  }
  const fail = (kind: SignatureProblemKind, reason: string, extra: Partial<SignatureCheck> = {}): SignatureCheck => ({ present: true, ok: false, ...base, ...extra, kind, reason });

  const parts = jws.trim().split('.');
  if (parts.length !== 3) return fail('signature_malformed', `bundle.jws is not a compact JWS (${parts.length} parts, expected 3)`);
  const [protectedHeader, payload, signature] = parts as [string, string, string];
  if (payload !== '') return fail('signature_malformed', 'bundle.jws must have a detached payload (header..signature)');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jws.trim());
  } catch (err) {
    return fail('signature_malformed', `the protected header does not decode: ${(err as Error).message}`);
  }
  const { alg, kid } = header;
  const ids = { ...(alg ? { alg } : {}), ...(kid ? { kid } : {}) };
  if (alg !== SIGNING_ALG) return fail('signature_malformed', `alg is ${JSON.stringify(alg)}, expected ${SIGNING_ALG}`, ids);
  if (!header.jwk || typeof header.jwk !== 'object' || 'd' in header.jwk) return fail('signature_malformed', 'the protected header must carry the public key (jwk) and no private member', ids);
  let thumbprint: string;
  try {
    thumbprint = thumbprintOf(header.jwk as JWK);
  } catch (err) {
    return fail('signature_malformed', (err as Error).message, ids);
  }
  const signer = { ...ids, thumbprint };
  if (kid !== thumbprint) return fail('kid_mismatch', `kid ${JSON.stringify(kid)} is not the thumbprint of the header's key (${thumbprint})`, signer);
  if (pinnedThumbprint && pinnedThumbprint !== thumbprint) {
    return fail('signature_wrong_key', `signed by key ${thumbprint}, not by the pinned key ${pinnedThumbprint}`, signer);
  }
  try {
    const key = await importJWK(publicJwkOf(pinned ?? (header.jwk as JWK)), SIGNING_ALG);
    await flattenedVerify({ protected: protectedHeader, payload: base64url.encode(manifestBytes), signature }, key, { algorithms: [SIGNING_ALG] });
  } catch (err) {
    return fail('signature_invalid', `the signature does not hold for manifest.json as it is (${(err as Error).message})`, signer);
  }
  return { present: true, ok: true, ...base, ...signer };
}
