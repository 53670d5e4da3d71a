import type { z } from 'zod';
import type { EventBridgeEvent } from 'aws-lambda';
import {
  backupCompleted,
  clusterUpserted,
  projectUpserted,
  type EventVersion,
} from '#shared/projects/platform-events';
import { recordBackup, recordCluster, recordProject } from '#shared/projects/project-store';

function parseDetail<T extends z.ZodType>(schema: T, detail: unknown, detailType: string): z.infer<T> {
  const parsed = schema.safeParse(detail);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(detail)').join(', ');
    throw new Error(`Malformed ${detailType} event: check ${fields}`);
  }
  return parsed.data;
}

/**
 * What each platform event means for the table, keyed by source and detail-type (SPEC section 6).
 * A Map: the key comes from the event, and a plain object would also answer inherited names.
 */
const recorders = new Map<string, (detail: unknown, version: EventVersion) => Promise<boolean>>([
  ['platform.projects/Project Upserted', (detail, version) => recordProject({ ...parseDetail(projectUpserted, detail, 'Project Upserted'), ...version })],
  ['platform.clusters/Cluster Upserted', (detail, version) => recordCluster({ ...parseDetail(clusterUpserted, detail, 'Cluster Upserted'), ...version })],
  [
    'platform.backups/Backup Completed',
    (detail, version) => recordBackup({ ...parseDetail(backupCompleted, detail, 'Backup Completed'), ...version, status: 'AVAILABLE' }),
  ],
]);

/** Applies one platform event; returns false when a newer event about the same record was already applied. */
export async function recordPlatformEvent(event: EventBridgeEvent<string, unknown>): Promise<boolean> {
  const record = recorders.get(`${event.source}/${event['detail-type']}`);
  if (!record) throw new Error(`Unexpected platform event ${event.source} / ${event['detail-type']}`);
  return record(event.detail, { eventTime: event.time, eventId: event.id });
}
