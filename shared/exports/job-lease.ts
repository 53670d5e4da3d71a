import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { keys } from '#shared/table/keys';
import { loadJob } from '#shared/exports/job-store';
import { isFinished, type ExportJob } from '#shared/exports/export-job';
import { releaseSlot } from '#shared/exports/export-slots';
import type { JobError, JobProgress } from '#shared/exports/schemas';

/**
 * The worker's writes to the job item. Every write after taking the lease is conditional on still
 * holding it, so an invocation that lost its lease (it ran past its deadline, another took over)
 * can change nothing. See docs/exports.md for the protocol.
 */
const table = () => config().TABLE_NAME;

export interface JobRef {
  projectId: string;
  jobId: string;
}

export interface LeaseRequest {
  owner: string;
  /** When the lease lapses if never released: the invocation's own deadline (plus clock skew). */
  expiresAt: number;
  /** The turn the queue message carries. */
  turn: number;
  /** A continuation names the invocation that handed over: it may take the lease at once. */
  after?: string;
}

export type LeaseOutcome =
  | { kind: 'acquired'; job: ExportJob }
  /** The job ended, or the message belongs to an earlier turn: drop the message. */
  | { kind: 'nothing-to-do'; reason: 'finished' | 'stale' | 'missing' }
  /** Another live invocation holds the job (its own message covers its crash): drop this one. */
  | { kind: 'busy' };

export async function acquireJobLease(ref: JobRef, request: LeaseRequest): Promise<LeaseOutcome> {
  const now = Date.now();
  const handover = request.after ? ' OR lease.#owner = :after' : '';
  try {
    const { Attributes } = await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.job(ref.projectId, ref.jobId),
        UpdateExpression:
          'SET lease = :lease, leaseEpoch = leaseEpoch + :one, turn = :turn, #status = :running, ' +
          'startedAt = if_not_exists(startedAt, :nowIso), updatedAt = :nowIso',
        // A job waiting for a slot never runs, whatever message arrives for it.
        ConditionExpression:
          `#status IN (:pending, :running) AND turn <= :turn AND attribute_not_exists(waitingSince) AND ` +
          `(attribute_not_exists(lease) OR lease.expiresAt < :now${handover})`,
        ExpressionAttributeNames: { '#status': 'status', ...(request.after ? { '#owner': 'owner' } : {}) },
        ExpressionAttributeValues: {
          ':lease': { owner: request.owner, expiresAt: request.expiresAt },
          ':one': 1,
          ':turn': request.turn,
          ':running': 'RUNNING',
          ':pending': 'PENDING',
          ':now': now,
          ':nowIso': new Date(now).toISOString(),
          ...(request.after ? { ':after': request.after } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const { pk: _pk, sk: _sk, ...job } = Attributes ?? {};
    return { kind: 'acquired', job: job as unknown as ExportJob };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const job = await loadJob(ref.projectId, ref.jobId);
  if (!job) return { kind: 'nothing-to-do', reason: 'missing' };
  if (isFinished(job.status)) return { kind: 'nothing-to-do', reason: 'finished' };
  if (job.turn > request.turn || job.waitingSince) return { kind: 'nothing-to-do', reason: 'stale' };
  return { kind: 'busy' };
}

/** Thrown when a write finds that this invocation no longer holds the lease. */
export class LeaseLostError extends Error {
  constructor() {
    super('The export job lease was lost: another invocation owns the job now.');
    this.name = 'LeaseLostError';
  }
}

async function updateHeld(
  ref: JobRef,
  owner: string,
  update: string,
  values: Record<string, unknown>,
  names: Record<string, string> = {},
) {
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.job(ref.projectId, ref.jobId),
        UpdateExpression: update,
        ConditionExpression: 'lease.#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner', ...names },
        ExpressionAttributeValues: { ':owner': owner, ...values },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError();
    throw error;
  }
}

/** The plan is written: from now on the checkpoint items are the truth about what is left. */
export const markPlanned = (ref: JobRef, owner: string, progress: JobProgress) =>
  updateHeld(ref, owner, 'SET planned = :true, progress = :progress, updatedAt = :now', {
    ':true': true,
    ':progress': progress,
    ':now': new Date().toISOString(),
  });

/** Publishes progress for GET .../jobs/{jobId}; also proves the lease is still ours. */
export const saveProgress = (ref: JobRef, owner: string, progress: JobProgress) =>
  updateHeld(ref, owner, 'SET progress = :progress, updatedAt = :now', {
    ':progress': progress,
    ':now': new Date().toISOString(),
  });

/**
 * Ends this invocation's turn after the continuation message was sent. If the successor already
 * took over (it may, since the message names us), the condition fails and there is nothing to do.
 */
export async function releaseForContinuation(
  ref: JobRef,
  owner: string,
  next: { turn: number; progress: JobProgress; stalls: number },
) {
  try {
    await updateHeld(
      ref,
      owner,
      'SET turn = :turn, progress = :progress, stalls = :stalls, updatedAt = :now REMOVE lease',
      {
        ':turn': next.turn,
        ':progress': next.progress,
        ':stalls': next.stalls,
        ':now': new Date().toISOString(),
      },
    );
  } catch (error) {
    if (!(error instanceof LeaseLostError)) throw error;
  }
}

/** The transaction item that takes the job's id out of its integration's `usedBy`. */
export const releaseIntegration = (job: Pick<ExportJob, 'projectId' | 'integrationId' | 'jobId'>) => ({
  Update: {
    TableName: table(),
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

/**
 * Ends the job and releases its integration and its export slot in one transaction, so the
 * integration is in use, and the slot taken, exactly while the job runs. Only the lease holder can
 * end it.
 */
export async function finishJob(job: ExportJob, owner: string, outcome: JobOutcome): Promise<void> {
  const now = new Date().toISOString();
  const values: Record<string, unknown> = { ':status': outcome.status, ':progress': outcome.progress, ':now': now };
  let set = 'SET #status = :status, progress = :progress, endedAt = :now, updatedAt = :now';
  if (outcome.status === 'SUCCEEDED') {
    set += ', manifestKey = :manifest';
    values[':manifest'] = outcome.manifestKey;
  } else {
    set += ', #error = :error';
    values[':error'] = outcome.error;
  }
  const names: Record<string, string> = { '#status': 'status', '#owner': 'owner' };
  if (outcome.status === 'FAILED') names['#error'] = 'error';
  values[':owner'] = owner;
  const endJob = {
    Update: {
      TableName: table(),
      Key: keys.job(job.projectId, job.jobId),
      UpdateExpression: `${set} REMOVE lease`,
      ConditionExpression: 'lease.#owner = :owner',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
  try {
    await dynamodb.send(
      new TransactWriteCommand({ TransactItems: [endJob, releaseIntegration(job), releaseSlot(job)] }),
    );
  } catch (error) {
    const reasons = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new LeaseLostError();
    // The integration is gone (it cannot be deleted while held, but an operator may have): end the job alone.
    if (reasons[1]?.Code === 'ConditionalCheckFailed') {
      await dynamodb.send(new TransactWriteCommand({ TransactItems: [endJob, releaseSlot(job)] }));
      return;
    }
    throw error;
  }
}
