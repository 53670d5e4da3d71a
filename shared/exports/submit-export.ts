/**
 * Submitting an export, for the API and for auto-export rules alike. The job id is derived from
 * what the job does, so submitting the same export twice meets the existing job instead of
 * starting a second one: a pending or running job is returned as it is, a succeeded one too (its
 * export is complete), and a failed one starts again as a new attempt.
 */
import { AppError, ConflictError } from '#shared/errors';
import { logger } from '#shared/logger';
import { requireUsableForNewWork } from '#shared/integrations/customer-target';
import type { Integration } from '#shared/integrations/integration';
import { loadIntegration } from '#shared/integrations/integration-store';
import type { Cluster } from '#shared/projects/project-store';
import {
  backupDestinationPrefix,
  isUsableSourcePrefix,
  jobIdFor,
  sourceFolder,
  type JobIdentity,
} from '#shared/exports/destination';
import { EMPTY_PROGRESS, type ExportJob } from '#shared/exports/export-job';
import { sendJobMessage } from '#shared/exports/export-queue';
import { loadJob, insertJob, restartFailedJob } from '#shared/exports/job-store';

export interface ExportOrder extends JobIdentity {
  trigger: ExportJob['trigger'];
  requestedBy: string;
  /** Where the platform keeps the backup's files. */
  source: { bucket: string; prefix: string };
}

/** The integration an export may use: present, ACTIVE, in the cluster's region. */
export async function requireUsableIntegration(
  projectId: string,
  integrationId: string,
  cluster: Cluster,
): Promise<Integration> {
  return requireUsableForNewWork(await loadIntegration(projectId, integrationId), cluster.region);
}

/** A new job for `order`, PENDING; every other way a job record starts out derives from this one. */
export function newJob(order: ExportOrder, destinationBucket: string, cluster: Cluster, now: string): ExportJob {
  return {
    jobId: jobIdFor(order),
    type: 'BACKUP_EXPORT',
    status: 'PENDING',
    projectId: order.projectId,
    clusterId: order.clusterId,
    backupId: order.backupId,
    integrationId: order.integrationId,
    directory: order.directory,
    trigger: order.trigger,
    source: { bucket: order.source.bucket, prefix: sourceFolder(order.source.prefix), region: cluster.region },
    destination: {
      bucket: destinationBucket,
      prefix: backupDestinationPrefix(order.directory, order.clusterId, order.backupId),
    },
    progress: EMPTY_PROGRESS,
    createdAt: now,
    updatedAt: now,
    createdBy: order.requestedBy,
    attempt: 1,
    turn: 0,
    planned: false,
    stalls: 0,
    leaseEpoch: 0,
  };
}

async function dispatch(job: ExportJob): Promise<void> {
  // A job waiting for a slot has no message: it is sent when the job's turn comes (export-slots.ts).
  if (job.waitingSince) return;
  try {
    await sendJobMessage({ projectId: job.projectId, jobId: job.jobId, turn: job.turn });
  } catch (error) {
    // The job exists and waits: submitting the same export again sends its message again.
    logger.error('could not queue export job', { jobId: job.jobId, error: error as Error });
    throw new AppError(
      503,
      'EXPORT_NOT_STARTED',
      'The export could not be queued right now: send the same request again in a minute.',
    );
  }
}

/** An existing job met again: the answer for a duplicate request or event. */
async function resume(existing: ExportJob): Promise<ExportJob> {
  if (existing.status === 'PENDING') {
    // Its first message may have been lost (queueing failed after the job was stored): a second
    // message for the same turn is harmless, the lease lets only one invocation work.
    await dispatch(existing);
    return existing;
  }
  if (existing.status !== 'FAILED') return existing;
  const restarted = await restartFailedJob(existing, new Date().toISOString());
  if (!restarted) return (await loadJob(existing.projectId, existing.jobId)) ?? existing;
  logger.info('failed export job restarted', { jobId: restarted.jobId, attempt: restarted.attempt });
  await dispatch(restarted);
  return restarted;
}

export async function submitExport(order: ExportOrder, integration: Integration, cluster: Cluster): Promise<ExportJob> {
  if (!isUsableSourcePrefix(order.source.prefix)) {
    throw new ConflictError(
      'BACKUP_NOT_AVAILABLE',
      'This backup has no usable location and cannot be exported: contact support.',
    );
  }
  const jobId = jobIdFor(order);
  const existing = await loadJob(order.projectId, jobId);
  if (existing) return resume(existing);
  const inserted = await insertJob(newJob(order, integration.bucketName, cluster, new Date().toISOString()));
  if (inserted) {
    logger.info('export job created', {
      jobId,
      projectId: inserted.projectId,
      integrationId: inserted.integrationId,
      trigger: inserted.trigger,
      waiting: inserted.waitingSince !== undefined,
    });
    await dispatch(inserted);
    return inserted;
  }
  // An identical request created it between our read and our write.
  const raced = await loadJob(order.projectId, jobId);
  if (!raced) throw new Error(`export job ${jobId} neither written nor found`);
  return resume(raced);
}
