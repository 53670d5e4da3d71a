import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/dynamodb';
import { ConflictError } from '#shared/errors';
import { cancellationReasons, getRecord, queryProjectPage, tableName as table } from '#shared/table/items';
import { keys, sortKeyPrefix } from '#shared/table/keys';
import { EMPTY_PROGRESS, type ExportJob } from '#shared/exports/export-job';

/**
 * Creating, restarting, reading and listing export jobs. A job that runs holds its integration:
 * its id joins the integration's `usedBy` set in the same transaction that creates (or restarts)
 * it, on condition that the integration is ACTIVE, so a job never starts on an unusable
 * integration and the integration cannot be deleted under a running job.
 */
const integrationNotActive = () =>
  new ConflictError(
    'INTEGRATION_NOT_ACTIVE',
    'The integration is not ACTIVE: validate it (POST .../integrations/{integrationId}/validate) and export again once it is ACTIVE.',
  );

const holdIntegration = (job: ExportJob) => ({
  Update: {
    TableName: table(),
    Key: keys.integration(job.projectId, job.integrationId),
    UpdateExpression: 'ADD usedBy :job',
    ConditionExpression: 'attribute_exists(pk) AND #status = :active',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':job': new Set([job.jobId]), ':active': 'ACTIVE' },
  },
});

type JobCondition = { ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> };

/**
 * Writes the job, on `condition`, in one transaction with the hold on its integration. Returns
 * false when the job's condition failed; throws INTEGRATION_NOT_ACTIVE when the hold's did.
 */
async function putHoldingIntegration(job: ExportJob, condition: JobCondition): Promise<boolean> {
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: table(), Item: { ...keys.job(job.projectId, job.jobId), ...job }, ...condition } }, holdIntegration(job)],
      }),
    );
    return true;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw integrationNotActive();
    throw error;
  }
}

/** Returns false when a job with this (deterministic) id already exists. */
export function insertJob(job: ExportJob): Promise<boolean> {
  return putHoldingIntegration(job, { ConditionExpression: 'attribute_not_exists(pk)' });
}

/**
 * Starts a FAILED job again as a new attempt: fresh checkpoints, a new turn (so messages of the old
 * attempt are stale), progress and error cleared. Returns the restarted job, or undefined when the
 * job was no longer FAILED (another request restarted it first).
 */
export async function restartFailedJob(job: ExportJob, now: string): Promise<ExportJob | undefined> {
  const restarted: ExportJob = {
    ...job,
    status: 'PENDING',
    attempt: job.attempt + 1,
    turn: job.turn + 1,
    planned: false,
    stalls: 0,
    progress: EMPTY_PROGRESS,
    updatedAt: now,
    error: undefined,
    endedAt: undefined,
    startedAt: undefined,
    manifestKey: undefined,
    lease: undefined,
  };
  const written = await putHoldingIntegration(restarted, {
    ConditionExpression: '#status = :failed AND attempt = :attempt',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':failed': 'FAILED', ':attempt': job.attempt },
  });
  return written ? restarted : undefined;
}

/**
 * Records a job that could not start (an auto-export whose integration is no longer usable), so the
 * customer sees why no export arrived. It holds nothing. Returns false when the job already exists.
 */
export async function insertFailedJob(job: ExportJob): Promise<boolean> {
  try {
    await dynamodb.send(
      new PutCommand({
        TableName: table(),
        Item: { ...keys.job(job.projectId, job.jobId), ...job },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export const getJob = (projectId: string, jobId: string) => getRecord<ExportJob>(keys.job(projectId, jobId));

export const listJobs = (projectId: string, page: { limit: number; nextToken?: string }) =>
  queryProjectPage<ExportJob>(projectId, sortKeyPrefix.job, page);
