/** `coord audit status | events | quarantine` — the ledger, read by people and scripts. */
import { parseArgs } from 'node:util';
import { ingestLag } from '../../ledger/consumer.js';
import { CursorError, decodeEventCursor, decodeQuarantineCursor, pageSchema } from '../../ledger/query.js';
import { FILTER_OPTIONS, QUARANTINE_FILTER_OPTIONS, parseFilters, parseQuarantineFilters } from './audit-filters.js';
import { QUARANTINE_REASONS } from '../../ledger/records.js';
import { ENTITY_REF_FIELDS } from '../../schemas/entity-refs.js';
import { allEvents } from '../../ledger/store.js';
import { eventsInView, viewSchema } from '../../ledger/view.js';
import { withLedgerStore } from '../../ledger/open-store.js';
import { loadWitnesses } from '../../ledger/log/log-key.js';
import { LogService } from '../../ledger/log/log-service.js';
import { withTemporal } from '../../ledger/temporal-client.js';
import { ingestToEnd, ledgerStatus } from '../../ledger/status.js';
import { auditTopic } from '../../config/endpoints.js';
import { UsageError, parseDuration, print, printJson } from '../output.js';
import { config } from '../../config/index.js';

export const LEDGER_USAGE = `coord audit status [--json] [--window 24h] [--lag-window 30s] [--no-catch-up]
    ingests the topic up to its end, then compares every recent composition's Temporal head with the
    ledger's: delta (compositions whose heads differ) must be 0; exit 1 when it is not within the lag window
coord audit events [--composition id] [--event id] [--hash sha256:…] [--schema id] [--actor id]
                   [--actor-type t] [--issuer iss] [--abac ALLOW|DENY] [--composition-type t] [--lease-holder h]
                   [--ref value] [--ref-field ${ENTITY_REF_FIELDS.join('|')}] [--since t] [--until t]
                   [--ingested-since t] [--ingested-until t] [--limit n] [--cursor c] [--all] [--json]
                   [--view historical|current]
    canonical events from the ledger, ordered by composition and sequence, one page (or --all); --event or
    --hash looks up one event; --composition-type and --lease-holder select whole compositions; --ref matches
    events whose payload names that entity (in --ref-field only, when given); --ingested-* is when the ledger
    admitted the event (events admitted before ingest times were kept have none); --view current shows each
    event with its latest correction applied (superseded_by, correction_reason), historical (default) as recorded
coord audit export (--composition id | [filters as for events]) --out <dir> [--sign [ed25519|hmac]] [--json]
    writes events.jsonl, signatures.jsonl, checkpoint.txt + proofs.jsonl (the transparency log), history.json
    (every run, payloads decoded, tokens redacted) and manifest.json; --sign adds bundle.jws (detached Ed25519
    JWS over the manifest; dev key in .data/signing/), --sign hmac an HS256 one with the shared secret
    (COORD_HMAC_KEY_FILE; dev .data/signing/hmac.jwk), for exchanges inside one organisation
coord audit verify-bundle <dir> [--key <public.jwk>] [--json]
    checks an export offline: the manifest's file hashes and the signature
coord audit quarantine [--reason r] [--composition id] [--event id] [--ingested-since t] [--ingested-until t]
                       [--limit n] [--cursor c] [--json]
    what the ledger refused, with the reason (${QUARANTINE_REASONS.join(', ')})`;

async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      window: { type: 'string', default: '24h' },
      'lag-window': { type: 'string', default: '30s' },
      'no-catch-up': { type: 'boolean', default: false },
      topic: { type: 'string', default: auditTopic() },
      'task-queue': { type: 'string', default: config().COORD_TASK_QUEUE },
    },
  });
  return withTemporal((temporal) =>
    withLedgerStore(async (store) => {
      const report = await ledgerStatus({
        store,
        temporal,
        topic: values.topic,
        taskQueue: values['task-queue'],
        windowSeconds: parseDuration(values.window),
        lagWindowSeconds: parseDuration(values['lag-window']),
        catchUp: !values['no-catch-up'],
      });
      const out = { ...report, ledger: { ...(await store.counts()), store: store.kind, ingest_lag: (await ingestLag(store, values.topic)).total } };
      if (values.json) printJson(out);
      else {
        print(`delta ${report.delta} (${report.matched}/${report.checked} compositions match${report.unverifiable.length ? `, ${report.unverifiable.length} unverifiable` : ''}); lag ${report.lag.events} event(s)`);
        for (const o of report.outside_pipeline) print(`  ${o.composition_id}: ended outside the pipeline (${o.status}) ALARM`);
        for (const m of report.mismatches) print(`  ${m.composition_id}: ${m.kind} — workflow ${m.workflow?.sequence ?? '-'} / ledger ${m.ledger?.sequence ?? '-'}${m.alarm ? ' ALARM' : ''}`);
        print(`ledger: ${out.ledger.events} events, ${out.ledger.compositions} compositions, ${out.ledger.quarantined} quarantined (${store.kind})`);
      }
      return report.delta === 0 ? 0 : 1;
    }),
  );
}

