// docker-compose.temporal.yml cannot run here; this keeps it valid YAML and in step with the local stack's ports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { LOCAL_PORTS } from '../../config/endpoints.js';
import { ROOT } from '../../config/paths.js';

interface Compose {
  services: Record<string, { ports?: string[] }>;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.temporal.yml'), 'utf8')) as Compose;
const hostPorts = (service: string) => (compose.services[service]?.ports ?? []).map((p) => Number(p.split(':').at(-2)));

test('every local-stack component has a compose service on the same host port', () => {
  const expected: Record<string, number[]> = {
    temporal: [LOCAL_PORTS.temporal],
    'temporal-ui': [LOCAL_PORTS.temporalUi],
    kafka: [LOCAL_PORTS.kafka],
    'schema-registry': [LOCAL_PORTS.registry],
    pdp: [LOCAL_PORTS.pdpHttp, LOCAL_PORTS.pdpGrpc],
    'idp-firm': [LOCAL_PORTS.idp.firm],
    'idp-partner': [LOCAL_PORTS.idp.partner],
    'idp-internal': [LOCAL_PORTS.idp.internal],
  };
  for (const [service, ports] of Object.entries(expected)) assert.deepEqual(hostPorts(service), ports, service);
});

test('published ports bind to loopback only', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${name}: ${port}`);
  }
});
