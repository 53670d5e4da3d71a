/**
 * The platform's ids, as its events (platform-events.ts) and the API's paths carry them, defined
 * here and nowhere else: letters, digits, ".", ":", "_" and "-", at most 128 characters.
 */
import * as z from 'zod';

const platformId = (what: string) => z.string().regex(/^[\w.:-]{1,128}$/, `must be ${what}`);

export const projectId = platformId('a project id');
export const orgId = platformId('an organization id');
export const clusterId = platformId('a cluster id');
export const backupId = platformId('a backup id');

export const projectPath = z.strictObject({ projectId });
export const clusterPath = z.strictObject({ projectId, clusterId });
export const backupPath = z.strictObject({ projectId, clusterId, backupId });

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
