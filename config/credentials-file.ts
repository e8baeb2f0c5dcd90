/**
 * A JSON file of broker credentials (config/kafka-credentials.ts, config/rabbitmq-credentials.ts): each entry a
 * username and a password, read at each call (`coord stack up` may create or replace the local file). A file
 * that cannot be read, is not JSON or has another shape is refused with its name, and never with its text.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export interface Credential {
  username: string;
  password: string;
}

export const credentialSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });

export interface CredentialsFileKind<T> {
  /** who the credentials are for, as errors name it: "Kafka", "RabbitMQ" */
  what: string;
  /** the local stack's own file: a missing one gets a hint to create it */
  localFile: string;
  schema: z.ZodType<T>;
  /** the expected shape, for the error */
  shape: string;
}

export function readCredentialsFile<T>(file: string, kind: CredentialsFileKind<T>): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const hint = file === kind.localFile ? ' (`npx coord stack up` creates it)' : '';
    throw new Error(`${kind.what} credentials: cannot read ${file}${hint}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = kind.schema.safeParse(json);
  if (!parsed.success) throw new Error(`${kind.what} credentials: ${file} is not ${kind.shape}`);
  return parsed.data;
}
