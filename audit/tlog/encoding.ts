/**
 * The byte encodings the note formats and the export bundle use, in plain JavaScript (no Buffer, no Node
 * built-in) so that the Node verifiers and the page's verifier (gateway/ui/src/verify/) read bytes by one
 * rule: UTF-8 through TextEncoder; standard base64 with padding (RFC 4648 §4) read strictly, padded and
 * canonical, so two different strings never decode to one signature; base64url without padding as JWS and
 * JWK use it; key ids as 8 hex digits.
 */

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const encoder = new TextEncoder();

export const utf8 = (text: string): Uint8Array => encoder.encode(text);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += alphabet[(n >> (18 - 6 * c)) & 63];
  }
  return pad ? out.padEnd(Math.ceil(out.length / 4) * 4, '=') : out;
}

/** Decodes unpadded text of `alphabet`; null when a trailing group is impossible (a single leftover char). */
function decode(text: string, alphabet: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of text) {
    value = (value << 6) | alphabet.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

export const toBase64 = (bytes: Uint8Array): string => encode(bytes, STD, true);
export const toBase64Url = (bytes: Uint8Array): string => encode(bytes, URL_SAFE, false);

/** Standard base64, padded and canonical (zero unused trailing bits), or null. */
export function fromBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const bytes = decode(text.replace(/=+$/, ''), STD);
  return bytes && toBase64(bytes) === text ? bytes : null;
}

/**
 * base64url without padding, or null. Canonical (zero unused trailing bits) unless `lenient`: Node's
 * Buffer.from(…, 'base64url'), which the Node verifiers use for emitter signatures, ignores those bits.
 */
export function fromBase64Url(text: string, lenient = false): Uint8Array | null {
  if (!BASE64URL.test(text)) return null;
  const bytes = decode(text, URL_SAFE);
  return bytes && (lenient || toBase64Url(bytes) === text) ? bytes : null;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Constant-time in the length of equal-length inputs: hashes and signatures are compared with it. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The UTF-8 length of a string without encoding it (what Buffer.byteLength gives, a lone surrogate as U+FFFD). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3; // a lone surrogate is encoded as U+FFFD, three bytes
  }
  return n;
}
