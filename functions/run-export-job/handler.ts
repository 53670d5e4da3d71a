/**
 * The export worker: one queue message = one share of one job's work (see docs/exports.md). A
 * message it cannot act on now fails, so the queue delivers it again after the visibility timeout
 * and, after too many tries, moves it to the dead-letter queue. Messages run one after another:
 * each takes the rest of the invocation's time.
 */
import { jobMessage, runExportSlice } from '#shared/exports/use-cases';
import { sqsHandler } from '#shared/worker/worker-handlers';

export const handler = sqsHandler(
  { message: jobMessage, work: 'export slice', logKeys: ({ projectId, jobId }) => ({ projectId, jobId }) },
  (message, { messageId, context }) =>
    runExportSlice(message, {
      requestId: `${context.awsRequestId}:${messageId}`,
      remainingMs: context.getRemainingTimeInMillis(),
    }),
);
