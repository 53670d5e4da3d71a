import * as z from 'zod';
import { backupId, clusterId } from '#shared/exports/schemas';

/**
 * What the API shows of the clusters and backups the service learnt from platform events: enough
 * for a console to offer them in a list (region and tier decide what a cluster may do), nothing of
 * where the platform keeps the backup files.
 */
export const clusterView = z.object({
  clusterId,
  region: z.string(),
  tier: z.enum(['dedicated', 'serverless']),
});

export const backupView = z.object({
  clusterId,
  backupId,
  status: z.literal('AVAILABLE'),
  completedAt: z.string(),
});

export const clusterList = z.object({ items: z.array(clusterView), nextToken: z.string().optional() });
export const backupList = z.object({ items: z.array(backupView), nextToken: z.string().optional() });

export type ClusterView = z.infer<typeof clusterView>;
export type BackupView = z.infer<typeof backupView>;
