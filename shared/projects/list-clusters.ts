/**
 * The clusters of a project and the backups of a cluster, for readers of the project: a console
 * lists them where the customer picks a backup to export or a cluster to forward audit logs of.
 */
import type { PlatformUser } from '#shared/http/platform-user';
import { requireProjectAccess } from '#shared/projects/access';
import type { Backup, Cluster } from '#shared/projects/project-store';
import type { BackupView, ClusterView } from '#shared/projects/schemas';
import { queryProjectPage } from '#shared/table/items';
import { backupsOfCluster, sortKeyPrefix } from '#shared/table/keys';

type Page = { limit: number; nextToken?: string };

export async function listClusters(
  caller: PlatformUser,
  projectId: string,
  page: Page,
): Promise<{ items: ClusterView[]; nextToken?: string }> {
  await requireProjectAccess(caller, projectId, 'read');
  const { items, nextToken } = await queryProjectPage<Cluster>(projectId, sortKeyPrefix.cluster, page);
  return { items: items.map(({ clusterId, region, tier }) => ({ clusterId, region, tier })), nextToken };
}

export async function listBackups(
  caller: PlatformUser,
  projectId: string,
  clusterId: string,
  page: Page,
): Promise<{ items: BackupView[]; nextToken?: string }> {
  await requireProjectAccess(caller, projectId, 'read');
  const { items, nextToken } = await queryProjectPage<Backup>(projectId, backupsOfCluster(clusterId), page);
  return {
    items: items.map(({ backupId, status, completedAt }) => ({ clusterId, backupId, status, completedAt })),
    nextToken,
  };
}
