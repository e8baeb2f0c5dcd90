/**
 * The federation policy, as data (`COORD_FEDERATION_POLICY`; dev: infra/federation/policy.json): which
 * organisation we are (`sender`, the name our slices and the partners' receipts carry) and, per partner,
 * which compositions it receives and how its receipts are checked:
 *
 *   { "sender": "ledger",
 *     "partners": { "partner": { "issuers": ["http://127.0.0.1:9402"],
 *                                "composition_types": ["vrs_screening"],          (optional: every type)
 *                                "receipt_key": "${COORD_DATA_DIR}/federation/partner/receipt-public.jwk" } } }
 *
 * A partner receives every composition in which one of its `issuers` took part (audit/slice/entitlement.ts,
 * the rule the receiver applies too), of the listed types if any; the PDP then decides each slice
 * (ledger/federation/decision.ts). `receipt_key` is the partner's public JWK, inline or as a file: an
 * absolute path, one relative to the policy file, or one under `${COORD_DATA_DIR}`. The file is read when a
 * receipt arrives, so a partner's node may create its key after the ledger started.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { JWK } from 'jose';
import { z } from 'zod';
import { publicJwkOf } from '../../audit/bundle/signing-key.js';
import { canonicalJson } from '../../audit/canonical.js';
import { config } from '../../config/index.js';
import { DATA_DIR, ROOT } from '../../config/paths.js';

export const devFederationPolicyFile = () => join(ROOT, 'infra', 'federation', 'policy.json');

const MAX_POLICY_BYTES = 1 << 20;
/** An organisation's name, as slices and receipts carry it (audit/slice/format.ts). */
const org = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'an organisation name: lower case letters, digits and dashes, starting with a letter');

const partnerSchema = z.strictObject({
  issuers: z.array(z.string().min(1).max(512)).min(1),
  composition_types: z.array(z.string().min(1).max(200)).min(1).optional(),
  receipt_key: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
});

const policySchema = z.strictObject({
  sender: org,
  partners: z.record(org, partnerSchema),
});

/** Where a partner's receipt key is: given inline, or a file read when needed. */
export type ReceiptKeyRef = { kind: 'inline'; jwk: JWK } | { kind: 'file'; path: string };

export interface PartnerPolicy {
  name: string;
  issuers: readonly string[];
  /** undefined: every composition type */
  compositionTypes?: readonly string[];
  receiptKey: ReceiptKeyRef;
  /** sha256 of what selects compositions (issuers, types): when it changes, every composition is looked at again */
  selectionDigest: string;
}

export interface FederationPolicy {
  sender: string;
  partners: ReadonlyMap<string, PartnerPolicy>;
  /** the file it was read from */
  file: string;
}

export class FederationPolicyError extends Error {
  readonly code = 'ERR_FEDERATION_POLICY';
  override name = 'FederationPolicyError';
}

function receiptKeyRef(value: string | Record<string, unknown>, policyFile: string, partner: string): ReceiptKeyRef {
  if (typeof value !== 'string') {
    if ('d' in value) throw new FederationPolicyError(`${policyFile}: partners.${partner}.receipt_key holds a private key ("d"): the policy pins the partner's public key only`);
    try {
      return { kind: 'inline', jwk: publicJwkOf(value as JWK, `partners.${partner}.receipt_key`) };
    } catch (err) {
      throw new FederationPolicyError(`${policyFile}: partners.${partner}.receipt_key: ${(err as Error).message}`);
    }
  }
  const expanded = value.replaceAll('${COORD_DATA_DIR}', DATA_DIR);
  return { kind: 'file', path: isAbsolute(expanded) ? expanded : resolve(dirname(policyFile), expanded) };
}

/** Parses a policy's text (`file` names it in errors and anchors relative key paths). */
export function parseFederationPolicy(text: string, file: string): FederationPolicy {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FederationPolicyError(`${file}: not JSON (${(err as Error).message})`);
  }
  const parsed = policySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FederationPolicyError(`${file}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  }
  const { sender, partners } = parsed.data;
  const map = new Map<string, PartnerPolicy>();
  for (const [name, p] of Object.entries(partners)) {
    if (name === sender) throw new FederationPolicyError(`${file}: partners.${name}: an organisation does not federate to itself`);
    const selection = { issuers: [...p.issuers].sort(), composition_types: p.composition_types ? [...p.composition_types].sort() : null };
    map.set(name, {
      name,
      issuers: p.issuers,
      ...(p.composition_types ? { compositionTypes: p.composition_types } : {}),
      receiptKey: receiptKeyRef(p.receipt_key, file, name),
      selectionDigest: `sha256:${createHash('sha256').update(canonicalJson(selection)).digest('hex')}`,
    });
  }
  return { sender, partners: map, file };
}

/** The configured policy file (`COORD_FEDERATION_POLICY`, else the dev one). */
export function federationPolicyFile(): string {
  return config().COORD_FEDERATION_POLICY ?? devFederationPolicyFile();
}

export function readFederationPolicy(file: string = federationPolicyFile()): FederationPolicy {
  if (!existsSync(file)) throw new FederationPolicyError(`the federation policy ${file} does not exist`);
  if (statSync(file).size > MAX_POLICY_BYTES) throw new FederationPolicyError(`${file}: larger than ${MAX_POLICY_BYTES} bytes`);
  return parseFederationPolicy(readFileSync(file, 'utf8'), file);
}

/** The partner's pinned receipt key, read now; throws when its file is missing or holds no public Ed25519 JWK. */
export function loadReceiptKey(partner: PartnerPolicy): JWK {
  const ref = partner.receiptKey;
  if (ref.kind === 'inline') return ref.jwk;
  if (!existsSync(ref.path)) throw new FederationPolicyError(`partner ${partner.name}: its receipt key ${ref.path} does not exist (yet)`);
  let jwk: unknown;
  try {
    jwk = JSON.parse(readFileSync(ref.path, 'utf8'));
  } catch (err) {
    throw new FederationPolicyError(`partner ${partner.name}: ${ref.path} is not a JWK (${(err as Error).message})`);
  }
  try {
    return publicJwkOf(jwk as JWK, ref.path);
  } catch (err) {
    throw new FederationPolicyError(`partner ${partner.name}: ${(err as Error).message}`);
  }
}
