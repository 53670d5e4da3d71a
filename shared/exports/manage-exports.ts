/**
 * The export use cases behind the API. Each authorizes first (tenancy, plan, dedicated cluster),
 * so no caller reaches a record of a project it may not see; none of them knows about HTTP.
 */
import { ConflictError, NotFoundError } from '#shared/errors';
import type { PlatformUser } from '#shared/http/platform-user';
import { logger } from '#shared/logger';
import { requireDedicatedCluster, requireProjectAccess } from '#shared/projects/access';
import { loadBackup } from '#shared/projects/project-store';
import { toJobView } from '#shared/exports/export-job';
import { loadJob, loadJobPage } from '#shared/exports/job-store';
import { deleteExportRule, loadExportRule, putExportRule, toRuleView } from '#shared/exports/rule-store';
import type { ExportRequest, ExportRuleView, JobView } from '#shared/exports/schemas';
import { requireUsableIntegration, submitExport } from '#shared/exports/submit-export';

interface BackupRef {
  projectId: string;
  clusterId: string;
  backupId: string;
}

export async function startBackupExport(
  caller: PlatformUser,
  backup: BackupRef,
  request: ExportRequest,
): Promise<{ jobId: string }> {
  await requireProjectAccess(caller, backup.projectId, 'write');
  const cluster = await requireDedicatedCluster(backup.projectId, backup.clusterId);
  const stored = await loadBackup(backup.projectId, backup.clusterId, backup.backupId);
  if (!stored) throw new NotFoundError('No such backup of this cluster.', 'BACKUP_NOT_FOUND');
  if (stored.status !== 'AVAILABLE') {
    throw new ConflictError(
      'BACKUP_NOT_AVAILABLE',
      'Only AVAILABLE backups can be exported: wait until the backup has completed.',
    );
  }
  const integration = await requireUsableIntegration(backup.projectId, request.integrationId, cluster);
  const job = await submitExport(
    {
      ...backup,
      integrationId: request.integrationId,
      directory: request.directory,
      trigger: 'API',
      requestedBy: caller.userId,
      source: { bucket: stored.bucket, prefix: stored.prefix },
    },
    integration,
    cluster,
  );
  return { jobId: job.jobId };
}

export async function getExportJob(caller: PlatformUser, projectId: string, jobId: string): Promise<JobView> {
  await requireProjectAccess(caller, projectId, 'read');
  const job = await loadJob(projectId, jobId);
  if (!job) throw new NotFoundError('No such job in this project.', 'JOB_NOT_FOUND');
  return toJobView(job);
}

export async function listExportJobs(
  caller: PlatformUser,
  projectId: string,
  page: { limit: number; nextToken?: string },
) {
  await requireProjectAccess(caller, projectId, 'read');
  const { items, nextToken } = await loadJobPage(projectId, page);
  return { items: items.map(toJobView), nextToken };
}

export async function setExportRule(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
  request: ExportRequest,
): Promise<ExportRuleView> {
  await requireProjectAccess(caller, projectId, 'write');
  const cluster = await requireDedicatedCluster(projectId, clusterId);
  await requireUsableIntegration(projectId, request.integrationId, cluster);
  const existing = await loadExportRule(projectId, clusterId);
  const now = new Date().toISOString();
  const rule = {
    projectId,
    clusterId,
    integrationId: request.integrationId,
    directory: request.directory,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    updatedBy: caller.userId,
  };
  await putExportRule(rule);
  logger.info('backup export rule set', { projectId, clusterId, integrationId: request.integrationId });
  return toRuleView(rule);
}

const noRule = () => new NotFoundError('This cluster has no backup export rule.', 'EXPORT_RULE_NOT_FOUND');

export async function readExportRule(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
): Promise<ExportRuleView> {
  await requireProjectAccess(caller, projectId, 'read');
  await requireDedicatedCluster(projectId, clusterId);
  const rule = await loadExportRule(projectId, clusterId);
  if (!rule) throw noRule();
  return toRuleView(rule);
}

export async function removeExportRule(caller: PlatformUser, projectId: string, clusterId: string): Promise<void> {
  await requireProjectAccess(caller, projectId, 'write');
  await requireDedicatedCluster(projectId, clusterId);
  if (!(await deleteExportRule(projectId, clusterId))) throw noRule();
  logger.info('backup export rule deleted', { projectId, clusterId });
}
