/**
 * An in-process gateway over fakes: a verifier that knows a few tokens, a PDP that answers from a function,
 * a Temporal client that records what reached it, and the real payload codec with a known key. For unit tests
 * of what the gateway itself decides, before anything reaches a workflow.
 */
import { base64url } from 'jose';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { AbacRequest, UdsClient } from '../../../activities/abac/uds.js';
import type { VerifiedIdentity } from '../../../activities/jwt/identity.js';
import { TokenRefusal } from '../../../activities/jwt/refusal.js';
import type { JwtVerifier } from '../../../activities/jwt/verifier.js';
import type { CoordinationClient } from '../../../client/coordination-client.js';
import { EncryptionCodec } from '../../../client/payload-codec.js';
import type { LedgerStore } from '../../../ledger/store.js';
import type { AbacDecision } from '../../../schemas/envelope.js';
import { REASON_CODES } from '../../../schemas/reason-codes.js';
import { buildGateway, type GatewayOptions } from '../../../gateway/server.js';

/** A structurally valid JWT (decodes; its signature is not checked by the fake verifier). */
export function jwtLike(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => base64url.encode(JSON.stringify(v));
  return `${enc({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })}.${enc(claims)}.${base64url.encode('signature')}`;
}

function identity(issuer: string, org: string, sub: string, type: 'human' | 'agent' | 'service', scopes: string[], clientId?: string): VerifiedIdentity {
  return {
    actor: type === 'human' ? { type, id: sub, version: null } : { type, id: clientId ?? sub, version: null },
    auth: { jwt_jti: `jti_${sub}`, subject: sub, scopes, issuer, delegation_chain: [sub] },
    org,
  } as VerifiedIdentity;
}

const FIRM = 'http://idp.firm.test';
const PARTNER = 'http://idp.partner.test';

/** Tokens the fake verifier accepts, by role; `forgedAsSmith` claims Smith's iss/sub but does not verify. */
export const TOKENS = {
  smith: jwtLike({ iss: FIRM, sub: 'user_smith', n: 1 }),
  jones: jwtLike({ iss: FIRM, sub: 'user_jones', n: 2 }),
  ops: jwtLike({ iss: FIRM, sub: 'ops_alice', n: 3 }),
  partnerOps: jwtLike({ iss: PARTNER, sub: 'ops_bob', n: 4 }),
  forgedAsSmith: jwtLike({ iss: FIRM, sub: 'user_smith', forged: true }),
  idpDown: jwtLike({ iss: FIRM, sub: 'user_late', n: 5 }),
  auditor: jwtLike({ iss: FIRM, sub: 'user_audrey', n: 6 }),
};

const IDENTITIES = new Map<string, VerifiedIdentity>([
  [TOKENS.smith, identity(FIRM, 'firm', 'user_smith', 'human', ['fusion_operator'])],
  [TOKENS.jones, identity(FIRM, 'firm', 'user_jones', 'human', ['fusion_operator'])],
  [TOKENS.ops, identity(FIRM, 'firm', 'ops_alice', 'human', ['ops_codec'])],
  [TOKENS.partnerOps, identity(PARTNER, 'partner', 'ops_bob', 'human', ['ops_codec'])],
  [TOKENS.auditor, identity(FIRM, 'firm', 'user_audrey', 'human', ['audit_read'])],
]);

export const fakeVerifier = {
  async verify(token: string | undefined): Promise<VerifiedIdentity> {
    if (!token) throw new TokenRefusal(REASON_CODES.jwtMissing, 'a bearer token is required');
    if (token === TOKENS.idpDown) throw new Error('fetch failed: the IdP is down');
    const found = IDENTITIES.get(token);
    if (!found) throw new TokenRefusal(REASON_CODES.jwtSignature, 'the signature does not verify');
    return found;
  },
} as unknown as JwtVerifier;

export interface Recorded {
  abac: AbacRequest[];
  calls: { method: string; args: unknown[] }[];
}

export const CODEC_KEY_ID = 'unit-key';
export const codec = new EncryptionCodec({ current: CODEC_KEY_ID, keys: new Map([[CODEC_KEY_ID, Buffer.alloc(32, 7)]]) });

export interface FakeGateway {
  app: FastifyInstance;
  recorded: Recorded;
}

/**
 * A gateway over fakes. `decide` is the PDP (ALLOW unless it says otherwise; throwing = PDP down); `ledger`
 * the audit ledger the read routes query (none unless given).
 */
export async function fakeGateway(options: GatewayOptions = {}, decide: (r: AbacRequest) => 'ALLOW' | 'DENY' = () => 'ALLOW', ledger?: LedgerStore): Promise<FakeGateway> {
  const recorded: Recorded = { abac: [], calls: [] };
  const uds: UdsClient = {
    async decide(request): Promise<AbacDecision> {
      recorded.abac.push(request);
      return { outcome: decide(request), evaluated_at: new Date(0).toISOString(), uds_eval_id: `eval_${recorded.abac.length}` };
    },
  };
  const record = (method: string) => async (...args: unknown[]) => {
    recorded.calls.push({ method, args });
    switch (method) {
      case 'read':
        return { composition_id: args[0], state: 'requested', sequence: 1 };
      case 'signalOutcome':
        return null;
      case 'attestBySignal':
        return args[3] ?? 'random-request-id';
      case 'exists':
        return true;
      default:
        return { ok: true, composition_id: args[0], event_id: 'evt_x', this_hash: 'sha256:x', state: 'leased' };
    }
  };
  const client = Object.fromEntries(['read', 'signalOutcome', 'attestBySignal', 'act', 'start', 'exists'].map((m) => [m, record(m)])) as unknown as CoordinationClient;
  const app = await buildGateway(
    { client, jwt: fakeVerifier, uds, codec, logger: pino({ level: 'silent' }), ledger: () => (ledger ? Promise.resolve(ledger) : (Promise.reject(new Error('no ledger in unit tests')) as Promise<LedgerStore>)) },
    options,
  );
  return { app, recorded };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
