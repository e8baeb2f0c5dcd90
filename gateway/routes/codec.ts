/**
 * The codec server for the Temporal Web UI (`--ui-codec-endpoint`): decodes the encrypted payloads so ops
 * can read workflow inputs and results. It holds the payload keys, so it answers only:
 * - a verified bearer token with the `ops_codec` scope (the UI forwards the signed-in user's access token
 *   when its `codec.passAccessToken` is set; see the README), then an ABAC decision (resource
 *   `payload_codec`, action `decode` / `encode`, infra/cerbos/policies/payload-codec.yaml);
 * - through a Host it answers to (a browser tricked by DNS rebinding names another host).
 * Bearer tokens inside decoded payloads are redacted on the way out: nobody needs to read a token, and this
 * endpoint must not become a way to obtain one.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { UdsClient } from '../../activities/abac/uds.js';
import { redactPayload } from '../../audit/redact-tokens.js';
import { UnknownCodecKeyError } from '../../client/payload-codec.js';
import { GatewayError } from '../errors.js';
import { authorizeRead } from '../read-access.js';

export { redactTokens } from '../../audit/redact-tokens.js';

/** The scope a token needs for the codec endpoints. */
export const OPS_CODEC_SCOPE = 'ops_codec';

/** The Web UI decodes whole histories in one call: more than the API's limit, still bounded. */
export const CODEC_BODY_LIMIT = 4 * 1024 * 1024;

const wirePayloads = z.strictObject({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});
type WirePayload = z.infer<typeof wirePayloads>['payloads'][number];

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** host:port names of a listening address: itself, and for loopback (or any) also localhost, 127.0.0.1 and [::1]. */
export function hostsOf(address: AddressInfo | string | null): string[] {
  if (!address || typeof address === 'string') return [];
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return [...new Set([`${host}:${address.port}`, `127.0.0.1:${address.port}`, `localhost:${address.port}`, `[::1]:${address.port}`])];
}

export function codecRoutes(app: FastifyInstance, deps: { codec: PayloadCodec; uds: UdsClient }, configuredHosts?: readonly string[]): void {
  const { codec, uds } = deps;
  const allowedHosts = () => new Set((configuredHosts ?? hostsOf(app.server.address())).map((h) => h.toLowerCase()));

  const guard = async (request: FastifyRequest, action: 'decode' | 'encode') => {
    const host = request.headers.host?.toLowerCase();
    if (!host || !allowedHosts().has(host)) {
      request.log.warn({ host: host?.slice(0, 200), action }, 'codec request refused: Host not allowed');
      throw new GatewayError('ERR_HOST_NOT_ALLOWED', `the codec does not answer to Host ${JSON.stringify(host?.slice(0, 200) ?? null)}`);
    }
    const namespace = request.headers['x-namespace'];
    const id = typeof namespace === 'string' && /^[\w.-]{1,255}$/.test(namespace) ? namespace : 'default';
    await authorizeRead(request, uds, { resource: { kind: 'payload_codec', action }, id, scope: OPS_CODEC_SCOPE, what: `codec ${action}` });
  };
  const body = (raw: unknown) => {
    const parsed = wirePayloads.safeParse(raw);
    if (!parsed.success) throw new GatewayError('ERR_BAD_REQUEST', 'expected { payloads: [{ metadata, data }] }', 'payloads');
    return parsed.data.payloads.map(fromWire);
  };
  const decode = async (payloads: Payload[]) => {
    try {
      return await codec.decode(payloads);
    } catch (err) {
      if (err instanceof UnknownCodecKeyError) throw new GatewayError('ERR_CODEC_UNKNOWN_KEY', err.message, 'payloads');
      throw new GatewayError('ERR_BAD_REQUEST', 'a payload could not be decrypted (corrupt, or not sealed by this codec)', 'payloads');
    }
  };

  const route = { bodyLimit: CODEC_BODY_LIMIT };
  app.post('/codec/decode', { ...route, onRequest: (request) => guard(request, 'decode') }, async (request) => ({ payloads: (await decode(body(request.body))).map(redactPayload).map(toWire) }));
  app.post('/codec/encode', { ...route, onRequest: (request) => guard(request, 'encode') }, async (request) => ({ payloads: (await codec.encode(body(request.body))).map(toWire) }));
}
