/**
 * How many workers copy one export at once (K), and the plan's commit that fixes it.
 *
 * K follows the backup's size: one worker per EXPORT_GIB_PER_WORKER GiB (default 4), at least one,
 * and never more units than there are. A project's running exports share a budget of
 * MAX_EXPORT_WORKERS_PER_PROJECT workers (default 32), kept as `workersHeld` on the project's
 * EXPORT_SLOTS item: a job reserves its K when its plan is committed and gives it back when it ends
 * (with its slot, job-end.ts). So that every other job of the project also finds a worker, a job
 * leaves one for each of the project's other slots that holds none yet: a free slot, or one taken
 * by a job not planned yet. With the defaults (4 slots) a lone export gets at most 29 workers and a
 * project never uses more than 32, or one per running job if the budget is set below the slot count.
 */
import { config } from '#shared/config';
import { cancellationReasons, tableName } from '#shared/table/items';
import { keys } from '#shared/table/keys';
import type { ExportJob } from '#shared/exports/export-job';
import { loadSlots } from '#shared/exports/export-slots';
import { loadJob } from '#shared/exports/job-store';
import { LeaseLostError } from '#shared/exports/lease-lost';
import { transactWithRetries } from '#shared/exports/checkpoints/transact';
import type { JobProgress } from '#shared/exports/schemas';

const GiB = 1024 ** 3;

/** The workers an export of `totalBytes` asks for, before the project's budget. */
export const workersWanted = (totalBytes: number) =>
  Math.max(1, Math.ceil(totalBytes / (config().EXPORT_GIB_PER_WORKER * GiB)));

interface WorkerBudget {
  /** What the budget allows this job. */
  allowed: number;
  /** The reservations as read (the commit is conditional on them being unchanged). */
  seen: number;
}

/**
 * What the project's budget allows `job`. The other running jobs that committed a plan hold their
 * workers in `seen`; every other slot (free, or taken by a job still to plan) keeps one worker back.
 */
export async function workerBudget(job: Pick<ExportJob, 'projectId' | 'jobId'>): Promise<WorkerBudget> {
  const slots = await loadSlots(job.projectId);
  const seen = slots?.workersHeld ?? 0;
  const others = [...(slots?.running ?? [])].filter((jobId) => jobId !== job.jobId);
  const planned = (await Promise.all(others.map((jobId) => loadJob(job.projectId, jobId)))).filter(
    (other) => other?.planned && other.workers !== undefined,
  ).length;
  const slotsWithoutWorkers = Math.max(0, config().MAX_RUNNING_EXPORTS_PER_PROJECT - 1 - planned);
  return { allowed: Math.max(1, config().MAX_EXPORT_WORKERS_PER_PROJECT - seen - slotsWithoutWorkers), seen };
}

export interface PlanCommit {
  workers: number;
  units: number;
  progress: JobProgress;
}

/**
 * Marks the job planned, with its K and unit count, and reserves its K from the project's budget,
 * in one transaction. False when the budget changed since `budget` was read (read it again and
 * decide K again); LeaseLostError when the lease is gone.
 */
export async function commitPlan(
  job: ExportJob,
  owner: string,
  commit: PlanCommit,
  budget: WorkerBudget,
): Promise<boolean> {
  const markPlanned = {
    Update: {
      TableName: tableName(),
      Key: keys.job(job.projectId, job.jobId),
      UpdateExpression:
        'SET planned = :true, workers = :workers, units = :units, lanesDone = :zero, ' +
        'progress = :progress, updatedAt = :now',
      ConditionExpression: 'lease.#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':true': true,
        ':workers': commit.workers,
        ':units': commit.units,
        ':zero': 0,
        ':progress': commit.progress,
        ':now': new Date().toISOString(),
        ':owner': owner,
      },
    },
  };
  const reserve = {
    Update: {
      TableName: tableName(),
      Key: keys.exportSlots(job.projectId),
      UpdateExpression: 'ADD workersHeld :workers',
      ConditionExpression:
        budget.seen === 0 ? 'attribute_not_exists(workersHeld) OR workersHeld = :seen' : 'workersHeld = :seen',
      ExpressionAttributeValues: { ':workers': commit.workers, ':seen': budget.seen },
    },
  };
  try {
    await transactWithRetries([markPlanned, reserve]);
    return true;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons[0]?.Code === 'ConditionalCheckFailed') throw new LeaseLostError();
    if (reasons[1]?.Code === 'ConditionalCheckFailed') return false;
    throw error;
  }
}
