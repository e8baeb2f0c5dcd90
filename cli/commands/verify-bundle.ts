/**
 * `coord audit verify-bundle <dir> [--key <public.jwk>] [--json]` — is this export what its signer wrote?
 * The signature over manifest.json (against the pinned key, else the key the bundle carries: integrity,
 * not authorship) and each file's sha256 against the manifest. Exit 1 on any problem.
 */
import { parseArgs } from 'node:util';
import { verifyBundle, type BundleProblemKind } from '../../audit/bundle/verify.js';
import { edgeReplay } from '../../workers/edge/replay-bundle.js';
import { PINNED_KEY_OPTIONS, pinnedKeys } from './pinned-keys.js';
import { UsageError, print, printJson } from '../output.js';

export const VERIFY_BUNDLE_USAGE = `coord audit verify-bundle <export dir> [--key <public.jwk> | --hmac-key <secret.jwk>] [--emitter-key <keys.json>]
                          [--log-key <vkey|file>…] [--witness-key <vkey|file>…] [--trust <trust.json>] [--json]
    the bundle's signature (pinned to --key, or the shared secret of an HMAC bundle; without either, checked
    against the key the bundle carries) and the sha256 of every file the manifest lists; with emitter, log or
    witness keys also the content, as coord edge replay --events-only: chains, emitter signatures, the
    checkpoint and its cosignatures, every inclusion proof; exit 1 on any problem`;

export async function verifyBundleCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...PINNED_KEY_OPTIONS, json: { type: 'boolean', default: false } },
  });
  const [dir, ...extra] = positionals;
  if (!dir || extra.length) throw new UsageError(VERIFY_BUNDLE_USAGE);
  const keys = pinnedKeys(values);
  const result = await verifyBundle(dir, keys.publicKey ? { publicKey: keys.publicKey } : {});
  if (keys.emitters || keys.logKeys.length || keys.witnessKeys.length) {
    // the content too (the signature and the file hashes were checked above)
    const content = await edgeReplay(dir, { ...keys, eventsOnly: true, allowUnsigned: true });
    const seen = new Set(result.problems.map((p) => p.detail));
    for (const m of content.mismatches) {
      if (seen.has(m.detail)) continue;
      result.problems.push({ kind: m.kind as BundleProblemKind, ...(m.event_id ? { file: m.event_id } : {}), detail: m.detail });
    }
    result.ok = result.problems.length === 0;
  }
  if (values.json) {
    printJson(result);
  } else if (result.ok) {
    const s = result.signature;
    print(`ok: signed by ${s.thumbprint} ${s.pinned ? '(the pinned key)' : '(the key the bundle carries; pin one with --key)'}; ${Object.keys(result.files).join(', ')} match the manifest`);
  } else {
    print(`FAILED: ${result.problems.length} problem(s)`);
    for (const p of result.problems) print(`  ${p.kind}${p.file ? ` [${p.file}]` : ''}: ${p.detail}`);
  }
  return result.ok ? 0 : 1;
}
