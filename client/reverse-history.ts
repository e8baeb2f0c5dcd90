/** A workflow run's history, newest event first, page by page (Temporal's GetWorkflowExecutionHistoryReverse). */
import type { temporal } from '@temporalio/proto';

type WorkflowService = temporal.api.workflowservice.v1.WorkflowService;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

// Small pages: the caller usually needs only the last workflow task's outcome.
const PAGE_SIZE = 16;

export function reverseHistory(service: WorkflowService, namespace: string) {
  return async function* ({ workflowId, runId }: { workflowId: string; runId: string }): AsyncGenerator<HistoryEvent[]> {
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await service.getWorkflowExecutionHistoryReverse({ namespace, execution: { workflowId, runId }, maximumPageSize: PAGE_SIZE, ...(nextPageToken ? { nextPageToken } : {}) });
      yield page.history?.events ?? [];
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  };
}
