/**
 * The codec server for the Temporal Web UI (`--ui-codec-endpoint`): decodes the encrypted payloads so ops
 * can read workflow inputs and results. Bearer tokens inside them are redacted on the way out: nobody
 * needs to read a token, and this endpoint must not become a way to obtain one.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { redactPayload } from '../../audit/redact-tokens.js';
import { GatewayError } from '../errors.js';

export { redactTokens } from '../../audit/redact-tokens.js';

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

export function codecRoutes(app: FastifyInstance, codec: PayloadCodec): void {
  const body = (raw: unknown) => {
    const parsed = wirePayloads.safeParse(raw);
    if (!parsed.success) throw new GatewayError('ERR_BAD_REQUEST', 'expected { payloads: [{ metadata, data }] }', 'payloads');
    return parsed.data.payloads.map(fromWire);
  };
  app.post('/codec/decode', async (request) => ({ payloads: (await codec.decode(body(request.body))).map(redactPayload).map(toWire) }));
  app.post('/codec/encode', async (request) => ({ payloads: (await codec.encode(body(request.body))).map(toWire) }));
}
