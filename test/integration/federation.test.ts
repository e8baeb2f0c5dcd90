// Federation end to end on the real stack, sender and partner each with only their own files: a ledger of
// its own (scratch topic and store, its log witnessed by a scratch witness), its outbox feeding the partner's
// receiving node (its own data dir and trust file) over RabbitMQ. A §7b screening reaches the partner,
// verified, and both sides agree on its head; a composition the partner took no part in never leaves; with
// RabbitMQ killed while a slice is on its way, nothing is lost or doubled and the outbox drains once the
// broker is back; `coord federation verify` then passes on the partner's files alone.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AuditSerializer } from '../../audit/serializer.js';
import { generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { runVrsScreening } from '../../cli/demo/vrs-over-http.js';
import { mintVrsTokens, type VrsTokens } from '../../cli/demo/vrs-tokens.js';
import { newCompositionId } from '../../client/coordination-client.js';
import { GatewayHttp } from '../../client/gateway-http.js';
import { idpEndpoint, schemaRegistryEndpoint } from '../../config/endpoints.js';
import { ROOT } from '../../config/paths.js';
import { FEDERATION_SENDER_ORG, rabbitmqCredentialsFile } from '../../config/rabbitmq-credentials.js';
import { kill } from '../../infra/stack/process.js';
import { up } from '../../infra/stack/stack.js';
import { readAuditEvents } from '../../kafka/reader.js';
import { connectFederation, declareTopology, receiptsQueue, slicesQueue } from '../../ledger/federation/amqp.js';
import { devLogVerifierKeyFile } from '../../ledger/log/log-key.js';
import { receiverStatus, type ReceiverStatus } from '../../workers/federation/status.js';
import { FederationStore } from '../../workers/federation/store.js';
import { Services, startProcess, stopProcess, type ServiceProcess } from '../../workers/services.js';
import { compositionAtStep } from '../helpers/compositions.js';
import { scratchTopic } from '../helpers/ledger.js';
import { stackReady } from '../helpers/stack.js';
import { waitFor } from '../helpers/wait.js';

const PARTNER = 'partner';
const work = mkdtempSync(join(tmpdir(), 'coord-federation-'));
const partnerData = join(work, 'partner-data'); // the partner's node: its own data dir
const partnerDir = join(partnerData, 'federation', PARTNER);
const trustFile = join(work, 'partner-trust.json');
const witness = generateCosignerKey(`it-partner-${randomUUID().slice(0, 8)}`);
let services: Services;
let env: NodeJS.ProcessEnv;
let topic: string;
let receiver: ServiceProcess | undefined;
let witnessProcess: ChildProcess | undefined;
let tokens: VrsTokens;
let http: GatewayHttp;

function coord(...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const partnerEnv = () => ({ ...process.env, COORD_DATA_DIR: partnerData, RABBITMQ_CREDENTIALS_FILE: rabbitmqCredentialsFile() });

function partnerStatus(): ReceiverStatus {
  const store = FederationStore.open(join(partnerDir, 'store.sqlite'), { readonly: true });
  try {
    return receiverStatus(PARTNER, store);
  } finally {
    store.close();
  }
}

interface SenderStatus {
  partners: { partner: string; packaged: number; acknowledged: number; accepted: number; refused: number; pending: number; allowed: number; denied: number }[];
}
const senderStatus = () => (JSON.parse(coord('federation', 'status', '--json').stdout) as SenderStatus).partners.find((p) => p.partner === PARTNER)!;

/** Our head of a composition, from the topic. */
async function ourHead(compositionId: string): Promise<{ sequence: number; this_hash: string }> {
  const events = await readAuditEvents({ topic, serializer: new AuditSerializer(schemaRegistryEndpoint().address, topic), compositionId });
  return { sequence: events.length, this_hash: events.at(-1)!.this_hash };
}

/** Until the partner holds the composition up to `head`. */
const partnerHolds = (compositionId: string, head: { sequence: number; this_hash: string }) =>
  waitFor(
    () => {
      const held = partnerStatus().compositions.find((c) => c.composition_id === compositionId);
      return held?.sequence === head.sequence && held.this_hash === head.this_hash;
    },
    { what: `the partner to hold ${compositionId} up to event ${head.sequence}`, timeoutMs: 120_000, intervalMs: 200 },
  );

before(async () => {
  await stackReady();
  // the queues are shared with every federation on this broker: start from empty ones
  const sender = await connectFederation(FEDERATION_SENDER_ORG);
  const channel = await sender.createChannel();
  await declareTopology(channel, [PARTNER]);
  await channel.purgeQueue(receiptsQueue(FEDERATION_SENDER_ORG));
  await sender.close();
  const partner = await connectFederation(PARTNER);
  await (await partner.createChannel()).purgeQueue(slicesQueue(PARTNER));
  await partner.close();

  writeFileSync(join(work, 'witness.key'), `${witness.signerKey}\n`, { mode: 0o600 });
  writeFileSync(join(work, 'witnesses'), `${witness.verifierKey}\n`);
  const policy = { sender: FEDERATION_SENDER_ORG, partners: { [PARTNER]: { issuers: [idpEndpoint('partner').address], receipt_key: join(partnerDir, 'receipt-key.pub.jwk') } } };
  writeFileSync(join(work, 'policy.json'), JSON.stringify(policy));
  topic = await scratchTopic('federation');
  const taskQueue = `it-federation-${randomUUID().slice(0, 8)}`;
  env = {
    ...process.env,
    COORD_AUDIT_TOPIC: topic,
    COORD_LEDGER_URL: `sqlite:${join(work, 'ledger.db')}`,
    COORD_TASK_QUEUE: taskQueue,
    COORD_LOG_WITNESSES_FILE: join(work, 'witnesses'),
    COORD_LOG_CHECKPOINT_SECONDS: '0.5',
    COORD_FEDERATION_POLICY: join(work, 'policy.json'),
    COORD_FEDERATION_INTERVAL: '0.5',
  };
  services = await Services.start({ taskQueue, tag: 'test-federation', env, ledger: true });
  env = services.env;
  const ledgerUrl = `http://${env.COORD_LEDGER_METRICS_ADDRESS}`;
  // the partner's witness of our log, and the partner's node with the trust file we hand it
  witnessProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'witness', '--org', 'it-partner', '--ledger', ledgerUrl, '--key', join(work, 'witness.key'), '--state', join(work, 'witness-state.json'), '--log-key', devLogVerifierKeyFile(), '--interval', '1'], { cwd: ROOT, env, stdio: 'ignore' });
  const trust = coord('federation', 'trust', '--org', PARTNER, '--out', trustFile);
  assert.equal(trust.status, 0, trust.stderr);
  receiver = (await startProcess('federation-receiver', 'workers/federation-receiver.ts', 'federation receiver ready', partnerEnv(), `it-${randomUUID().slice(0, 6)}`, ['--org', PARTNER, '--trust', trustFile])).proc;
  tokens = await mintVrsTokens();
  http = new GatewayHttp(services.gatewayUrl, tokens.human);
});

