/**
 * What each Kafka principal may do, as data, and the call that grants it. The broker runs the standard
 * KRaft authorizer with `allow.everyone.if.no.acl.found=false`: whatever is not granted here is refused.
 *   worker  writes an audit topic (Write, Describe, DescribeConfigs — the last for the append-only check)
 *           with the idempotent producer (IdempotentWrite on the cluster); reads it back only to find what a
 *           lost workflow task of its own published (Read, in groups named `coordination-worker-probe…`;
 *           activities/lost-attempt.ts)
 *   ledger  reads an audit topic (Read, Describe, DescribeConfigs) in consumer groups named
 *           `coordination-ledger…` (Read on that group prefix: its own groups and the bounded reader's)
 *   admin   a super user (`super.users`), no ACL needed: creates topics, grants, the stack's health check
 */
import type { Admin } from 'kafkajs';
import kafkajs from 'kafkajs';
import type { KafkaCredentials, KafkaPrincipal } from '../config/kafka-credentials.js';

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

/** Every consumer group of the ledger and of the bounded reader starts with this. */
export const LEDGER_GROUP_PREFIX = 'coordination-ledger';
/** The worker's read-back groups (kafka/find-published.ts). */
export const WORKER_PROBE_GROUP_PREFIX = 'coordination-worker-probe';

export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'IDEMPOTENT_WRITE';

export interface AclGrant {
  principal: Exclude<KafkaPrincipal, 'admin'>;
  resource: 'TOPIC' | 'GROUP' | 'CLUSTER';
  name: string;
  pattern: 'LITERAL' | 'PREFIXED';
  operations: readonly AclOperation[];
}

/** What the worker and the ledger may do on one audit topic (the audit topic, the bench topic, a test's). */
export function auditTopicGrants(topic: string): AclGrant[] {
  return [
    { principal: 'worker', resource: 'TOPIC', name: topic, pattern: 'LITERAL', operations: ['WRITE', 'READ', 'DESCRIBE', 'DESCRIBE_CONFIGS'] },
    { principal: 'ledger', resource: 'TOPIC', name: topic, pattern: 'LITERAL', operations: ['READ', 'DESCRIBE', 'DESCRIBE_CONFIGS'] },
  ];
}

/** What does not depend on a topic. */
export const CLUSTER_GRANTS: readonly AclGrant[] = [
  { principal: 'worker', resource: 'CLUSTER', name: 'kafka-cluster', pattern: 'LITERAL', operations: ['IDEMPOTENT_WRITE'] },
  { principal: 'ledger', resource: 'GROUP', name: LEDGER_GROUP_PREFIX, pattern: 'PREFIXED', operations: ['READ'] },
  { principal: 'worker', resource: 'GROUP', name: WORKER_PROBE_GROUP_PREFIX, pattern: 'PREFIXED', operations: ['READ'] },
];

/**
 * Creates the ACL bindings of `grants` for the usernames in `credentials` (an admin connection; creating a
 * binding that exists is a no-op, so this runs at every start).
 */
export async function grantAcls(admin: Admin, grants: readonly AclGrant[], credentials: KafkaCredentials): Promise<void> {
  const acl = grants.flatMap((g) => {
    const username = credentials[g.principal]?.username;
    if (!username) throw new Error(`no credentials for the ${g.principal} principal: cannot grant it ${g.operations.join(', ')} on ${g.name}`);
    return g.operations.map((op) => ({
      resourceType: AclResourceTypes[g.resource],
      resourceName: g.name,
      resourcePatternType: ResourcePatternTypes[g.pattern],
      principal: `User:${username}`,
      host: '*',
      operation: AclOperationTypes[op],
      permissionType: AclPermissionTypes.ALLOW,
    }));
  });
  await admin.createAcls({ acl });
}
