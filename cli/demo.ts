/**
 * `npm run demo` — the main job: the seed's §7b VRS screening end to end on the local stack, through the
 * HTTP gateway, with tokens from the three dev IdPs; then the composition's events are read back from the
 * Kafka audit topic, the chain verified, the lifecycle replayed and the §7b.7 assertions run. The last line
 * ledger ingests the topic and its self-audit compares Temporal's heads with its own; the partner's witness
 * cosigns the ledger's transparency log, and every event of the screening is proven included in a checkpoint
 * it cosigned; and the partner's receiving node, fed by the ledger's federation outbox over RabbitMQ, holds
 * the screening's slice, verified from its own trust file alone. The last line is one JSON object:
 * { composition_id, events, final_state, chain_ok, assertions_ok, ledger_delta, log_witnessed, federation_ok }.
 */
import { vrsAssertions } from '../audit/invariants.js';
import { config } from '../config/index.js';
import { ledgerStatus } from '../ledger/status.js';
import { withLedgerStore } from '../ledger/open-store.js';
import { withTemporal } from '../ledger/temporal-client.js';
import { readAuditEvents } from '../kafka/reader.js';
import { registerSchemas } from '../audit/registry-discipline.js';
import { AuditSerializer } from '../audit/serializer.js';
import { auditTopic, idpEndpoint, schemaRegistryEndpoint, temporalNamespace, temporalUiUrl } from '../config/endpoints.js';
import { verify } from '../audit/verify.js';
import { newCompositionId } from '../client/coordination-client.js';
import { GatewayHttp } from '../client/gateway-http.js';
import { Services, freePort, stopProcess } from '../workers/services.js';
import { portOpen } from '../infra/stack/health.js';
import { up } from '../infra/stack/stack.js';
import { replayState } from '../schemas/replay-state.js';
import { runVrsScreening } from './demo/vrs-over-http.js';
import { mintVrsTokens } from './demo/vrs-tokens.js';
import { WITNESS_ORG, startWitness, witnessedInclusion, writeTrustFile } from './demo/witnessed-log.js';
import { PARTNER_ORG, partnerHolds, startPartnerNode } from './demo/federation.js';

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * A person at a terminal gets the page served until Ctrl-C (the gateway, worker and ledger are this demo's
 * children, so the printed URL would be dead once it exits); CI, pipes and `npm run demo -- --exit` end at once.
 */
const keepServing = () => Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.argv.includes('--exit');

