/**
 * Registry discipline (seed §7.1, ARCHITECTURE §5): each schema_id is its own subject (topic-record
 * naming) under BACKWARD compatibility. `registerSchemas` is idempotent; `checkSchemas` says, before
 * anything is registered, which local schema would be an incompatible change — a breaking change must
 * become a new `vN+1` schema_id instead.
 */
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { EVENT_DEFINITIONS } from '../schemas/catalog.js';
import type { EventDefinition } from '../schemas/define-event.js';
import { jsonSchemaOf } from '../schemas/json-schema.js';
import { backwardIncompatibilities } from '../schemas/schema-diff.js';
import { RegistryRest, createSchemaRegistry, registryTimedOut } from './registry-client.js';
import { subjectFor } from './topic.js';

export type SubjectStatus = 'registered' | 'unchanged' | 'compatible' | 'new' | 'incompatible';

export interface SubjectReport {
  schema_id: string;
  subject: string;
  status: SubjectStatus;
  id?: number;
  /** why the local schema cannot read what is registered (when incompatible) */
  problems?: string[];
}

export interface DisciplineOptions {
  registryUrl: string;
  topic: string;
  definitions?: readonly EventDefinition[];
  /** per registry call (default the client's, 10 s) */
  timeoutMs?: number;
}

/** The library wraps a 404 of the lookup (and only that) in its base error class. */
const isNotFound = (err: unknown) => (err as Error)?.name === 'ConfluentSchemaRegistryError';

async function explain(rest: RegistryRest, subject: string, localSchema: string, registryMessages: string[]): Promise<string[]> {
  const latest = await rest.latest(subject);
  const ours = latest ? backwardIncompatibilities(JSON.parse(latest.schema), JSON.parse(localSchema)) : [];
  const problems = [...ours, ...registryMessages];
  return problems.length ? problems : ['the registry reports the change as incompatible (it gave no detail)'];
}

export async function checkSchemas(opts: DisciplineOptions): Promise<SubjectReport[]> {
  const rest = new RegistryRest(opts.registryUrl);
  const topic = opts.topic;
  return Promise.all(
    (opts.definitions ?? EVENT_DEFINITIONS).map(async (def): Promise<SubjectReport> => {
      const subject = subjectFor(def.schemaId, topic);
      const schema = JSON.stringify(jsonSchemaOf(def));
      if (!(await rest.latest(subject))) return { schema_id: def.schemaId, subject, status: 'new' };
      const { compatible, messages } = await rest.compatibleWithLatest(subject, schema);
      if (compatible) return { schema_id: def.schemaId, subject, status: 'compatible' };
      return { schema_id: def.schemaId, subject, status: 'incompatible', problems: await explain(rest, subject, schema, messages) };
    }),
  );
}

export async function registerSchemas(opts: DisciplineOptions): Promise<SubjectReport[]> {
  const registry = createSchemaRegistry(opts.registryUrl, ...(opts.timeoutMs ? [opts.timeoutMs] : []));
  const rest = new RegistryRest(opts.registryUrl, ...(opts.timeoutMs ? [opts.timeoutMs] : []));
  const topic = opts.topic;
  const reports: SubjectReport[] = [];
  for (const def of opts.definitions ?? EVENT_DEFINITIONS) {
    const subject = subjectFor(def.schemaId, topic);
    const schema = JSON.stringify(jsonSchemaOf(def));
    try {
      const id = await registry.getRegistryIdBySchema(subject, { type: SchemaType.JSON, schema });
      reports.push({ schema_id: def.schemaId, subject, status: 'unchanged', id });
      continue;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      // Registering the same schema again answers its existing id: a registration the registry left
      // unanswered (Apicurio under load on a 2-core CI machine) is sent once more.
      const register = () => registry.register({ type: SchemaType.JSON, schema }, { subject, compatibility: COMPATIBILITY.BACKWARD });
      const { id } = await register().catch((err: unknown) => {
        if (registryTimedOut(err)) return register();
        throw err;
      });
      reports.push({ schema_id: def.schemaId, subject, status: 'registered', id });
    } catch (err) {
      if ((err as { status?: number }).status !== 409) throw err;
      reports.push({ schema_id: def.schemaId, subject, status: 'incompatible', problems: await explain(rest, subject, schema, [String((err as Error).message)]) });
    }
  }
  return reports;
}
