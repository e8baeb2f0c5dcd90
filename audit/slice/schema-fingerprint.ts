/**
 * A schema's fingerprint: `sha256:<hex>` of the RFC 8785 canonical JSON of the JSON Schema registered for it
 * (schemas/json-schema.ts). The sender states it per schema in every slice; the receiver's trust file lists
 * the fingerprints it accepts per schema_id. One definition for both ends: a schema whose contract changes,
 * even additively, gets another fingerprint, and a partner accepts it only once it has pinned it.
 */
import { canonicalJson } from '../canonical.js';
import { createHash } from 'node:crypto';
import { EVENT_DEFINITIONS, definitionOf } from '../../schemas/catalog.js';
import type { EventDefinition } from '../../schemas/define-event.js';
import { jsonSchemaOf } from '../../schemas/json-schema.js';

export function schemaFingerprint(def: EventDefinition): string {
  return `sha256:${createHash('sha256').update(canonicalJson(jsonSchemaOf(def)), 'utf8').digest('hex')}`;
}

/** The fingerprint of a catalogued schema_id, or undefined for one the catalog does not hold. */
export function fingerprintOf(schemaId: string): string | undefined {
  const def = definitionOf(schemaId);
  return def ? schemaFingerprint(def) : undefined;
}

/** schema_id → [fingerprint] for every schema of this build's catalog: what a trust file pins to accept them all. */
export function catalogFingerprints(): Record<string, string[]> {
  return Object.fromEntries(EVENT_DEFINITIONS.map((def) => [def.schemaId, [schemaFingerprint(def as EventDefinition)]]));
}
