/**
 * Reads a message value of the audit topic the way the ledger must: without trusting it. Confluent wire
 * format is a magic byte 0, a 4-byte registry id, then the JSON. The id must be one the registry knows,
 * and the schema it names must be the one the event claims (`schema_id`); otherwise the event has an
 * unknown schema. A registry that cannot be reached is an error (retry), never a verdict.
 */
import { RegistryRest } from '../audit/registry-client.js';

export type WireDecoding = { ok: true; value: unknown } | { ok: false; reason: 'unknown_schema' | 'invalid_event'; detail: string; value: unknown };

/** Decodes one message value; the ledger's ingest depends on this, not on the registry. */
export interface MessageDecoder {
  decode(buffer: Buffer | null): Promise<WireDecoding>;
}

export class WireDecoder implements MessageDecoder {
  private readonly rest: RegistryRest;
  /** registry id → the schema_id (title) of the schema registered under it, or null when unknown */
  private readonly titles = new Map<number, string | null>();

  constructor(registryUrl: string) {
    this.rest = new RegistryRest(registryUrl);
  }

  private async titleOf(id: number): Promise<string | null> {
    if (!this.titles.has(id)) {
      const text = await this.rest.schemaById(id);
      const title = text === undefined ? null : (JSON.parse(text) as { title?: unknown }).title;
      this.titles.set(id, typeof title === 'string' ? title : null);
    }
    return this.titles.get(id)!;
  }

  async decode(buffer: Buffer | null): Promise<WireDecoding> {
    if (!buffer || buffer.length < 5 || buffer[0] !== 0) {
      return { ok: false, reason: 'invalid_event', detail: 'not Confluent wire format (magic byte 0 + 4-byte schema id)', value: null };
    }
    const id = buffer.readInt32BE(1);
    let value: unknown;
    try {
      value = JSON.parse(buffer.subarray(5).toString('utf8'));
    } catch (err) {
      return { ok: false, reason: 'invalid_event', detail: `not JSON: ${(err as Error).message}`, value: null };
    }
    const title = await this.titleOf(id);
    const claimed = (value as { schema_id?: unknown } | null)?.schema_id;
    if (title === null) return { ok: false, reason: 'unknown_schema', detail: `registry id ${id} is not a registered audit schema`, value };
    if (claimed !== title) {
      return { ok: false, reason: 'unknown_schema', detail: `encoded with registry id ${id} (${title}) but claims schema_id ${JSON.stringify(claimed ?? null)}`, value };
    }
    return { ok: true, value };
  }
}
