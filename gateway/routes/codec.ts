/**
 * The codec server for the Temporal Web UI (`--ui-codec-endpoint`): decodes the encrypted payloads so ops
 * can read workflow inputs and results. Bearer tokens inside them are redacted on the way out: nobody
 * needs to read a token, and this endpoint must not become a way to obtain one.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { GatewayError } from '../errors.js';

const wirePayloads = z.strictObject({
  payloads: z.array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() })),
});
type WirePayload = z.infer<typeof wirePayloads>['payloads'][number];

const REDACTED = '[redacted bearer token]';
const TOKEN_KEYS = new Set(['token', 'node_a', 'node_b']);

/** Replaces bearer tokens (`token`, and the participant tokens) anywhere in a decoded JSON value. */
export function redactTokens(value: unknown, inParticipants = false): unknown {
  if (Array.isArray(value)) return value.map((v) => redactTokens(v, inParticipants));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (typeof v === 'string' && (k === 'token' || (inParticipants && TOKEN_KEYS.has(k)))) return [k, REDACTED];
        return [k, redactTokens(v, inParticipants || k === 'participantTokens')];
      }),
    );
  }
  return value;
}

const fromWire = (p: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toWire = (p: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

function redactPayload(p: Payload): Payload {
  if (Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString() !== 'json/plain') return p;
  const json = JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as unknown;
  return { ...p, data: Buffer.from(JSON.stringify(redactTokens(json)), 'utf8') };
}

export function codecRoutes(app: FastifyInstance, codec: PayloadCodec): void {
  const body = (raw: unknown) => {
    const parsed = wirePayloads.safeParse(raw);
    if (!parsed.success) throw new GatewayError('ERR_BAD_REQUEST', 'expected { payloads: [{ metadata, data }] }', 'payloads');
    return parsed.data.payloads.map(fromWire);
  };
  app.post('/codec/decode', async (request) => ({ payloads: (await codec.decode(body(request.body))).map(redactPayload).map(toWire) }));
  app.post('/codec/encode', async (request) => ({ payloads: (await codec.encode(body(request.body))).map(toWire) }));
}
