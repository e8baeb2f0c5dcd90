/**
 * The allow-list of token issuers (ARCHITECTURE §6): several, as in federated SSO. Each has a short name
 * (its organisation, used by ABAC policies) and the exact `iss` value its tokens carry. Configured with
 * COORD_TRUSTED_ISSUERS='[{"name":"firm","issuer":"https://login.firm.example"}]'; defaults to the dev IdPs.
 */
import { z } from 'zod';
import { IDP_NAMES, idpEndpoint } from '../../config/endpoints.js';
import { config } from '../../config/index.js';

export const trustedIssuerSchema = z.strictObject({
  name: z.string().min(1),
  issuer: z.string().min(1),
  /** where discovery lives when it is not `<issuer>/.well-known/openid-configuration` */
  discoveryUrl: z.url().optional(),
});
export type TrustedIssuer = z.infer<typeof trustedIssuerSchema>;

export function trustedIssuers(): TrustedIssuer[] {
  const configured = config().COORD_TRUSTED_ISSUERS;
  if (configured) return z.array(trustedIssuerSchema).min(1).parse(JSON.parse(configured));
  return IDP_NAMES.map((name) => ({ name, issuer: idpEndpoint(name).address }));
}