after(async () => {
  witnessProcess?.kill('SIGTERM');
  if (receiver) await stopProcess(receiver);
  await services?.stop();
  await up({ only: ['rabbitmq'] }); // whatever a failed test left stopped
});

test('a §7b screening reaches the partner verified, both sides agree on its head; a composition it took no part in never leaves', async () => {
  const theirsNot = await compositionAtStep(http, tokens, 2); // opened and claimed by the firm: no partner issuer
  const id = newCompositionId();
  const steps = await runVrsScreening(new GatewayHttp(services.gatewayUrl), tokens, id);
  assert.ok(steps.every((s) => s.status < 300), JSON.stringify(steps.find((s) => s.status >= 300)));
  const head = await ourHead(id);
  await partnerHolds(id, head);

  const partner = partnerStatus();
  assert.equal(partner.refused.total, 0, JSON.stringify(partner.refused));
  assert.equal(partner.compositions.find((c) => c.composition_id === theirsNot), undefined, 'the partner holds nothing of a composition it took no part in');
  await waitFor(() => senderStatus().acknowledged === senderStatus().packaged, { what: 'every slice acknowledged by a receipt', timeoutMs: 60_000 });
  const sender = senderStatus();
  assert.equal(sender.refused, 0);
  assert.ok(sender.allowed >= 1 && sender.accepted >= 1, JSON.stringify(sender));
});

test('RabbitMQ killed while a slice is on its way: nothing lost, nothing doubled, the outbox drains; the partner verifies its store alone', async () => {
  await kill('rabbitmq');
  const id = newCompositionId();
  const steps = await runVrsScreening(new GatewayHttp(services.gatewayUrl), tokens, id);
  assert.ok(steps.every((s) => s.status < 300), JSON.stringify(steps.find((s) => s.status >= 300)));
  // the slice is packaged into the outbox and cannot go out
  await waitFor(() => senderStatus().packaged > senderStatus().acknowledged, { what: 'a slice packaged while the broker is down', timeoutMs: 60_000 });
  await up({ only: ['rabbitmq'] });
  const head = await ourHead(id);
  await partnerHolds(id, head);
  await waitFor(() => senderStatus().pending === 0 && senderStatus().acknowledged === senderStatus().packaged, { what: 'the outbox drained', timeoutMs: 120_000 });

  const partner = partnerStatus();
  assert.equal(partner.refused.total, 0, JSON.stringify(partner.refused));
  assert.equal(partner.events, partner.compositions.reduce((n, c) => n + c.sequence, 0), 'each event held once');
  await stopProcess(receiver!);
  receiver = undefined;
  const verified = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'federation', 'verify', '--org', PARTNER, '--trust', trustFile, '--json'], { cwd: ROOT, env: partnerEnv(), encoding: 'utf8' });
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
});
