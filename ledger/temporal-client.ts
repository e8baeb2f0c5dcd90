/** A Temporal client for the ledger's side of the self-audit and for exports (decrypting data converter). */
import { Client, Connection } from '@temporalio/client';
import { encryptedDataConverter } from '../client/data-converter.js';
import { temporalConnection, temporalNamespace } from '../config/endpoints.js';

export async function connectTemporal(): Promise<Client> {
  const connection = await Connection.connect(temporalConnection());
  return new Client({ connection, namespace: temporalNamespace(), dataConverter: encryptedDataConverter() });
}

/** A client for the length of `fn`; its connection is closed afterwards. */
export async function withTemporal<T>(fn: (temporal: Client) => Promise<T>): Promise<T> {
  const temporal = await connectTemporal();
  try {
    return await fn(temporal);
  } finally {
    await temporal.connection.close();
  }
}
