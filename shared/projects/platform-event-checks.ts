/**
 * Platform events decide tenancy (`Project Upserted` puts a project in an organization) and what an
 * export reads (`Backup Completed` names bucket and prefix), so they are checked before anything
 * acts on them, in one place for every consumer:
 * - they come from a producer account (the bus policy and the rules' `account` patterns already
 *   say so; this holds even if the bus or a rule is misconfigured);
 * - their time is not ahead of ours by more than a small skew: the newest event wins, so a
 *   future-dated one would outrank, and silence, every real event after it;
 * - a backup's files live in a configured backup bucket, under the folder the configured layout
 *   gives that cluster and backup, so no event can point an export at another backup or bucket.
 * A refused event is logged (ids, never the detail) and counted (PlatformEventsRefused, and
 * PlatformEventsRefusedByReason),
 * and nothing else happens: retrying it would be refused again.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventBridgeEvent } from 'aws-lambda';
import { config } from '#shared/config';
import { sourceFolder } from '#shared/exports/destination';
import { logger, metrics } from '#shared/logger';
import { backupCompleted } from '#shared/projects/platform-events';

export type RefusalReason =
  'UNKNOWN_PRODUCER' | 'FUTURE_TIME' | 'BACKUP_BUCKET_NOT_ALLOWED' | 'BACKUP_PREFIX_NOT_ALLOWED';

export const producerAccounts = (): string[] =>
  config().PLATFORM_EVENT_ACCOUNTS.length > 0 ? config().PLATFORM_EVENT_ACCOUNTS : [config().PLATFORM_ACCOUNT_ID];

/** The owner of every backup bucket: sent as ExpectedBucketOwner on every backup read. */
export const backupBucketOwner = (): string => config().BACKUP_BUCKET_OWNER || config().PLATFORM_ACCOUNT_ID;

/** IAM-style wildcards (`*` any run, `?` one character), everything else literal. */
function matchesPattern(pattern: string, value: string): boolean {
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** The folder the layout gives one backup, e.g. `backups/<clusterId>/<backupId>/`. */
export const backupFolderOf = (backup: { clusterId: string; backupId: string }) =>
  config().BACKUP_PREFIX_LAYOUT.replaceAll('<clusterId>', backup.clusterId).replaceAll('<backupId>', backup.backupId);

/** Why a backup's files may not be read from there, or undefined when they may. */
export function backupLocationProblem(
  location: { bucket: string; prefix: string },
  backup: { clusterId: string; backupId: string },
): RefusalReason | undefined {
  if (!config().BACKUP_BUCKETS.some((pattern) => matchesPattern(pattern, location.bucket)))
    return 'BACKUP_BUCKET_NOT_ALLOWED';
  // The prefix as a folder at or below the backup's own: `backups/c/b-1` never reaches `backups/c/b-10/`.
  if (!sourceFolder(location.prefix).startsWith(backupFolderOf(backup))) return 'BACKUP_PREFIX_NOT_ALLOWED';
  return undefined;
}

export function refusalOf(event: EventBridgeEvent<string, unknown>, now = Date.now()): RefusalReason | undefined {
  if (!producerAccounts().includes(event.account)) return 'UNKNOWN_PRODUCER';
  const time = Date.parse(event.time);
  if (Number.isNaN(time) || time > now + config().PLATFORM_EVENT_MAX_FUTURE_SECONDS * 1000) return 'FUTURE_TIME';
  if (event.source === 'platform.backups') {
    // A malformed detail is left to the consumer, which throws for the dead-letter queue.
    const detail = backupCompleted.safeParse(event.detail);
    if (detail.success) return backupLocationProblem(detail.data, detail.data);
  }
  return undefined;
}

/** Checks the event; a refused one is logged and counted. True when the event may be acted on. */
export function acceptPlatformEvent(event: EventBridgeEvent<string, unknown>): boolean {
  const reason = refusalOf(event);
  if (!reason) return true;
  logger.warn('platform event refused', {
    reason,
    eventId: event.id,
    source: event.source,
    detailType: event['detail-type'],
    account: event.account,
    time: event.time,
  });
  // One total to alarm on, and one by reason to see why (as ExportsFailed and ExportFailuresByCode).
  metrics.singleMetric().addMetric('PlatformEventsRefused', MetricUnit.Count, 1);
  const byReason = metrics.singleMetric();
  byReason.addDimension('reason', reason);
  byReason.addMetric('PlatformEventsRefusedByReason', MetricUnit.Count, 1);
  return false;
}
