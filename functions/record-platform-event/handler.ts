/**
 * Keeps projects, clusters and backups from platform events (docs/product-contract.md §6). An event from outside
 * the producers, dated in the future or naming backup files outside their place is refused (logged
 * and counted); a malformed one throws, so EventBridge's retries and then the dead-letter queue keep
 * it for an operator.
 */
import { recordPlatformEvent } from '#shared/projects/use-cases';
import { eventHandler } from '#shared/worker/worker-handlers';

export const handler = eventHandler(recordPlatformEvent);
