/**
 * An export message that failed every delivery (ExportQueue's maxReceiveCount) lands in the export
 * dead-letter queue. The share of the job it carried is lost: nothing else will coordinate the job
 * or copy that lane, so without this the job would stay RUNNING until the sweeper gives up on it
 * hours later. The dead letter's consumer ends the job FAILED with EXPORT_RETRIES_EXHAUSTED through
 * the worker's own failure path (end-export.ts: unfinished uploads aborted, integration, slot and
 * workers released in one transaction, the platform notified, the next job in line started), but
 * only while the message still belongs to the job as it stands:
 * - a job message names a turn: it is current while the job's turn is not past it (the lease's rule);
 * - a unit message names an attempt: it is current while the job runs that attempt.
 * A restart begins a new attempt at a later turn, so a dead letter of an earlier attempt leaves the
 * restarted job alone. A dead letter delivered again finds the job ended and does nothing.
 */
import { logger } from '#shared/logger';
import { isFinished, type ExportJob } from '#shared/exports/export-job';
import { isUnitMessage, type ExportMessage } from '#shared/exports/export-queue';
import { acquireJobLease, recordFailure } from '#shared/exports/job-lease';
import { loadJob } from '#shared/exports/job-store';
import { failExport } from '#shared/exports/worker/end-export';
import { openContext } from '#shared/exports/worker/export-context';
import type { Invocation } from '#shared/exports/worker/run-export-message';
import { TimeBudget } from '#shared/exports/worker/time-budget';

export const RETRIES_EXHAUSTED = {
  code: 'EXPORT_RETRIES_EXHAUSTED',
  message:
    'The export failed because part of its work kept failing on our side and was given up after repeated ' +
    'attempts. Nothing is wrong with your bucket: request the same export again to restart it; if this ' +
    'repeats, contact support.',
};

/** Why a dead letter asks nothing of its job, or undefined when it still belongs to the job. */
export function staleness(job: ExportJob | undefined, message: ExportMessage): string | undefined {
  if (!job) return 'missing';
  if (isFinished(job.status)) return 'finished';
  // A job waiting for a slot has no message: whatever arrives for it was sent before it waited.
  if (job.waitingSince) return 'stale';
  if (isUnitMessage(message)) return job.status === 'RUNNING' && job.attempt === message.attempt ? undefined : 'stale';
  return job.turn <= message.turn ? undefined : 'stale';
}

/** Thrown when a live invocation holds the job: the dead letter comes back after the queue's visibility timeout. */
export class JobHeldError extends Error {
  constructor() {
    super('The export job is held by a live invocation; its failure is recorded and checked again later.');
    this.name = 'JobHeldError';
  }
}

export async function endDeadLetteredWork(message: ExportMessage, invocation: Invocation): Promise<void> {
  const job = await loadJob(message.projectId, message.jobId);
  const stale = staleness(job, message);
  if (stale || !job) return void logger.info('dead-lettered export message needs no action', { reason: stale });
  const owner = invocation.requestId;
  // No slice cap: this invocation only ends the job, and its lease lasts until its own deadline.
  const budget = new TimeBudget(invocation.remainingMs, 0);
  try {
    const lease = await acquireJobLease(job, {
      owner,
      expiresAt: budget.leaseExpiresAt,
      // A unit message carries no job turn: the job's current one, for the attempt the message names.
      turn: isUnitMessage(message) ? job.turn : message.turn,
      attempt: job.attempt,
    });
    if (lease.kind === 'nothing-to-do')
      return void logger.info('dead-lettered export message needs no action', { reason: lease.reason });
    if (lease.kind === 'busy') {
      // The holder ends the job with the recorded failure when it next looks (coordinate-job.ts).
      await recordFailure(job, RETRIES_EXHAUSTED);
      throw new JobHeldError();
    }
    logger.appendKeys({ integrationId: lease.job.integrationId, attempt: lease.job.attempt });
    const context = await openContext(lease.job, owner, budget);
    await failExport(lease.job, owner, RETRIES_EXHAUSTED, context?.env);
    // failExport counted it (ExportFailuresByCode, code EXPORT_RETRIES_EXHAUSTED).
    logger.warn('export work dead-lettered: job ended FAILED', {
      unit: isUnitMessage(message) ? message.unit : undefined,
    });
  } finally {
    budget.dispose();
  }
}
