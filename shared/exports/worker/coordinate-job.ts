/**
 * What the job lease's holder does, by the job's state (docs/exports.md#one-job-k-lanes):
 * - a failure recorded by a worker: end the job FAILED with it;
 * - not planned: plan it (plan-export.ts);
 * - planned, lanes not yet all done: send lanes 1..K-1 off (the first time), free the job lease,
 *   and work lane 0 itself, so a small export runs start to end in one invocation;
 * - every lane done: finish (finish-export.ts), handing over to a fresh invocation when time is up.
 * Whoever holds the lease, and however it got it (a job message, or the worker whose lane finished
 * last), runs this same function.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { isTransient, nameOf, statusOf } from '#shared/aws/error-kinds';
import { logger, metrics } from '#shared/logger';
import type { ExportJob, JobFailure } from '#shared/exports/export-job';
import { sendExportMessages, sendJobMessage } from '#shared/exports/export-queue';
import { loadJob } from '#shared/exports/job-store';
import { recordFailure, releaseForContinuation, releaseJobLease, acquireJobLease } from '#shared/exports/job-lease';
import { LeaseLostError } from '#shared/exports/lease-lost';
import { failExport, succeedExport } from '#shared/exports/worker/end-export';
import { ExportFailure } from '#shared/exports/worker/export-failure';
import { INTEGRATION_GONE, openContext, type ExportContext } from '#shared/exports/worker/export-context';
import { finishExport } from '#shared/exports/worker/finish-export';
import { Lane, MAX_STALLS, s3Unavailable, type LaneEnd } from '#shared/exports/worker/lane';
import { planExport } from '#shared/exports/worker/plan-export';
import { RetriesExhaustedError } from '#shared/exports/worker/retry';
import type { TimeBudget } from '#shared/exports/worker/time-budget';
import type { EngineResult } from '#shared/exports/worker/copy-engine';

export const internalFailure = () =>
  new ExportFailure(
    'EXPORT_INTERNAL_ERROR',
    'The export failed because of an error on our side. Export the backup again; if this repeats, contact support.',
  );

/** Runs the coordinator's share for a job whose lease `owner` holds. */
export async function coordinateJob(job: ExportJob, owner: string, budget: TimeBudget): Promise<void> {
  try {
    if (job.failure) return await failExport(job, owner, job.failure, (await openContext(job, owner, budget))?.env);
    const context = await openContext(job, owner, budget);
    if (!context) return await failExport(job, owner, INTEGRATION_GONE());
    await coordinate(context);
  } catch (error) {
    await onCoordinatorError(job, owner, budget, error);
  }
}

async function coordinate(context: ExportContext): Promise<void> {
  let { job } = context;
  if (!job.planned) job = context.job = await planExport(context);
  const workers = job.workers ?? 1;
  if ((job.lanesDone ?? 0) < workers && job.phase !== 'FINISHING') {
    if (job.phase === undefined) {
      const lanes = Array.from({ length: workers - 1 }, (_, index) => index + 1);
      await sendExportMessages(
        lanes.map((unit) => ({ projectId: job.projectId, jobId: job.jobId, attempt: job.attempt, unit, turn: 0 })),
      );
    }
    if (!(await releaseJobLease(job, context.owner))) {
      const failed = await loadJob(job.projectId, job.jobId);
      return failExport(job, context.owner, failed?.failure ?? internalFailure(), context.env);
    }
    // Lane 0 goes with the job's own message: if this invocation dies, that message brings it back here.
    const first = await Lane.walkFrom(context, 0);
    if (first) await afterLane(context, await new Lane(context).run(first));
    return;
  }
  await finish(context);
}

async function finish(context: ExportContext): Promise<void> {
  const { job, owner } = context;
  const result = await finishExport(context);
  if (result.kind === 'succeeded') return succeedExport(job, owner, result.progress, result.manifestKey);
  if (result.kind === 'units-pending') {
    logger.info('export lanes counted done while a unit still runs: its lane finishes the job');
    await releaseJobLease(job, owner);
    return;
  }
  return concludeFinisher(context, result);
}

