// A registry that accepts a request and never answers fails the call after the timeout, instead of holding
// a publish (and every later publish of that schema) forever. The server here accepts and stays silent.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { createSchemaRegistry, RegistryRest } from '../../../audit/registry-client.js';
import { registerSchemas } from '../../../audit/registry-discipline.js';
import { EVENT_DEFINITIONS } from '../../../schemas/catalog.js';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';

let silent: Server;
let url: string;
const sockets = new Set<Socket>();
let requests = 0;

before(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => (requests += 1)); // read the request, never answer
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

test('the library client gives up on a silent registry with a timeout error', async () => {
  const registry = createSchemaRegistry(url, 300);
  await assert.rejects(registry.getRegistryIdBySchema('subject', { type: SchemaType.JSON, schema: '{}' }), (err: Error) => {
    assert.match(err.message, /Timeout \(300ms\)/);
    assert.notEqual(err.name, 'ConfluentSchemaRegistryError', 'a timeout is not "not registered"');
    return true;
  });
  await assert.rejects(registry.getSchema(7), /Timeout \(300ms\)/);
  assert.ok(requests >= 2, 'the requests reached the server');
});

test('the REST calls give up on a silent registry too', async () => {
  await assert.rejects(new RegistryRest(url, 300).latest('subject'), (err: Error) => err.name === 'TimeoutError');
});

test('a registry that is down is reported as unreachable, never as a 400 or "not registered"', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const downUrl = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
  await new Promise((r) => closed.close(r)); // nothing listens there now
  await assert.rejects(createSchemaRegistry(downUrl, 2_000).getRegistryIdBySchema('subject', { type: SchemaType.JSON, schema: '{}' }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_REGISTRY_UNREACHABLE');
    assert.match(err.message, /schema registry unreachable at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    assert.doesNotMatch(err.message, /400/);
    return true;
  });
  await assert.rejects(new RegistryRest(downUrl, 2_000).latest('subject'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_REGISTRY_UNREACHABLE');
    assert.match(err.message, /unreachable at .*ECONNREFUSED/);
    return true;
  });
});

test('a read that got no answer is asked once more (Apicurio has left one GET unanswered); a write is not', async () => {
  let gets = 0;
  let posts = 0;
  const flaky = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.startsWith('POST')) return void (posts += 1); // never answered
      gets += 1;
      if (gets === 1) return; // the first read stays unanswered
      const body = JSON.stringify({ schema: '{"type":"object"}', schemaType: 'JSON' });
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/vnd.schemaregistry.v1+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
  const flakyUrl = `http://127.0.0.1:${(flaky.address() as { port: number }).port}`;
  try {
    assert.equal(await new RegistryRest(flakyUrl, 300).schemaById(7), '{"type":"object"}');
    assert.equal(gets, 2);
    gets = 0;
    const schema = await createSchemaRegistry(flakyUrl, 300).getSchema(7);
    assert.ok(schema, 'the library client got the schema on its second request');
    assert.equal(gets, 2);
    await assert.rejects(new RegistryRest(flakyUrl, 300).compatibleWithLatest('subject', '{}'), (err: Error) => err.name === 'TimeoutError');
    assert.equal(posts, 1, 'a write is sent once');
  } finally {
    await new Promise((r) => flaky.close(r));
  }
});

test('registering: a registration the registry leaves unanswered is sent once more (the same schema answers the same id)', async () => {
  let posts = 0;
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end(JSON.stringify(body));
  const registry = createHttpServer((req, res) => {
    const path = req.url ?? '';
    if (req.method === 'POST' && /^\/subjects\/[^/]+\/versions$/.test(path)) {
      posts += 1;
      if (posts === 1) return; // accepted, never answered
      return json(res, 200, { id: 7 });
    }
    if (req.method === 'POST' && /^\/subjects\/[^/]+$/.test(path)) return json(res, 404, { error_code: 40403, message: 'Schema not found' });
    if (req.method === 'GET' && path.startsWith('/config/')) return json(res, 404, { error_code: 40408, message: 'no config' });
    if (req.method === 'PUT' && path.startsWith('/config/')) return json(res, 200, { compatibility: 'BACKWARD' });
    json(res, 404, { error_code: 404, message: `no route ${req.method} ${path}` });
  });
  await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
  try {
    const registryUrl = `http://127.0.0.1:${(registry.address() as { port: number }).port}`;
    const [report] = await registerSchemas({ registryUrl, topic: 't', definitions: EVENT_DEFINITIONS.slice(0, 1), timeoutMs: 300 });
    assert.deepEqual([report?.status, report?.id, posts], ['registered', 7, 2]);
  } finally {
    registry.closeAllConnections();
    await new Promise((r) => registry.close(r));
  }
});
