import type { EventBridgeEvent } from 'aws-lambda';
import { logger } from '#shared/logger';
import { exportOnBackupCompleted } from '#shared/exports/auto-export';

/**
 * Starts the export of a completed backup when its cluster has an auto-export rule. Subscribed to
 * the same `Backup Completed` events as record-platform-event, independently of it. Errors throw,
 * so EventBridge's retries (and then its dead-letter handling) keep the event; a retry is safe
 * because the job id is deterministic.
 */
export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  logger.resetKeys();
  logger.appendKeys({ eventId: event.id, detailType: event['detail-type'] });
  const outcome = await exportOnBackupCompleted(event);
  logger.info('backup completed event handled', { outcome });
};
