/** PDP: Cerbos (npm `@cerbos/cerbos-linux-x64`) serving the policies in infra/cerbos/policies. */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { LOCAL_PORTS, pdpEndpoint } from '../../../config/endpoints.js';
import type { Component } from '../component.js';
import { httpOk } from '../health.js';
import { DATA_DIR, ROOT, ensureDir } from '../../../config/paths.js';

export const POLICY_DIR = join(ROOT, 'infra', 'cerbos', 'policies');

function cerbosBinary(): string {
  // The package's main entry is the binary itself.
  return createRequire(import.meta.url).resolve('@cerbos/cerbos-linux-x64');
}

export function pdpComponent(): Component {
  const endpoint = pdpEndpoint();
  const configFile = join(ensureDir(join(DATA_DIR, 'pdp')), 'config.yaml');
  return {
    name: 'pdp',
    endpoint,
    ports: [LOCAL_PORTS.pdpHttp, LOCAL_PORTS.pdpGrpc],
    startTimeoutMs: 30_000,
    async install() {
      cerbosBinary(); // installed by npm; throws a clear "Cannot find module" if the platform has no build
    },
    async prepare() {
      const config = readFileSync(join(ROOT, 'infra', 'cerbos', 'config.yaml.template'), 'utf8')
        .replaceAll('@HTTP_PORT@', String(LOCAL_PORTS.pdpHttp))
        .replaceAll('@GRPC_PORT@', String(LOCAL_PORTS.pdpGrpc))
        .replaceAll('@POLICY_DIR@', POLICY_DIR);
      writeFileSync(configFile, config);
    },
    launchSpec() {
      return { command: cerbosBinary(), args: ['server', `--config=${configFile}`], env: { ...process.env, CERBOS_NO_TELEMETRY: '1' } };
    },
    async healthy() {
      return httpOk(`${endpoint.address}/_cerbos/health`);
    },
  };
}
