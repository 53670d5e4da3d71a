import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '#shared/config';
import { isTransient, nameOf, statusOf } from '#shared/aws/error-kinds';
import { logger, metrics } from '#shared/logger';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import type { ExportJob } from '#shared/exports/export-job';
import { sendJobMessage, type JobMessage } from '#shared/exports/export-queue';
import { CheckpointWriter } from '#shared/exports/checkpoint-writer';
import { loadCheckpoints, writePlan, type FileCheckpoint } from '#shared/exports/file-store';
import {
  acquireJobLease,
  LeaseLostError,
  markPlanned,
  releaseForContinuation,
  saveProgress,
  type JobRef,
} from '#shared/exports/job-lease';
import type { JobProgress } from '#shared/exports/schemas';
import { copyPendingFiles, type EngineResult } from '#shared/exports/worker/copy-engine';
import { ProgressCounter, type CopyEnv } from '#shared/exports/worker/copy-env';
import { CustomerWrites } from '#shared/exports/worker/customer-writes';
import { CustomerAccessDiagnosis, ExportFailure } from '#shared/exports/worker/export-failure';
import { failExport, succeedExport } from '#shared/exports/worker/finish-export';
import { buildManifest, writeManifest } from '#shared/exports/worker/manifest';
import { planFiles } from '#shared/exports/worker/plan-files';
import { RetriesExhaustedError } from '#shared/exports/worker/retry';
import { TimeBudget } from '#shared/exports/worker/time-budget';
import { filesFailingSizeCheck } from '#shared/exports/worker/verify-export';

/**
 * One invocation's share of an export: take the job's lease, plan the files (first time only),
 * copy what is left until done or out of time, then either finish the job (manifest last) or
 * checkpoint and hand over to a fresh invocation through the queue. See docs/exports.md.
 */
export interface Invocation {
  /** Unique per invocation (the Lambda request id): the lease owner. */
  requestId: string;
  remainingMs: number;
}

/** Invocations in a row without progress (S3 failing transiently) before the job fails. */
const MAX_STALLS = 5;
const HEARTBEAT_MS = 2_000;
const INTEGRATION_GONE = new ExportFailure(
  'INTEGRATION_NOT_ACTIVE',
  'The integration of this export was deleted or is no longer ACTIVE: validate it again and export again.',
);

/**
 * Runs one message. A message that finds the job held by a live invocation is dropped: that
 * invocation's own message is not acknowledged until it hands over or finishes, so if it dies the
 * queue delivers its message again, after the lease has lapsed. Throws only when the work could
 * not even be attempted (the table unreachable, the continuation not queued): the queue then
 * delivers this message again.
 */
