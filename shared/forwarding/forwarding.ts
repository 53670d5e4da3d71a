/**
 * The audit-log forwarding of one cluster, as stored on its FORWARDING#<clusterId> item: its
 * settings and the small delivery state that is the cluster's as a whole (pending files, health,
 * the catch-up lease, the digest chain's head). Each delivered file has its own ledger item
 * (delivery/delivery-ledger.ts). Turning forwarding off deletes the item, so a worker still
 * running for the old configuration can no longer write (every write is conditioned on `generation`).
 */
import { createHash } from 'node:crypto';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import type { LagSlot } from '#shared/forwarding/lag-history';
import { auditLogFolder, hourStart, type Compression } from '#shared/forwarding/audit-log-keys';
import type { ForwardingView } from '#shared/forwarding/schemas';
import { FORWARDING_SHARDS, forwardingShardKey } from '#shared/table/keys';

export interface Forwarding {
  projectId: string;
  clusterId: string;
  integrationId: string;
  directory: string;
  /** Absent: `none`. */
  compression?: Compression;
  /** Set while paused: nothing is written to the customer's bucket; files that land meanwhile become pending. */
  paused?: { at: string; by: string };
  /** Random per enablement: a worker's writes are conditioned on it, so a disable + enable starts clean. */
  generation: string;
  /** Sparse ForwardingIndex key (shared/table/keys.ts). */
  forwardingShard: string;
  enabledAt: string;
  enabledBy: string;
  updatedAt: string;
  updatedBy: string;
  /**
   * The write time (key time) of the oldest file known to have landed and not been delivered: a
   * catch-up run delivers every hour from this one on, oldest first, then removes it. Events that
   * find it set leave their files to that run, so delivery after an outage stays oldest first.
   */
  pendingSince?: string;
  /**
   * Raised by every change of pendingSince: a catch-up run removes pendingSince only if no one changed it meanwhile.
   */
  pendingMark?: number;
  /** When a catch-up run was last asked for (events ask at most every few seconds). */
  catchUpRequestedAt?: string;
  health: IntegrationHealth;
  /** The 10-minute slot in progress of the lag history (shared/forwarding/lag-history.ts). */
  lagSlot?: LagSlot;
  /** The replay job running now, if any (one at a time). */
  replayRunning?: string;
  /** Held by one catch-up run at a time. */
  leaseOwner?: string;
  leaseUntil?: number;
  /**
   * The hourly digest chain in the current destination: the first hour it covers and its newest
   * digest. Reset when forwarding moves to another bucket or directory (a new chain starts there).
   */
  digests: DigestChainHead;
}

export interface DigestChainHead {
  /** ISO start of the first hour the chain covers. */
  from: string;
  last?: { hour: string; key: string; sha256: string };
}

/** The member of the integration's `usedBy` set while this forwarding uses it. */
export const usedByMember = (clusterId: string) => `forwarding:${clusterId}`;

export function shardOf(clusterId: string): string {
  const digest = createHash('sha256').update(clusterId).digest();
  return forwardingShardKey((digest[0] ?? 0) % FORWARDING_SHARDS);
}

export const initialHealth = (): IntegrationHealth => ({ consecutiveFailures: 0 });

/**
 * Files the platform wrote before forwarding was turned on are not forwarded. S3 reports landing
 * times in whole seconds, so the comparison is at that precision, erring towards delivery.
 */
export function landedBeforeEnablement(landedAt: Date, forwarding: Pick<Forwarding, 'enabledAt'>): boolean {
  return landedAt.getTime() < Math.floor(Date.parse(forwarding.enabledAt) / 1000) * 1000;
}

export const compressionOf = (forwarding: Pick<Forwarding, 'compression'>): Compression =>
  forwarding.compression ?? 'none';

/** A new chain, starting with the hour in progress. */
export const newDigestChain = (now: string): DigestChainHead => ({ from: hourStart(Date.parse(now)).toISOString() });

export function toForwardingView(forwarding: Forwarding, bucketName: string): ForwardingView {
  return {
    projectId: forwarding.projectId,
    clusterId: forwarding.clusterId,
    integrationId: forwarding.integrationId,
    directory: forwarding.directory,
    compression: compressionOf(forwarding),
    paused: forwarding.paused !== undefined,
    ...(forwarding.paused ? { pausedAt: forwarding.paused.at } : {}),
    destination: { bucket: bucketName, prefix: auditLogFolder(forwarding.directory, forwarding.clusterId) },
    enabledAt: forwarding.enabledAt,
    updatedAt: forwarding.updatedAt,
    ...(forwarding.pendingSince ? { pendingSince: forwarding.pendingSince } : {}),
    ...(forwarding.digests.last
      ? { lastDigest: { hour: forwarding.digests.last.hour, key: forwarding.digests.last.key } }
      : {}),
    health: forwarding.health,
  };
}