async function eventsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...FILTER_OPTIONS, limit: { type: 'string' }, cursor: { type: 'string' }, all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, view: { type: 'string' } },
  });
  const filters = parseFilters(values);
  const viewed = viewSchema.safeParse({ view: values.view });
  if (!viewed.success) throw new UsageError(`--view: ${viewed.error.issues[0]!.message}`);
  const page = pageSchema.safeParse({ limit: values.limit, cursor: values.cursor });
  if (!page.success) throw new UsageError(`--limit: ${page.error.issues[0]!.message}`);
  return withLedgerStore(async (store) => {
    const after = page.data.cursor ? cursorOrUsage(() => decodeEventCursor(page.data.cursor!)) : undefined;
    let events: unknown[] = [];
    let next: string | null = null;
    if (values.all) {
      for await (const event of allEvents(store, filters, { pageSize: page.data.limit, ...(after ? { from: after } : {}) })) events.push(event);
    } else {
      ({ events, next_cursor: next } = await store.events({ ...filters, limit: page.data.limit, ...(after ? { after } : {}) }));
    }
    events = await eventsInView(store, events, viewed.data.view);
    if (values.json) printJson({ events, next_cursor: next });
    else {
      for (const e of events as { event_id: string; schema_id: string; ts_utc: string; actor: { type: string; id: string }; superseded_by?: string }[]) {
        print(`${e.event_id}  ${e.ts_utc}  ${e.schema_id}  ${e.actor.type}:${e.actor.id}${e.superseded_by ? `  (corrected by ${e.superseded_by})` : ''}`);
      }
      if (next) print(`… more: --cursor ${next}`);
    }
    return 0;
  });
}

function cursorOrUsage<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof CursorError) throw new UsageError(`--cursor: ${err.message}`);
    throw err;
  }
}

async function quarantineCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...QUARANTINE_FILTER_OPTIONS, limit: { type: 'string' }, cursor: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const filters = parseQuarantineFilters(values);
  const page = pageSchema.safeParse({ limit: values.limit, cursor: values.cursor });
  if (!page.success) throw new UsageError(`--limit: ${page.error.issues[0]!.message}`);
  return withLedgerStore(async (store) => {
    const after = page.data.cursor ? cursorOrUsage(() => decodeQuarantineCursor(page.data.cursor!)) : undefined;
    const result = await store.quarantine({ ...filters, limit: page.data.limit, ...(after !== undefined ? { after } : {}) });
    if (values.json) printJson(result);
    else for (const q of result.entries) print(`#${q.id} ${q.reason}  ${q.event_id ?? '(no event id)'}  ${q.detail}`);
    return 0;
  });
}

/** `--sign` alone is Ed25519; `--sign hmac` (seed 004) a shared-secret HMAC-SHA256: the word is taken out before parseArgs. */
function signingMode(argv: string[]): { argv: string[]; hmac: boolean } {
  const i = argv.indexOf('--sign');
  const next = i >= 0 ? argv[i + 1] : undefined;
  if (next === 'hmac' || next === 'ed25519') return { argv: [...argv.slice(0, i + 1), ...argv.slice(i + 2)], hmac: next === 'hmac' };
  return { argv, hmac: false };
}

async function exportCommand(rawArgv: string[]): Promise<number> {
  const { argv, hmac } = signingMode(rawArgv);
  const { values } = parseArgs({
    args: argv,
    options: { ...FILTER_OPTIONS, out: { type: 'string' }, sign: { type: 'boolean', default: false }, 'no-catch-up': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, topic: { type: 'string', default: auditTopic() } },
  });
  if (!values.out) throw new UsageError('coord audit export --composition <id> --out <dir> [--sign [ed25519|hmac]]');
  const filter = parseFilters(values);
  const selection = Object.fromEntries(Object.entries(values).filter(([k, v]) => k in FILTER_OPTIONS && v !== undefined));
  if (Object.keys(selection).length === 0) throw new UsageError('coord audit export needs a selection: --composition, or filters such as --since/--until');
  const [{ exportFromLedger }, { loadOrCreateSigningKey, loadOrCreateHmacKey, devPublicKeyFile, devHmacKeyFile }, { EncryptionCodec }, { loadCodecKeys }] = await Promise.all([
    import('../../ledger/export.js'),
    import('../../ledger/signing-key.js'),
    import('../../client/payload-codec.js'),
    import('../../client/codec-keys.js'),
  ]);
  return withTemporal((temporal) =>
    withLedgerStore(async (store) => {
      if (!values['no-catch-up']) await ingestToEnd(store, values.topic);
      const signingKey = !values.sign ? undefined : hmac ? loadOrCreateHmacKey() : await loadOrCreateSigningKey();
      const log = new LogService(store, loadWitnesses);
      const manifest = await exportFromLedger({ store, temporal, codec: new EncryptionCodec(loadCodecKeys()), filter, selection, dir: values.out!, log, ...(signingKey ? { signingKey } : {}) });
      const devKey = hmac ? (config().COORD_HMAC_KEY_FILE ? undefined : { hmac_key: devHmacKeyFile() }) : config().COORD_SIGNING_KEY_FILE ? undefined : { public_key: devPublicKeyFile() };
      const out = { dir: values.out, ...manifest.counts, signed: Boolean(signingKey), ...(signingKey ? { signature: hmac ? 'HS256' : 'EdDSA', ...devKey } : {}) };
      if (values.json) printJson(out);
      else print(`exported ${out.compositions} composition(s), ${out.events} events, ${out.runs} run(s) to ${out.dir}${out.signed ? ' (signed)' : ''}`);
      return manifest.counts.compositions > 0 ? 0 : 1;
    }),
  );
}

export async function ledgerCommand(verb: string, argv: string[]): Promise<number | undefined> {
  if (verb === 'export') return exportCommand(argv);
  if (verb === 'verify-bundle') return (await import('./verify-bundle.js')).verifyBundleCommand(argv);
  if (verb === 'status') return statusCommand(argv);
  if (verb === 'events') return eventsCommand(argv);
  if (verb === 'quarantine') return quarantineCommand(argv);
  return undefined;
}
