/**
 * Temporal histories as an export holds them: the SDK's proto3 JSON form, every payload decoded through our
 * payload codec (an auditor needs no key) and bearer tokens redacted.
 *
 * The conversion uses the protobufjs instance that @temporalio/proto itself loads. The SDK's own
 * `historyToJSON`/`historyFromJSON` (@temporalio/common/lib/proto-utils) use @temporalio/common's copy of
 * protobufjs, and when npm installs separate copies for the two packages (it does here) they fail with
 * "type must be a Type": reflection types of one copy are not `instanceof` the other's.
 */
import { createRequire } from 'node:module';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';
import { walkGetWorkflowExecutionHistoryResponse } from '@temporalio/proto/lib/payload-visitor.generated.js';
import { redactPayload } from '../redact-tokens.js';
import type { HistoryJson } from './format.js';

export type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const requireFromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const protojson = requireFromProto('protobufjs/ext/protojson') as ProtoJson;
const HistoryMessage = proto.temporal.api.history.v1.History;
const historyType = (patchProtobufRoot(proto as unknown as Record<string, unknown>) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

const ENCRYPTED = 'binary/encrypted';

/** A history (proto objects, as fetched) → its proto3 JSON value. */
export function historyToJson(history: History): HistoryJson {
  return protojson.toJson(historyType, HistoryMessage.fromObject(history)) as HistoryJson;
}

/** A proto3 JSON history (as history.json holds it) → proto objects, for the replayer. */
export function historyFromJson(json: unknown): History {
  const events = (json as { events?: unknown } | null)?.events;
  if (!Array.isArray(events)) throw new TypeError('a history is an object with an array of events');
  // Unknown fields (a newer server's) are tolerated, as the SDK does.
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}

/** Accepts either form; the JSON form has string event ids (int64 in proto3 JSON). */
function asProto(history: History | HistoryJson): History {
  const first = history.events?.[0] as { eventId?: unknown } | undefined;
  return typeof first?.eventId === 'string' ? historyFromJson(history) : (history as History);
}

/** Every payload of a history, transformed in place (search attributes excepted: the server indexes them in clear). */
async function transformPayloads(history: History, transform: (payloads: Payload[]) => Promise<Payload[]>): Promise<void> {
  const env = {
    transformPayload: async (p: Payload) => (await transform([p]))[0]!,
    transformPayloads: (ps: Payload[]) => transform(ps),
    skipHeaders: false,
    skipSearchAttributes: true,
  };
  await Promise.all(walkGetWorkflowExecutionHistoryResponse({ history }, env, undefined));
}

const encodingOf = (p: Payload) => Buffer.from(p.metadata?.encoding ?? new Uint8Array()).toString('utf8');

/**
 * A history as an export holds it: payloads decoded through `codec` (when given), tokens redacted, in the
 * proto3 JSON form. The input is not modified. A payload still encrypted afterwards is an error: an export
 * that needs a key offline is of no use to an auditor.
 */
export async function exportableHistory(history: History | HistoryJson, codec?: PayloadCodec): Promise<HistoryJson> {
  const copy = HistoryMessage.decode(HistoryMessage.encode(asProto(history)).finish());
  await transformPayloads(copy, async (payloads) => {
    const decoded = codec ? await codec.decode(payloads) : payloads;
    const sealed = decoded.find((p) => encodingOf(p) === ENCRYPTED);
    if (sealed) throw new TypeError(`a payload of the history is still encrypted (${ENCRYPTED}): pass the payload codec that decodes it`);
    return decoded.map(redactPayload);
  });
  return historyToJson(copy);
}
