/**
 * The schemas of the platform's projects, clusters and backups: their ids, the API paths that name
 * them, and what the API shows of the clusters and backups the service learnt from platform events.
 */
import * as z from 'zod';

/**
 * The platform's ids, as its events (platform-events.ts) and the API's paths carry them, defined
 * here and nowhere else: letters, digits, ".", ":", "_" and "-", at most 128 characters.
 */
const platformId = (what: string, example: string) =>
  z
    .string()
    .regex(/^[\w.:-]{1,128}$/, `must be ${what}`)
    .describe(`${what}: 1 to 128 letters, digits and . _ : -, e.g. "${example}"`);

export const projectId = platformId('a project id', 'proj-1');
export const orgId = platformId('an organization id', 'org-1');
export const clusterId = platformId('a cluster id', 'cl-1');
export const backupId = platformId('a backup id', 'bk-1');

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
