/**
 * The log's HTTP API on the ledger's address (C2SP formats where one exists):
 *
 *   GET  /log/checkpoint[?size=n]           text/plain: the checkpoint note, log signature + cosignatures (404 none yet)
 *   GET  /log/checkpoint?witnessed=1        the newest checkpoint every configured witness cosigned
 *   GET  /log/inclusion?event_id=…[&size=n] JSON: leaf index, leaf hash, inclusion proof at n (default: latest checkpoint)
 *   GET  /log/consistency?from=m&to=n       JSON: the consistency proof between two sizes
 *   POST /log/cosignatures                  text/plain: a witness's cosigned checkpoint note
 *   POST /log/witness-refusals              JSON: a witness's signed refusal (a self-audit alarm)
 *
 * Reads are public by design — a transparency log is meant to be checked by anyone who holds a checkpoint;
 * writes are accepted only when signed by a pinned witness key. Bodies are capped at 64 KB.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LogRequestError, type LogService } from './log-service.js';

const MAX_BODY = 64 * 1024;
const SIZE = /^(?:0|[1-9][0-9]{0,15})$/;

function sizeParam(params: URLSearchParams, name: string, required: boolean): number | undefined {
  const v = params.get(name);
  if (v === null) {
    if (required) throw new LogRequestError(400, 'ERR_BAD_REQUEST', `${name} is required`);
    return undefined;
  }
  if (!SIZE.test(v) || !Number.isSafeInteger(Number(v))) throw new LogRequestError(400, 'ERR_BAD_REQUEST', `${name} must be a tree size, got ${JSON.stringify(v.slice(0, 40))}`);
  return Number(v);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req) {
    length += (chunk as Buffer).length;
    if (length > MAX_BODY) throw new LogRequestError(400, 'ERR_BAD_REQUEST', `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/** Answers a /log/ request; false when the path is not one of the log's. */
export async function handleLogRequest(service: LogService, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://ledger');
  if (!url.pathname.startsWith('/log/')) return false;
  try {
    const route = `${req.method} ${url.pathname}`;
    const q = url.searchParams;
    if (route === 'GET /log/checkpoint') {
      const found = q.get('witnessed') === '1' ? await service.latestWitnessed() : await service.checkpointNote(sizeParam(q, 'size', false));
      if (!found) throw new LogRequestError(404, 'ERR_NOT_FOUND', 'no such checkpoint yet');
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(found.note);
    } else if (route === 'GET /log/inclusion') {
      const eventId = q.get('event_id');
      if (!eventId || eventId.length > 200) throw new LogRequestError(400, 'ERR_BAD_REQUEST', 'event_id is required');
      json(res, 200, await service.inclusion(eventId, sizeParam(q, 'size', false)));
    } else if (route === 'GET /log/consistency') {
      json(res, 200, await service.consistency(sizeParam(q, 'from', true)!, sizeParam(q, 'to', true)!));
    } else if (route === 'POST /log/cosignatures') {
      json(res, 200, await service.acceptCosignature(await readBody(req)));
    } else if (route === 'POST /log/witness-refusals') {
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        if (err instanceof LogRequestError) throw err;
        throw new LogRequestError(400, 'ERR_BAD_REQUEST', 'the body is not JSON');
      }
      await service.acceptRefusal(body);
      json(res, 200, { recorded: true });
    } else {
      throw new LogRequestError(404, 'ERR_NOT_FOUND', `no route ${req.method} ${url.pathname}`);
    }
  } catch (err) {
    if (err instanceof LogRequestError) json(res, err.status, { error: { code: err.code, message: err.message } });
    else {
      json(res, 500, { error: { code: 'ERR_INTERNAL', message: 'internal error' } });
      throw err;
    }
  }
  return true;
}