/** Waits for Ctrl-C or SIGTERM; the notice goes to stderr so the JSON summary stays stdout's last line. */
async function servePageUntilInterrupted(url: string): Promise<void> {
  process.stderr.write(`\nthe timeline page is served at ${url} until Ctrl-C (the stack stays up; \`npm start\` serves it later)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/** What `coord audit status` does: ingest to the end of the topic, then compare heads once. */
async function ledgerSelfAudit(topic: string): Promise<{ delta: number; matched: number; checked: number; events: number }> {
  return withTemporal((temporal) =>
    withLedgerStore(async (store) => {
      const report = await ledgerStatus({ store, temporal, topic, taskQueue: config().COORD_TASK_QUEUE });
      return { delta: report.delta, matched: report.matched, checked: report.checked, events: (await store.counts()).events };
    }),
  );
}

say('coordination-ledger demo: the §7b VRS screening, end to end');
say('1. local stack (Temporal, Kafka, schema registry, PDP, three IdPs, RabbitMQ)');
const { outcomes } = await up();
say(`   ${Object.entries(outcomes).map(([n, o]) => `${n}: ${o}`).join(', ')}`);
const registryUrl = schemaRegistryEndpoint().address;
const topic = auditTopic();
await registerSchemas({ registryUrl, topic });

say('2. worker, gateway and ledger');
// The Web UI's codec endpoint points at the default gateway port; use it when it is free.
const gatewayPort = (await portOpen('127.0.0.1', 8088)) ? await freePort() : 8088;
const services = await Services.start({ gatewayPort, tag: 'demo', ledger: true });
const ledgerUrl = `http://${services.env.COORD_LEDGER_METRICS_ADDRESS}`;
const witness = startWitness(ledgerUrl);
let partnerNode: Awaited<ReturnType<typeof startPartnerNode>> | undefined;
let exitCode = 1;
try {
  say(`   gateway ${services.gatewayUrl} (OpenAPI at /openapi.json), worker pid ${services.worker.child.pid}, ledger pid ${services.ledger!.child.pid}`);
  say(`   the partner's witness of the ledger's log, pid ${witness.process.pid} (its key and state in .data/witness/${WITNESS_ORG}/, log ${witness.log})`);
  partnerNode = await startPartnerNode(services.env);
  say(`   the partner's receiving node, pid ${partnerNode.process.child.pid} (its store and trust file in .data/federation/${PARTNER_ORG}/, log ${partnerNode.process.log})`);
  say('3. tokens: firm user (firm IdP), partner participant (partner IdP), agent and pipeline acting for the user (internal IdP, act)');
  const tokens = await mintVrsTokens();
  const compositionId = newCompositionId();
  say(`4. the screening over HTTP: ${compositionId}`);
  const steps = await runVrsScreening(new GatewayHttp(services.gatewayUrl), tokens, compositionId);
  for (const s of steps) say(`   ${String(s.status).padEnd(4)} ${s.schemaId.padEnd(42)} → ${String(s.body.state ?? (s.body.error as { code?: string })?.code)}`);
  const failed = steps.find((s) => s.status >= 300);
  if (failed) throw new Error(`step ${failed.schemaId} failed: ${JSON.stringify(failed.body)}`);

  say('5. the audit trail, read back from the Kafka topic');
  const events = await readAuditEvents({ topic, serializer: new AuditSerializer(registryUrl, topic), compositionId });
  const chain = verify(events);
  const replay = replayState(events);
  const assertions = vrsAssertions(events, { firmIssuer: idpEndpoint('firm').address, partnerIssuer: idpEndpoint('partner').address });
  say(`   ${events.length} events in ${topic}; chain ${chain.ok ? 'holds' : `BROKEN: ${JSON.stringify(chain.first_break)}`}; replay → ${replay.state}${replay.valid ? '' : ' (INVALID)'}`);
  for (const a of assertions) say(`   ${a.ok ? 'ok  ' : 'FAIL'} ${a.name} — ${a.detail}`);
  say('6. the ledger: ingest up to the end of the topic, then one self-audit pass (delta must be 0)');
  const selfAudit = await ledgerSelfAudit(topic);
  say(`   delta ${selfAudit.delta}, ${selfAudit.matched}/${selfAudit.checked} composition heads match; ledger holds ${selfAudit.events} events`);
  say('7. the transparency log: a checkpoint the partner\'s witness cosigned, and every event of the screening proven in it');
  const log = await witnessedInclusion(ledgerUrl, events, witness.vkey);
  const logWitnessed = log.witnessed && log.included === events.length;
  say(`   checkpoint of ${log.checkpoint_size} events, ${log.witnessed ? `witnessed by ${WITNESS_ORG}` : 'NOT witnessed'}; ${log.included}/${events.length} events of ${compositionId} included (inclusion proofs verify)`);
  const trust = await writeTrustFile(witness.vkey);
  say(`   export and check offline with the pinned keys (bundle, emitter, log, witness) in ${trust}:`);
  say(`     npx coord audit export --composition ${compositionId} --out /tmp/${compositionId} --sign`);
  say(`     npx coord edge replay /tmp/${compositionId} --trust ${trust} --json`);
  say(`8. federation: the ledger's outbox sends ${PARTNER_ORG} the slice of what it took part in (RabbitMQ, publisher confirms); its node verifies it alone`);
  const last = events.at(-1)!;
  const federation = await partnerHolds(compositionId, { sequence: events.length, this_hash: last.this_hash });
  say(`   ${PARTNER_ORG} holds ${federation.head ? `${federation.head.sequence} events of ${compositionId}, head ${federation.head.this_hash}` : 'nothing of it'} — ${federation.ok ? 'the same head as ours, verified' : 'NOT the same head'} (${federation.accepted} slices accepted, ${federation.refused} refused)`);
  say(`     npx coord federation status --org ${PARTNER_ORG}; npx coord federation verify --org ${PARTNER_ORG} --trust ${partnerNode.trustFile}   (no server needed)`);
  say(`9. in the Web UI: ${temporalUiUrl()}/namespaces/${temporalNamespace()}/workflows/${compositionId}`);
  say(`   (list: CompositionType = "vrs_screening" AND CompositionState = "closed")`);
  const timelineUrl = `${services.gatewayUrl}/ui/#/compositions/${compositionId}`;
  say(`   timeline: ${timelineUrl}   (sign in as the firm's auditor, alice; verified in the browser)`);

  const assertionsOk = assertions.every((a) => a.ok);
  exitCode = chain.ok && assertionsOk && selfAudit.delta === 0 && logWitnessed && federation.ok ? 0 : 1;
  say(JSON.stringify({ composition_id: compositionId, events: events.length, final_state: replay.state, chain_ok: chain.ok, assertions_ok: assertionsOk, ledger_delta: selfAudit.delta, log_witnessed: logWitnessed, federation_ok: federation.ok }));
  if (exitCode === 0 && keepServing()) await servePageUntilInterrupted(timelineUrl);
} catch (err) {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? String(err)}\n(logs: ${services.worker.log}, ${services.gateway.log}, ${services.ledger?.log})\n`);
} finally {
  witness.process.kill('SIGTERM');
  if (partnerNode) await stopProcess(partnerNode.process);
  await services.stop();
}
process.exit(exitCode);
