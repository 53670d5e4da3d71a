/**
 * The cluster no longer belongs to the forwarding's project (a `Cluster Upserted` moved it): its
 * audit logs are another tenant's now. Forwarding is turned off, as if its owner had done it, and
 * the integration released; the former project cannot turn it on again (requireDedicatedCluster).
 * Several runs may find the move at once: whichever deletes first stops it, and the others find
 * nothing left to stop.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ConflictError } from '#shared/errors';
import { logger, metrics } from '#shared/logger';
import type { Forwarding } from '#shared/forwarding/forwarding';
import { deleteForwarding, loadForwarding } from '#shared/forwarding/forwarding-store';
import { rollUpIntegrationHealth } from '#shared/forwarding/health-rollup';

export async function stopForMovedCluster(forwarding: Forwarding): Promise<void> {
  try {
    await deleteForwarding(forwarding);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // Changed meanwhile: deleted by another run (done), or re-pointed by its owner, which keeps the
    // generation (stop that one). Another generation was turned on after a stop: not this run's.
    const current = await loadForwarding(forwarding.projectId, forwarding.clusterId);
    if (current?.generation !== forwarding.generation) return;
    await deleteForwarding(current);
    forwarding = current;
  }
  await rollUpIntegrationHealth(forwarding.projectId, forwarding.integrationId);
  logger.warn('audit-log forwarding turned off: the cluster belongs to another project now', {
    projectId: forwarding.projectId,
    clusterId: forwarding.clusterId,
    integrationId: forwarding.integrationId,
  });
  metrics.addMetric('AuditLogForwardingStoppedClusterMoved', MetricUnit.Count, 1);
}
