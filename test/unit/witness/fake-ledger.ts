/**
 * An in-process ledger for the witness's tests: a real RFC 9162 tree (audit/tlog appendLeaves over an
 * in-memory NodeReader), checkpoints signed as C2SP notes with a fresh log key, and the four routes of the
 * log API. Tests rewrite the tree, swap the signer or take over a route to play a misbehaving ledger.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatCheckpoint } from '../../../audit/tlog/checkpoint.js';
import { toBase64 } from '../../../audit/tlog/encoding.js';
import { EMPTY_RANGE, appendLeaves, compactRangeRoot, consistencyProof, leafHash, type NodeId, type NodeReader } from '../../../audit/tlog/merkle.js';
import { generateNoteKey, noteSigner, type NoteSigner } from '../../../audit/tlog/note-keys.js';
import { signNote } from '../../../audit/tlog/note.js';

export const ORIGIN = 'ledger.test/log';

type Route = (req: IncomingMessage, res: ServerResponse, body: string) => boolean | void;

export class FakeLedger {
  readonly logKey = generateNoteKey(ORIGIN);
  signer: NoteSigner = noteSigner(this.logKey.signerKey);
  origin = ORIGIN;
  /** the cosignature lines received, by tree size (served under the checkpoint, as the ledger does) */
  readonly cosignatures = new Map<number, string[]>();
  readonly cosignaturePosts: string[] = [];
  readonly refusals: unknown[] = [];
  readonly requests: string[] = [];
  /** answers POST /log/cosignatures with this status instead of 200 */
  cosignatureStatus = 200;
  /** a test's own handler, tried first; return true when it answered */
  route: Route | undefined;
  /** serve a checkpoint of the empty tree (otherwise an empty ledger answers 404) */
  serveEmpty = false;
  private data: string[] = [];
  private nodes = new Map<string, Uint8Array>();
  private root = compactRangeRoot(EMPTY_RANGE);
  private server: Server | undefined;
  url = '';

  readonly reader: NodeReader = {
    nodes: (ids: readonly NodeId[]) =>
      ids.map((id) => {
        const hash = this.nodes.get(`${id.level}/${id.index}`);
        if (!hash) throw new Error(`no node ${id.level}/${id.index}`);
        return hash;
      }),
  };

  /** An honest log of `n` leaves `event-0`… */
  static withLeaves(n: number): FakeLedger {
    return new FakeLedger().grow(n);
  }

  get size(): number {
    return this.data.length;
  }

  /** Rebuilds the tree from these leaf contents (a rewrite when an earlier one differs, a truncation when fewer). */
  setData(data: readonly string[]): this {
    const { range, nodes } = appendLeaves(EMPTY_RANGE, data.map((d) => leafHash(new TextEncoder().encode(d))));
    this.data = [...data];
    this.nodes = new Map(nodes.map((n) => [`${n.level}/${n.index}`, n.hash]));
    this.root = compactRangeRoot(range);
    return this;
  }

  /** Appends leaves `event-<i>`: an honest log's growth. */
  grow(count: number): this {
    return this.setData([...this.data, ...Array.from({ length: count }, (_, i) => `event-${this.size + i}`)]);
  }

  /** A copy of the leaf contents (to rewrite one). */
  leaves(): string[] {
    return [...this.data];
  }

  /** The log's current checkpoint body. */
  body(): string {
    return formatCheckpoint({ origin: this.origin, size: this.size, root: this.root, extensions: [] });
  }

  /** The served note: the log's signature and the cosignatures collected for this size. */
  note(): string {
    return signNote(this.body(), this.signer) + (this.cosignatures.get(this.size) ?? []).join('');
  }

  rootBase64(): string {
    return toBase64(this.root);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req, res, Buffer.concat(chunks).toString('utf8'));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    this.requests.push(`${req.method} ${req.url}`);
    if (this.route?.(req, res, body)) return;
    const url = new URL(req.url ?? '/', this.url);
    const json = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'GET' && url.pathname === '/log/checkpoint') {
      if (this.size === 0 && !this.serveEmpty) return json(404, { error: { code: 'ERR_NOT_FOUND', message: 'no checkpoint yet' } });
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(this.note());
      return;
    }
    if (req.method === 'GET' && url.pathname === '/log/consistency') {
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to'));
      const proof = await consistencyProof(this.reader, from, to);
      return json(200, { from, to, proof: proof.map(toBase64) });
    }
    if (req.method === 'POST' && url.pathname === '/log/cosignatures') {
      this.cosignaturePosts.push(body);
      if (this.cosignatureStatus !== 200) return json(this.cosignatureStatus, { error: { code: 'ERR_FORBIDDEN', message: 'not pinned' } });
      const line = body.slice(body.lastIndexOf('\n\n') + 2);
      const size = Number(body.split('\n')[1]);
      this.cosignatures.set(size, [...(this.cosignatures.get(size) ?? []).filter((l) => l.split(' ')[1] !== line.split(' ')[1]), line]);
      return json(200, { size, witness: line.split(' ')[1], witnessed: true });
    }
    if (req.method === 'POST' && url.pathname === '/log/witness-refusals') {
      this.refusals.push(JSON.parse(body));
      return json(200, { recorded: true });
    }
    json(404, { error: { code: 'ERR_NOT_FOUND', message: req.url } });
  }
}
