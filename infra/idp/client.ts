/** Talks to a running dev IdP: mint a token, rotate its key. Used by `coord token …`, tests and the demo. */
import { idpEndpoint, type IdpName } from '../../config/endpoints.js';
import type { MintRequest } from './mint.js';

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as T & { error_description?: string };
  if (!res.ok) throw new Error(`${url} → ${res.status}: ${json.error_description ?? JSON.stringify(json)}`);
  return json;
}

export async function mintToken(issuer: IdpName, request: MintRequest): Promise<string> {
  const { access_token } = await post<{ access_token: string }>(`${idpEndpoint(issuer).address}/dev/mint`, request);
  return access_token;
}

export async function rotateKey(issuer: IdpName): Promise<string> {
  return (await post<{ kid: string }>(`${idpEndpoint(issuer).address}/dev/rotate`, {})).kid;
}
