/**
 * Starts the export of a completed backup when its cluster has an auto-export rule. Subscribed to
 * the same `Backup Completed` events as record-platform-event, independently of it. Errors throw,
 * so EventBridge's retries (and then its dead-letter handling) keep the event; a retry is safe
 * because the job id is deterministic.
 */
import { exportOnBackupCompleted } from '#shared/exports/use-cases';
import { eventHandler } from '#shared/worker/worker-handlers';

export const handler = eventHandler(exportOnBackupCompleted);
