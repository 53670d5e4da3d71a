/**
 * A `Backup Completed` event starts an export for a cluster with an auto-export rule. The event
 * itself says where the files are, so this does not wait for the backup record that
 * record-platform-event writes from the same event. A duplicate event meets the job the first one
 * created (same deterministic id) and starts nothing new.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { AppError } from '#shared/errors';
import { logger } from '#shared/logger';
import { acceptPlatformEvent } from '#shared/projects/platform-event-checks';
import { backupCompleted } from '#shared/projects/platform-events';
import { loadOwnedCluster, loadProject, type Cluster } from '#shared/projects/project-store';
import { loadIntegration } from '#shared/integrations/integration-store';
import { insertFailedJob } from '#shared/exports/job-store';
import { loadExportRule } from '#shared/exports/rule-store';
import { newJob, requireUsableIntegration, submitExport, type ExportOrder } from '#shared/exports/submit-export';
import { publishJobFinished } from '#shared/notifications/publish';
import { parseInput } from '#shared/worker/parse-input';

export type AutoExportOutcome = 'no-rule' | 'not-available' | 'started' | 'refused' | 'event-refused';

export async function exportOnBackupCompleted(event: EventBridgeEvent<string, unknown>): Promise<AutoExportOutcome> {
  const outcome = await autoExport(event);
  logger.info('backup completed event handled', { outcome });
  return outcome;
}

async function autoExport(event: EventBridgeEvent<string, unknown>): Promise<AutoExportOutcome> {
  if (!acceptPlatformEvent(event)) return 'event-refused';
  const detail = parseInput(backupCompleted, event.detail, 'Backup Completed event');
  const rule = await loadExportRule(detail.projectId, detail.clusterId);
  if (!rule) return 'no-rule';
  const [project, cluster] = await Promise.all([
    loadProject(detail.projectId),
    loadOwnedCluster(detail.projectId, detail.clusterId),
  ]);
  // The plan, the cluster's tier or its project changed since the rule was set: no export.
  if (project?.plan !== 'enterprise' || cluster?.tier !== 'dedicated') return 'not-available';

  const order: ExportOrder = {
    projectId: detail.projectId,
    clusterId: detail.clusterId,
    backupId: detail.backupId,
    integrationId: rule.integrationId,
    directory: rule.directory,
    trigger: 'AUTO_EXPORT_RULE',
    requestedBy: 'auto-export-rule',
    source: { bucket: detail.bucket, prefix: detail.prefix },
  };
  try {
    const integration = await requireUsableIntegration(order.projectId, order.integrationId, cluster);
    const job = await submitExport(order, integration, cluster);
    logger.info('auto-export submitted', { jobId: job.jobId, status: job.status });
    return 'started';
  } catch (error) {
    // Only the customer's side can be at fault here (integration gone, not ACTIVE, wrong region):
    // record a FAILED job so the customer sees why this backup was not exported.
    if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
    await recordRefusedExport(order, cluster, error);
    return 'refused';
  }
}

async function recordRefusedExport(order: ExportOrder, cluster: Cluster, reason: AppError): Promise<void> {
  const now = new Date().toISOString();
  const integration = await loadIntegration(order.projectId, order.integrationId);
  const job = newJob(order, integration?.bucketName ?? '', cluster, now);
  const inserted = await insertFailedJob({
    ...job,
    status: 'FAILED',
    error: { code: reason.code, message: `The backup export rule could not start this export: ${reason.message}` },
    endedAt: now,
  });
  logger.warn('auto-export refused', { jobId: job.jobId, code: reason.code, recorded: inserted });
  if (inserted) await publishJobFinished(job, { status: 'FAILED', code: reason.code });
}
