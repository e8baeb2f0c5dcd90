/** An event contract: its payload schema plus the registry metadata that governs who may emit it. */
import type { z } from 'zod';
import { envelopeSchema, type Authority } from './envelope.js';
import type { ActorType } from './primitives.js';

export interface EventDefinition<Id extends string = string, P extends z.ZodType = z.ZodType> {
  readonly schemaId: Id;
  readonly description: string;
  /** Scopes the actor's token must carry (checked before ABAC; seed §7a.4). */
  readonly requiredScopes: readonly string[];
  /** Actor types allowed to emit it (seed §7a.1: only humans attest). */
  readonly actorTypes: readonly ActorType[];
  readonly authority: Authority;
  readonly payload: P;
  /** The whole event (envelope + this payload). */
  readonly event: ReturnType<typeof envelopeSchema<P>>;
}

export function defineEvent<Id extends string, P extends z.ZodType>(
  def: Omit<EventDefinition<Id, P>, 'event' | 'authority'> & { authority?: Authority },
): EventDefinition<Id, P> {
  const authority = def.authority ?? 'caller';
  return { ...def, authority, event: envelopeSchema(def.schemaId, def.payload, authority) };
}
