/**
 * manifest.json: built from what was written (canonical JSON, no timestamps), and read back strictly — a
 * manifest that is not exactly canonical JSON of the expected shape is refused with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../canonical.js';
import { MANIFEST_FILE, SIGNATURE_FILE, type Manifest } from './format.js';
import { parseManifestText } from './manifest-text.js';

export const manifestBytes = (manifest: Manifest): Buffer => Buffer.from(canonicalJson(manifest), 'utf8');

/** On failure `bytes` is still given when the file exists, so a signature over it can be checked. */
export type ManifestRead = { ok: true; manifest: Manifest; bytes: Buffer } | { ok: false; reason: string; bytes?: Buffer };

/** The rules are parseManifestText's (manifest-text.ts, shared with the page's verifier). */
export function readManifest(dir: string): ManifestRead {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return { ok: false, reason: `${MANIFEST_FILE} is missing` };
  const bytes = readFileSync(file);
  return { ...parseManifestText(bytes.toString('utf8')), bytes };
}

/** bundle.jws as text, or null when the bundle is not signed. */
export function readSignature(dir: string): string | null {
  const file = join(dir, SIGNATURE_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}
