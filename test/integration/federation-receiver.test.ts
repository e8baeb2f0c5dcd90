// The partner's receiving node as a process on the stack's real RabbitMQ, fed genuine slices built in the
// test (test/helpers/slice-factory.ts) and published as the ledger's user: each delivery gets the right
// outcome and a signed receipt on federation.receipts.ledger; slices in reverse order wait and then import;
// the receiver killed before and after its commit, and the broker killed while it holds a message, lose and
// double nothing; `coord federation verify` then passes from the node's files alone.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import type { JWK } from 'jose';
import type { Receipt } from '../../audit/slice/format.js';
import { openReceipt } from '../../audit/slice/sign.js';
import { ROOT } from '../../config/paths.js';
import { FEDERATION_SENDER_ORG, rabbitmqCredential, rabbitmqCredentialsFile } from '../../config/rabbitmq-credentials.js';
import { kill } from '../../infra/stack/process.js';
import { RELEASE_SIGNAL } from '../../lib/crash-point.js';
import { up } from '../../infra/stack/stack.js';
import { SLICES_EXCHANGE, connectFederation, consume, declareTopology, publishConfirmed, receiptsQueue, slicesQueue } from '../../ledger/federation/amqp.js';
import { startProcess, stopProcess, type ServiceProcess } from '../../workers/services.js';
import { FederationStore } from '../../workers/federation/store.js';
import { SliceFactory, generateSigningKey } from '../helpers/slice-factory.js';
import { waitFor } from '../helpers/wait.js';

const PARTNER = 'partner';
const LEDGER = FEDERATION_SENDER_ORG;
const data = mkdtempSync(join(tmpdir(), 'fed-receiver-it-'));
const nodeDir = join(data, 'federation', PARTNER);
const env = { ...process.env, COORD_DATA_DIR: data, RABBITMQ_CREDENTIALS_FILE: rabbitmqCredentialsFile() };

let f: SliceFactory;
let sender: ChannelModel;
let slices: ConfirmChannel;
let receiver: ServiceProcess | undefined;
const receipts: Receipt[] = [];
const collectors: ChannelModel[] = [];

/** Consumes federation.receipts.ledger as the sender, keeping each receipt the node's key signed. */
async function collectReceipts(): Promise<void> {
  const receiptKey = JSON.parse(readFileSync(join(nodeDir, 'receipt-key.pub.jwk'), 'utf8')) as JWK;
  const collector = await connectFederation(LEDGER);
  collectors.push(collector);
  await consume(
    await collector.createChannel(),
    receiptsQueue(LEDGER),
    async (msg) => {
      const opened = await openReceipt(msg.content, receiptKey);
      assert.ok(opened.ok, opened.ok ? '' : opened.reason);
      receipts.push(opened.receipt);
    },
    { prefetch: 1 },
  );
}

async function startReceiver(extra: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const { proc } = await startProcess('federation-receiver', 'workers/federation-receiver.ts', 'federation receiver ready', { ...env, ...extra }, `it-${randomUUID().slice(0, 6)}`, ['--org', PARTNER]);
  return proc;
}

const exited = (proc: ServiceProcess) => new Promise<number | null>((resolve) => (proc.child.exitCode !== null || proc.child.signalCode !== null ? resolve(proc.child.exitCode) : proc.child.once('exit', (code) => resolve(code))));

function publish(bytes: Buffer): Promise<void> {
  return publishConfirmed(slices, SLICES_EXCHANGE, PARTNER, bytes, {}, { userId: rabbitmqCredential(LEDGER).username, contentType: 'application/json' });
}

/** Waits until `n` receipts in all have arrived; returns those from `from` on as [seq, status, reason]. */
async function receiptsUpTo(n: number, from = 0): Promise<[number | null, string, string | null][]> {
  await waitFor(() => receipts.length >= n, { what: `${n} receipts (have ${receipts.length})`, timeoutMs: 60_000 });
  return receipts.slice(from, n).map((r) => [r.slice_seq, r.status, r.reason_code]);
}

function store<T>(read: (s: FederationStore) => T): T {
  const s = FederationStore.open(join(nodeDir, 'store.sqlite'), { readonly: true });
  try {
    return read(s);
  } finally {
    s.close();
  }
}

before(async () => {
  await up({ only: ['rabbitmq'] });
  f = await SliceFactory.create();
  mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(nodeDir, 'trust.json'), JSON.stringify(f.trustFile()));
  sender = await connectFederation(LEDGER);
  await declareTopology(await sender.createChannel(), [PARTNER]);
  // the queues are shared with other tests of the federation: start from empty ones
  const partner = await connectFederation(PARTNER);
  await (await partner.createChannel()).purgeQueue(slicesQueue(PARTNER));
  await partner.close();
  await (await sender.createChannel()).purgeQueue(receiptsQueue(LEDGER));
  slices = await sender.createConfirmChannel();
  receiver = await startReceiver();
  await collectReceipts();
});

after(async () => {
  if (receiver) await stopProcess(receiver);
  await sender?.close().catch(() => undefined);
  await Promise.all(collectors.map((c) => c.close().catch(() => undefined)));
});

const A = `cmp_FEDIT_${randomUUID().slice(0, 8)}`;

