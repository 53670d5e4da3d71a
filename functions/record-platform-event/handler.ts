import type { EventBridgeEvent } from 'aws-lambda';
import { logger } from '#shared/logger';
import { recordPlatformEvent } from '#shared/projects/record-platform-event';

/**
 * Keeps projects, clusters and backups from platform events (SPEC section 6). A malformed event
 * throws, so EventBridge's retries and then the dead-letter queue keep it for an operator.
 */
export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  logger.appendKeys({ eventId: event.id, detailType: event['detail-type'] });
  const applied = await recordPlatformEvent(event);
  logger.info(applied ? 'platform event recorded' : 'platform event older than the stored record: ignored');
};
