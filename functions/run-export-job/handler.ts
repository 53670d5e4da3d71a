/**
 * The export worker: one queue message = one share of one job's work, coordinating the job or
 * copying one lane of it (see docs/exports.md). A message it cannot act on now fails, so the queue
 * delivers it again after the visibility timeout and, after too many tries, moves it to the
 * dead-letter queue. Messages run one after another: each takes the rest of the invocation's time.
 */
import { exportMessage, runExportMessage } from '#shared/exports/use-cases';
import { sqsHandler } from '#shared/worker/worker-handlers';

export const handler = sqsHandler(
  { message: exportMessage, work: 'export work', logKeys: ({ projectId, jobId }) => ({ projectId, jobId }) },
  (message, { messageId, context }) =>
    runExportMessage(message, {
      requestId: `${context.awsRequestId}:${messageId}`,
      remainingMs: context.getRemainingTimeInMillis(),
    }),
);