async function concludeFinisher(context: ExportContext, result: EngineResult): Promise<void> {
  const { job, owner } = context;
  switch (result.kind) {
    case 'all-copied':
    case 'out-of-time':
      return continueLater(context, false);
    case 'interrupted':
      return continueLater(context, true);
    case 'failed':
      return failExport(job, owner, result.failure, context.env);
    case 'crashed':
      return failExport(job, owner, internalFailure(), context.env);
    default:
      logger.warn('export lease lost: another invocation continues the job');
  }
}

/**
 * Hands the job lease to a fresh invocation (the finisher's time is up, or the coordinator met
 * transient errors): the message goes first and names this one. A stalled job waits longer each time.
 */
async function continueLater(context: ExportContext, stalled: boolean): Promise<void> {
  const { job, owner } = context;
  const stalls = stalled ? job.stalls + 1 : 0;
  if (stalls > MAX_STALLS) return failExport(job, owner, s3Unavailable(), context.env);
  const turn = job.turn + 1;
  await sendJobMessage(
    { projectId: job.projectId, jobId: job.jobId, turn, after: owner },
    stalled ? 15 * 2 ** stalls : 0,
  );
  await releaseForContinuation(job, owner, { turn, progress: job.progress, stalls });
  logger.info('export coordinator continues in a fresh invocation', { stalls });
  metrics.addMetric('ExportContinuations', MetricUnit.Count, 1);
}

async function onCoordinatorError(job: ExportJob, owner: string, budget: TimeBudget, error: unknown): Promise<void> {
  if (error instanceof LeaseLostError)
    return void logger.warn('export lease lost: another invocation continues the job');
  const env = (await openContext(job, owner, budget).catch(() => undefined))?.env;
  if (error instanceof ExportFailure) return failExport(job, owner, error, env);
  if (error instanceof RetriesExhaustedError || isTransient(error) || budget.signal.aborted) {
    const last = error instanceof RetriesExhaustedError ? error.lastError : error;
    logger.warn('export coordinator interrupted by transient errors', { error: nameOf(last), status: statusOf(last) });
    const context = await openContext(job, owner, budget);
    if (context) return continueLater(context, true);
    return;
  }
  logger.error('export failed unexpectedly', { error: error as Error });
  return failExport(job, owner, internalFailure(), env);
}

/**
 * After a lane's invocation: a lane that has nothing left may be the last one, and then it takes
 * the job lease and finishes the job itself; a lane stopped by a failure records it and, if it can
 * take the job lease, ends the job with it (otherwise the lease's holder does).
 */
export async function afterLane(context: ExportContext, end: LaneEnd): Promise<void> {
  if (end.kind === 'handed-over') return;
  if (end.kind === 'lane-done') return takeOverJob(context);
  const { result } = end;
  if (result.kind === 'failed')
    return reportFailure(context, {
      code: result.failure.code,
      message: result.failure.message,
      stage: result.failure.stage,
    });
  if (result.kind === 'crashed')
    return reportFailure(context, { code: internalFailure().code, message: internalFailure().message });
  logger.info('export lane stopped', { reason: result.kind });
}

/** The part of a context a report needs (an integration that is gone gives no more). */
type Reporter = Pick<ExportContext, 'job' | 'owner' | 'budget'>;

export async function reportFailure(context: Reporter, failure: JobFailure): Promise<void> {
  await recordFailure(context.job, failure);
  await takeOverJob(context, true);
}

/**
 * Takes the job lease at the job's current turn and coordinates, when there is something to do:
 * every lane done, or a failure.
 */
async function takeOverJob(context: Reporter, failed = false): Promise<void> {
  const current = await loadJob(context.job.projectId, context.job.jobId);
  if (!current || current.status !== 'RUNNING' || current.attempt !== context.job.attempt) return;
  if (!failed && !current.failure && (current.lanesDone ?? 0) < (current.workers ?? 1)) return;
  const lease = await acquireJobLease(current, {
    owner: context.owner,
    expiresAt: context.budget.leaseExpiresAt,
    turn: current.turn,
  });
  if (lease.kind !== 'acquired') return;
  await coordinateJob(lease.job, context.owner, context.budget);
}
