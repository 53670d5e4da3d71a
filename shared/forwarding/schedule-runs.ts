import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '#shared/config';
import { logger, metrics } from '#shared/logger';
import { listEnabledForwardings } from '#shared/forwarding/forwarding-store';
import type { ForwardingRunMessage } from '#shared/forwarding/schemas';

/**
 * The scheduler's half of a forwarding tick: one queue message per enabled cluster. The worker
 * consumes them in parallel, so the tick's wall time does not grow with the slowest bucket, and a
 * message that keeps failing ends in the dead-letter queue without holding up the others.
 */
const sqs = new SQSClient({});

const SQS_BATCH = 10;
/** SendMessageBatch calls in flight at once: 1,000 clusters are 100 calls, sent in about ten rounds. */
const PARALLEL_SENDS = 10;

export interface ScheduleResult {
  clusters: number;
  sent: number;
  failed: number;
}

export async function scheduleForwardingRuns(scheduledAt: Date = new Date()): Promise<ScheduleResult> {
  if (!config().FORWARDING_QUEUE_URL) throw new Error('Invalid configuration: FORWARDING_QUEUE_URL is not set');
  const refs = await listEnabledForwardings();
  const batches: SendMessageBatchRequestEntry[][] = [];
  refs.forEach((ref, index) => {
    const message: ForwardingRunMessage = { ...ref, scheduledAt: scheduledAt.toISOString() };
    if (index % SQS_BATCH === 0) batches.push([]);
    batches.at(-1)?.push({ Id: String(index % SQS_BATCH), MessageBody: JSON.stringify(message) });
  });

  let failed = 0;
  let next = 0;
  const sender = async () => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      failed += await sendBatch(batch);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, batches.length) }, sender));

  const result = { clusters: refs.length, sent: refs.length - failed, failed };
  metrics.addMetric('AuditLogForwardingRunsScheduled', MetricUnit.Count, result.sent);
  metrics.addMetric('AuditLogForwardingScheduleFailures', MetricUnit.Count, failed);
  logger.info('forwarding runs scheduled', { ...result });
  return result;
}

/**
 * Sends one batch, retrying the entries SQS refused once (a refused entry is usually throttling).
 * A cluster whose message still fails is picked up by the next tick, from its cursor, so nothing
 * is lost; the count is returned for the metric and the log.
 */
async function sendBatch(entries: SendMessageBatchRequestEntry[]): Promise<number> {
  let pending = entries;
  for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt += 1) {
    try {
      const { Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: config().FORWARDING_QUEUE_URL, Entries: pending }));
      const failedIds = new Set(Failed.map((failure) => failure.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
    } catch (error) {
      logger.warn('forwarding messages not sent', { attempt, entries: pending.length, error: (error as Error).name });
    }
  }
  return pending.length;
}
