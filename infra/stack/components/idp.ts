/** The three dev IdPs (firm = humans, partner = a second organisation, internal = services and agents). */
import { join } from 'node:path';
import { LOCAL_PORTS, idpEndpoint, type IdpName } from '../../../config/endpoints.js';
import type { SigningAlg } from '../../idp/keys.js';
import type { Component } from '../component.js';
import { httpOk } from '../health.js';
import { DATA_DIR, ROOT } from '../../../config/paths.js';

/** Different algorithms per organisation, as in a real federation; all are on the verifier's allow-list. */
const ALGORITHMS: Record<IdpName, SigningAlg> = { firm: 'RS256', partner: 'ES256', internal: 'EdDSA' };

export const idpKeyDir = (name: IdpName) => join(DATA_DIR, 'idp', name);

export function idpComponent(name: IdpName): Component {
  const endpoint = idpEndpoint(name);
  const port = LOCAL_PORTS.idp[name];
  return {
    name: `idp-${name}`,
    endpoint,
    ports: [port],
    startTimeoutMs: 30_000,
    stopGraceMs: 5_000,
    async install() {},
    launchSpec() {
      return {
        command: process.execPath,
        args: ['--import', 'tsx', join(ROOT, 'infra', 'idp', 'server.ts'), '--name', name, '--port', String(port), '--keys', idpKeyDir(name), '--alg', ALGORITHMS[name]],
        cwd: ROOT,
      };
    },
    async healthy() {
      return httpOk(`${endpoint.address}/.well-known/openid-configuration`);
    },
  };
}
