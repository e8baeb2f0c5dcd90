/**
 * A dev IdP of a test's own (infra/idp/server.ts on a free port, keys in a temp folder), so a test can
 * rotate keys and register its own redirect origins without touching the shared stack's IdPs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdpName } from '../../config/endpoints.js';
import type { SigningAlg } from '../../infra/idp/keys.js';
import { freePort, startProcess, stopProcess } from '../../workers/services.js';

export interface ScratchIdp {
  issuer: string;
  stop(): Promise<void>;
}

export async function startScratchIdp(name: IdpName, alg: SigningAlg, redirectOrigins: readonly string[]): Promise<ScratchIdp> {
  const keys = mkdtempSync(join(tmpdir(), `coord-idp-${name}-`));
  const port = await freePort();
  const args = ['--name', name, '--port', String(port), '--keys', keys, '--alg', alg, '--redirect-origins', redirectOrigins.join(',')];
  const { proc, ready } = await startProcess(`idp-${name}`, 'infra/idp/server.ts', 'idp listening', process.env, `scratch-${port}`, args);
  return {
    issuer: ready.issuer as string,
    async stop() {
      await stopProcess(proc);
      rmSync(keys, { recursive: true, force: true });
    },
  };
}
