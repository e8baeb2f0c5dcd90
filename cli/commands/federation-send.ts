/**
 * `coord federation status` and `coord federation trust` — the sending side of federation (the ledger's
 * outbox). The receiving node's subcommands (`receive`, `status --org`, `verify`) live in
 * cli/commands/federation-receive.ts; `isSenderSubcommand` tells the two apart.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { withLedgerStore } from '../../ledger/open-store.js';
import { readFederationPolicy } from '../../ledger/federation/policy.js';
import { loadSenderKeys } from '../../ledger/federation/sender-keys.js';
import { federationStatus, type PartnerStatus } from '../../ledger/federation/status.js';
import { partnerTrustFile } from '../../ledger/federation/trust-file.js';
import { UsageError, print, printJson } from '../output.js';

export const FEDERATION_SEND_USAGE = `coord federation status [--partner <name>] [--json]
    the ledger's federation outbox, per partner of the policy (COORD_FEDERATION_POLICY): slices packaged,
    sent (broker-confirmed), acknowledged (accepted + duplicate), refused (by reason), pending (no verdict
    yet), the PDP's denials, and the last receipt. Exit 1 when a partner refused a slice
coord federation trust --org <partner> --out <file>
    write the partner's trust file: our slice-signing key (the export signing key), emitter keys, log key,
    witness keys, the schema fingerprints of this build and the partner's issuers from the policy (public
    keys only; hand it to the partner, who pins it for \`coord federation receive\`)`;

/** Whether `coord federation <argv>` is the sender's (status without --org, trust) rather than the receiving node's. */
export function isSenderSubcommand(argv: readonly string[]): boolean {
  const [sub, ...rest] = argv;
  return sub === 'trust' || (sub === 'status' && !rest.some((a) => a === '--org' || a.startsWith('--org=')));
}

function describe(p: PartnerStatus): string[] {
  const refused = Object.entries(p.refused_by_reason).map(([r, n]) => `${r} ${n}`).join(', ');
  const lines = [
    `${p.partner}${p.in_policy ? '' : ' (no longer in the policy)'}: ${p.packaged} slices packaged, ${p.sent} sent, ${p.acknowledged} acknowledged (${p.accepted} accepted, ${p.duplicate} duplicate), ${p.refused} refused${refused ? ` (${refused})` : ''}, ${p.pending} pending (${p.unpublished} not yet confirmed by the broker)`,
    `  PDP: ${p.allowed} allowed, ${p.denied} denied; next slice_seq ${p.next_slice_seq}, last checkpoint sent of size ${p.checkpoint_size}`,
  ];
  const r = p.last_receipt;
  lines.push(r ? `  last receipt: slice ${r.slice_seq} ${r.status}${r.reason_code ? ` ${r.reason_code}` : ''}${r.detail ? ` — ${r.detail}` : ''} (received by ${p.partner} at ${r.received_at}${r.head ? `; its head ${r.head.sequence} ${r.head.this_hash}` : ''})` : '  last receipt: none');
  return lines;
}

async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { partner: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const policy = readFederationPolicy();
  const status = await withLedgerStore((store) => federationStatus(store.federation, policy));
  if (values.partner) {
    status.partners = status.partners.filter((p) => p.partner === values.partner);
    if (status.partners.length === 0) throw new UsageError(`no partner ${values.partner} in the policy ${policy.file} or the outbox`);
    status.ok = status.partners.every((p) => p.refused === 0);
  }
  if (values.json) printJson(status);
  else {
    print(`federation from ${status.sender} (policy ${policy.file})`);
    if (status.partners.length === 0) print('no partners');
    for (const p of status.partners) describe(p).forEach((line) => print(line));
  }
  return status.ok ? 0 : 1;
}

async function trustCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { org: { type: 'string' }, out: { type: 'string' } } });
  if (!values.org || !values.out) throw new UsageError(FEDERATION_SEND_USAGE);
  const trust = partnerTrustFile(readFederationPolicy(), values.org, await loadSenderKeys());
  writeFileSync(values.out, `${JSON.stringify(trust, null, 2)}\n`, { mode: 0o644 });
  print(`${values.out}: the trust file of ${trust.partner} for slices from ${trust.sender} (${trust.emitter_keys.length} emitter keys, ${trust.witness_keys.length} witnesses, ${Object.keys(trust.schema_fingerprints).length} schemas)`);
  return 0;
}

/** `coord federation status|trust …` (argv starts with the subcommand). */
export async function federationSendCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'status') return statusCommand(rest);
  if (sub === 'trust') return trustCommand(rest);
  throw new UsageError(FEDERATION_SEND_USAGE);
}
