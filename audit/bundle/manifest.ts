/**
 * manifest.json: built from what was written (canonical JSON, no timestamps), and read back strictly — a
 * manifest that is not exactly canonical JSON of the expected shape is refused with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { issuePath } from '../../schemas/catalog.js';
import { canonicalJson } from '../canonical.js';
import { EXPORT_FORMAT, EXPORT_FORMAT_V1, MANIFEST_FILE, SIGNATURE_FILE, type Manifest } from './format.js';

const sha256Ref = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const count = z.number().int().nonnegative();
const digest = z.strictObject({ sha256: sha256Ref, bytes: count });

const manifestSchema = z.strictObject({
  format: z.enum([EXPORT_FORMAT, EXPORT_FORMAT_V1]),
  selection: z.record(z.string(), z.unknown()),
  counts: z.strictObject({ compositions: count, events: count, runs: count }),
  compositions: z.array(
    z.strictObject({
      composition_id: z.string().min(1),
      events: count,
      head: z.strictObject({ sequence: z.number().int().positive(), this_hash: sha256Ref }).nullable(),
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

export const manifestBytes = (manifest: Manifest): Buffer => Buffer.from(canonicalJson(manifest), 'utf8');

/** On failure `bytes` is still given when the file exists, so a signature over it can be checked. */
export type ManifestRead = { ok: true; manifest: Manifest; bytes: Buffer } | { ok: false; reason: string; bytes?: Buffer };

export function readManifest(dir: string): ManifestRead {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) return { ok: false, reason: `${MANIFEST_FILE} is missing` };
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `${MANIFEST_FILE} is not JSON: ${(err as Error).message}`, bytes };
  }
  if (canonicalJson(value) !== text) return { ok: false, reason: `${MANIFEST_FILE} is not RFC 8785 canonical JSON`, bytes };
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `${MANIFEST_FILE} ${issuePath(issue.path)}: ${issue.message}`, bytes };
  }
  if ((parsed.data.format === EXPORT_FORMAT) !== (parsed.data.files['signatures.jsonl'] !== undefined)) {
    return { ok: false, reason: `${MANIFEST_FILE} .files: signatures.jsonl is hashed in format ${EXPORT_FORMAT} bundles, and only in them`, bytes };
  }
  if ((parsed.data.files['checkpoint.txt'] === undefined) !== (parsed.data.files['proofs.jsonl'] === undefined)) {
    return { ok: false, reason: `${MANIFEST_FILE} .files: checkpoint.txt and proofs.jsonl come together`, bytes };
  }
  // The value itself, not the parser's copy of it: a large export's manifest is held once.
  return { ok: true, manifest: value as Manifest, bytes };
}

/** bundle.jws as text, or null when the bundle is not signed. */
export function readSignature(dir: string): string | null {
  const file = join(dir, SIGNATURE_FILE);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}
