/** The gateway's data routes, called with the signed-in user's bearer token (never in a URL). */
import { token } from './auth.js';
import type { CompositionSummary } from '../../routes/timeline-data.js';
import type { BundleFiles } from './verify/types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const t = token();
  if (!t) throw new ApiError(401, 'ERR_JWT_MISSING', 'not signed in');
  const res = await fetch(path, { headers: { authorization: `Bearer ${t}`, accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (!res.ok) throw new ApiError(res.status, body.error?.code ?? `HTTP_${res.status}`, body.error?.message ?? `the gateway answered ${res.status}`);
  return body as T;
}

/** One row of the composition list: the route's own type (a type import, erased from the page's bundle). */
export type { CompositionSummary } from '../../routes/timeline-data.js';

/** A signed export of one composition, as the gateway sends it and as the page saves and loads it. */
export interface ExportJson {
  composition_id: string;
  files: BundleFiles & Record<string, string>;
}

export const listCompositions = (query: URLSearchParams) => getJson<{ compositions: CompositionSummary[] }>(`/audit/compositions?${query.toString()}`);
export const exportOf = (id: string) => getJson<ExportJson>(`/audit/compositions/${encodeURIComponent(id)}/export`);
export const pageTrust = () => getJson<Record<string, unknown>>('/ui/trust.json');
