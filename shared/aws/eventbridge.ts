import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

/**
 * One EventBridge client per container, for the service's own events (shared/notifications/).
 * Marked pure so that bundles that never publish leave it out.
 */
export const eventBridge = /* @__PURE__ */ new EventBridgeClient({});
