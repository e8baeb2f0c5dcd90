// The log's HTTP API against hostile callers: malformed sizes, unknown routes, an oversized body, a body
// that is not a note or not JSON, a cosignature from an unpinned key — each a 4xx with a stable code, nothing
// stored, the next genuine request answered.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { handleLogRequest } from '../../../ledger/log/http.js';
import { LogService } from '../../../ledger/log/log-service.js';
import { SqliteLedgerStore } from '../../../ledger/sqlite-store.js';

const store = SqliteLedgerStore.open(':memory:');
const service = new LogService(store, () => new Map());
const server = createServer((req, res) => void handleLogRequest(service, req, res).then((handled) => handled || res.writeHead(404).end()));
let base: string;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.close();
  await store.close();
});

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

test('malformed sizes and event ids, unknown routes: 4xx with a stable code', async () => {
  for (const q of ['from=-1&to=2', 'from=1e3&to=2', 'from=1', 'from=00001&to=2', `from=1&to=${'9'.repeat(40)}`]) {
    const res = await fetch(`${base}/log/consistency?${q}`);
    assert.equal(res.status, 400, q);
    assert.equal(await code(res), 'ERR_BAD_REQUEST', q);
  }
  const long = await fetch(`${base}/log/inclusion?event_id=${'e'.repeat(500)}`);
  assert.deepEqual([long.status, await code(long)], [400, 'ERR_BAD_REQUEST']);
  const unknown = await fetch(`${base}/log/inclusion?event_id=evt_NOWHERE_001`);
  assert.deepEqual([unknown.status, await code(unknown)], [404, 'ERR_NOT_FOUND']);
  const route = await fetch(`${base}/log/anything`, { method: 'DELETE' });
  assert.deepEqual([route.status, await code(route)], [404, 'ERR_NOT_FOUND']);
  assert.equal((await fetch(`${base}/log/checkpoint`)).status, 404, 'no checkpoint yet');
});

test('bodies: oversized, not a note, not JSON, an unpinned witness — refused, nothing stored', async () => {
  const big = await fetch(`${base}/log/cosignatures`, { method: 'POST', body: 'x'.repeat(100 * 1024) });
  assert.deepEqual([big.status, await code(big)], [400, 'ERR_BAD_REQUEST']);
  const notNote = await fetch(`${base}/log/cosignatures`, { method: 'POST', body: 'hello' });
  assert.deepEqual([notNote.status, await code(notNote)], [400, 'ERR_BAD_REQUEST']);
  const notJson = await fetch(`${base}/log/witness-refusals`, { method: 'POST', body: '{' });
  assert.deepEqual([notJson.status, await code(notJson)], [400, 'ERR_BAD_REQUEST']);
  const fields = { witness: 'mallory', origin: 'o', old_size: 1, new_size: 0, reason: 'rollback', detail: 'x', time: 1, signature: 'AAAA' };
  const stranger = await fetch(`${base}/log/witness-refusals`, { method: 'POST', body: JSON.stringify(fields) });
  assert.deepEqual([stranger.status, await code(stranger)], [403, 'ERR_WITNESS_UNKNOWN']);
  assert.deepEqual(await store.log.refusals(), [], 'nothing recorded');
  assert.equal((await fetch(`${base}/log/checkpoint`)).status, 404, 'the next request is answered');
});
