/** A small HTTP client for the gateway (the path humans and agents take): the demo and the tests use it. */

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export class GatewayHttp {
  /** `readToken`: the bearer token `get` sends when given none (every route but /healthz and /openapi.json needs one) */
  constructor(
    readonly baseUrl: string,
    readonly readToken?: string,
  ) {}

  async request<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, opts: { token?: string; body?: unknown; idempotencyKey?: string } = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  }

  post<T = Record<string, unknown>>(path: string, token: string | undefined, body: unknown, idempotencyKey?: string) {
    return this.request<T>('POST', path, { ...(token !== undefined ? { token } : {}), body, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  get<T = Record<string, unknown>>(path: string, token: string | undefined = this.readToken) {
    return this.request<T>('GET', path, token !== undefined ? { token } : {});
  }
}
