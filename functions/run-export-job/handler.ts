import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger, publishMetrics } from '#shared/logger';
import { exportMessage } from '#shared/exports/export-queue';
import { runExportMessage } from '#shared/exports/worker/run-export-message';

/**
 * The export worker: one queue message = one share of one job's work, coordinating the job or
 * copying one lane of it (see docs/exports.md). A message it cannot act on now is reported as a
 * failed item, so the queue delivers it again after the visibility timeout and, after too many
 * tries, moves it to the dead-letter queue.
 */
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    logger.resetKeys();
    logger.appendKeys({ messageId: record.messageId, lambdaRequestId: context.awsRequestId });
    const message = parseMessage(record.body);
    if (!message) {
      logger.error('malformed export message: left for the dead-letter queue');
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await runExportMessage(message, { requestId: `${context.awsRequestId}:${record.messageId}`, remainingMs: context.getRemainingTimeInMillis() });
    } catch (error) {
      logger.error('export message not processed: the queue will deliver it again', { jobId: message.jobId, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  publishMetrics();
  return { batchItemFailures };
};

function parseMessage(body: string) {
  try {
    const parsed = exportMessage.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
