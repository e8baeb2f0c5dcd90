/**
 * Where the payload encryption keys come from: COORD_PAYLOAD_KEYS (JSON `{"current":"id","keys":{"id":"<base64>"}}`)
 * in production; on a dev machine a key file in the data folder, created with a random key on first use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileOnce } from '../lib/create-once.js';
import { DATA_DIR, ensureDir } from '../config/paths.js';
import type { CodecKeys } from './payload-codec.js';
import { config } from '../config/index.js';

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

function parse(file: KeyFile): CodecKeys {
  return { current: file.current, keys: new Map(Object.entries(file.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')])) };
}

export function devKeyFile(): string {
  return join(DATA_DIR, 'codec', 'payload-keys.json');
}

export function loadCodecKeys(): CodecKeys {
  const configured = config().COORD_PAYLOAD_KEYS;
  if (configured) return parse(JSON.parse(configured) as KeyFile);
  const file = config().COORD_PAYLOAD_KEYS_FILE ?? devKeyFile();
  if (!existsSync(file)) {
    ensureDir(join(file, '..'));
    const key = randomBytes(32);
    const id = `dev-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
    createFileOnce(file, JSON.stringify({ current: id, keys: { [id]: key.toString('base64') } }, null, 2), 0o600);
  }
  return parse(JSON.parse(readFileSync(file, 'utf8')) as KeyFile);
}
