/** The bytes a slice or receipt signature covers, and the digest receipts name a slice by. */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical.js';

export const signedBytes = (value: unknown): Buffer => Buffer.from(canonicalJson(value), 'utf8');
export const digestOf = (value: unknown): string => `sha256:${createHash('sha256').update(signedBytes(value)).digest('hex')}`;
