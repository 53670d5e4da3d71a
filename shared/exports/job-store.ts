/**
 * Creating, restarting, reading and listing export jobs. A job that runs holds its integration:
 * its id joins the integration's `usedBy` set in the same transaction that creates (or restarts)
 * it, on condition that the integration is ACTIVE, so a job never starts on an unusable
 * integration and the integration cannot be deleted under a running job. The same transaction
 * takes one of the project's export slots, or, when none is free, puts the job in the project's
 * line (export-slots.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { ConflictError } from '#shared/errors';
import { cancellationReasons, loadRecord, queryProjectPage, tableName as table } from '#shared/table/items';
import { keys, sortKeyPrefix } from '#shared/table/keys';
import { nextAttempt, type ExportJob } from '#shared/exports/export-job';
import { takeSlot, waitInLine } from '#shared/exports/export-slots';

const integrationNotActive = () =>
  new ConflictError(
    'INTEGRATION_NOT_ACTIVE',
    'The integration is not ACTIVE: validate it (POST .../integrations/{integrationId}/validate) ' +
      'and export again once it is ACTIVE.',
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

type JobCondition = {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
};

/**
 * Writes the job, on `condition`, in one transaction with the hold on its integration and a slot
 * of its project; with no slot free, in one with its place in the project's line instead. Answers
 * the job as written (`waitingSince` set when it waits), or undefined when the job's condition
 * failed; throws INTEGRATION_NOT_ACTIVE when the hold's did.
 */
async function putHoldingIntegration(job: ExportJob, condition: JobCondition): Promise<ExportJob | undefined> {
  const put = (item: ExportJob) => ({
    Put: { TableName: table(), Item: { ...keys.job(item.projectId, item.jobId), ...item }, ...condition },
  });
  const attempts: Array<{ written: ExportJob; extra: NonNullable<TransactWriteCommandInput['TransactItems']> }> = [
    { written: job, extra: [takeSlot(job)] },
    { written: { ...job, waitingSince: job.updatedAt }, extra: waitInLine(job, job.updatedAt) },
  ];
  for (const [index, { written, extra }] of attempts.entries()) {
    try {
      await dynamodb.send(new TransactWriteCommand({ TransactItems: [put(written), holdIntegration(job), ...extra] }));
      return written;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return undefined;
      if (reasons[1]?.Code === 'ConditionalCheckFailed') throw integrationNotActive();
      // No free slot: the job waits in line (the second attempt).
      if (index === 0 && reasons[2]?.Code === 'ConditionalCheckFailed') continue;
      throw error;
    }
  }
  return undefined;
}

/** Answers the job as written, or undefined when a job with this (deterministic) id already exists. */
export function insertJob(job: ExportJob): Promise<ExportJob | undefined> {
  return putHoldingIntegration(job, { ConditionExpression: 'attribute_not_exists(pk)' });
}

/**
 * Starts a FAILED job again as a new attempt (nextAttempt: fresh checkpoints, a new turn so messages
 * of the old attempt are stale, nothing of the old attempt's state). The old attempt gave its slot
 * and its workers back when it ended; this one takes a slot now and reserves workers only when its
 * plan is committed, so an attempt that fails before that gives none back. Returns the restarted
 * job, or undefined when the job was no longer FAILED (another request restarted it first).
 */
export async function restartFailedJob(job: ExportJob, now: string): Promise<ExportJob | undefined> {
  const restarted = nextAttempt(job, now);
  return putHoldingIntegration(restarted, {
    ConditionExpression: '#status = :failed AND attempt = :attempt',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':failed': 'FAILED', ':attempt': job.attempt },
  });
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

export const loadJob = (projectId: string, jobId: string) => loadRecord<ExportJob>(keys.job(projectId, jobId));

export const loadJobPage = (projectId: string, page: { limit: number; nextToken?: string }) =>
  queryProjectPage<ExportJob>(projectId, sortKeyPrefix.job, page);
