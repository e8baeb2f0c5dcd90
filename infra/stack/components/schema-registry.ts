/**
 * Schema registry: Apicurio Registry 3.x (Quarkus fast-jar from Maven Central), used through its
 * Confluent-compatible API. Stored in an H2 database file under the data folder, so schema ids survive
 * restarts and old audit messages stay decodable.
 */
import { join } from 'node:path';
import { LOCAL_PORTS, schemaRegistryEndpoint } from '../../../config/endpoints.js';
import { VERSIONS } from '../../versions.js';
import type { Component } from '../component.js';
import { httpOk } from '../health.js';
import { download, extractTarGz, installOnce } from '../install.js';
import { installJava, javaBinary } from '../java.js';
import { CACHE_DIR, DATA_DIR, ensureDir } from '../../../config/paths.js';

const appDir = join(CACHE_DIR, `apicurio-registry-${VERSIONS.apicurio}`);
const artifactUrl = `https://repo1.maven.org/maven2/io/apicurio/apicurio-registry-app/${VERSIONS.apicurio}/apicurio-registry-app-${VERSIONS.apicurio}-all.tar.gz`;

export function schemaRegistryComponent(): Component {
  const endpoint = schemaRegistryEndpoint();
  const managementUrl = `http://127.0.0.1:${LOCAL_PORTS.registryManagement}`;
  return {
    name: 'schema-registry',
    endpoint,
    ports: [LOCAL_PORTS.registry, LOCAL_PORTS.registryManagement],
    startTimeoutMs: 120_000,
    async install() {
      await installJava();
      await installOnce(appDir, `Apicurio Registry ${VERSIONS.apicurio} (Maven Central)`, async (tmp) => {
        const archive = join(tmp, 'app.tar.gz');
        await download(artifactUrl, archive, VERSIONS.apicurioSha1);
        await extractTarGz(archive, tmp);
      });
    },
    launchSpec() {
      const store = join(ensureDir(join(DATA_DIR, 'registry')), 'registry');
      return {
        command: javaBinary(),
        args: ['-Xms128m', '-Xmx512m', '-Djava.awt.headless=true', '-jar', join(appDir, 'quarkus-run.jar')],
        cwd: appDir,
        env: {
          ...process.env,
          QUARKUS_HTTP_HOST: '127.0.0.1',
          QUARKUS_HTTP_PORT: String(LOCAL_PORTS.registry),
          QUARKUS_MANAGEMENT_HOST: '127.0.0.1',
          QUARKUS_MANAGEMENT_PORT: String(LOCAL_PORTS.registryManagement),
          APICURIO_STORAGE_KIND: 'sql',
          APICURIO_STORAGE_SQL_KIND: 'h2',
          APICURIO_DATASOURCE_URL: `jdbc:h2:file:${store}`,
          APICURIO_DATASOURCE_USERNAME: 'sa',
          APICURIO_DATASOURCE_PASSWORD: 'sa',
          // Audit lines for every HTTP request drown the log; the registry's own warnings remain.
          QUARKUS_LOG_CATEGORY__IO_APICURIO_REGISTRY_LOGGING_AUDIT__LEVEL: 'WARN',
          QUARKUS_LOG_CATEGORY__IO_QUARKUS_VERTX_HTTP_RUNTIME_FILTERS_ACCESSLOG__LEVEL: 'WARN',
        },
      };
    },
    async healthy() {
      if (!endpoint.external && !(await httpOk(`${managementUrl}/health/ready`))) return false;
      return httpOk(`${endpoint.address}/subjects`);
    },
    async configure() {
      // Apicurio checks compatibility on register only when a rule is configured: make BACKWARD the default.
      if (endpoint.external) return; // a shared registry's global config is not ours; subjects get their own
      const res = await fetch(`${endpoint.address}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ compatibility: 'BACKWARD' }),
      });
      if (!res.ok) throw new Error(`setting global compatibility BACKWARD failed: ${res.status} ${await res.text()}`);
    },
  };
}
