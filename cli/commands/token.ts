/** `coord token mint | rotate` — dev tokens from the dev IdPs. */
import { parseArgs } from 'node:util';
import { IDP_NAMES, type IdpName } from '../../config/endpoints.js';
import { mintToken, rotateKey } from '../../infra/idp/client.js';
import { ACTOR_TYPES } from '../../infra/idp/mint.js';
import { UsageError, parseDuration, print } from '../output.js';

export const TOKEN_USAGE = `coord token mint --issuer <${IDP_NAMES.join('|')}> --sub <subject> --scope <s> [--scope <s>…]
                 [--actor-type ${ACTOR_TYPES.join('|')}] [--act <sub>…] [--ttl 1h] [--nbf 0] [--aud <aud>] [--claim k=v…]
    prints a signed JWT; --act names the party acting for --sub (RFC 8693; repeat for a chain, current actor first)
coord token rotate --issuer <name>   new signing key for that IdP (old keys stay in its JWKS); prints the new kid`;

function issuerOf(value: string | undefined): IdpName {
  if (!value || !IDP_NAMES.includes(value as IdpName)) throw new UsageError(`--issuer must be one of ${IDP_NAMES.join(', ')}`);
  return value as IdpName;
}

export async function tokenCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      issuer: { type: 'string' },
      sub: { type: 'string' },
      scope: { type: 'string', multiple: true, default: [] },
      'actor-type': { type: 'string' },
      act: { type: 'string', multiple: true, default: [] },
      ttl: { type: 'string', default: '1h' },
      nbf: { type: 'string', default: '0' },
      aud: { type: 'string' },
      claim: { type: 'string', multiple: true, default: [] },
    },
  });
  if (verb === 'mint') {
    if (!values.sub) throw new UsageError('--sub is required');
    const actorType = values['actor-type'];
    if (actorType && !ACTOR_TYPES.includes(actorType as (typeof ACTOR_TYPES)[number])) throw new UsageError(`--actor-type must be one of ${ACTOR_TYPES.join(', ')}`);
    const claims = Object.fromEntries(
      values.claim.map((kv) => {
        const i = kv.indexOf('=');
        if (i <= 0) throw new UsageError(`--claim expects key=value, got "${kv}"`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
    const token = await mintToken(issuerOf(values.issuer), {
      sub: values.sub,
      scope: values.scope,
      act: values.act,
      ttl_seconds: parseDuration(values.ttl),
      nbf_offset_seconds: parseDuration(values.nbf),
      claims,
      ...(actorType ? { actor_type: actorType as (typeof ACTOR_TYPES)[number] } : {}),
      ...(values.aud ? { aud: values.aud } : {}),
    });
    print(token);
    return 0;
  }
  if (verb === 'rotate') {
    print(await rotateKey(issuerOf(values.issuer)));
    return 0;
  }
  throw new UsageError(TOKEN_USAGE);
}
