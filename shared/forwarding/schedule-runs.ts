/**
 * The scheduler's tick (every minute): the safety net behind the events, sized to stay cheap.
 * From the ForwardingIndex (health is projected there) it sends
 * - a catch-up run to every cluster with files pending (lag > 0): after a pause, an outage, a
 *   FAILED integration, the run delivers them or keeps their lag visible;
 * - a reconciliation to a fifteenth of the other clusters (each cluster every
 *   RECONCILE_EVERY_MINUTES, spread by a hash of its id): two hour listings that find a file whose
 *   event never came;
 * - once an hour (minutes DIGEST_MINUTE.., spread likewise) a digest run to every cluster;
 * then rolls every integration's health up from the index.
 */
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sqs } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger, metrics } from '#shared/logger';
import { loadEnabledForwardings, type IndexedForwarding } from '#shared/forwarding/forwarding-store';
import { rollUpFromIndex } from '#shared/forwarding/health-rollup';
import { inParallel } from '#shared/worker/in-parallel';
import type { DigestRunMessage, ForwardingRunMessage } from '#shared/forwarding/schemas';

const SQS_BATCH = 10;
/** SendMessageBatch calls in flight at once. */
const PARALLEL_SENDS = 10;
const PARALLEL_ROLL_UPS = 10;
export const RECONCILE_EVERY_MINUTES = 15;
/** Digests of an hour are written from this minute of the next, when every delivery of that hour is in the ledger. */
export const DIGEST_MINUTE = 5;
const DIGEST_SPREAD_MINUTES = 10;

export interface ScheduleResult {
  clusters: number;
  catchUps: number;
  reconciliations: number;
  digests: number;
  failed: number;
  /** Integrations whose health summary changed in this tick. */
  healthChanged: number;
}

const spreadOf = (clusterId: string, slots: number) =>
  createHash('sha256').update(clusterId).digest().readUInt32BE(0) % slots;

/** What a tick asks of one cluster's forwarding. */
export function plannedRuns(
  forwarding: Pick<IndexedForwarding, 'clusterId' | 'health'>,
  tick: Date,
): { catchUp?: 'pending' | 'reconcile'; digest: boolean } {
  const minute = Math.floor(tick.getTime() / 60_000);
  const behind = (forwarding.health?.lagSeconds ?? 0) > 0;
  const reconcile = spreadOf(forwarding.clusterId, RECONCILE_EVERY_MINUTES) === minute % RECONCILE_EVERY_MINUTES;
  const digest = tick.getUTCMinutes() === DIGEST_MINUTE + spreadOf(forwarding.clusterId, DIGEST_SPREAD_MINUTES);
  return { ...(behind ? { catchUp: 'pending' as const } : reconcile ? { catchUp: 'reconcile' as const } : {}), digest };
}

export async function scheduleForwardingRuns(tick: Date = new Date()): Promise<ScheduleResult> {
  const { FORWARDING_QUEUE_URL, DIGEST_QUEUE_URL } = config();
  if (!FORWARDING_QUEUE_URL || !DIGEST_QUEUE_URL)
    throw new Error('Invalid configuration: FORWARDING_QUEUE_URL and DIGEST_QUEUE_URL must be set');
  const refs = await loadEnabledForwardings();
  const catchUps: ForwardingRunMessage[] = [];
  const digests: DigestRunMessage[] = [];
  const requestedAt = tick.toISOString();
  for (const ref of refs) {
    const planned = plannedRuns(ref, tick);
    if (planned.catchUp)
      catchUps.push({
        kind: 'catch-up',
        projectId: ref.projectId,
        clusterId: ref.clusterId,
        reason: planned.catchUp,
        requestedAt,
      });
    if (planned.digest) digests.push({ projectId: ref.projectId, clusterId: ref.clusterId, requestedAt });
  }
  const failed = (await sendAll(FORWARDING_QUEUE_URL, catchUps)) + (await sendAll(DIGEST_QUEUE_URL, digests));

  // After the sends, so that a slow roll-up never delays a tick's runs.
  let healthChanged = 0;
  try {
    healthChanged = await rollUpFromIndex(refs, PARALLEL_ROLL_UPS);
  } catch (error) {
    logger.error('integration health roll-up failed; the next tick retries', { error: (error as Error).name });
  }

  const reconciliations = catchUps.filter(
    (message) => message.kind === 'catch-up' && message.reason === 'reconcile',
  ).length;
  const result = {
    clusters: refs.length,
    catchUps: catchUps.length - reconciliations,
    reconciliations,
    digests: digests.length,
    failed,
    healthChanged,
  };
  metrics.addMetric('AuditLogForwardingRunsScheduled', MetricUnit.Count, catchUps.length + digests.length - failed);
  metrics.addMetric('AuditLogForwardingScheduleFailures', MetricUnit.Count, failed);
  logger.info('forwarding runs scheduled', { ...result });
  return result;
}

async function sendAll(queueUrl: string, messages: object[]): Promise<number> {
  const batches: SendMessageBatchRequestEntry[][] = [];
  messages.forEach((message, index) => {
    if (index % SQS_BATCH === 0) batches.push([]);
    batches.at(-1)?.push({ Id: String(index % SQS_BATCH), MessageBody: JSON.stringify(message) });
  });
  let failed = 0;
  await inParallel(batches, PARALLEL_SENDS, async (batch) => {
    failed += await sendBatch(queueUrl, batch);
  });
  return failed;
}

/**
 * Sends one batch, retrying the entries SQS refused once (a refused entry is usually throttling).
 * A cluster whose message still fails is picked up by a later tick, so nothing is lost; the count
 * is returned for the metric and the log.
 */
async function sendBatch(queueUrl: string, entries: SendMessageBatchRequestEntry[]): Promise<number> {
  let pending = entries;
  for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt += 1) {
    try {
      const { Failed = [] } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failedIds = new Set(Failed.map((failure) => failure.Id));
      pending = pending.filter((entry) => failedIds.has(entry.Id));
    } catch (error) {
      logger.warn('forwarding messages not sent', { attempt, entries: pending.length, error: (error as Error).name });
    }
  }
  return pending.length;
}
