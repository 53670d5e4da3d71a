/**
 * What audit-log forwarding offers its handlers (functions/**), and all they may import from it
 * (see shared/integrations/use-cases.ts): the API's use cases, which authorize first, and the
 * scheduler's and the worker's, with the schema of the worker's queue message.
 */
export { getClusterForwarding, putForwarding, removeForwarding } from '#shared/forwarding/manage-forwarding';
export { forwardClusterAuditLogs } from '#shared/forwarding/forward-cluster';
export { integrationLagHistory } from '#shared/forwarding/read-lag-history';
export { scheduleForwardingRuns } from '#shared/forwarding/schedule-runs';
export { forwardingRunMessage } from '#shared/forwarding/schemas';
