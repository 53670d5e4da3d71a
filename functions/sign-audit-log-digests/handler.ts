import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metricsPublished } from '#shared/logger';
import { writeDueDigests } from '#shared/forwarding/digests/write-digests';
import { digestRunMessage } from '#shared/forwarding/schemas';

/**
 * The digest writer of audit-log forwarding (DigestQueue, one message per cluster and hour from the
 * scheduler): writes each due hourly digest, signed with the platform's KMS key. The only function
 * allowed kms:Sign on that key. A customer-side failure is recorded in the cluster's health and the
 * hours stay due for the next hour's run; only an error of ours fails the message.
 */
function parse(record: SQSRecord) {
  try {
    return digestRunMessage.safeParse(JSON.parse(record.body));
  } catch {
    return undefined;
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(metricsPublished())
  .handler(async (event) => {
    const outcomes = await Promise.allSettled(
      event.Records.map(async (record) => {
        const message = parse(record);
        if (!message?.success) throw new Error('malformed digest message');
        const outcome = await writeDueDigests(message.data);
        logger.info('digest run finished', { projectId: message.data.projectId, clusterId: message.data.clusterId, ...outcome });
      }),
    );
    const batchItemFailures = outcomes.flatMap((outcome, index) => {
      if (outcome.status === 'fulfilled') return [];
      const { messageId } = event.Records[index] as SQSRecord;
      logger.error('digest run failed; the message will be retried', { messageId, error: outcome.reason as Error });
      return [{ itemIdentifier: messageId }];
    });
    return { batchItemFailures };
  });
