/**
 * One rule for the parts of a request the gateway parses itself (query strings, path parameters): the zod
 * schema decides, and the first problem is a 400 `ERR_BAD_REQUEST` naming `<part>.<field>`. Bodies of actions
 * are 422 `ERR_INVALID_PAYLOAD` instead (gateway/routes/compositions.ts).
 */
import type { z } from 'zod';
import { issuePath } from '../schemas/catalog.js';
import { GatewayError } from './errors.js';

export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: 'query' | 'params'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new GatewayError('ERR_BAD_REQUEST', issue.message, `${part}.${issuePath(issue.path)}`);
}
