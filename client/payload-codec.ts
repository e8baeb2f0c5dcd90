/**
 * AES-256-GCM encryption of every Temporal payload (workflow inputs, update arguments, activity inputs and
 * results): bearer tokens and claims are never readable in Temporal history. Each payload records the id of
 * the key that sealed it, so keys can rotate (old ones stay configured for decoding).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

const ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface CodecKeys {
  /** id of the key new payloads are sealed with */
  current: string;
  /** every key that may have sealed a stored payload, by id (32 bytes each) */
  keys: ReadonlyMap<string, Buffer>;
}

const PayloadProto = proto.temporal.api.common.v1.Payload;
const utf8Encode = (s: string) => Buffer.from(s, 'utf8');
const utf8Decode = (b: Uint8Array) => Buffer.from(b).toString('utf8');

/** A payload sealed with a key this codec does not hold (rotated out, or another deployment's). */
export class UnknownCodecKeyError extends Error {
  override name = 'UnknownCodecKeyError';
  constructor(readonly keyId: string) {
    super(`payload sealed with unknown codec key ${JSON.stringify(keyId)}`);
  }
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: CodecKeys) {
    for (const [id, key] of keys.keys) if (key.length !== 32) throw new TypeError(`codec key ${id} must be 32 bytes, got ${key.length}`);
    if (!keys.keys.has(keys.current)) throw new TypeError(`codec key ${keys.current} is not configured`);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.keys.get(this.keys.current)!;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(CIPHER, key, iv);
      const sealed = Buffer.concat([iv, cipher.update(PayloadProto.encode(payload).finish()), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8Encode(ENCODING), [KEY_ID]: utf8Encode(this.keys.current) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || utf8Decode(encoding) !== ENCODING) return payload; // not ours (e.g. search attributes)
      const keyIdBytes = payload.metadata?.[KEY_ID];
      const keyId = keyIdBytes ? utf8Decode(keyIdBytes) : '';
      const key = this.keys.keys.get(keyId);
      if (!key) throw new UnknownCodecKeyError(keyId);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return PayloadProto.decode(plain);
    });
  }
}
