/**
 * The use case of record-platform-event: a platform event the checks accept updates the project,
 * cluster or backup record it is about, unless that record comes from a newer event.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { logger } from '#shared/logger';
import { acceptPlatformEvent } from '#shared/projects/platform-event-checks';
import { backupCompleted, clusterUpserted, projectUpserted, type EventVersion } from '#shared/projects/platform-events';
import { recordBackup, recordCluster, recordProject } from '#shared/projects/project-store';
import { requestCatchUp } from '#shared/forwarding/delivery/catch-up-requests';
import { parseInput } from '#shared/worker/parse-input';

/**
 * A cluster that moved to another project: its former project's forwarding (if any) must stop at
 * once. A catch-up run of it is asked for, which finds the cluster owned elsewhere, turns that
 * forwarding off and releases its integration (events already deliver nothing to it).
 */
async function recordClusterEvent(cluster: Parameters<typeof recordCluster>[0]): Promise<boolean> {
  const { recorded, movedFrom } = await recordCluster(cluster);
  if (movedFrom) await requestCatchUp({ projectId: movedFrom, clusterId: cluster.clusterId });
  return recorded;
}

/**
 * What each platform event means for the table, keyed by source and detail-type
 * (docs/product-contract.md §6). A Map: the key comes from the event, and a plain object would
 * also answer inherited names.
 */
const recorders = new Map<string, (detail: unknown, version: EventVersion) => Promise<boolean>>([
  [
    'platform.projects/Project Upserted',
    (detail, version) =>
      recordProject({ ...parseInput(projectUpserted, detail, 'Project Upserted event'), ...version }),
  ],
  [
    'platform.clusters/Cluster Upserted',
    (detail, version) =>
      recordClusterEvent({ ...parseInput(clusterUpserted, detail, 'Cluster Upserted event'), ...version }),
  ],
  [
    'platform.backups/Backup Completed',
    (detail, version) =>
      recordBackup({
        ...parseInput(backupCompleted, detail, 'Backup Completed event'),
        ...version,
        status: 'AVAILABLE',
      }),
  ],
]);

export type PlatformEventOutcome = 'refused' | 'recorded' | 'older-than-stored';

/**
 * Applies one platform event, once the checks of platform-event-checks.ts accept it. An event older
 * than the stored record about the same thing changes nothing. A malformed or unknown event throws.
 */
export async function recordPlatformEvent(event: EventBridgeEvent<string, unknown>): Promise<PlatformEventOutcome> {
  if (!acceptPlatformEvent(event)) return 'refused';
  const record = recorders.get(`${event.source}/${event['detail-type']}`);
  if (!record) throw new Error(`Unexpected platform event ${event.source} / ${event['detail-type']}`);
  const applied = await record(event.detail, { eventTime: event.time, eventId: event.id });
  logger.info(applied ? 'platform event recorded' : 'platform event older than the stored record: ignored');
  return applied ? 'recorded' : 'older-than-stored';
}
