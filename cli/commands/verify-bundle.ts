/**
 * `coord audit verify-bundle <dir> [--key <public.jwk>] [--json]` — is this export what its signer wrote?
 * The signature over manifest.json (against the pinned key, else the key the bundle carries: integrity,
 * not authorship) and each file's sha256 against the manifest. Exit 1 on any problem.
 */
import { parseArgs } from 'node:util';
import { readHmacKey, readPublicJwk } from '../../audit/bundle/signing-key.js';
import { verifyBundle } from '../../audit/bundle/verify.js';
import { UsageError, print, printJson } from '../output.js';

export const VERIFY_BUNDLE_USAGE = `coord audit verify-bundle <export dir> [--key <public.jwk> | --hmac-key <secret.jwk>] [--json]
    the bundle's signature (pinned to --key, or the shared secret of an HMAC bundle; without either, checked
    against the key the bundle carries) and the sha256 of every file the manifest lists; exit 1 on any
    problem. The content — chains, emitter signatures, log proofs, cosignatures — is coord edge replay's`;

export async function verifyBundleCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { key: { type: 'string' }, 'hmac-key': { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const [dir, ...extra] = positionals;
  if (!dir || extra.length) throw new UsageError(VERIFY_BUNDLE_USAGE);
  const publicKey = values['hmac-key'] ? readHmacKey(values['hmac-key']) : values.key ? readPublicJwk(values.key) : undefined;
  const result = await verifyBundle(dir, publicKey ? { publicKey } : {});
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
