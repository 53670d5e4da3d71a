/**
 * The export dead-letter queue's consumer: a message that failed every delivery to the export
 * worker ends its job FAILED (EXPORT_RETRIES_EXHAUSTED), if it still belongs to the job as it
 * stands (shared/exports/worker/end-dead-lettered-work.ts). A malformed dead letter can never be
 * acted on: it is logged and dropped. A job held by a live invocation fails the message, which
 * comes back after the visibility timeout and, after five tries, rests in ExportUnhandledDeadLetterQueue.
 */
import { endDeadLetteredWork, exportMessage } from '#shared/exports/use-cases';
import { sqsHandler } from '#shared/worker/worker-handlers';

export const handler = sqsHandler(
  {
    message: exportMessage,
    work: 'export dead letter',
    logKeys: ({ projectId, jobId }) => ({ projectId, jobId }),
    malformed: 'drop',
  },
  (message, { messageId, context }) =>
    endDeadLetteredWork(message, {
      requestId: `${context.awsRequestId}:${messageId}`,
      remainingMs: context.getRemainingTimeInMillis(),
    }),
);
