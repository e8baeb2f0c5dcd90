/** The ports of the local dev stack on 127.0.0.1. They are also the defaults of every address setting. */
export type IdpName = 'firm' | 'partner' | 'internal';
export const IDP_NAMES: readonly IdpName[] = ['firm', 'partner', 'internal'];

export const LOCAL_PORTS = {
  temporal: 7233,
  temporalUi: 8233,
  temporalHttp: 7243,
  temporalMetrics: 7235,
  kafka: 9092,
  kafkaController: 9093,
  /** a second client listener for fault-injection tests; it advertises kafkaFaultProxy, where a test's proxy listens */
  kafkaFaultListener: 9094,
  kafkaFaultProxy: 9095,
  registry: 8081,
  registryManagement: 8091,
  pdpHttp: 3592,
  pdpGrpc: 3593,
  /** RabbitMQ, the federation transport: AMQP 0-9-1 */
  rabbitmq: 5672,
  /** RabbitMQ's Erlang distribution listener (its CLI tools talk to the node there) */
  rabbitmqDist: 25672,
  /** the stack's own epmd (Erlang port mapper) for that node; not the default 4369, so a system epmd is never shared */
  rabbitmqEpmd: 4370,
  idp: { firm: 9401, partner: 9402, internal: 9403 } as Record<IdpName, number>,
  gateway: 8088,
  workerMetrics: 9464,
  ledgerMetrics: 9465,
  supervisorMetrics: 9466,
} as const;
