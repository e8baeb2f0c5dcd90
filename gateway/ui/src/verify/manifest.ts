/**
 * manifest.json read in the page as audit/bundle/manifest.ts reads it (that module reads files with
 * node:fs): canonical JSON, the same shape (a zod schema kept equal to that one by the twin tests), the
 * same two pairing rules; then the files given against the digests it lists.
 */
import { z } from 'zod';
import { canonicalJson } from '../../../../audit/canonical.js';
import { EXPORT_FORMAT, EXPORT_FORMAT_V1, HASHED_FILES, type FileDigest, type Manifest } from '../../../../audit/bundle/format.js';
import { issuePath } from '../../../../schemas/catalog.js';
import { utf8 } from './bytes.js';
import { sha256Ref } from './hash.js';
import { MAX_MANIFEST_BYTES } from './limits.js';
import type { BundleFiles } from './types.js';

const sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();
const digest = z.strictObject({ sha256, bytes: count });

const manifestSchema = z.strictObject({
  format: z.enum([EXPORT_FORMAT, EXPORT_FORMAT_V1]),
  selection: z.record(z.string(), z.unknown()),
  counts: z.strictObject({ compositions: count, events: count, runs: count }),
  compositions: z.array(
    z.strictObject({
      composition_id: z.string().min(1),
      events: count,
      head: z.strictObject({ sequence: z.number().int().positive(), this_hash: sha256 }).nullable(),
    }),
  ),
  files: z.strictObject({
    'events.jsonl': digest,
    'history.json': digest,
    'signatures.jsonl': digest.optional(),
    'checkpoint.txt': digest.optional(),
    'proofs.jsonl': digest.optional(),
  }),
});

export type ManifestRead = { ok: true; manifest: Manifest } | { ok: false; reason: string };

/** readManifest's rules on text already in hand. */
export function parseManifest(text: string): ManifestRead {
  if (text.length > MAX_MANIFEST_BYTES) return { ok: false, reason: `manifest.json is larger than ${MAX_MANIFEST_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `manifest.json is not JSON: ${(err as Error).message}` };
  }
  if (canonicalJson(value) !== text) return { ok: false, reason: 'manifest.json is not RFC 8785 canonical JSON' };
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `manifest.json ${issuePath(issue.path)}: ${issue.message}` };
  }
  const { format, files } = parsed.data;
  if ((format === EXPORT_FORMAT) !== (files['signatures.jsonl'] !== undefined)) {
    return { ok: false, reason: `manifest.json .files: signatures.jsonl is hashed in format ${EXPORT_FORMAT} bundles, and only in them` };
  }
  if ((files['checkpoint.txt'] === undefined) !== (files['proofs.jsonl'] === undefined)) {
    return { ok: false, reason: 'manifest.json .files: checkpoint.txt and proofs.jsonl come together' };
  }
  return { ok: true, manifest: value as Manifest };
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
