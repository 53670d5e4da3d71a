import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import { markIntegrationFailed } from '#shared/integrations/mark-failed';
import type { ExportJob } from '#shared/exports/export-job';
import type { FileCheckpoint } from '#shared/exports/file-store';
import { finishJob } from '#shared/exports/job-lease';
import { startWaitingJobs } from '#shared/exports/export-slots';
import type { JobProgress } from '#shared/exports/schemas';
import type { CustomerWrites } from '#shared/exports/worker/customer-writes';
import type { ExportFailure } from '#shared/exports/worker/export-failure';

/** How an export ends for good: succeeded with its manifest, or failed with a code the customer can act on. */

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
  logger.info('export succeeded', { objects: progress.objectsCopied, bytes: progress.bytesCopied });
  metrics.addMetric('ExportsSucceeded', MetricUnit.Count, 1);
  metrics.addMetric('ExportDurationSeconds', MetricUnit.Seconds, secondsSince(job.createdAt));
}

/**
 * Parts of an unfinished multipart upload are stored (and billed) until the upload is aborted, so
 * a job that fails for good aborts the uploads it left open. Best effort: when the customer revoked
 * our access, the abort is refused too, and the bucket's lifecycle rule is the remaining remedy.
 */
async function abortOpenUploads(files: FileCheckpoint[], writes: CustomerWrites, prefix: string): Promise<void> {
  const open = files.filter((file) => file.state === 'UPLOADING' && file.upload);
  const results = await Promise.allSettled(
    open.map((file) =>
      writes.abortUpload(`${prefix}${file.name}`, file.upload?.uploadId ?? '', AbortSignal.timeout(20_000)),
    ),
  );
  const refused = results.filter((result) => result.status === 'rejected').length;
  if (open.length > 0) logger.info('aborted open multipart uploads', { aborted: open.length - refused, refused });
}

export interface FailureContext {
  files?: FileCheckpoint[];
  writes?: CustomerWrites;
}

export async function failExport(
  job: ExportJob,
  owner: string,
  progress: JobProgress,
  failure: ExportFailure,
  context: FailureContext = {},
): Promise<void> {
  if (context.files && context.writes) await abortOpenUploads(context.files, context.writes, job.destination.prefix);
  if (failure.stage) {
    await markIntegrationFailed(
      { projectId: job.projectId, integrationId: job.integrationId },
      { detectedBy: 'export', stage: failure.stage, code: failure.code, message: failure.message },
    );
  }
  await finishJob(job, owner, { status: 'FAILED', progress, error: { code: failure.code, message: failure.message } });
  await startNextInLine(job);
  // The message may name the role and external ID: log the code only.
  logger.warn('export failed', { code: failure.code });
  metrics.addMetric('ExportsFailed', MetricUnit.Count, 1);
  const byCode = metrics.singleMetric();
  byCode.addDimension('code', failure.code);
  byCode.addMetric('ExportFailuresByCode', MetricUnit.Count, 1);
}