export async function runExportSlice(message: JobMessage, invocation: Invocation): Promise<void> {
  const budget = new TimeBudget(invocation.remainingMs, config().EXPORT_SLICE_SECONDS);
  try {
    const lease = await acquireJobLease(message, {
      owner: invocation.requestId,
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
    await new ExportSlice(job, invocation.requestId, budget).run();
  } finally {
    budget.dispose();
  }
}

function progressOf(files: FileCheckpoint[]): JobProgress {
  const copiedParts = (file: FileCheckpoint) =>
    Object.values(file.parts ?? {}).reduce((sum, part) => sum + part.size, 0);
  return {
    objectsTotal: files.length,
    objectsCopied: files.filter((file) => file.state === 'DONE').length,
    bytesTotal: files.reduce((sum, file) => sum + file.size, 0),
    bytesCopied: files.reduce((sum, file) => sum + (file.state === 'DONE' ? file.size : copiedParts(file)), 0),
  };
}

class ExportSlice {
  private readonly ref: JobRef;
  private progress: ProgressCounter;
  private files: FileCheckpoint[] = [];
  private writes: CustomerWrites | undefined;
  private leaseLost = false;

  constructor(
    private readonly job: ExportJob,
    private readonly owner: string,
    private readonly budget: TimeBudget,
  ) {
    this.ref = { projectId: job.projectId, jobId: job.jobId };
    this.progress = new ProgressCounter(job.progress);
  }

  async run(): Promise<void> {
    try {
      await this.work();
    } catch (error) {
      try {
        await this.handle(error);
      } catch (late) {
        if (!(late instanceof LeaseLostError)) throw late;
        logger.warn('export lease lost: another invocation continues the job');
      }
    }
  }

  private async work(): Promise<void> {
    const { job } = this;
    const integration = await loadIntegration(job.projectId, job.integrationId);
    const target = integration && workerTargetOf(integration);
    if (!target) throw INTEGRATION_GONE;
    this.writes = new CustomerWrites(target, job.destination.prefix);
    const attempt = { projectId: job.projectId, jobId: job.jobId, attempt: job.attempt };
    if (job.planned) {
      this.files = await loadCheckpoints(attempt);
    } else {
      this.files = await planFiles(job, this.budget.signal);
      await writePlan(attempt, this.files, job.leaseEpoch);
      await markPlanned(this.ref, this.owner, progressOf(this.files));
      logger.info('export planned', { objects: this.files.length });
    }
    this.progress = new ProgressCounter(progressOf(this.files));
    const env: CopyEnv = {
      source: job.source,
      writes: this.writes,
      access: new CustomerAccessDiagnosis(target),
      checkpoints: new CheckpointWriter(attempt, job.leaseEpoch),
      destinationPrefix: job.destination.prefix,
      progress: this.progress,
      signal: this.budget.signal,
    };
    const bytesBefore = this.progress.current.bytesCopied;
    let result = await this.copy(env);
    if (result.kind === 'all-copied') result = await this.verifySizes(env);
    metrics.addMetric(
      'ExportBytesCopied',
      MetricUnit.Bytes,
      Math.max(0, this.progress.current.bytesCopied - bytesBefore),
    );
    await this.conclude(result, env);
  }

  /** Copies what is left and records what got done, whatever stopped the copy. */
  private async copy(env: CopyEnv): Promise<EngineResult> {
    const result = await this.withHeartbeat(() => copyPendingFiles(this.files, env, this.budget));
    if (result.kind !== 'lease-lost') await env.checkpoints.flush();
    return result;
  }

  /** Files whose copy fails the final size check are copied once more; a second failure is final. */
  private async verifySizes(env: CopyEnv): Promise<EngineResult> {
    for (let round = 0; ; round += 1) {
      const wrong = await filesFailingSizeCheck(env, this.files);
      if (wrong.length === 0) return { kind: 'all-copied' };
      if (round > 0) {
        return {
          kind: 'failed',
          failure: new ExportFailure(
            'VERIFICATION_FAILED',
            'Copied files kept disappearing or changing size in the export folder: something in the bucket changes objects there (a lifecycle rule, replication or another writer). Remove it and export again.',
          ),
        };
      }
      logger.warn('copies failed the size check: copying them again', { files: wrong.length });
      for (const file of wrong) {
        await env.checkpoints.notDone(file);
        this.progress.removeFile(file.size);
        Object.assign(file, { state: 'PENDING', crc32: undefined, upload: undefined, parts: undefined });
      }
      const again = await this.copy(env);
      if (again.kind !== 'all-copied') return again;
    }
  }

  /** Publishes progress every few seconds; losing the lease stops the copy at once. */
  private async withHeartbeat(copy: () => Promise<EngineResult>): Promise<EngineResult> {
    const timer = setInterval(() => {
      saveProgress(this.ref, this.owner, this.progress.current).catch((error: unknown) => {
        if (!(error instanceof LeaseLostError)) return; // a missed heartbeat is harmless; the next one retries
        this.leaseLost = true;
        this.budget.abortNow();
      });
    }, HEARTBEAT_MS);
    try {
      const result = await copy();
      return this.leaseLost ? { kind: 'lease-lost' } : result;
    } finally {
      clearInterval(timer);
    }
  }

  private async conclude(result: EngineResult, env: CopyEnv): Promise<void> {
    switch (result.kind) {
      case 'all-copied': {
        const manifestKey = await writeManifest(env, buildManifest(this.job, this.files, new Date().toISOString()));
        await succeedExport(this.job, this.owner, this.progress.current, manifestKey);
        return;
      }
      case 'out-of-time':
        return this.continueLater(false);
      case 'interrupted':
        this.logInterruption(result.cause);
        return this.continueLater(!this.progress.advanced);
      case 'failed':
        return this.fail(result.failure);
      case 'crashed':
        return this.fail(internalFailure());
      case 'lease-lost':
        logger.warn('export lease lost: another invocation continues the job');
        return;
    }
  }

  private async handle(error: unknown): Promise<void> {
    if (error instanceof LeaseLostError) {
      logger.warn('export lease lost: another invocation continues the job');
      return;
    }
    if (error instanceof ExportFailure) return this.fail(error);
    if (error instanceof RetriesExhaustedError || isTransient(error) || this.budget.signal.aborted) {
      this.logInterruption(error);
      return this.continueLater(!this.progress.advanced);
    }
    logger.error('export failed unexpectedly', { error: error as Error });
    return this.fail(internalFailure());
  }

  /**
   * Hands the job to a fresh invocation. The message goes out first and names this invocation, so
   * the successor may take over even before the release below lands; if this invocation dies in
   * between, the successor still takes over. A stalled job waits longer each time.
   */
  private async continueLater(stalled: boolean): Promise<void> {
    const stalls = stalled ? this.job.stalls + 1 : 0;
    if (stalls > MAX_STALLS) {
      return this.fail(
        new ExportFailure(
          'S3_UNAVAILABLE',
          'The export kept failing with temporary S3 errors and gave up. Export the backup again later.',
        ),
      );
    }
    const progress = this.progress.current;
    const turn = this.job.turn + 1;
    await sendJobMessage(
      { projectId: this.job.projectId, jobId: this.job.jobId, turn, after: this.owner },
      stalled ? 15 * 2 ** stalls : 0,
    );
    await releaseForContinuation(this.ref, this.owner, { turn, progress, stalls });
    logger.info('export continues in a fresh invocation', {
      objectsCopied: progress.objectsCopied,
      bytesCopied: progress.bytesCopied,
      stalls,
    });
    metrics.addMetric('ExportContinuations', MetricUnit.Count, 1);
  }

  /** Names and statuses only: AWS messages may echo keys of the customer's bucket. */
  private logInterruption(cause: unknown): void {
    if (this.budget.signal.aborted && !this.leaseLost) {
      logger.info('export invocation reached its deadline: work in flight was aborted and will be redone');
      return;
    }
    const last = cause instanceof RetriesExhaustedError ? cause.lastError : cause;
    logger.warn('export interrupted by transient errors', { error: nameOf(last), status: statusOf(last) });
  }

  private async fail(failure: ExportFailure): Promise<void> {
    await failExport(this.job, this.owner, this.progress.current, failure, { files: this.files, writes: this.writes });
  }
}

const internalFailure = () =>
  new ExportFailure(
    'EXPORT_INTERNAL_ERROR',
    'The export failed because of an error on our side. Export the backup again; if this repeats, contact support.',
  );
