/**
 * The Restate variant's counterpart of client/payload-codec.ts: AES-256-GCM over every value Restate stores
 * for the composition object — handler inputs (they carry bearer tokens) and outputs, state, `ctx.run`
 * results — with the same keys (client/codec-keys.ts). The SDK applies it as its journal value codec; the
 * bench driver seals what it sends to the ingress and opens what comes back, as a Temporal client does with
 * its data converter. Layout: key-id length (1 byte), key id, IV (12), ciphertext, tag (16).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CodecKeys } from '../../client/payload-codec.js';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealedCodec {
  constructor(private readonly keys: CodecKeys) {
    for (const [id, key] of keys.keys) if (key.length !== 32) throw new TypeError(`codec key ${id} must be 32 bytes, got ${key.length}`);
    if (!keys.keys.has(keys.current)) throw new TypeError(`codec key ${keys.current} is not configured`);
    if (Buffer.byteLength(keys.current) > 255) throw new TypeError('a codec key id must fit in 255 bytes');
  }

  /** Seals `plain`; an empty value stays empty (a handler without input or output). */
  encode(plain: Uint8Array): Uint8Array {
    if (plain.length === 0) return plain;
    const id = Buffer.from(this.keys.current, 'utf8');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.keys.keys.get(this.keys.current)!, iv);
    return Buffer.concat([Buffer.of(id.length), id, iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  /** Opens what `encode` sealed; throws on an unknown key or a value that was tampered with. */
  open(sealed: Uint8Array): Uint8Array {
    if (sealed.length === 0) return sealed;
    const data = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const idLength = data[0]!;
    const keyId = data.subarray(1, 1 + idLength).toString('utf8');
    const key = this.keys.keys.get(keyId);
    if (!key) throw new Error(`value sealed with unknown codec key ${JSON.stringify(keyId)}`);
    const body = data.subarray(1 + idLength);
    if (body.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
    const decipher = createDecipheriv(CIPHER, key, body.subarray(0, IV_BYTES));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]);
  }

  /** The SDK's journal value codec interface (its `decode` is asynchronous). */
  journalValueCodec(): { encode: (buf: Uint8Array) => Uint8Array; decode: (buf: Uint8Array) => Promise<Uint8Array> } {
    return { encode: (buf) => this.encode(buf), decode: async (buf) => this.open(buf) };
  }
}
