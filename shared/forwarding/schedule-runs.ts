import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sqs } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger, metrics } from '#shared/logger';
import { loadEnabledForwardings } from '#shared/forwarding/forwarding-store';
import { rollUpFromIndex } from '#shared/forwarding/health-rollup';
import { inParallel } from '#shared/worker/in-parallel';
import type { ForwardingRunMessage } from '#shared/forwarding/schemas';

/**
 * The scheduler's half of a forwarding tick: one queue message per enabled cluster, then the
 * integrations' health roll-up from the index. The worker consumes the messages in parallel, so
 * the tick's wall time does not grow with the slowest bucket, and a message that keeps failing
 * ends in the dead-letter queue without holding up the others.
 */
const SQS_BATCH = 10;
/** SendMessageBatch calls in flight at once: 1,000 clusters are 100 calls, sent in about ten rounds. */
const PARALLEL_SENDS = 10;
const PARALLEL_ROLL_UPS = 10;

export interface ScheduleResult {
  clusters: number;
  sent: number;
  failed: number;
  /** Integrations whose health summary changed in this tick. */
  healthChanged: number;
}

export async function scheduleForwardingRuns(scheduledAt: Date = new Date()): Promise<ScheduleResult> {
  if (!config().FORWARDING_QUEUE_URL) throw new Error('Invalid configuration: FORWARDING_QUEUE_URL is not set');
  const refs = await loadEnabledForwardings();
  const batches: SendMessageBatchRequestEntry[][] = [];
  refs.forEach((ref, index) => {
    const message: ForwardingRunMessage = {
      projectId: ref.projectId,
      clusterId: ref.clusterId,
      scheduledAt: scheduledAt.toISOString(),
    };
    if (index % SQS_BATCH === 0) batches.push([]);
    batches.at(-1)?.push({ Id: String(index % SQS_BATCH), MessageBody: JSON.stringify(message) });
  });

  let failed = 0;
  await inParallel(batches, PARALLEL_SENDS, async (batch) => {
    failed += await sendBatch(batch);
  });

  // After the sends, so that a slow roll-up never delays a tick's deliveries.
  let healthChanged = 0;
  try {
    healthChanged = await rollUpFromIndex(refs, PARALLEL_ROLL_UPS);
  } catch (error) {
    logger.error('integration health roll-up failed; the next tick retries', { error: (error as Error).name });
  }

  const result = { clusters: refs.length, sent: refs.length - failed, failed, healthChanged };
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
      const { Failed = [] } = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: config().FORWARDING_QUEUE_URL, Entries: pending }),
      );
      const failedIds = new Set(Failed.map((failure) => failure.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
    } catch (error) {
      logger.warn('forwarding messages not sent', { attempt, entries: pending.length, error: (error as Error).name });
    }
  }
  return pending.length;
}
