/**
 * The job lease: the writes of whoever coordinates an export job (plans it, sends its lanes off,
 * finishes it, ends it). At most one invocation holds it at a time; every write after taking it is
 * conditional on still holding it, so an invocation that lost it (it ran past its deadline,
 * another took over) can change nothing. The copying itself runs under work-unit leases
 * (checkpoints/work-unit.ts). See docs/exports.md for the protocol.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { tableName } from '#shared/table/items';
import { keys } from '#shared/table/keys';
import { loadJob } from '#shared/exports/job-store';
import { isFinished, type ExportJob, type JobFailure } from '#shared/exports/export-job';
import { LeaseLostError } from '#shared/exports/lease-lost';
import type { JobProgress } from '#shared/exports/schemas';

export { LeaseLostError };

export interface JobRef {
  projectId: string;
  jobId: string;
}

export interface JobLeaseRequest {
  owner: string;
  /** When the lease lapses if never released: the invocation's own deadline (plus clock skew). */
  expiresAt: number;
  /** The turn the queue message carries (or the job's current turn, for a worker that finishes the job). */
  turn: number;
  /** A continuation names the invocation that handed over: it may take the lease at once. */
  after?: string;
  /** Only while the job still runs this attempt (a restart begins a new one). */
  attempt?: number;
}

export type JobLeaseOutcome =
  | { kind: 'acquired'; job: ExportJob }
  /** The job ended, or the message belongs to an earlier turn: drop the message. */
  | { kind: 'nothing-to-do'; reason: 'finished' | 'stale' | 'missing' }
  /** Another live invocation holds the job (its own message covers its crash): drop this one. */
  | { kind: 'busy' };

export async function acquireJobLease(ref: JobRef, request: JobLeaseRequest): Promise<JobLeaseOutcome> {
  const now = Date.now();
  const handover = request.after ? ' OR lease.#owner = :after' : '';
  const sameAttempt = request.attempt === undefined ? '' : ' AND attempt = :attempt';
  try {
    const { Attributes } = await dynamodb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.job(ref.projectId, ref.jobId),
        UpdateExpression:
          'SET lease = :lease, leaseEpoch = leaseEpoch + :one, turn = :turn, #status = :running, ' +
          'startedAt = if_not_exists(startedAt, :nowIso), updatedAt = :nowIso',
        // A job waiting for a slot never runs, whatever message arrives for it.
        ConditionExpression:
          `#status IN (:pending, :running) AND turn <= :turn${sameAttempt} AND ` +
          `attribute_not_exists(waitingSince) AND ` +
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
          ...(request.attempt === undefined ? {} : { ':attempt': request.attempt }),
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
  if (job.turn > request.turn || job.waitingSince || (request.attempt !== undefined && job.attempt !== request.attempt))
    return { kind: 'nothing-to-do', reason: 'stale' };
  return { kind: 'busy' };
}

interface HeldUpdate {
  update: string;
  values?: Record<string, unknown>;
  names?: Record<string, string>;
  /** Added to the lease condition with AND. */
  condition?: string;
  returnValues?: boolean;
}

/**
 * A write of the job item by the lease holder. Throws LeaseLostError when the lease (or
 * `condition`) no longer holds.
 */
async function updateHeld(ref: JobRef, owner: string, held: HeldUpdate): Promise<Record<string, unknown> | undefined> {
  try {
    const { Attributes } = await dynamodb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.job(ref.projectId, ref.jobId),
        UpdateExpression: held.update,
        ConditionExpression: `lease.#owner = :owner${held.condition ? ` AND ${held.condition}` : ''}`,
        ExpressionAttributeNames: { '#owner': 'owner', ...held.names },
        ExpressionAttributeValues: { ':owner': owner, ...held.values },
        ReturnValues: held.returnValues ? 'ALL_NEW' : undefined,
      }),
    );
    return Attributes;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError();
    throw error;
  }
}

/** Publishes the finisher's progress for GET .../jobs/{jobId}; also proves the lease is still ours. */
export const saveProgress = (ref: JobRef, owner: string, progress: JobProgress) =>
  updateHeld(ref, owner, {
    update: 'SET progress = :progress, updatedAt = :now',
    values: { ':progress': progress, ':now': new Date().toISOString() },
  });

/** Every lane is done: the finisher has begun. */
export const markFinishing = (ref: JobRef, owner: string) =>
  updateHeld(ref, owner, {
    update: 'SET phase = :finishing, updatedAt = :now',
    values: { ':finishing': 'FINISHING', ':now': new Date().toISOString() },
  });

/** The manifest's completion time: set by the first finisher that writes the manifest, kept by every retry. */
export async function fixCompletedAt(ref: JobRef, owner: string): Promise<string> {
  const written = await updateHeld(ref, owner, {
    update: 'SET completedAt = if_not_exists(completedAt, :now)',
    values: { ':now': new Date().toISOString() },
    returnValues: true,
  });
  return String(written?.completedAt);
}

/**
 * Frees the job lease without handing over a turn (the lanes carry the work on), marking the lanes
 * sent off. Refused when a worker recorded a failure meanwhile: answers false, and the holder ends the job.
 */
export async function releaseJobLease(ref: JobRef, owner: string): Promise<boolean> {
  try {
    await updateHeld(ref, owner, {
      update: 'SET phase = if_not_exists(phase, :copying), updatedAt = :now REMOVE lease',
      values: { ':copying': 'COPYING', ':now': new Date().toISOString() },
      condition: 'attribute_not_exists(failure)',
    });
    return true;
  } catch (error) {
    if (!(error instanceof LeaseLostError)) throw error;
    const job = await loadJob(ref.projectId, ref.jobId);
    if (job?.lease?.owner === owner && job.failure) return false;
    throw error;
  }
}

/**
 * Ends the finisher's turn after its continuation message was sent. If the successor already took
 * over (it may, since the message names us), the condition fails and there is nothing to do.
 */
export async function releaseForContinuation(
  ref: JobRef,
  owner: string,
  next: { turn: number; progress: JobProgress; stalls: number },
) {
  try {
    await updateHeld(ref, owner, {
      update: 'SET turn = :turn, progress = :progress, stalls = :stalls, updatedAt = :now REMOVE lease',
      values: {
        ':turn': next.turn,
        ':progress': next.progress,
        ':stalls': next.stalls,
        ':now': new Date().toISOString(),
      },
    });
  } catch (error) {
    if (!(error instanceof LeaseLostError)) throw error;
  }
}

/**
 * A worker met a failure that ends the job: recorded for whoever holds (or next takes) the job
 * lease, who ends the job with it. The first failure recorded wins; false when the job had one
 * already or no longer runs this attempt.
 */
export async function recordFailure(
  job: Pick<ExportJob, 'projectId' | 'jobId' | 'attempt'>,
  failure: JobFailure,
): Promise<boolean> {
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.job(job.projectId, job.jobId),
        UpdateExpression: 'SET failure = :failure, updatedAt = :now',
        ConditionExpression: '#status = :running AND attempt = :attempt AND attribute_not_exists(failure)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':failure': failure,
          ':now': new Date().toISOString(),
          ':running': 'RUNNING',
          ':attempt': job.attempt,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
