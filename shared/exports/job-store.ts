import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '#shared/aws/dynamodb';
import { config } from '#shared/config';
import { ConflictError } from '#shared/errors';
import { keys, projectPk, sortKeyPrefix } from '#shared/table/keys';
import { decodePageToken, encodePageToken } from '#shared/table/pagination';
import { EMPTY_PROGRESS, type ExportJob } from '#shared/exports/export-job';

/**
 * Creating, restarting, reading and listing export jobs. A job that runs holds its integration:
 * its id joins the integration's `usedBy` set in the same transaction that creates (or restarts)
 * it, on condition that the integration is ACTIVE, so a job never starts on an unusable
 * integration and the integration cannot be deleted under a running job.
 */
const table = () => config().TABLE_NAME;

const integrationNotActive = () =>
  new ConflictError(
    'INTEGRATION_NOT_ACTIVE',
    'The integration is not ACTIVE: validate it (POST .../integrations/{integrationId}/validate) and export again once it is ACTIVE.',
  );

function stripKeys(item: Record<string, unknown>): ExportJob {
  const { pk: _pk, sk: _sk, ...job } = item;
  return job as unknown as ExportJob;
}

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

const reasonsOf = (error: unknown) => (error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : []);

/** Returns false when a job with this (deterministic) id already exists. */
export async function insertJob(job: ExportJob): Promise<boolean> {
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...keys.job(job.projectId, job.jobId), ...job },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          holdIntegration(job),
        ],
      }),
    );
    return true;
  } catch (error) {
    const reasons = reasonsOf(error);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return false;
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw integrationNotActive();
    throw error;
  }
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
  try {
    await dynamodb.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...keys.job(job.projectId, job.jobId), ...restarted },
              ConditionExpression: '#status = :failed AND attempt = :attempt',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':failed': 'FAILED', ':attempt': job.attempt },
            },
          },
          holdIntegration(job),
        ],
      }),
    );
    return restarted;
  } catch (error) {
    const reasons = reasonsOf(error);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') return undefined;
    if (reasons[1]?.Code === 'ConditionalCheckFailed') throw integrationNotActive();
    throw error;
  }
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

export async function getJob(projectId: string, jobId: string): Promise<ExportJob | undefined> {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: table(), Key: keys.job(projectId, jobId), ConsistentRead: true }),
  );
  return Item ? stripKeys(Item) : undefined;
}

export async function listJobs(
  projectId: string,
  page: { limit: number; nextToken?: string },
): Promise<{ items: ExportJob[]; nextToken?: string }> {
  const pk = projectPk(projectId);
  const { Items = [], LastEvaluatedKey } = await dynamodb.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': sortKeyPrefix.job },
      Limit: page.limit,
      ExclusiveStartKey: decodePageToken(page.nextToken, { pk, skPrefix: sortKeyPrefix.job }),
    }),
  );
  return { items: Items.map(stripKeys), nextToken: encodePageToken(LastEvaluatedKey) };
}