test('genuine, tampered, forged and out-of-order slices each get their outcome and a signed receipt', async () => {
  const a = f.composition(A, { admit: false });
  f.admit(a.slice(0, 5));
  const s1 = await f.next(a.slice(0, 5));
  f.admit(a.slice(5));
  const s2 = await f.next(a.slice(5));
  const stranger = await f.next(f.composition(`${A}_STRANGER`, { entitled: false }));

  const tampered = structuredClone(s1.slice);
  tampered.events[2] = tampered.events[2]!.replace('"lens_version":"2.0.0"', '"lens_version":"2.0.1"');
  await publish(await f.sign(tampered)); // an edited event
  await publish(await f.sign(s1.slice, await generateSigningKey())); // an untrusted key
  const removed = structuredClone(s1.slice);
  for (const beside of [removed.events, removed.signatures, removed.proofs]) beside.splice(3, 1);
  await publish(await f.sign(removed)); // an event removed (re-signed by our key: the sender's bug, or its key stolen)
  const forged = JSON.parse(s1.bytes.toString('utf8')) as { slice: unknown; jws: string };
  forged.jws = forged.jws.replace(/\.\.(.)/, (_, c: string) => `..${c === 'A' ? 'B' : 'A'}`);
  await publish(Buffer.from(JSON.stringify(forged))); // a forged slice signature
  await publish(s2.bytes); // before its turn
  await publish(s1.bytes);
  await publish(s1.bytes); // a duplicate
  await publish(stranger.bytes); // not the partner's to hold
  assert.deepEqual(await receiptsUpTo(9), [
    [1, 'refused', 'event_hash_mismatch'],
    [1, 'refused', 'slice_key_untrusted'],
    [1, 'refused', 'chain_broken'],
    [1, 'refused', 'slice_signature_invalid'],
    [2, 'pending', 'waiting_for_earlier_slice'],
    [1, 'accepted', null],
    [2, 'accepted', null],
    [1, 'duplicate', null], // the old slice replayed
    [3, 'refused', 'not_entitled'],
  ]);
  assert.deepEqual(receipts[6]!.head, { sequence: 9, this_hash: a[8]!.this_hash });
  assert.equal(store((s) => s.events(A).length), 9);
});

test('the receiver killed before and after its commit: nothing lost, nothing doubled', async () => {
  const b = f.composition(`${A}_B`);
  const c = f.composition(`${A}_C`);
  const sb = await f.next(b);
  const sc = await f.next(c);
  const n = receipts.length;

  await stopProcess(receiver!);
  receiver = await startReceiver({ COORD_FEDERATION_RECEIVER_FAILPOINT: 'before-commit:1' });
  const died = exited(receiver);
  await publish(sb.bytes);
  await died; // SIGKILLed before the commit: the message goes back to the queue
  assert.equal(store((s) => s.events(`${A}_B`).length), 0);

  receiver = await startReceiver({ COORD_FEDERATION_RECEIVER_FAILPOINT: 'after-commit:1' });
  const diedAgain = exited(receiver);
  await diedAgain; // the redelivery is imported, then the process dies before its receipt
  assert.equal(store((s) => s.events(`${A}_B`).length), 9);
  assert.equal(store((s) => s.receipts({ unpublished: true }).length), 1);

  receiver = await startReceiver(); // publishes the receipt left behind; the redelivery is a duplicate
  await publish(sc.bytes);
  assert.deepEqual(await receiptsUpTo(n + 3, n), [
    [4, 'accepted', null],
    [4, 'duplicate', null],
    [5, 'accepted', null],
  ]);
  assert.equal(store((s) => s.events(`${A}_B`).length), 9);
  assert.equal(store((s) => s.receipts({ unpublished: true }).length), 0);
});

test('the broker killed while the receiver holds a slice: it reconnects, the receipt goes out, nothing doubles', async () => {
  const d = f.composition(`${A}_D`);
  const sd = await f.next(d);
  const n = receipts.length;
  await stopProcess(receiver!);
  receiver = await startReceiver({ COORD_FEDERATION_RECEIVER_FAILPOINT: 'after-commit:1:pause' });
  await publish(sd.bytes);
  await waitFor(() => store((s) => s.events(`${A}_D`).length === 9), { what: 'the import of the held slice' });
  assert.ok(await kill('rabbitmq'));
  receiver.child.kill(RELEASE_SIGNAL); // the receipt cannot be published now: the delivery stays unacknowledged
  await up({ only: ['rabbitmq'] });
  slices = await (await reconnectSender()).createConfirmChannel();
  await waitFor(() => receipts.length >= n + 2, { what: 'the receipts after the broker came back', timeoutMs: 90_000 });
  assert.deepEqual(
    receipts.slice(n).map((r) => [r.slice_seq, r.status]),
    [
      [6, 'accepted'],
      [6, 'duplicate'],
    ],
  );
  assert.equal(store((s) => s.events(`${A}_D`).length), 9);
});

/** After a broker restart: the sender's and the receipts collector's connections again. */
async function reconnectSender(): Promise<ChannelModel> {
  await sender.close().catch(() => undefined);
  sender = await waitFor(() => connectFederation(LEDGER), { what: 'the sender to reconnect', timeoutMs: 60_000 });
  await collectReceipts();
  return sender;
}

test('coord federation verify passes from the node files alone, the receiver stopped and no server reachable', async () => {
  await stopProcess(receiver!);
  receiver = undefined;
  const script = `import { receiverVerifyCommand } from ${JSON.stringify(join(ROOT, 'cli/commands/federation-receive.ts'))}; process.exitCode = await receiverVerifyCommand(['--org', 'partner', '--json']);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, env: { ...env, RABBITMQ_URL: 'amqp://127.0.0.1:1/federation' }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const report = JSON.parse(run.stdout) as { ok: boolean; slices: { accepted: number; refused: number }; receipts: { checked: number } };
  assert.equal(report.ok, true);
  assert.deepEqual(report.slices, { accepted: 5, refused: 1 });
  assert.ok(report.receipts.checked >= 12);
});
