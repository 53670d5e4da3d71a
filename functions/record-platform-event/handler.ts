import type { EventBridgeEvent } from 'aws-lambda';
import { logger } from '#shared/logger';
import { acceptPlatformEvent } from '#shared/projects/platform-event-checks';
import { recordPlatformEvent } from '#shared/projects/record-platform-event';

/**
 * Keeps projects, clusters and backups from platform events (SPEC section 6). An event from outside
 * the producers, dated in the future or naming backup files outside their place is refused (logged
 * and counted); a malformed one throws, so EventBridge's retries and then the dead-letter queue keep
 * it for an operator.
 */
export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  logger.resetKeys();
  logger.appendKeys({ eventId: event.id, detailType: event['detail-type'] });
  if (!acceptPlatformEvent(event)) return;
  const applied = await recordPlatformEvent(event);
  logger.info(applied ? 'platform event recorded' : 'platform event older than the stored record: ignored');
};
