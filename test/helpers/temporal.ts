/** Looking into a composition's workflow from tests: what it is waiting on right now. */
import { Client, Connection } from '@temporalio/client';
import { temporalEndpoint, temporalNamespace } from '../../config/endpoints.js';

export interface PendingActivity {
  type: string;
  attempt: number;
}

export async function pendingActivities(workflowId: string): Promise<PendingActivity[]> {
  const connection = await Connection.connect({ address: temporalEndpoint().address });
  try {
    const description = await new Client({ connection, namespace: temporalNamespace() }).workflow.getHandle(workflowId).describe();
    return (description.raw.pendingActivities ?? []).map((a) => ({ type: a.activityType?.name ?? '', attempt: a.attempt ?? 0 }));
  } finally {
    await connection.close();
  }
}
