/**
 * One export queue message, in one invocation: a job message takes the job lease and coordinates
 * (coordinate-job.ts); a unit message takes its unit's lease and runs that unit's lane (lane.ts).
 * A message that finds its work held by a live invocation is dropped: that invocation's own message
 * is not acknowledged until it hands over or finishes, so if it dies the queue delivers its message
 * again, after the lease has lapsed. Throws only when the work could not even be attempted (the
 * table unreachable, a continuation not queued): the queue then delivers this message again.
 */
import { config } from '#shared/config';
import { logger } from '#shared/logger';
import { WorkUnit } from '#shared/exports/checkpoints/work-unit';
import { nextInLane } from '#shared/exports/checkpoints/unit-ranges';
import { isUnitMessage, type ExportMessage, type JobMessage, type UnitMessage } from '#shared/exports/export-queue';
import { loadJob } from '#shared/exports/job-store';
import { acquireJobLease } from '#shared/exports/job-lease';
import { LeaseLostError } from '#shared/exports/lease-lost';
import { JobNoLongerRunningError } from '#shared/exports/checkpoints/work-unit';
import { afterLane, coordinateJob, reportFailure } from '#shared/exports/worker/coordinate-job';
import { openContext, INTEGRATION_GONE } from '#shared/exports/worker/export-context';
import { Lane } from '#shared/exports/worker/lane';
import { TimeBudget } from '#shared/exports/worker/time-budget';

export interface Invocation {
  /** Unique per invocation and message (the Lambda request id and the message id): every lease's owner. */
  requestId: string;
  remainingMs: number;
}

export async function runExportMessage(message: ExportMessage, invocation: Invocation): Promise<void> {
  const budget = new TimeBudget(invocation.remainingMs, config().EXPORT_SLICE_SECONDS);
  try {
    if (isUnitMessage(message)) await runUnitMessage(message, invocation.requestId, budget);
    else await runJobMessage(message, invocation.requestId, budget);
  } finally {
    budget.dispose();
  }
}

async function runJobMessage(message: JobMessage, owner: string, budget: TimeBudget): Promise<void> {
  const lease = await acquireJobLease(message, {
    owner,
    expiresAt: budget.leaseExpiresAt,
    turn: message.turn,
    after: message.after,
  });
  if (lease.kind !== 'acquired') {
    logger.info('export message needs no work', {
      jobId: message.jobId,
      reason: lease.kind === 'busy' ? 'held' : lease.reason,
    });
    return;
  }
  const { job } = lease;
  logger.appendKeys({
    jobId: job.jobId,
    projectId: job.projectId,
    integrationId: job.integrationId,
    attempt: job.attempt,
    turn: job.turn,
  });
  await coordinateJob(job, owner, budget);
}

async function runUnitMessage(message: UnitMessage, owner: string, budget: TimeBudget): Promise<void> {
  const job = await loadJob(message.projectId, message.jobId);
  if (!job || job.status !== 'RUNNING' || job.attempt !== message.attempt || !job.planned) {
    logger.info('export message needs no work', { jobId: message.jobId, unit: message.unit, reason: 'stale' });
    return;
  }
  logger.appendKeys({
    jobId: job.jobId,
    projectId: job.projectId,
    integrationId: job.integrationId,
    attempt: job.attempt,
    unit: message.unit,
  });
  const context = await openContext(job, owner, budget);
  if (!context)
    return reportFailure(
      { job, owner, budget },
      { code: INTEGRATION_GONE().code, message: INTEGRATION_GONE().message },
    );
  if (job.failure) return reportFailure(context, job.failure);
  const taken = await WorkUnit.take(context.attempt, message.unit, {
    owner,
    expiresAt: budget.leaseExpiresAt,
    turn: message.turn,
    after: message.after,
  });
  let first = taken.kind === 'taken' ? taken.unit : undefined;
  // Done already (a duplicate, or a redelivery after the lane moved on): walk on along the lane.
  if (taken.kind === 'done')
    first = await Lane.walkFrom(context, nextInLane(message.unit, job.workers ?? 1, job.units ?? 0));
  if (!first) {
    if (taken.kind === 'done') await afterLane(context, { kind: 'lane-done' });
    else
      logger.info('export message needs no work', {
        unit: message.unit,
        reason: taken.kind === 'busy' ? 'held' : 'stale',
      });
    return;
  }
  try {
    await afterLane(context, await new Lane(context).run(first));
  } catch (error) {
    if (error instanceof LeaseLostError || error instanceof JobNoLongerRunningError)
      return void logger.info('export lane stopped', { reason: error.name });
    throw error;
  }
}
