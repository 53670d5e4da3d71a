/**
 * The export sweeper (every five minutes): nothing stays RUNNING forever, and no slot or waiting
 * job is forgotten. For every project that runs or queues exports (the ExportSlotIndex):
 * - a job that has not moved for EXPORT_ABANDONED_AFTER_MINUTES and whose lease (if any) has
 *   lapsed is ended FAILED with EXPORT_ABANDONED, releasing its integration and its slot: its
 *   messages dead-lettered, or every invocation that took it died. A live job moves every few
 *   seconds (its heartbeat), and a continuation waits at most a quarter of an hour;
 * - a job holding a slot that never got to run for a quarter of an hour gets its message again
 *   (one lost between the slot and the queue); the lease keeps a duplicate from doing anything;
 * - a slot still held by a job that ended is given back;
 * - waiting jobs start while slots are free.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger, metrics } from '#shared/logger';
import { cancellationReasons, tableName } from '#shared/table/items';
import { EXPORT_SLOT_SHARDS, exportSlotShardKey, keys } from '#shared/table/keys';
import { isFinished, type ExportJob } from '#shared/exports/export-job';
import { sendJobMessage } from '#shared/exports/export-queue';
import { loadSlots, releaseSlot, startWaitingJobs } from '#shared/exports/export-slots';
import { releaseIntegration } from '#shared/exports/job-end';
import { loadJob } from '#shared/exports/job-store';
import { publishJobFinished } from '#shared/notifications/publish';

/** What sweeping one project did. */
export interface ProjectSweep {
  abandoned: number;
  redispatched: number;
  released: number;
  started: number;
}

const REDISPATCH_AFTER_MS = 15 * 60 * 1000;
export const EXPORT_SLOT_INDEX = 'ExportSlotIndex';

const ABANDONED = {
  code: 'EXPORT_ABANDONED',
  message:
    'The export stopped making progress (its work was lost after repeated failures on our side) and was ended. ' +
    'Export the backup again; if this repeats, contact support.',
};

/** Ends an abandoned job, if it is still exactly as the sweeper saw it. True when it did. */
async function abandon(job: ExportJob, now: Date): Promise<boolean> {
  const endJob = {
    Update: {
      TableName: tableName(),
      Key: keys.job(job.projectId, job.jobId),
      UpdateExpression: 'SET #status = :failed, #error = :error, endedAt = :now, updatedAt = :now REMOVE lease',
      ConditionExpression:
        'updatedAt = :seen AND #status IN (:pending, :running) ' +
        'AND (attribute_not_exists(lease) OR lease.expiresAt < :nowMs)',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':failed': 'FAILED',
        ':error': ABANDONED,
        ':now': now.toISOString(),
        ':nowMs': now.getTime(),
        ':seen': job.updatedAt,
        ':pending': 'PENDING',
        ':running': 'RUNNING',
      },
    },
  };
  for (const items of [
    [endJob, releaseIntegration(job), releaseSlot(job)],
    [endJob, releaseSlot(job)],
  ]) {
    try {
      await dynamodb.send(new TransactWriteCommand({ TransactItems: items }));
      logger.warn('export job abandoned: ended FAILED', {
        projectId: job.projectId,
        jobId: job.jobId,
        status: job.status,
        updatedAt: job.updatedAt,
      });
      metrics.addMetric('ExportsAbandoned', MetricUnit.Count, 1);
      await publishJobFinished(job, { status: 'FAILED', code: ABANDONED.code });
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return false; // it moved meanwhile
      // The integration is gone (an operator deleted it): end the job and free the slot alone.
      if (items.length === 3 && reasons[1]?.Code === 'ConditionalCheckFailed') continue;
      throw error;
    }
  }
  return false;
}

async function releaseStaleSlot(projectId: string, jobId: string): Promise<void> {
  await dynamodb.send(new UpdateCommand(releaseSlot({ projectId, jobId }).Update));
}

/** One project's sweep. `now` is the sweeper's clock (tests move it forward). */
export async function sweepProject(projectId: string, now = new Date()): Promise<ProjectSweep> {
  const sweep: ProjectSweep = { abandoned: 0, redispatched: 0, released: 0, started: 0 };
  const abandonedBefore = now.getTime() - config().EXPORT_ABANDONED_AFTER_MINUTES * 60_000;
  const slots = await loadSlots(projectId);
  for (const jobId of slots?.running ?? []) {
    const job = await loadJob(projectId, jobId);
    if (!job || isFinished(job.status)) {
      await releaseStaleSlot(projectId, jobId);
      sweep.released += 1;
      continue;
    }
    const leaseLapsed = !job.lease || job.lease.expiresAt < now.getTime();
    const lastMoved = Date.parse(job.updatedAt);
    if (leaseLapsed && lastMoved < abandonedBefore) {
      if (await abandon(job, now)) sweep.abandoned += 1;
    } else if (
      job.status === 'PENDING' &&
      !job.lease &&
      !job.waitingSince &&
      lastMoved < now.getTime() - REDISPATCH_AFTER_MS
    ) {
      await sendJobMessage({ projectId, jobId, turn: job.turn });
      sweep.redispatched += 1;
    }
  }
  sweep.started = await startWaitingJobs(projectId);
  return sweep;
}

/** Every project of the ExportSlotIndex, one after the other. */
export async function sweepExportJobs(now = new Date()): Promise<ProjectSweep & { projects: number }> {
  const total = { projects: 0, abandoned: 0, redispatched: 0, released: 0, started: 0 };
  for (let shard = 0; shard < EXPORT_SLOT_SHARDS; shard += 1) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamodb.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: EXPORT_SLOT_INDEX,
          KeyConditionExpression: 'exportSlotShard = :shard',
          ExpressionAttributeValues: { ':shard': exportSlotShardKey(shard) },
          ProjectionExpression: 'projectId',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const { projectId } of (page.Items ?? []) as Array<{ projectId: string }>) {
        const sweep = await sweepProject(projectId, now);
        total.projects += 1;
        total.abandoned += sweep.abandoned;
        total.redispatched += sweep.redispatched;
        total.released += sweep.released;
        total.started += sweep.started;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  logger.info('export jobs swept', total);
  return total;
}
