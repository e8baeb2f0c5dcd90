/**
 * `verifyBundle`: is this export what its signer wrote? The signature over manifest.json (against a pinned
 * key, else the key the bundle carries), then each file's sha256 and size against the manifest. Content
 * checks — the chain, the lifecycle, replay — are the edge worker's (`coord edge replay`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { digestFile } from './digest.js';
import { HASHED_FILES, type FileDigest } from './format.js';
import { readManifest, readSignature, type ManifestRead } from './manifest.js';
import type { HmacKey } from './signing-key.js';
import { verifyManifestSignature, type SignatureCheck, type SignatureProblemKind } from './signature.js';

export type BundleProblemKind = 'manifest_invalid' | 'file_missing' | 'file_hash_mismatch' | SignatureProblemKind;

export interface BundleProblem {
  kind: BundleProblemKind;
  file?: string;
  detail: string;
}

export interface FileCheck extends FileDigest {
  ok: boolean;
  expected: FileDigest;
}

export interface BundleVerification {
  ok: boolean;
  dir: string;
  signature: SignatureCheck;
  files: Record<string, FileCheck>;
  problems: BundleProblem[];
}

/** A file's digest against the manifest's: no problem, or the one that says how it differs. */
export function fileProblem(file: string, actual: FileDigest | null, expected: FileDigest): (BundleProblem & { kind: 'file_missing' | 'file_hash_mismatch' }) | undefined {
  if (!actual) return { kind: 'file_missing', file, detail: `${file} is missing` };
  if (actual.sha256 === expected.sha256 && actual.bytes === expected.bytes) return undefined;
  return {
    kind: 'file_hash_mismatch',
    file,
    detail: `${file} is ${actual.sha256} (${actual.bytes} bytes), the manifest says ${expected.sha256} (${expected.bytes} bytes)`,
  };
}

/** manifest.json read strictly, and bundle.jws checked against its bytes (against `publicKey` when pinned). */
export async function readSignedManifest(dir: string, publicKey?: JWK | HmacKey): Promise<{ read: ManifestRead; signature: SignatureCheck }> {
  const read = readManifest(dir);
  const jws = readSignature(dir);
  const signature: SignatureCheck = read.bytes
    ? await verifyManifestSignature(jws, read.bytes, publicKey)
    : { present: jws !== null, ok: false, pinned: publicKey !== undefined, reason: 'no manifest.json to check the signature against' };
  return { read, signature };
}

export async function verifyBundle(dir: string, opts: { publicKey?: JWK | HmacKey } = {}): Promise<BundleVerification> {
  const problems: BundleProblem[] = [];
  const files: Record<string, FileCheck> = {};
  const { read, signature } = await readSignedManifest(dir, opts.publicKey);
  if (!read.ok) problems.push({ kind: 'manifest_invalid', file: 'manifest.json', detail: read.reason });
  if (!signature.present) problems.push({ kind: 'signature_missing', file: 'bundle.jws', detail: 'the bundle is not signed (no bundle.jws)' });
  else if (!signature.ok && signature.kind) problems.push({ kind: signature.kind, file: 'bundle.jws', detail: signature.reason! });
  if (!read.ok) return { ok: false, dir, signature, files, problems };
  for (const name of HASHED_FILES) {
    const path = join(dir, name);
    const expected = read.manifest.files[name];
    if (!expected) continue; // signatures.jsonl in a v1 bundle
    const actual = existsSync(path) ? await digestFile(path) : null;
    const problem = fileProblem(name, actual, expected);
    if (problem) problems.push(problem);
    if (actual) files[name] = { ...actual, ok: !problem, expected };
  }
  return { ok: problems.length === 0, dir, signature, files, problems };
}
