/** How an export ends for good: succeeded with its manifest, or failed with a code the customer can act on. */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import { markIntegrationFailed } from '#shared/integrations/mark-failed';
import type { ExportJob } from '#shared/exports/export-job';
import { startWaitingJobs } from '#shared/exports/export-slots';
import { finishJob } from '#shared/exports/job-end';
import type { JobProgress } from '#shared/exports/schemas';
import type { CopyEnv } from '#shared/exports/worker/copy-env';
import type { ExportFailure } from '#shared/exports/worker/export-failure';
import { abortUploadsNotKept } from '#shared/exports/worker/orphan-uploads';
import type { StageName } from '#shared/validation/failures';

const secondsSince = (iso: string) => Math.max(0, (Date.now() - Date.parse(iso)) / 1000);

/** The slot this job gave back goes to the next job in its project's line (the sweeper retries a failure). */
async function startNextInLine(job: ExportJob): Promise<void> {
  try {
    await startWaitingJobs(job.projectId);
  } catch (error) {
    logger.warn('could not start the next waiting export; the sweeper will', { error: (error as Error).name });
  }
}

export async function succeedExport(
  job: ExportJob,
  owner: string,
  progress: JobProgress,
  manifestKey: string,
): Promise<void> {
  await finishJob(job, owner, { status: 'SUCCEEDED', progress, manifestKey });
  await startNextInLine(job);
  logger.info('export succeeded', {
    objects: progress.objectsCopied,
    bytes: progress.bytesCopied,
    workers: job.workers,
  });
  metrics.addMetric('ExportsSucceeded', MetricUnit.Count, 1);
  metrics.addMetric('ExportDurationSeconds', MetricUnit.Seconds, secondsSince(job.createdAt));
}

/**
 * Ends the job FAILED. Its unfinished uploads are aborted first (their parts are billed until
 * then): best effort, since after a revocation the abort is refused too, and the bucket's lifecycle
 * rule is the remaining remedy. When the customer's side is at fault, the integration is marked
 * FAILED with the same code and message a validation run would report.
 */
export async function failExport(
  job: ExportJob,
  owner: string,
  failure: ExportFailure | { code: string; message: string; stage?: string },
  env?: CopyEnv,
): Promise<void> {
  if (env) {
    await abortUploadsNotKept({ ...env, signal: AbortSignal.timeout(60_000) }).catch((error: unknown) => {
      logger.warn('could not abort the unfinished uploads of a failed export', { error: (error as Error).name });
    });
  }
  if (failure.stage) {
    await markIntegrationFailed(
      { projectId: job.projectId, integrationId: job.integrationId },
      { detectedBy: 'export', stage: failure.stage as StageName, code: failure.code, message: failure.message },
    );
  }
  await finishJob(job, owner, {
    status: 'FAILED',
    progress: job.progress,
    error: { code: failure.code, message: failure.message },
  });
  await startNextInLine(job);
  // The message may name the role and external ID: log the code only.
  logger.warn('export failed', { code: failure.code });
  metrics.addMetric('ExportsFailed', MetricUnit.Count, 1);
  const byCode = metrics.singleMetric();
  byCode.addDimension('code', failure.code);
  byCode.addMetric('ExportFailuresByCode', MetricUnit.Count, 1);
}
