/**
 * manifest.json read in the page by the rules audit/bundle/manifest.ts reads it with (audit/bundle/manifest-text.ts,
 * shared: that module itself reads files with node:fs); then the files given against the digests it lists.
 */
import { HASHED_FILES, type FileDigest, type Manifest } from '../../../../audit/bundle/format.js';
import { parseManifestText, type ManifestParse } from '../../../../audit/bundle/manifest-text.js';
import { utf8 } from './bytes.js';
import { sha256Ref } from './hash.js';
import { MAX_MANIFEST_BYTES } from './limits.js';
import type { BundleFiles } from './types.js';

/** readManifest's rules on text already in hand, past a size bound (a user may load any file). */
export function parseManifest(text: string): ManifestParse {
  if (text.length > MAX_MANIFEST_BYTES) return { ok: false, reason: `manifest.json is larger than ${MAX_MANIFEST_BYTES} bytes` };
  return parseManifestText(text);
}

export async function digestText(text: string): Promise<FileDigest> {
  const bytes = utf8(text);
  return { sha256: await sha256Ref(bytes), bytes: bytes.length };
}

export interface FileFinding {
  file: string;
  /** false: the page was not given the file (history.json, which the timeline does not need) */
  checked: boolean;
  ok: boolean;
  /** edge kinds: file_missing, file_hash_mismatch */
  kind?: 'file_missing' | 'file_hash_mismatch';
  message?: string;
}

/** Each file the manifest hashes, against the text given (audit/bundle/verify.ts fileProblem). */
export async function checkFiles(manifest: Manifest, files: BundleFiles): Promise<FileFinding[]> {
  const out: FileFinding[] = [];
  for (const name of HASHED_FILES) {
    const expected = Object.hasOwn(manifest.files, name) ? manifest.files[name] : undefined;
    if (!expected) continue;
    const text = Object.hasOwn(files, name) ? files[name] : undefined;
    if (typeof text !== 'string') {
      if (name === 'history.json') out.push({ file: name, checked: false, ok: false });
      else out.push({ file: name, checked: true, ok: false, kind: 'file_missing', message: `${name} is missing` });
      continue;
    }
    const actual = await digestText(text);
    const ok = actual.sha256 === expected.sha256 && actual.bytes === expected.bytes;
    out.push({
      file: name,
      checked: true,
      ok,
      ...(ok ? {} : { kind: 'file_hash_mismatch' as const, message: `${name} is ${actual.sha256} (${actual.bytes} bytes), the manifest says ${expected.sha256} (${expected.bytes} bytes)` }),
    });
  }
  return out;
}
