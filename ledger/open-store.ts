/**
 * Opens the ledger store named by `COORD_LEDGER_URL`: `sqlite:<path>` (default `sqlite:.data/ledger/ledger.db`)
 * or `postgres://…`. Each backend is loaded only when chosen; neither imports this file (no cycle).
 */
import { join } from 'node:path';
import { config } from '../config/index.js';
import { DATA_DIR } from '../config/paths.js';
import type { LedgerStore } from './store.js';

export const DEFAULT_LEDGER_URL = `sqlite:${join(DATA_DIR, 'ledger', 'ledger.db')}`;

export function ledgerUrl(): string {
  return config().COORD_LEDGER_URL ?? DEFAULT_LEDGER_URL;
}

/** Opens (and creates or migrates) the store at `url`; each backend is loaded only when chosen. */
export async function openLedgerStore(url: string = ledgerUrl(), opts: { readonly?: boolean } = {}): Promise<LedgerStore> {
  if (url.startsWith('sqlite:')) {
    const { SqliteLedgerStore } = await import('./sqlite-store.js');
    return SqliteLedgerStore.open(url.slice('sqlite:'.length), opts);
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const { PostgresLedgerStore } = await import('./postgres-store.js');
    return PostgresLedgerStore.open(url);
  }
  throw new Error(`COORD_LEDGER_URL must start with sqlite: or postgres://, got "${url}"`);
}

/** Opens the store at `url` (the configured one when omitted) for the length of `fn`, and closes it. */
export async function withLedgerStore<T>(fn: (store: LedgerStore) => Promise<T>, url?: string): Promise<T> {
  const store = await openLedgerStore(url);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
