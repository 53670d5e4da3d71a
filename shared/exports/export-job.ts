/**
 * An export job as stored. Besides what the API shows it carries the machinery that makes a long
 * export safe to run across many Lambda invocations:
 * - `attempt`: a FAILED job that is requested again restarts as a new attempt with fresh checkpoints;
 * - `turn`: which queue message may work on the job now (older messages are stale duplicates);
 * - `lease` + `leaseEpoch`: at most one invocation works on the job at a time, and writes of an
 *   invocation that lost its lease are refused (fencing by epoch);
 * - `planned`: the plan (file groups, work units, uploads) is written, and `workers` (K) and
 *   `units` fixed; `phase` says whether the K lanes were sent off and whether the finisher began;
 * - `lanesDone`: how many lanes finished their last unit (the finisher starts at K);
 * - `failure`: a permanent failure a worker met, which the job lease's next holder ends the job with;
 * - `stalls`: invocations in a row that made no progress because S3 kept failing transiently.
 * Every optional field belongs to one attempt: a restart starts from the job's identity alone
 * (nextAttempt), so nothing an attempt set as it ran (its K, phase, lanes done, failure, manifest
 * time) reaches the next one.
 */
import type { JobError, JobProgress, JobStatus, JobView } from '#shared/exports/schemas';

export interface ExportJob {
  jobId: string;
  type: 'BACKUP_EXPORT';
  status: JobStatus;
  projectId: string;
  clusterId: string;
  backupId: string;
  integrationId: string;
  directory: string;
  trigger: 'API' | 'AUTO_EXPORT_RULE';
  /** The platform's backup location (never shown to callers: it names platform buckets). */
  source: { bucket: string; prefix: string; region: string };
  destination: { bucket: string; prefix: string };
  progress: JobProgress;
  manifestKey?: string;
  error?: JobError;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  endedAt?: string;
  createdBy: string;
  attempt: number;
  turn: number;
  planned: boolean;
  /** K: the lanes (workers at once) of this attempt; set with `planned`. */
  workers?: number;
  /** How many work units the plan has; set with `planned`. */
  units?: number;
  lanesDone?: number;
  /** COPYING once the lanes were sent off; FINISHING once every lane is done and the finisher began. */
  phase?: 'COPYING' | 'FINISHING';
  failure?: JobFailure;
  /** The manifest's `completedAt`, fixed the first time the manifest is written, so a retry writes the same bytes. */
  completedAt?: string;
  stalls: number;
  lease?: JobLease;
  leaseEpoch: number;
  /** Set while the job waits for one of its project's export slots (export-slots.ts); no message exists meanwhile. */
  waitingSince?: string;
}

/** A permanent failure met by one of the job's workers; `stage` when the customer's side is at fault. */
export interface JobFailure {
  code: string;
  message: string;
  stage?: string;
}

export interface JobLease {
  /** The invocation holding the lease (its Lambda request id). */
  owner: string;
  /** Epoch milliseconds; after this the holder is presumed dead (its Lambda deadline has passed). */
  expiresAt: number;
}

export const EMPTY_PROGRESS: JobProgress = { objectsTotal: 0, objectsCopied: 0, bytesTotal: 0, bytesCopied: 0 };

/**
 * A FAILED job's next attempt, PENDING: what the job is (its identity, destination, creation) and
 * the counters that must only grow (`turn`, so the old attempt's messages are stale; `leaseEpoch`,
 * for fencing) are kept; everything else starts afresh. Built from the kept fields rather than by
 * clearing the others, so a field added later belongs to one attempt unless it is listed here.
 */
export function nextAttempt(job: ExportJob, now: string): ExportJob {
  return {
    jobId: job.jobId,
    type: job.type,
    projectId: job.projectId,
    clusterId: job.clusterId,
    backupId: job.backupId,
    integrationId: job.integrationId,
    directory: job.directory,
    trigger: job.trigger,
    source: job.source,
    destination: job.destination,
    createdAt: job.createdAt,
    createdBy: job.createdBy,
    leaseEpoch: job.leaseEpoch,
    status: 'PENDING',
    attempt: job.attempt + 1,
    turn: job.turn + 1,
    planned: false,
    stalls: 0,
    progress: EMPTY_PROGRESS,
    updatedAt: now,
  };
}

export const isFinished = (status: JobStatus) => status === 'SUCCEEDED' || status === 'FAILED';

export function toJobView(job: ExportJob): JobView {
  return {
    jobId: job.jobId,
    type: job.type,
    status: job.status,
    projectId: job.projectId,
    clusterId: job.clusterId,
    backupId: job.backupId,
    integrationId: job.integrationId,
    trigger: job.trigger,
    progress: job.progress,
    destination: job.destination,
    manifestKey: job.manifestKey,
    error: job.error,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
  };
}
