/**
 * The JSON Schema (draft-07) registered for each event: generated from the zod contract, plus what zod
 * cannot express (the agent block's condition) and the registry metadata as an extension keyword.
 * Objects are closed (`additionalProperties: false`), which is what lets a schema grow additively under
 * BACKWARD compatibility: a new optional field only widens what a closed schema accepts.
 */
import { z } from 'zod';
import type { EventDefinition } from './define-event.js';

export const METADATA_KEYWORD = 'x-coordination-ledger';

export interface RegistryMetadata {
  required_scopes: readonly string[];
  actor_types: readonly string[];
  authority: string;
}

export function jsonSchemaOf(def: EventDefinition): Record<string, unknown> {
  const generated = z.toJSONSchema(def.event, { target: 'draft-7', unrepresentable: 'throw' }) as Record<string, unknown>;
  const { $schema, ...body } = generated;
  const metadata: RegistryMetadata = { required_scopes: def.requiredScopes, actor_types: def.actorTypes, authority: def.authority };
  const agentRule =
    def.authority === 'recorder'
      ? // a refusal may lack the agent block, but only an agent's event may carry one
        [{ if: { not: { properties: { actor: { properties: { type: { const: 'agent' } } } } } }, then: { not: { required: ['agent'] } } }]
      : [
          {
            if: { properties: { actor: { properties: { type: { const: 'agent' } } } } },
            then: { required: ['agent'] },
            else: { not: { required: ['agent'] } },
          },
        ];
  return {
    $schema,
    title: def.schemaId,
    description: def.description,
    ...body,
    allOf: agentRule,
    [METADATA_KEYWORD]: metadata,
  };
}
