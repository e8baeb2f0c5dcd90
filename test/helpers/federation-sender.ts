/**
 * The sending side of federation with no server: a ledger store (SQLite in memory, or any `OpenStore`)
 * that ingests §7b compositions signed by a throwaway emitter, its transparency log with a generated log
 * key and one pinned witness (cosigning on request), a PDP stub that records what it was asked, a
 * generated slice-signing key, a federation policy for the partner `partner` (whose issuer, the seed's VRS
 * register, takes part in every §7b screening from its PSI round), and the partner's trust as its receiving
 * node would read it from the trust file `coord federation trust` writes.
 */
import { exportJWK, generateKeyPair } from 'jose';
import { publicJwkOf, thumbprintOf, type SigningKey } from '../../audit/bundle/signing-key.js';
import { SEED_ISSUERS, buildVrsExample } from '../../audit/examples/vrs-screening.js';
import { catalogFingerprints, fingerprintOf } from '../../audit/slice/schema-fingerprint.js';
import type { SliceTrust } from '../../audit/slice/verify.js';
import { cosign, cosignatureVerifier, cosignerFromKey, generateCosignerKey } from '../../audit/tlog/cosignature.js';
import { generateNoteKey, noteSigner } from '../../audit/tlog/note-keys.js';
import type { FederationPdp, FederationPdpRequest } from '../../ledger/federation/decision.js';
import { parseFederationPolicy, type FederationPolicy } from '../../ledger/federation/policy.js';
import { partnerTrustFile } from '../../ledger/federation/trust-file.js';
import { Ingestor, type TopicMessage } from '../../ledger/ingest.js';
import { Checkpointer } from '../../ledger/log/checkpointer.js';
import { checkpointBody, LogService } from '../../ledger/log/log-service.js';
import type { MessageDecoder } from '../../ledger/wire.js';
import type { AuditEvent } from '../../schemas/catalog.js';
import type { AbacDecision } from '../../schemas/envelope.js';
import { parseTrust } from '../../workers/federation/trust.js';
import { signatureHeaders, testEmitter } from './emitter.js';
import type { OpenStore, StoreUnderTest } from './ledger-store-cases.js';

export const SENDER = 'internal';
export const PARTNER = 'partner';
export const PARTNER_ISSUER = SEED_ISSUERS.partner;
export const CMP_P = 'cmp_01J0000000000000000000FEDA';
export const CMP_Q = 'cmp_01J0000000000000000000FEDB';

export async function generateEd25519Key(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = publicJwkOf(await exportJWK(publicKey));
  return { privateKey, publicJwk, kid: thumbprintOf(publicJwk) };
}

/** A PDP that answers as `rule` says (throwing: no decision), numbering its evaluations, and keeps every request. */
export class StubPdp implements FederationPdp {
  readonly requests: FederationPdpRequest[] = [];
  private n = 0;

  constructor(public rule: (request: FederationPdpRequest) => 'ALLOW' | 'DENY' = () => 'ALLOW') {}

  async decide(request: FederationPdpRequest): Promise<AbacDecision> {
    this.requests.push(request);
    const outcome = this.rule(request);
    return { outcome, evaluated_at: '2026-12-06T12:00:00.000Z', uds_eval_id: `eval_${++this.n}` };
  }
}

const jsonDecoder: MessageDecoder = { decode: async (buffer) => ({ ok: true, value: JSON.parse(buffer!.toString('utf8')) as unknown }) };

export function policyFor(receiptKey: SigningKey, partner: Record<string, unknown> = {}): FederationPolicy {
  const text = JSON.stringify({ sender: SENDER, partners: { [PARTNER]: { issuers: [PARTNER_ISSUER], receipt_key: receiptKey.publicJwk, ...partner } } });
  return parseFederationPolicy(text, '/test/federation-policy.json');
}

export interface SenderFixture extends StoreUnderTest {
  /** the §7b screening under CMP_P and CMP_Q (the partner takes part in both from event 4, the PSI round) */
  p: AuditEvent[];
  q: AuditEvent[];
  ingest(events: readonly AuditEvent[]): Promise<void>;
  /** issues a checkpoint of the log as it is now (not yet witnessed) */
  checkpoint(): Promise<number>;
  /** the witness cosigns the latest checkpoint, which is then witnessed */
  witness(): Promise<number>;
  log: LogService;
  pdp: StubPdp;
  signingKey: SigningKey;
  receiptKey: SigningKey;
  policy: FederationPolicy;
  fingerprint: (schemaId: string) => string;
  /** what the partner's receiving node pins */
  trust: SliceTrust;
}

export async function senderFixture(open: OpenStore): Promise<SenderFixture> {
  const opened = await open();
  const { store } = opened;
  const emitter = testEmitter();
  const ingestor = new Ingestor(store, jsonDecoder, emitter.keyring);
  let offset = 0;
  const logKey = generateNoteKey('ledger.test/federation-log');
  const witnessKey = generateCosignerKey('witness.partner.test');
  const witnesses = new Map([['witness.partner.test', { vkey: witnessKey.verifierKey, verifier: cosignatureVerifier(witnessKey.verifierKey) }]]);
  const checkpointer = new Checkpointer(store.log, { signer: noteSigner(logKey.signerKey), vkey: logKey.verifierKey }, 'ledger.test/federation-log', { everyEvents: 1, everyMs: 0 });
  const log = new LogService(store, () => witnesses);
  const signingKey = await generateEd25519Key();
  const receiptKey = await generateEd25519Key();
  const policy = policyFor(receiptKey);
  const trustJson = partnerTrustFile(policy, PARTNER, {
    sliceKey: signingKey.publicJwk,
    emitterKeys: [emitter.signer.publicJwk],
    logKeys: [logKey.verifierKey],
    witnessKeys: [witnessKey.verifierKey],
    schemaFingerprints: catalogFingerprints(),
  });
  return {
    ...opened,
    p: buildVrsExample(CMP_P),
    q: buildVrsExample(CMP_Q),
    async ingest(events) {
      const messages: TopicMessage[] = events.map((e) => ({ topic: 't', partition: 0, offset: String(offset++), value: Buffer.from(JSON.stringify(e)), headers: signatureHeaders(emitter.signer, e.this_hash) }));
      const stats = await ingestor.ingest(messages);
      if (stats.quarantined) throw new Error(`the fixture's events were quarantined: ${JSON.stringify(stats)}`);
    },
    async checkpoint() {
      return (await checkpointer.maybeCheckpoint(true))!.tree_size;
    },
    async witness() {
      const latest = (await store.log.checkpoint())!;
      const body = checkpointBody(latest);
      await log.acceptCosignature(`${body}\n${cosign(body, cosignerFromKey(witnessKey.signerKey), 1_700_000_000)}`);
      return latest.tree_size;
    },
    log,
    pdp: new StubPdp(),
    signingKey,
    receiptKey,
    policy,
    fingerprint: (schemaId) => fingerprintOf(schemaId)!,
    // JSON round trip: exactly what the partner reads from the file
    trust: parseTrust(JSON.parse(JSON.stringify(trustJson)), 'the trust file'),
  };
}
