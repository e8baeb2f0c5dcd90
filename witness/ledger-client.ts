/**
 * The witness's client of the ledger's log API (GET /log/checkpoint, GET /log/consistency, POST
 * /log/cosignatures, POST /log/witness-refusals). The ledger belongs to another organisation and may be
 * hostile: every answer is read up to a bound and no further (the declared length is checked before the
 * body, the body is counted as it streams and the connection dropped past the bound), and every request
 * has a deadline.
 */
import { MAX_NOTE_BYTES } from '../audit/tlog/note.js';
import { HASH_SIZE } from '../audit/tlog/merkle.js';
import { fromBase64 } from '../audit/tlog/encoding.js';
import type { SignedRefusal } from '../audit/tlog/witness-refusal.js';
import { WitnessError } from './errors.js';

/** The largest checkpoint read: the signed-note limit, 1 MiB. */
export const MAX_CHECKPOINT_BYTES = MAX_NOTE_BYTES;
/** The most hashes a consistency proof may hold (a proof between trees below 2^53 leaves needs at most 2·53). */
export const MAX_PROOF_HASHES = 64;
const MAX_PROOF_BYTES = 16 * 1024;
const MAX_ANSWER_BYTES = 64 * 1024;
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface Answer {
  status: number;
  body: Uint8Array;
}

const unreachable = (what: string, why: string) => new WitnessError('ERR_LEDGER_UNREACHABLE', `${what}: ${why}`);
const tooLarge = (what: string, max: number) => new WitnessError('ERR_RESPONSE_TOO_LARGE', `${what}: the answer is larger than ${max} bytes`);
const malformed = (what: string, why: string) => new WitnessError('ERR_RESPONSE_MALFORMED', `${what}: ${why}`);

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const causeOf = (err: unknown): string => {
  const e = err as Error & { cause?: Error & { code?: string } };
  return e.cause ? `${e.message} (${e.cause.code ?? e.cause.message})` : e.message;
};

/** One request, its answer read up to `maxBytes`; throws ERR_LEDGER_UNREACHABLE or ERR_RESPONSE_TOO_LARGE. */
export async function boundedRequest(
  url: URL,
  opts: { method: 'GET' | 'POST'; body?: string; contentType?: string; maxBytes: number; timeoutMs: number },
): Promise<Answer> {
  const what = `${opts.method} ${url.pathname}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
  try {
    let res: Response;
    try {
      res = await fetch(url, {
        method: opts.method,
        redirect: 'manual',
        signal: controller.signal,
        ...(opts.body !== undefined ? { body: opts.body, headers: { 'content-type': opts.contentType ?? 'text/plain; charset=utf-8' } } : {}),
      });
    } catch (err) {
      throw unreachable(what, controller.signal.aborted ? String((controller.signal.reason as Error).message) : causeOf(err));
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > opts.maxBytes) {
      controller.abort();
      throw tooLarge(what, opts.maxBytes);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (err) {
          throw unreachable(what, controller.signal.aborted ? String((controller.signal.reason as Error).message) : causeOf(err));
        }
        if (next.done) break;
        total += next.value.byteLength;
        if (total > opts.maxBytes) {
          controller.abort(); // drops the connection: the rest is never read
          throw tooLarge(what, opts.maxBytes);
        }
        chunks.push(next.value);
      }
    }
    return { status: res.status, body: concat(chunks, total) };
  } finally {
    clearTimeout(timer);
  }
}

function json(answer: Answer): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(answer.body));
  } catch {
    return null;
  }
}

export class LedgerClient {
  readonly base: string;
  private readonly timeoutMs: number;

  constructor(base: string, opts: { timeoutMs?: number } = {}) {
    const url = new URL(base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`the ledger's address must be an http(s) URL, got ${base}`);
    this.base = url.href.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  private url(path: string): URL {
    return new URL(`${this.base}${path}`);
  }

  /** The latest signed checkpoint's bytes, or null when the ledger has none yet (404). */
  async checkpoint(): Promise<Uint8Array | null> {
    const answer = await boundedRequest(this.url('/log/checkpoint'), { method: 'GET', maxBytes: MAX_CHECKPOINT_BYTES, timeoutMs: this.timeoutMs });
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw unreachable('GET /log/checkpoint', `HTTP ${answer.status}`);
    return answer.body;
  }

  /** The consistency proof from size `from` to size `to` (0 < from < to), each hash checked to be 32 bytes. */
  async consistency(from: number, to: number): Promise<Uint8Array[]> {
    const what = `GET /log/consistency?from=${from}&to=${to}`;
    const answer = await boundedRequest(this.url(`/log/consistency?from=${from}&to=${to}`), { method: 'GET', maxBytes: MAX_PROOF_BYTES, timeoutMs: this.timeoutMs });
    if (answer.status !== 200) throw unreachable(what, `HTTP ${answer.status}`);
    const body = json(answer) as { from?: unknown; to?: unknown; proof?: unknown } | null;
    if (!body || typeof body !== 'object') throw malformed(what, 'not a JSON object');
    if (body.from !== from || body.to !== to) throw malformed(what, `the proof is for sizes ${String(body.from)} → ${String(body.to)}`);
    if (!Array.isArray(body.proof)) throw malformed(what, 'no proof array');
    if (body.proof.length > MAX_PROOF_HASHES) throw malformed(what, `${body.proof.length} hashes, more than ${MAX_PROOF_HASHES}`);
    return body.proof.map((h, i) => {
      const bytes = typeof h === 'string' ? fromBase64(h) : null;
      if (!bytes || bytes.length !== HASH_SIZE) throw malformed(what, `proof[${i}] is not base64 of ${HASH_SIZE} bytes`);
      return bytes;
    });
  }

  /** POSTs a cosigned note; the status and the JSON answer (null if none). */
  async postCosignature(note: string): Promise<{ status: number; answer: unknown }> {
    const answer = await boundedRequest(this.url('/log/cosignatures'), { method: 'POST', body: note, contentType: 'text/plain; charset=utf-8', maxBytes: MAX_ANSWER_BYTES, timeoutMs: this.timeoutMs });
    return { status: answer.status, answer: json(answer) };
  }

  /** POSTs a signed refusal; the status and the JSON answer (null if none). */
  async postRefusal(refusal: SignedRefusal): Promise<{ status: number; answer: unknown }> {
    const answer = await boundedRequest(this.url('/log/witness-refusals'), {
      method: 'POST',
      body: JSON.stringify(refusal),
      contentType: 'application/json',
      maxBytes: MAX_ANSWER_BYTES,
      timeoutMs: this.timeoutMs,
    });
    return { status: answer.status, answer: json(answer) };
  }
}
