/**
 * manifest.json's text read strictly — exactly canonical JSON of the expected shape and the two pairing
 * rules, else the reason. Pure (no file access, no Node built-in): readManifest (manifest.ts) reads the file
 * with node:fs and the page's verifier (gateway/ui/src/verify/manifest.ts) reads text in hand, both with this.
 */
import { z } from 'zod';
import { issuePath } from '../../schemas/catalog.js';
import { canonicalJson } from '../canonical.js';
import { EXPORT_FORMAT, EXPORT_FORMAT_V1, MANIFEST_FILE, type Manifest } from './format.js';

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

export type ManifestParse = { ok: true; manifest: Manifest } | { ok: false; reason: string };

export function parseManifestText(text: string): ManifestParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `${MANIFEST_FILE} is not JSON: ${(err as Error).message}` };
  }
  if (canonicalJson(value) !== text) return { ok: false, reason: `${MANIFEST_FILE} is not RFC 8785 canonical JSON` };
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: `${MANIFEST_FILE} ${issuePath(issue.path)}: ${issue.message}` };
  }
  const { format, files } = parsed.data;
  if ((format === EXPORT_FORMAT) !== (files['signatures.jsonl'] !== undefined)) {
    return { ok: false, reason: `${MANIFEST_FILE} .files: signatures.jsonl is hashed in format ${EXPORT_FORMAT} bundles, and only in them` };
  }
  if ((files['checkpoint.txt'] === undefined) !== (files['proofs.jsonl'] === undefined)) {
    return { ok: false, reason: `${MANIFEST_FILE} .files: checkpoint.txt and proofs.jsonl come together` };
  }
  // The value itself, not the parser's copy of it: a large export's manifest is held once.
  return { ok: true, manifest: value as Manifest };
}
