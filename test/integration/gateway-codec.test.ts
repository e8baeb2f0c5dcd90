// The codec endpoints over HTTP with the real PDP: only our ops people (a verified token with `ops_codec`,
// ABAC payload_codec decode/encode — infra/cerbos/policies/payload-codec.yaml) decrypt payloads, and only
// through a Host the gateway answers to. An unknown key id is a 400, an oversized body a 413.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { mintToken } from '../../infra/idp/client.js';
import { gatewayFixture } from '../helpers/gateway-fixture.js';

let ops: { human: string; agent: string; partner: string; noScope: string };
const fx = gatewayFixture('gw-codec', async () => {
  const [human, agent, partner, noScope] = await Promise.all([
    mintToken('firm', { sub: 'ops_alice@citi.example', actor_type: 'human', scope: ['ops_codec'] }),
    mintToken('internal', { sub: 'svc_ops_bot', actor_type: 'agent', scope: ['ops_codec'], claims: { client_id: 'ops_bot' } }),
    mintToken('partner', { sub: 'ops@vrs.example', actor_type: 'human', scope: ['ops_codec'] }),
    mintToken('firm', { sub: 'user_smith@citi.example', actor_type: 'human', scope: ['fusion_operator'] }),
  ]);
  ops = { human, agent, partner, noScope };
});

interface Reply {
  status: number;
  body: { error?: { code: string; message: string }; payloads?: { metadata: Record<string, string>; data: string }[] };
}

/** POST with any Host header (fetch will not let us set one). */
function post(path: string, body: unknown, headers: Record<string, string>): Promise<Reply> {
  const url = new URL(fx.services.gatewayUrl);
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers: { host: url.host, 'content-type': 'application/json', 'content-length': data.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Reply['body'] }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const plain = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"lens_id":"x"}').toString('base64') }] };

test('encode then decode with an ops token; every other caller is refused', async () => {
  const encoded = await post('/codec/encode', plain, auth(ops.human));
  assert.equal(encoded.status, 200, JSON.stringify(encoded.body));
  const decoded = await post('/codec/decode', encoded.body, auth(ops.human));
  assert.equal(decoded.status, 200, JSON.stringify(decoded.body));
  assert.equal(Buffer.from(decoded.body.payloads![0]!.data, 'base64').toString(), '{"lens_id":"x"}');

  const refusals: [string, Record<string, string>, number, string][] = [
    ['no token', {}, 401, 'ERR_JWT_MISSING'],
    ['a token without ops_codec', auth(ops.noScope), 403, 'ERR_SCOPE_MISSING'],
    ['an agent with ops_codec', auth(ops.agent), 403, 'ERR_ABAC_DENY'],
    ["the partner's human with ops_codec", auth(ops.partner), 403, 'ERR_ABAC_DENY'],
    ['another Host (DNS rebinding)', { ...auth(ops.human), host: `attacker.example:${new URL(fx.services.gatewayUrl).port}` }, 403, 'ERR_HOST_NOT_ALLOWED'],
  ];
  for (const [what, headers, status, code] of refusals) {
    const reply = await post('/codec/decode', encoded.body, headers);
    assert.equal(reply.status, status, `${what}: ${JSON.stringify(reply.body)}`);
    assert.equal(reply.body.error?.code, code, what);
    assert.equal(reply.body.payloads, undefined, `${what}: nothing decoded`);
  }
  const localhost = await post('/codec/decode', encoded.body, { ...auth(ops.human), host: `localhost:${new URL(fx.services.gatewayUrl).port}` });
  assert.equal(localhost.status, 200, 'the Web UI may name the gateway as localhost');
});

test('an unknown codec key id is 400 ERR_CODEC_UNKNOWN_KEY; a body over the limit is 413', async () => {
  const encoded = await post('/codec/encode', plain, auth(ops.human));
  const payload = encoded.body.payloads![0]!;
  const retired = { payloads: [{ ...payload, metadata: { ...payload.metadata, 'encryption-key-id': Buffer.from('retired-2019').toString('base64') } }] };
  const unknown = await post('/codec/decode', retired, auth(ops.human));
  assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
  assert.equal(unknown.body.error?.code, 'ERR_CODEC_UNKNOWN_KEY');
  const huge = await post('/codec/decode', { payloads: [{ metadata: {}, data: 'A'.repeat(5 * 1024 * 1024) }] }, auth(ops.human));
  assert.equal(huge.status, 413, JSON.stringify(huge.body));
  assert.equal(huge.body.error?.code, 'ERR_PAYLOAD_TOO_LARGE');
});
