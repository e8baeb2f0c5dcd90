/**
 * The receiving side of `coord federation`: a partner organisation's node — `receive` runs it, `status`
 * reports its store, `verify` re-verifies the whole store offline (its own files and trust file only).
 * The sending side's subcommands live in cli/commands/federation-send.ts; `coord federation status` is the
 * receiving node's when it names a node with `--org` (`isSenderSubcommand` there tells the two apart).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import { ed25519PublicJwk } from '../../audit/ed25519-jwk.js';
import { assertFederationOrg } from '../../config/rabbitmq-credentials.js';
import { receiptPublicKeyFile } from '../../workers/federation/receipt-key.js';
import { describeStatus, receiverStatus } from '../../workers/federation/status.js';
import { FederationStore, federationDir, storeFile } from '../../workers/federation/store.js';
import { defaultTrustFile, readTrust } from '../../workers/federation/trust.js';
import { verifyStore } from '../../workers/federation/verify-store.js';
import { UsageError, print, printJson } from '../output.js';

export const FEDERATION_RECEIVE_USAGE = `coord federation receive --org <partner> [--trust <file>] [--prefetch <n>]
    a partner's receiving node: consumes federation.slices.<org> as that organisation's RabbitMQ user,
    verifies each slice against the trust file alone (default .data/federation/<org>/trust.json), keeps
    what holds in its own store (.data/federation/<org>/store.sqlite), quarantines what does not, and
    answers each with a receipt signed by its key (.data/federation/<org>/receipt-key.jwk, created on first
    use; the sender pins receipt-key.pub.jwk). Runs until SIGINT/SIGTERM (the message in hand finishes)
coord federation status --org <partner> [--json]
    the receiving node's store: slices accepted, refused (by reason), pending, quarantined (by reason),
    duplicates answered, compositions held with their heads, the last receipt
coord federation verify --org <partner> [--trust <file>] [--json]
    re-verifies the node's whole store offline, from its own files and the trust file only: every stored
    slice again, in order, on a fresh replay, compared with the stored events, heads, checkpoints and
    receipts; exit 1 naming each difference`;

function orgOf(org: string | undefined): string {
  if (!org) throw new UsageError(FEDERATION_RECEIVE_USAGE);
  try {
    return assertFederationOrg(org);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function openStore(org: string): FederationStore {
  const file = storeFile(org);
  if (!existsSync(file)) throw new UsageError(`no receiving node for ${org}: ${file} does not exist (start one with \`coord federation receive --org ${org}\`)`);
  return FederationStore.open(file, { readonly: true });
}

export async function receiveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { org: { type: 'string' }, trust: { type: 'string' }, prefetch: { type: 'string', default: '8' } } });
  const org = orgOf(values.org);
  const prefetch = Number(values.prefetch);
  if (!Number.isInteger(prefetch) || prefetch < 1) throw new UsageError(`--prefetch: a positive integer, got ${values.prefetch}`);
  const trustFile = values.trust ?? defaultTrustFile(federationDir(org));
  if (!existsSync(trustFile)) throw new UsageError(`no trust file: ${trustFile} (pass --trust <file>; the sender's operator gives it, and you check it out of band)`);
  const [{ runReceiveLoop }, { createLogger }, { restrictNewFilesToOwner }] = await Promise.all([
    import('../../workers/federation/receive-loop.js'),
    import('../../lib/logger.js'),
    import('../../lib/private-files.js'),
  ]);
  restrictNewFilesToOwner();
  const logger = createLogger('federation-receiver');
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'federation receiver stopping');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await runReceiveLoop({ org, trustFile, prefetch, logger, signal: stop.signal });
    logger.info('federation receiver stopped');
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function receiverStatusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { org: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const org = orgOf(values.org);
  const store = openStore(org);
  try {
    const status = receiverStatus(org, store);
    if (values.json) printJson(status);
    else describeStatus(status).forEach((line) => print(line));
    return 0;
  } finally {
    store.close();
  }
}

export async function receiverVerifyCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { org: { type: 'string' }, trust: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const org = orgOf(values.org);
  const dir = federationDir(org);
  const trustFile = values.trust ?? defaultTrustFile(dir);
  if (!existsSync(trustFile)) throw new UsageError(`no trust file: ${trustFile} (pass --trust <file>)`);
  const trust = readTrust(trustFile);
  const keyFile = receiptPublicKeyFile(dir);
  const receiptKey = existsSync(keyFile) ? (ed25519PublicJwk(JSON.parse(readFileSync(keyFile, 'utf8')), keyFile) as JWK) : undefined;
  const store = openStore(org);
  try {
    const report = await verifyStore(store, trust, receiptKey ? { receiptKey } : {});
    if (values.json) {
      printJson({ org, store: store.file, trust: trustFile, ...report });
    } else {
      print(`${report.ok ? 'OK' : 'FAILED'}: ${org}'s store ${store.file} against ${trustFile}`);
      print(`slices: ${report.slices.accepted} accepted, ${report.slices.refused} refused, ${report.pending} pending; ${report.events} events in ${report.compositions.length} compositions; checkpoint size ${report.checkpoint_size ?? 'none'}`);
      print(report.receipts.key ? `receipts: ${report.receipts.checked} checked against ${keyFile}` : `receipts: not checked (no ${keyFile})`);
      for (const head of report.compositions) print(`  ${head.composition_id}  head ${head.sequence}  ${head.this_hash}`);
      for (const d of report.differences) print(`${d.kind}: ${[d.slice_seq !== undefined ? `slice ${d.slice_seq}` : '', d.composition_id ?? '', d.event_id ?? ''].filter(Boolean).join(' ')} — ${d.detail}`);
    }
    return report.ok ? 0 : 1;
  } finally {
    store.close();
  }
}

/** `coord federation receive|status|verify …` (argv starts with the subcommand): the receiving node's side. */
export async function federationReceiveCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'receive') return receiveCommand(rest);
  if (sub === 'status') return receiverStatusCommand(rest);
  if (sub === 'verify') return receiverVerifyCommand(rest);
  throw new UsageError(FEDERATION_RECEIVE_USAGE);
}
