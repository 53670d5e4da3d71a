/**
 * The platform events this service consumes (docs/product-contract.md §6), as EventBridge delivers them. The
 * envelope's `time` and `id` order the events: the store keeps the newest and ignores replays.
 */
import * as z from 'zod';
import { backupId, clusterId, orgId, projectId } from '#shared/projects/schemas';

export const projectUpserted = z.object({
  projectId,
  orgId,
  plan: z.string().min(1).max(64),
});

export const clusterUpserted = z.object({
  projectId,
  clusterId,
  region: z.string().min(1).max(32),
  tier: z.enum(['dedicated', 'serverless']),
});

export const backupCompleted = z.object({
  projectId,
  clusterId,
  backupId,
  bucket: z.string().min(3).max(63),
  prefix: z.string().max(1024),
  completedAt: z.string().datetime({ offset: true }),
});

export type ProjectUpserted = z.infer<typeof projectUpserted>;
export type ClusterUpserted = z.infer<typeof clusterUpserted>;
export type BackupCompleted = z.infer<typeof backupCompleted>;

/** Where an event sits in the order of events about the same record. */
export interface EventVersion {
  eventTime: string;
  eventId: string;
}
