/**
 * The page's verdict on an export bundle, computed in the browser from the files themselves: manifest.json
 * and bundle.jws, checkpoint.txt against the pinned log and witness keys, then every line of events.jsonl
 * (canonical form, hash, chain, emitter signature, inclusion proof), then the files against the manifest.
 *
 * The first break is the first event that is no longer intact, in line order — an edited event breaks the
 * manifest's digest of events.jsonl too, but the page names the event; a finding about a whole file comes
 * after every event's (checkpoint, then signature, then manifest). `incomplete` means nothing broke but
 * something could not be checked against a pinned key; `unchecked` says what.
 */
import { checkBundleSignature, type JwsCheck } from './bundle-signature.js';
import { utf8Length, toBase64 } from './bytes.js';
import { openPinnedCheckpoint, unverifiedCheckpoint } from './checkpoint.js';
import { checkEvents } from './events-pass.js';
import type { ProvenCheckpoint } from './inclusion.js';
import { MAX_FILE_BYTES, MAX_LISTED_BREAKS } from './limits.js';
import { checkFiles, parseManifest } from './manifest.js';
import { prepareTrust, type PreparedTrust } from './trust.js';
import type { Break, BundleFiles, BundleSummary, CheckpointSummary, PageTrust, Verdict } from './types.js';

const FILE_NAMES = ['events.jsonl', 'signatures.jsonl', 'checkpoint.txt', 'proofs.jsonl', 'manifest.json', 'bundle.jws', 'history.json'] as const;

const fileBreak = (file: string, code: Break['code'], kind: string, message: string): Break => ({ index: -1, code, kind, message, file });

/** The given files as strings, or a caller mistake (TypeError). */
function readFiles(files: BundleFiles): Partial<Record<(typeof FILE_NAMES)[number], string>> {
  if (typeof files !== 'object' || files === null) throw new TypeError('verifyBundle takes the bundle files as an object of strings');
  const out: Partial<Record<(typeof FILE_NAMES)[number], string>> = {};
  for (const name of FILE_NAMES) {
    const text: unknown = Object.hasOwn(files, name) ? files[name] : undefined;
    if (text === undefined) continue;
    if (typeof text !== 'string') throw new TypeError(`${name} must be given as a string`);
    out[name] = text;
  }
  if (out['events.jsonl'] === undefined) throw new TypeError('events.jsonl is required');
  return out;
}

async function checkpointPass(note: string | undefined, trust: PreparedTrust, breaks: Break[], unchecked: string[]): Promise<{ summary?: CheckpointSummary; proven?: ProvenCheckpoint }> {
  if (note === undefined) {
    unchecked.push('the bundle carries no checkpoint (checkpoint.txt): no event is proven in the log');
    return {};
  }
  if (trust.logKeys.length === 0) {
    unchecked.push('no log key is pinned: the checkpoint and the inclusion proofs are not checked');
    const body = unverifiedCheckpoint(note);
    return body ? { summary: { origin: body.origin, size: body.size, rootHash: toBase64(body.root), witnessed: [], missingWitnesses: [], logSigners: [], verified: false } } : {};
  }
  const opened = await openPinnedCheckpoint(note, trust.logKeys, trust.witnessKeys);
  if (opened.missingWitnesses.length) {
    breaks.push(fileBreak('checkpoint.txt', 'checkpoint_not_witnessed', 'checkpoint_not_witnessed', `no cosignature of ${opened.missingWitnesses.join(', ')} on the checkpoint`));
  }
  if (!opened.ok) {
    const message = opened.reason === 'unsigned' ? 'checkpoint.txt is not signed by a pinned log key' : `checkpoint.txt: ${opened.detail}`;
    breaks.push(fileBreak('checkpoint.txt', 'checkpoint_invalid', 'checkpoint_invalid', message));
    return {};
  }
  const summary: CheckpointSummary = {
    origin: opened.origin,
    size: opened.size,
    rootHash: toBase64(opened.root),
    witnessed: opened.witnessed,
    missingWitnesses: opened.missingWitnesses,
    logSigners: opened.logSigners,
    verified: true,
  };
  return { summary, proven: { size: opened.size, root: opened.root } };
}

