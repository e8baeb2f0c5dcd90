// docker-compose.temporal.yml cannot run here; this keeps it valid YAML and in step with the local stack's ports,
// its Kafka in step with the local broker's security (SASL on every listener, the standard authorizer, the ACLs
// that kafka/acls.ts grants), and its RabbitMQ with the local one's users and permissions.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { DEFAULT_AUDIT_TOPIC, LOCAL_PORTS } from '../../config/endpoints.js';
import { ROOT } from '../../config/paths.js';
import { FEDERATION_SENDER_ORG, LOCAL_FEDERATION_PARTNERS } from '../../config/rabbitmq-credentials.js';
import { SETTINGS } from '../../config/settings.js';
import { FEDERATION_VHOST, federationPermissions } from '../../infra/rabbitmq/permissions.js';
import { CLUSTER_GRANTS, auditTopicGrants, type AclGrant } from '../../kafka/acls.js';

interface Compose {
  services: Record<string, { ports?: string[]; command?: string[] }>;
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
    rabbitmq: [LOCAL_PORTS.rabbitmq],
  };
  for (const [service, ports] of Object.entries(expected)) assert.deepEqual(hostPorts(service), ports, service);
});

test('published ports bind to loopback only', () => {
  for (const [name, service] of Object.entries(compose.services)) {
    for (const port of service.ports ?? []) assert.match(port, /^127\.0\.0\.1:/, `${name}: ${port}`);
  }
});

/** The broker's properties, as the kafka service's command writes them. */
function kafkaProperties(): Map<string, string> {
  const script = compose.services.kafka!.command!.at(-1)!;
  const body = script.slice(script.indexOf('<<EOF\n') + 6, script.indexOf('\nEOF\n'));
  return new Map(body.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

test('compose Kafka: SASL on every listener, the standard authorizer, no anonymous super user', () => {
  const props = kafkaProperties();
  const protocols = props.get('listener.security.protocol.map')!.split(',').map((l) => l.split(':')[1]);
  assert.ok(protocols.length >= 3 && protocols.every((p) => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL'), props.get('listener.security.protocol.map'));
  assert.equal(props.get('sasl.enabled.mechanisms'), 'SCRAM-SHA-512');
  assert.equal(props.get('authorizer.class.name'), 'org.apache.kafka.metadata.authorizer.StandardAuthorizer');
  assert.equal(props.get('allow.everyone.if.no.acl.found'), 'false');
  assert.deepEqual(props.get('super.users')!.split(';').sort(), ['User:admin', 'User:broker']);
});

test("compose Kafka: kafka-init grants what kafka/acls.ts grants on the audit and bench topics (and the registry's own)", () => {
  const op = (o: string) => o.toLowerCase().replaceAll('_', '');
  const key = (g: Pick<AclGrant, 'principal' | 'resource' | 'name' | 'pattern'> & { operations: readonly string[] }) =>
    `${g.principal} ${[...g.operations].map(op).sort().join(',')} ${g.resource.toLowerCase()} ${g.resource === 'CLUSTER' ? '' : g.name} ${g.pattern.toLowerCase()}`;
  const init = compose.services['kafka-init']!.command!.at(-1)!;
  const granted = [...init.matchAll(/^grant (\S+) (\S+) --(topic|group|cluster)(?: (\S+))?(?: --resource-pattern-type (prefixed))?$/gm)].map(([, principal, ops, resource, name, pattern]) =>
    key({ principal: principal as AclGrant['principal'], operations: ops!.split(','), resource: resource!.toUpperCase() as AclGrant['resource'], name: name ?? '', pattern: pattern ? 'PREFIXED' : 'LITERAL' }),
  );
  const expected = [...CLUSTER_GRANTS, ...auditTopicGrants(DEFAULT_AUDIT_TOPIC), ...auditTopicGrants(SETTINGS.COORD_BENCH_TOPIC.fallback!)].map(key);
  assert.deepEqual(granted.filter((g) => !g.startsWith('registry ')).sort(), expected.sort());
  assert.match(init, new RegExp(`for topic in ${DEFAULT_AUDIT_TOPIC.replaceAll('.', '\\.')} `), 'kafka-init creates the audit topic');
});

/** The definitions the rabbitmq service writes, as the broker reads them: compose turns `$$` into `$`, the shell fills in the passwords. */
function rabbitmqDefinitions(): { vhosts: { name: string }[]; users: { name: string; password: string }[]; permissions: ({ user: string; vhost: string } & Record<'configure' | 'write' | 'read', string>)[] } {
  const script = compose.services.rabbitmq!.command!.at(-1)!.replaceAll('$$', '$');
  const heredoc = script.slice(script.indexOf('<<EOF\n') + 6, script.indexOf('\nEOF\n'));
  return JSON.parse(heredoc.replaceAll(/\$([A-Z]+)_PASSWORD/g, 'secret-of-$1')) as ReturnType<typeof rabbitmqDefinitions>;
}

test('compose RabbitMQ: one user per organisation, the federation vhost, the permissions of infra/rabbitmq/permissions.ts, loaded at boot (no guest)', () => {
  const definitions = rabbitmqDefinitions();
  assert.deepEqual(definitions.vhosts, [{ name: FEDERATION_VHOST }]);
  assert.deepEqual(definitions.users.map((u) => u.name), [FEDERATION_SENDER_ORG, ...LOCAL_FEDERATION_PARTNERS]);
  assert.deepEqual(definitions.users.map((u) => u.password), [FEDERATION_SENDER_ORG, ...LOCAL_FEDERATION_PARTNERS].map((org) => `secret-of-${org.toUpperCase()}`));
  const expected = Object.entries(federationPermissions(LOCAL_FEDERATION_PARTNERS)).map(([user, p]) => ({ user, vhost: FEDERATION_VHOST, ...p }));
  assert.deepEqual(definitions.permissions, expected);
  const script = compose.services.rabbitmq!.command!.at(-1)!;
  assert.match(script, /'load_definitions = \/etc\/rabbitmq\/definitions\.json'/);
  assert.equal(compose.services.rabbitmq!.ports!.length, 1, 'AMQP only: no management or distribution port published');
});
