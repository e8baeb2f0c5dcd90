/**
 * bundle.jws checked in the page: a detached compact JWS, EdDSA over Ed25519, over manifest.json's exact
 * bytes, `kid` the RFC 7638 thumbprint of the key in the protected header (audit/bundle/signature.ts, which
 * verifies with jose on node:crypto keys). Against the pinned bundle key when there is one; otherwise the
 * header's key, which proves integrity, not authorship. An HS256 bundle needs the shared secret, which a
 * page never holds: it is reported unverifiable, not broken.
 */
import type { SignatureCheck, SignatureProblemKind } from '../../../../audit/bundle/signature.js';
import { fromBase64Url, toBase64Url, utf8 } from './bytes.js';
import { ed25519Thumbprint, ed25519X, importEd25519Jwk, verifyEd25519 } from './ed25519.js';
import { MAX_JWS_BYTES } from './limits.js';
import type { PublicJwk } from './types.js';

/** audit/bundle/signature.ts SignatureProblemKind, and the HMAC case the page cannot check. */
export type JwsProblem = SignatureProblemKind | 'signature_hmac';

/** audit/bundle/signature.ts SignatureCheck as the page reports it: its `kind` is `problem`, and no pinned thumbprint. */
export type JwsCheck = Omit<SignatureCheck, 'kind' | 'pinned_thumbprint'> & { problem?: JwsProblem };

function decodeHeader(part: string): Record<string, unknown> | null {
  const bytes = fromBase64Url(part);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `pinnedKey` is the page's configuration: a malformed one throws TypeError. */
export async function checkBundleSignature(jws: string | undefined, manifestText: string, pinnedKey: PublicJwk | undefined): Promise<JwsCheck> {
  const pinnedX = pinnedKey ? (await importEd25519Jwk(pinnedKey, 'the pinned bundle key')).x : undefined;
  const pinnedThumbprint = pinnedX ? await ed25519Thumbprint(pinnedX) : undefined;
  const pinned = pinnedThumbprint !== undefined;
  if (jws === undefined) {
    return pinned ? { present: false, ok: false, pinned, problem: 'signature_missing', reason: 'the bundle is not signed (no bundle.jws), but a bundle key is pinned' } : { present: false, ok: true, pinned };
  }
  const fail = (problem: JwsProblem, reason: string, extra: Partial<JwsCheck> = {}): JwsCheck => ({ present: true, ok: false, pinned, ...extra, problem, reason });
  if (jws.length > MAX_JWS_BYTES) return fail('signature_malformed', `bundle.jws is larger than ${MAX_JWS_BYTES} bytes`);
  const parts = jws.trim().split('.');
  if (parts.length !== 3) return fail('signature_malformed', `bundle.jws is not a compact JWS (${parts.length} parts, expected 3)`);
  const [protectedHeader, payload, signature] = parts as [string, string, string];
  if (payload !== '') return fail('signature_malformed', 'bundle.jws must have a detached payload (header..signature)');
  const header = decodeHeader(protectedHeader);
  if (!header) return fail('signature_malformed', 'the protected header does not decode to a JSON object');
  const ids = { ...(typeof header.alg === 'string' ? { alg: header.alg } : {}), ...(typeof header.kid === 'string' ? { kid: header.kid } : {}) };
  if (header.alg === 'HS256') return fail('signature_hmac', 'an HMAC-signed bundle is checked only with its shared secret, which the page does not hold', ids);
  if (header.alg !== 'EdDSA') return fail('signature_malformed', `alg is ${JSON.stringify(header.alg)}, expected EdDSA`, ids);
  // The signer sets neither; a header that changes how the payload is read (b64, crit) is refused outright.
  if (Object.hasOwn(header, 'crit') || Object.hasOwn(header, 'b64')) return fail('signature_malformed', 'the protected header may not carry crit or b64', ids);
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Object.hasOwn(jwk, 'd')) return fail('signature_malformed', 'the protected header must carry the public key (jwk) and no private member', ids);
  const headerX = ed25519X(jwk);
  if (!headerX) return fail('signature_malformed', "the header's jwk is not an Ed25519 JWK (kty \"OKP\", crv \"Ed25519\", x)", ids);
  const thumbprint = await ed25519Thumbprint(headerX);
  const signer = { ...ids, thumbprint };
  if (header.kid !== thumbprint) return fail('kid_mismatch', `kid ${JSON.stringify(header.kid)} is not the thumbprint of the header's key (${thumbprint})`, signer);
  if (pinnedThumbprint && pinnedThumbprint !== thumbprint) return fail('signature_wrong_key', `signed by key ${thumbprint}, not by the pinned key ${pinnedThumbprint}`, signer);
  const sig = fromBase64Url(signature);
  let key;
  try {
    ({ key } = await importEd25519Jwk({ kty: 'OKP', crv: 'Ed25519', x: pinnedX ?? headerX }, "the header's key"));
  } catch (err) {
    return fail('signature_malformed', (err as Error).message, signer);
  }
  const input = utf8(`${protectedHeader}.${toBase64Url(utf8(manifestText))}`);
  if (!sig || !(await verifyEd25519(key, sig, input))) return fail('signature_invalid', 'the signature does not hold for manifest.json as it is', signer);
  return { present: true, ok: true, pinned, ...signer };
}
