/**
 * How a job ends for good, in one transaction with everything it held: its integration (`usedBy`),
 * its project's export slot and the workers it reserved (export-slots.ts). Only the job lease's
 * holder can end it, so the integration is in use, and the slot taken, exactly while the job runs.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { tableName } from '#shared/table/items';
import { keys } from '#shared/table/keys';
import type { ExportJob } from '#shared/exports/export-job';
import { releaseSlot } from '#shared/exports/export-slots';
import { loadJob } from '#shared/exports/job-store';
import { LeaseLostError } from '#shared/exports/lease-lost';
import type { JobError, JobProgress } from '#shared/exports/schemas';
import { publishJobFinished } from '#shared/notifications/publish';

/** The transaction item that takes the job's id out of its integration's `usedBy`. */
export const releaseIntegration = (job: Pick<ExportJob, 'projectId' | 'integrationId' | 'jobId'>) => ({
  Update: {
    TableName: tableName(),
    Key: keys.integration(job.projectId, job.integrationId),
    UpdateExpression: 'DELETE usedBy :job',
    // Never create an item: an update of a missing key would write a stub integration.
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':job': new Set([job.jobId]) },
  },
});

export type JobOutcome =
  | { status: 'SUCCEEDED'; progress: JobProgress; manifestKey: string }
  | { status: 'FAILED'; progress: JobProgress; error: JobError };

/** What the job-finished notification says of an outcome: the status, and the code of a failure. */
const notifiedOutcome = (outcome: JobOutcome) =>
  outcome.status === 'SUCCEEDED' ? { status: outcome.status } : { status: outcome.status, code: outcome.error.code };

/**
 * Ends the job for good (only the job lease's holder can), then tells the platform (notifications).
 * The workers given back are those the stored attempt reserved, not those of the caller's copy of
 * the job, which may predate the plan's commit; only the lease's holder commits a plan, so they
 * cannot change between this read and the transaction.
 */
export async function finishJob(job: ExportJob, owner: string, outcome: JobOutcome): Promise<void> {
  const stored = await loadJob(job.projectId, job.jobId);
  if (stored?.lease?.owner !== owner) throw new LeaseLostError();
  const slot = releaseSlot(stored);
  const now = new Date().toISOString();
  const values: Record<string, unknown> = {
    ':status': outcome.status,
    ':progress': outcome.progress,
    ':now': now,
    ':owner': owner,
  };
  const names: Record<string, string> = { '#status': 'status', '#owner': 'owner' };
  let set = 'SET #status = :status, progress = :progress, endedAt = :now, updatedAt = :now';
  if (outcome.status === 'SUCCEEDED') {
    set += ', manifestKey = :manifest';
    values[':manifest'] = outcome.manifestKey;
  } else {
    set += ', #error = :error';
    values[':error'] = outcome.error;
    names['#error'] = 'error';
  }
  const endJob = {
    Update: {
      TableName: tableName(),
      Key: keys.job(job.projectId, job.jobId),
      UpdateExpression: `${set} REMOVE lease, failure`,
      ConditionExpression: 'lease.#owner = :owner',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
  try {
    await dynamodb.send(new TransactWriteCommand({ TransactItems: [endJob, releaseIntegration(job), slot] }));
    await publishJobFinished(job, notifiedOutcome(outcome));
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new LeaseLostError();
    // The integration is gone (it cannot be deleted while held, but an operator may have): end the job alone.
    if (reasons[1]?.Code === 'ConditionalCheckFailed') {
      await dynamodb.send(new TransactWriteCommand({ TransactItems: [endJob, slot] }));
      await publishJobFinished(job, notifiedOutcome(outcome));
      return;
    }
    throw error;
  }
}
