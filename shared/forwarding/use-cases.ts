/**
 * What audit-log forwarding offers its handlers (functions/**), and all they may import from it
 * (see shared/integrations/use-cases.ts): the API's use cases, which authorize first, the public
 * key of the digests, and the workers' use cases with the schemas of their queue messages.
 */

export {
  getClusterForwarding,
  patchForwarding,
  putForwarding,
  removeForwarding,
} from '#shared/forwarding/manage-forwarding';
export { getReplay, startReplay } from '#shared/forwarding/replay/manage-replays';
export { digestPublicKey } from '#shared/forwarding/digests/digest-signing-key';
export { integrationLagHistory } from '#shared/forwarding/read-lag-history';
export { scheduleForwardingRuns } from '#shared/forwarding/schedule-runs';
export { runForwardingMessage } from '#shared/forwarding/forwarding-runs';
export { auditLogEvent } from '#shared/forwarding/audit-log-events';
export { deliverAnnouncedFile } from '#shared/forwarding/delivery/event-batches';
export { runDigestMessage } from '#shared/forwarding/digests/write-digests';
export { digestRunMessage, forwardingRunMessage } from '#shared/forwarding/schemas';
