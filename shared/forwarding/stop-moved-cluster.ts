/**
 * The cluster no longer belongs to the forwarding's project (a `Cluster Upserted` moved it): its
 * audit logs are another tenant's now. Forwarding is turned off, as if its owner had done it, and
 * the integration released; the former project cannot turn it on again (requireDedicatedCluster).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import type { Forwarding } from '#shared/forwarding/forwarding';
import { deleteForwarding } from '#shared/forwarding/forwarding-store';
import { rollUpIntegrationHealth } from '#shared/forwarding/health-rollup';

export async function stopForMovedCluster(forwarding: Forwarding): Promise<void> {
  await deleteForwarding(forwarding);
  await rollUpIntegrationHealth(forwarding.projectId, forwarding.integrationId);
  logger.warn('audit-log forwarding turned off: the cluster belongs to another project now', {
    projectId: forwarding.projectId,
    clusterId: forwarding.clusterId,
    integrationId: forwarding.integrationId,
  });
  metrics.addMetric('AuditLogForwardingStoppedClusterMoved', MetricUnit.Count, 1);
}