function signatureFindings(jws: JwsCheck, breaks: Break[], unchecked: string[]): void {
  if (jws.problem === 'signature_hmac') unchecked.push(`bundle.jws: ${jws.reason}`);
  else if (jws.problem === 'signature_missing') breaks.push(fileBreak('bundle.jws', 'bundle_signature_missing', 'signature_missing', jws.reason!));
  else if (jws.problem) breaks.push(fileBreak('bundle.jws', 'bundle_signature_invalid', jws.problem, jws.reason!));
  else if (!jws.present) unchecked.push('the bundle is not signed (no bundle.jws)');
  else if (!jws.pinned) unchecked.push('bundle.jws holds for the key the bundle carries, but no bundle key is pinned: integrity, not authorship');
}

export async function verifyBundle(files: BundleFiles, trust: PageTrust = {}): Promise<Verdict> {
  const given = readFiles(files);
  const prepared = await prepareTrust(trust);
  const unchecked: string[] = [];
  const tooLarge = FILE_NAMES.filter((name) => given[name] !== undefined && utf8Length(given[name]) > MAX_FILE_BYTES);
  if (tooLarge.length) {
    return { status: 'incomplete', events: [], breaks: [], breaksTotal: 0, unchecked: tooLarge.map((name) => `${name} is larger than ${MAX_FILE_BYTES} bytes: the page does not check it`) };
  }

  // The manifest and its signature.
  const manifestBreaks: Break[] = [];
  const signatureBreaks: Break[] = [];
  const manifestText = given['manifest.json'];
  const read = manifestText !== undefined ? parseManifest(manifestText) : undefined;
  if (read && !read.ok) manifestBreaks.push(fileBreak('manifest.json', 'manifest_invalid', 'manifest_invalid', read.reason));
  if (!read) unchecked.push('no manifest.json: counts, heads and file digests are not checked, and a cut tail cannot be told from a whole export');
  const manifest = read?.ok ? read.manifest : null;
  let jws: JwsCheck | undefined;
  if (manifestText !== undefined) {
    jws = await checkBundleSignature(given['bundle.jws'], manifestText, prepared.bundleKey);
    signatureFindings(jws, signatureBreaks, unchecked);
  }

  // The checkpoint, then the events against it.
  const checkpointBreaks: Break[] = [];
  const checkpoint = await checkpointPass(given['checkpoint.txt'], prepared, checkpointBreaks, unchecked);
  const pass = await checkEvents({
    events: given['events.jsonl']!,
    signatures: given['signatures.jsonl'],
    proofs: given['proofs.jsonl'],
    manifest,
    emitters: prepared.emitters,
    checkpoint: checkpoint.proven,
    hasCheckpoint: given['checkpoint.txt'] !== undefined,
  });
  if (!prepared.emitters && pass.events.length) unchecked.push('no emitter key is pinned: emitter signatures are not checked');
  const uncovered = pass.events.filter((e) => e.inclusion === 'not_yet_covered').length;
  if (uncovered) unchecked.push(`${uncovered} event(s) are not yet covered by the checkpoint`);

  // The files against the manifest.
  const fileChecks = manifest ? await checkFiles(manifest, given as BundleFiles) : [];
  for (const f of fileChecks) if (f.checked && !f.ok) manifestBreaks.push(fileBreak(f.file, 'manifest_mismatch', f.kind!, f.message!));
  manifestBreaks.push(...pass.manifestBreaks);

  const breaks = [...pass.breaks, ...checkpointBreaks, ...signatureBreaks, ...manifestBreaks];
  const bundle: BundleSummary | undefined =
    manifestText !== undefined
      ? {
          manifest: manifest ? { format: manifest.format, counts: manifest.counts, selection: manifest.selection } : null,
          signature: { present: jws!.present, ok: jws!.ok, pinned: jws!.pinned, ...(jws!.alg ? { alg: jws!.alg } : {}), ...(jws!.kid ? { kid: jws!.kid } : {}), ...(jws!.thumbprint ? { thumbprint: jws!.thumbprint } : {}) },
          files: Object.fromEntries(fileChecks.map((f) => [f.file, { checked: f.checked, ok: f.ok }])),
        }
      : undefined;
  return {
    status: breaks.length ? 'broken' : unchecked.length ? 'incomplete' : 'verified',
    events: pass.events,
    ...(breaks[0] ? { firstBreak: breaks[0] } : {}),
    breaks: breaks.slice(0, MAX_LISTED_BREAKS),
    breaksTotal: breaks.length,
    unchecked,
    ...(checkpoint.summary ? { checkpoint: checkpoint.summary } : {}),
    ...(bundle ? { bundle } : {}),
  };
}
