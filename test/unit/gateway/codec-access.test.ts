// The Web UI's codec endpoints decrypt every Temporal payload: they need a verified token with the
// `ops_codec` scope, an ABAC decision (payload_codec decode/encode) and a Host the gateway answers to.
// A payload sealed with a key the codec does not hold is a 400 with a stable code; an oversized body a 413.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearer, codec, CODEC_KEY_ID, fakeGateway, TOKENS } from './fakes.js';

const HOST = 'localhost:8088';
const options = { codecHosts: [HOST] };

async function sealed(text: string) {
  const [p] = await codec.encode([{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(text) }]);
  return { metadata: Object.fromEntries(Object.entries(p!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), data: Buffer.from(p!.data!).toString('base64') };
}

const decode = (payloads: unknown[], headers: Record<string, string>) => ({ method: 'POST' as const, url: '/codec/decode', payload: { payloads }, headers: { host: HOST, ...headers } });

test('no token → 401; a token without ops_codec → 403 ERR_SCOPE_MISSING; nothing decoded', async () => {
  const { app, recorded } = await fakeGateway(options);
  const payload = await sealed('{"secret":1}');
  const none = await app.inject(decode([payload], {}));
  assert.equal(none.statusCode, 401, none.body);
  assert.equal(none.json().error.code, 'ERR_JWT_MISSING');
  const encode = await app.inject({ method: 'POST', url: '/codec/encode', payload: { payloads: [] }, headers: { host: HOST } });
  assert.equal(encode.statusCode, 401, encode.body);
  const noScope = await app.inject(decode([payload], bearer(TOKENS.smith)));
  assert.equal(noScope.statusCode, 403, noScope.body);
  assert.equal(noScope.json().error.code, 'ERR_SCOPE_MISSING');
  assert.deepEqual(recorded.abac, [], 'no scope, no question to the PDP');
});

test('ops_codec and ABAC ALLOW → decoded; ABAC DENY → 403 ERR_ABAC_DENY', async () => {
  const allowed = await fakeGateway(options);
  const ok = await allowed.app.inject(decode([await sealed('{"secret":1}')], bearer(TOKENS.ops)));
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(Buffer.from(ok.json().payloads[0].data, 'base64').toString(), '{"secret":1}');
  assert.deepEqual(allowed.recorded.abac.map((r) => [r.resource.kind, r.action, r.principal.id]), [['payload_codec', 'decode', 'ops_alice']]);

  const denied = await fakeGateway(options, (r) => (r.principal.attributes.org === 'partner' ? 'DENY' : 'ALLOW'));
  const no = await denied.app.inject(decode([await sealed('{}')], bearer(TOKENS.partnerOps)));
  assert.equal(no.statusCode, 403, no.body);
  assert.equal(no.json().error.code, 'ERR_ABAC_DENY');
});

test('a Host the gateway does not answer to → 403 ERR_HOST_NOT_ALLOWED (DNS rebinding)', async () => {
  const { app } = await fakeGateway(options);
  const res = await app.inject({ ...decode([await sealed('{}')], bearer(TOKENS.ops)), headers: { host: 'attacker.example:8088', ...bearer(TOKENS.ops) } });
  assert.equal(res.statusCode, 403, res.body);
  assert.equal(res.json().error.code, 'ERR_HOST_NOT_ALLOWED');
});

test('without configured hosts, the listening address and its localhost names are allowed, nothing else', async () => {
  const { app } = await fakeGateway();
  const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  try {
    const payload = await sealed('{}');
    for (const host of [`127.0.0.1:${url.port}`, `localhost:${url.port}`, `[::1]:${url.port}`]) {
      const res = await app.inject({ ...decode([payload], bearer(TOKENS.ops)), headers: { host, ...bearer(TOKENS.ops) } });
      assert.equal(res.statusCode, 200, `${host}: ${res.body}`);
    }
    for (const host of [`localhost:${Number(url.port) + 1}`, `evil.example:${url.port}`, 'localhost']) {
      const res = await app.inject({ ...decode([payload], bearer(TOKENS.ops)), headers: { host, ...bearer(TOKENS.ops) } });
      assert.equal(res.statusCode, 403, `${host}: ${res.body}`);
    }
  } finally {
    await app.close();
  }
});

test('a payload sealed with an unknown key id → 400 ERR_CODEC_UNKNOWN_KEY (not 500)', async () => {
  const { app } = await fakeGateway(options);
  const payload = await sealed('{}');
  payload.metadata['encryption-key-id'] = Buffer.from('retired-key').toString('base64');
  const res = await app.inject(decode([payload], bearer(TOKENS.ops)));
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().error.code, 'ERR_CODEC_UNKNOWN_KEY');
  assert.match(res.json().error.message, /retired-key/);
  assert.notEqual(CODEC_KEY_ID, 'retired-key');
});

test('a codec body over the limit → 413 ERR_PAYLOAD_TOO_LARGE', async () => {
  const { app } = await fakeGateway(options);
  const big = { metadata: {}, data: Buffer.alloc(5 * 1024 * 1024).toString('base64') };
  const res = await app.inject(decode([big], bearer(TOKENS.ops)));
  assert.equal(res.statusCode, 413, res.body);
  assert.equal(res.json().error.code, 'ERR_PAYLOAD_TOO_LARGE');
});
