/**
 * A project runs at most MAX_RUNNING_EXPORTS_PER_PROJECT export jobs at once. Its EXPORT_SLOTS item
 * holds the ids of the jobs that have a slot (`running`, from creation until they end) and how many
 * wait (`waitingCount`); each waiting job has an EXPORT_WAITING#<createdAt>#<jobId> item, so the
 * project's line is its items in key order: first come, first served.
 *
 * A slot is taken in the transaction that creates (or restarts) the job; a job without one is
 * created waiting, with no queue message, so a project's backlog never sits in the shared queue in
 * front of other projects' work: whatever one project queues, every other project's job starts as
 * soon as a worker is free. Slots are given back in the transaction that ends a job, and the next
 * waiting job is started then, and by the sweeper as a safety net (sweep-export-jobs.ts).
 */
import { createHash } from 'node:crypto';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { cancellationReasons, loadRecord, tableName } from '#shared/table/items';
import { EXPORT_SLOT_SHARDS, exportSlotShardKey, keys, projectPk, sortKeyPrefix } from '#shared/table/keys';
import type { ExportJob } from '#shared/exports/export-job';
import { sendJobMessage } from '#shared/exports/export-queue';

/** A project's EXPORT_SLOTS item. */
export interface ExportSlots {
  projectId: string;
  running?: Set<string>;
  waitingCount?: number;
  /** The workers the running jobs reserved together (export-workers.ts). */
  workersHeld?: number;
}

const shardOf = (projectId: string) =>
  exportSlotShardKey(createHash('sha256').update(projectId).digest().readUInt32BE(0) % EXPORT_SLOT_SHARDS);

const indexed = (projectId: string) => ({ ':shard': shardOf(projectId), ':projectId': projectId });

/** The transaction item that gives `job` a slot if its project has one free. */
export const takeSlot = (job: Pick<ExportJob, 'projectId' | 'jobId'>) => ({
  Update: {
    TableName: tableName(),
    Key: keys.exportSlots(job.projectId),
    UpdateExpression: 'ADD running :job SET exportSlotShard = :shard, projectId = :projectId',
    ConditionExpression: 'attribute_not_exists(running) OR size(running) < :max OR contains(running, :jobId)',
    ExpressionAttributeValues: {
      ':job': new Set([job.jobId]),
      ':jobId': job.jobId,
      ':max': config().MAX_RUNNING_EXPORTS_PER_PROJECT,
      ...indexed(job.projectId),
    },
  },
});

/** The transaction items that put `job` in its project's line. */
export const waitInLine = (job: Pick<ExportJob, 'projectId' | 'jobId'>, since: string) => [
  {
    Put: {
      TableName: tableName(),
      Item: { ...keys.exportWaiting(job.projectId, since, job.jobId), jobId: job.jobId, since },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
  {
    Update: {
      TableName: tableName(),
      Key: keys.exportSlots(job.projectId),
      UpdateExpression: 'ADD waitingCount :one SET exportSlotShard = :shard, projectId = :projectId',
      ExpressionAttributeValues: { ':one': 1, ...indexed(job.projectId) },
    },
  },
];

/**
 * The transaction item that gives `job`'s slot back, with the workers it reserved when it was
 * planned (export-workers.ts). Unconditional: a job created before slots existed holds none, and
 * removing an id that is not in the set changes nothing.
 */
export const releaseSlot = (job: Pick<ExportJob, 'projectId' | 'jobId' | 'workers'>) => ({
  Update: {
    TableName: tableName(),
    Key: keys.exportSlots(job.projectId),
    UpdateExpression: job.workers ? 'DELETE running :job ADD workersHeld :workers' : 'DELETE running :job',
    ExpressionAttributeValues: { ':job': new Set([job.jobId]), ...(job.workers ? { ':workers': -job.workers } : {}) },
  },
});

export const loadSlots = (projectId: string) => loadRecord<ExportSlots>(keys.exportSlots(projectId));

async function firstInLine(projectId: string): Promise<{ sk: string; jobId: string } | undefined> {
  const { Items = [] } = await dynamodb.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': projectPk(projectId), ':prefix': sortKeyPrefix.exportWaiting },
      ConsistentRead: true,
      Limit: 1,
    }),
  );
  return Items[0] as { sk: string; jobId: string } | undefined;
}

/**
 * Starts the project's waiting jobs, oldest first, while it has free slots: each one takes its
 * slot, leaves the line and gets its queue message. Answers how many started. Safe to run from
 * several places at once: each start is one conditional transaction.
 */
export async function startWaitingJobs(projectId: string): Promise<number> {
  const max = config().MAX_RUNNING_EXPORTS_PER_PROJECT;
  let started = 0;
  for (let round = 0; round < max + 5; round += 1) {
    const slots = await loadSlots(projectId);
    if (!slots || (slots.waitingCount ?? 0) <= 0 || (slots.running?.size ?? 0) >= max) return started;
    const next = await firstInLine(projectId);
    if (!next) return started;
    const job = await loadRecord<ExportJob>(keys.job(projectId, next.jobId));
    const leaveLine = {
      Delete: {
        TableName: tableName(),
        Key: { pk: projectPk(projectId), sk: next.sk },
        ConditionExpression: 'attribute_exists(pk)',
      },
    };
    const stillWaiting = job?.status === 'PENDING' && job.waitingSince !== undefined;
    const slotFromLine = {
      Update: {
        TableName: tableName(),
        Key: keys.exportSlots(projectId),
        UpdateExpression: 'ADD running :job, waitingCount :minusOne',
        ConditionExpression: 'attribute_not_exists(running) OR size(running) < :max',
        ExpressionAttributeValues: { ':job': new Set([next.jobId]), ':minusOne': -1, ':max': max },
      },
    };
    const items = stillWaiting
      ? [
          leaveLine,
          slotFromLine,
          {
            Update: {
              TableName: tableName(),
              Key: keys.job(projectId, next.jobId),
              UpdateExpression: 'REMOVE waitingSince SET updatedAt = :now',
              ConditionExpression: '#status = :pending AND attribute_exists(waitingSince)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':pending': 'PENDING', ':now': new Date().toISOString() },
            },
          },
        ]
      : // The job ended or started some other way meanwhile: only its place in line goes.
        [
          leaveLine,
          {
            Update: {
              TableName: tableName(),
              Key: keys.exportSlots(projectId),
              UpdateExpression: 'ADD waitingCount :minusOne',
              ExpressionAttributeValues: { ':minusOne': -1 },
            },
          },
        ];
    try {
      await dynamodb.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons.length === 0) throw error;
      // Another starter took this one (or the last slot) first: look again.
      continue;
    }
    if (!stillWaiting || !job) continue;
    await sendJobMessage({ projectId, jobId: job.jobId, turn: job.turn });
    logger.info('waiting export job started', { projectId, jobId: job.jobId });
    started += 1;
  }
  return started;
}
