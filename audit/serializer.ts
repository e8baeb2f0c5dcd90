/**
 * Audit events to and from Confluent wire format (magic byte, 4-byte schema id, JSON). Refuses an event
 * whose schema_id is unknown, or whose exact local schema is not registered under its subject (no writing
 * past the registry), or that fails validation — with the field path. Schema ids are looked up once per
 * schema_id and cached.
 */
import { SchemaType, type SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { definitionOf, validateEvent, type AuditEvent } from '../schemas/catalog.js';
import { jsonSchemaOf } from '../schemas/json-schema.js';
import { AuditContractError } from './errors.js';
import { createSchemaRegistry } from './registry-client.js';
import { subjectFor } from './topic.js';

export class AuditSerializer {
  private readonly registry: SchemaRegistry;
  private readonly ids = new Map<string, Promise<number>>();

  constructor(
    registryUrl: string,
    private readonly topic: string,
  ) {
    this.registry = createSchemaRegistry(registryUrl);
  }

  /** The registry id of this schema_id's local schema; refuses unknown or unregistered schemas. */
  schemaIdFor(schemaId: string): Promise<number> {
    let id = this.ids.get(schemaId);
    if (!id) {
      id = this.lookup(schemaId);
      id.catch(() => this.ids.delete(schemaId)); // a failed lookup is retried next time
      this.ids.set(schemaId, id);
    }
    return id;
  }

  private async lookup(schemaId: string): Promise<number> {
    const def = definitionOf(schemaId);
    if (!def) throw new AuditContractError('ERR_UNKNOWN_SCHEMA', `unknown schema_id ${JSON.stringify(schemaId)}`, 'schema_id');
    const subject = subjectFor(schemaId, this.topic);
    try {
      return await this.registry.getRegistryIdBySchema(subject, { type: SchemaType.JSON, schema: JSON.stringify(jsonSchemaOf(def)) });
    } catch (err) {
      // the library wraps a 404 of the lookup (and only that) in its base error class
      if ((err as Error).name === 'ConfluentSchemaRegistryError') {
        throw new AuditContractError('ERR_SCHEMA_NOT_REGISTERED', `${schemaId} is not registered under subject ${subject} (run: coord schemas register)`, 'schema_id');
      }
      throw err;
    }
  }

  async encode(event: unknown): Promise<Buffer> {
    const validation = validateEvent(event);
    if (!validation.ok) {
      throw new AuditContractError(validation.kind === 'unknown_schema' ? 'ERR_UNKNOWN_SCHEMA' : 'ERR_INVALID_EVENT', validation.message, validation.path);
    }
    const id = await this.schemaIdFor(validation.event.schema_id);
    return this.registry.encode(id, validation.event);
  }

  async decode(buffer: Buffer): Promise<AuditEvent> {
    const value: unknown = await this.registry.decode(buffer);
    const validation = validateEvent(value);
    if (!validation.ok) throw new AuditContractError('ERR_INVALID_EVENT', validation.message, validation.path);
    return validation.event;
  }
}
