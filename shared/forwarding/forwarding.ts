import { createHash } from 'node:crypto';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import type { LagSlot } from '#shared/forwarding/lag-history';
import { destinationPrefix } from '#shared/forwarding/audit-log-keys';
import type { ForwardingView } from '#shared/forwarding/schemas';
import { FORWARDING_SHARDS, forwardingShardKey } from '#shared/table/keys';

/**
 * The audit-log forwarding of one cluster, as stored on its FORWARDING#<clusterId> item. The
 * delivery state (cursor, health, lease) lives on the same item, so turning forwarding off deletes
 * it all at once and a worker still running for the old configuration can no longer write.
 */
export interface Forwarding {
  projectId: string;
  clusterId: string;
  integrationId: string;
  directory: string;
  /** Random per enablement: a worker's writes are conditioned on it, so a disable + enable starts clean. */
  generation: string;
  /** Sparse ForwardingIndex key (shared/table/keys.ts). */
  forwardingShard: string;
  enabledAt: string;
  enabledBy: string;
  updatedAt: string;
  updatedBy: string;
  /** The platform key of the newest delivered file: ListObjectsV2 StartAfter for the next run. */
  cursor?: string;
  /** The write time of that file. */
  deliveredThrough?: string;
  health: IntegrationHealth;
  /** The 10-minute slot in progress of the lag history (shared/forwarding/lag-history.ts). */
  lagSlot?: LagSlot;
  /** Held by one worker run at a time, so two overlapping runs do not both copy the same files. */
  leaseOwner?: string;
  leaseUntil?: number;
}

/** The member of the integration's `usedBy` set while this forwarding uses it. */
export const usedByMember = (clusterId: string) => `forwarding:${clusterId}`;

export function shardOf(clusterId: string): string {
  const digest = createHash('sha256').update(clusterId).digest();
  return forwardingShardKey((digest[0] ?? 0) % FORWARDING_SHARDS);
}

export const initialHealth = (): IntegrationHealth => ({ consecutiveFailures: 0 });

export function toForwardingView(forwarding: Forwarding, bucketName: string): ForwardingView {
  return {
    projectId: forwarding.projectId,
    clusterId: forwarding.clusterId,
    integrationId: forwarding.integrationId,
    directory: forwarding.directory,
    destination: { bucket: bucketName, prefix: destinationPrefix(forwarding.directory, forwarding.clusterId) },
    enabledAt: forwarding.enabledAt,
    updatedAt: forwarding.updatedAt,
    deliveredThrough: forwarding.deliveredThrough,
    health: forwarding.health,
  };
}
