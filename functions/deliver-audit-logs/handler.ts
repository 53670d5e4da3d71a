import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger, metricsPublished } from '#shared/logger';
import { parseAuditLogEvent } from '#shared/forwarding/audit-log-events';
import { clusterOfSourceKey } from '#shared/forwarding/audit-log-keys';
import { deliverClusterEvents, type AnnouncedFile } from '#shared/forwarding/delivery/event-delivery';

/**
 * The event path of audit-log forwarding: S3 "Object Created" events of the platform's audit-log
 * bucket (EventBridge rule -> AuditLogEventQueue), a batch at a time. The files are grouped by
 * cluster and each cluster's are delivered side by side with the others'. A message fails (SQS
 * delivers it again, and after 3 receives moves it to the dead-letter queue) only when it cannot
 * be read or its cluster's delivery hit an error of ours (DynamoDB down): a customer-side failure
 * leaves the file pending (delivery/pending-files.ts), and the message succeeds.
 */
export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(metricsPublished())
  .handler(async (event) => {
    const failures = new Set<string>();
    const byCluster = new Map<string, Array<{ record: SQSRecord; file: AnnouncedFile }>>();
    for (const record of event.Records) {
      const parsed = parseAuditLogEvent(record.body);
      if (!parsed) {
        logger.error('unreadable audit-log event; left for the dead-letter queue', { messageId: record.messageId });
        failures.add(record.messageId);
        continue;
      }
      if (parsed.kind === 'other') continue;
      const clusterId = clusterOfSourceKey(parsed.file.key);
      byCluster.set(clusterId, [...(byCluster.get(clusterId) ?? []), { record, file: parsed.file }]);
    }
    await Promise.all(
      [...byCluster].map(async ([clusterId, items]) => {
        try {
          if (clusterId) await deliverClusterEvents(clusterId, items.map((item) => item.file));
        } catch (error) {
          logger.error('audit-log events not processed; they will be delivered again', { clusterId, error: error as Error });
          for (const { record } of items) failures.add(record.messageId);
        }
      }),
    );
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  });
