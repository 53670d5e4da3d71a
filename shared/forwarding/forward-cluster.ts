import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { config } from '#shared/config';
import { logger, metrics } from '#shared/logger';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import { markIntegrationFailed } from '#shared/integrations/mark-failed';
import { loadOwnedCluster } from '#shared/projects/project-store';
import type { IntegrationHealth } from '#shared/integrations/schemas';
import { destinationFor } from '#shared/forwarding/customer-destination';
import { deliverNewFiles, oldestDueFile, type DeliveryResult, type RunBudget } from '#shared/forwarding/deliver-files';
import type { Forwarding } from '#shared/forwarding/forwarding';
import { deleteForwarding } from '#shared/forwarding/forwarding-store';
import { rollUpIntegrationHealth } from '#shared/forwarding/health-rollup';
import { recordLag } from '#shared/forwarding/lag-history';
import { acquireLease, finishRun, type RunRef } from '#shared/forwarding/run-state-store';

/**
 * One forwarding run for one cluster: take the cluster's lease, deliver what is due and record the
 * outcome in the forwarding's health (the scheduler rolls it up to the integration on its next
 * tick). Runs for different clusters share nothing but the table, so a slow or broken bucket holds
 * up only its own cluster.
 */
export type RunStatus =
  'DELIVERED' | 'UP_TO_DATE' | 'FAILED' | 'INTEGRATION_NOT_ACTIVE' | 'CLUSTER_NOT_OWNED' | 'NOT_RUN' | 'LOST_LEASE';

export interface ClusterRunOutcome {
  status: RunStatus;
  filesDelivered: number;
  bytesDelivered: number;
  lagSeconds?: number;
  problemCode?: string;
}

const notRun = (status: RunStatus): ClusterRunOutcome => ({ status, filesDelivered: 0, bytesDelivered: 0 });

const ageInSeconds = (time: Date, now: number) => Math.max(0, Math.round((now - time.getTime()) / 1000));

export function healthAfterRun(previous: IntegrationHealth, result: DeliveryResult, now: number): IntegrationHealth {
  const health: IntegrationHealth = { consecutiveFailures: result.problem ? previous.consecutiveFailures + 1 : 0 };
  const lastDeliveryAt = result.lastDeliveryAt ?? previous.lastDeliveryAt;
  if (lastDeliveryAt) health.lastDeliveryAt = lastDeliveryAt;
  if (result.oldestPending) health.lagSeconds = ageInSeconds(result.oldestPending, now);
  else if (result.stoppedBetweenPages) {
    if (previous.lagSeconds !== undefined) health.lagSeconds = previous.lagSeconds;
  } else health.lagSeconds = 0;
  if (result.problem) {
    health.lastError = { code: result.problem.code, message: result.problem.message, at: new Date(now).toISOString() };
  } else if (previous.lastError) health.lastError = previous.lastError;
  return health;
}

/** The integration cannot carry work (nothing validated to use): nothing is delivered, but the growing lag stays visible. */
async function recordLagOnly(forwarding: Forwarding, run: RunRef): Promise<ClusterRunOutcome> {
  const health: IntegrationHealth = { ...forwarding.health };
  try {
    const oldest = await oldestDueFile(forwarding);
    health.lagSeconds = oldest ? ageInSeconds(oldest, Date.now()) : 0;
  } catch (error) {
    logger.warn('could not measure forwarding lag', { clusterId: forwarding.clusterId, error: (error as Error).name });
  }
  const lagSlot = await recordLag(
    { projectId: forwarding.projectId, clusterId: forwarding.clusterId },
    forwarding.lagSlot,
    health.lagSeconds,
    Date.now(),
  );
  if (!(await finishRun(run, health, lagSlot))) return notRun('LOST_LEASE');
  return { ...notRun('INTEGRATION_NOT_ACTIVE'), lagSeconds: health.lagSeconds };
}

/**
 * The cluster no longer belongs to the forwarding's project (a `Cluster Upserted` moved it): its
 * audit logs are another tenant's now. Forwarding is turned off, as if its owner had done it, and
 * the integration released; the former project cannot turn it on again (requireDedicatedCluster).
 */
async function stopForMovedCluster(forwarding: Forwarding): Promise<ClusterRunOutcome> {
  await deleteForwarding(forwarding);
  await rollUpIntegrationHealth(forwarding.projectId, forwarding.integrationId);
  logger.warn('audit-log forwarding turned off: the cluster belongs to another project now', {
    projectId: forwarding.projectId,
    clusterId: forwarding.clusterId,
    integrationId: forwarding.integrationId,
  });
  metrics.addMetric('AuditLogForwardingStoppedClusterMoved', MetricUnit.Count, 1);
  return notRun('CLUSTER_NOT_OWNED');
}

export interface ClusterRunOptions {
  budget: RunBudget;
  /** Longer than any run can last, so an expired lease means its run is gone. */
  leaseMs: number;
}

export async function forwardClusterAuditLogs(
  ref: { projectId: string; clusterId: string },
  options: ClusterRunOptions,
): Promise<ClusterRunOutcome> {
  const owner = randomUUID();
  const forwarding = await acquireLease(ref, owner, Date.now(), options.leaseMs);
  if (!forwarding) return notRun('NOT_RUN'); // turned off, or another run is at it
  const run: RunRef = { ...ref, generation: forwarding.generation, owner };
  const ids = { ...ref, integrationId: forwarding.integrationId };
  // Checked on every run, before any file is read: the cluster id alone does not say whose logs these are.
  if (!(await loadOwnedCluster(ref.projectId, ref.clusterId))) return stopForMovedCluster(forwarding);

  const integration = await loadIntegration(ref.projectId, forwarding.integrationId);
  const target = integration && workerTargetOf(integration);
  if (!target) {
    const outcome = await recordLagOnly(forwarding, run);
    logger.info('forwarding paused: integration not ACTIVE', { ...ids, lagSeconds: outcome.lagSeconds });
    return outcome;
  }

  const destination = destinationFor(target, forwarding.directory, forwarding.clusterId);
  const result = await deliverNewFiles(
    forwarding,
    run,
    destination,
    options.budget,
    config().FORWARDING_SETTLE_SECONDS,
  );
  if (result.lostLease) {
    logger.warn('forwarding run lost its lease; the run holding it continues', {
      ...ids,
      filesDelivered: result.filesDelivered,
    });
    return { ...notRun('LOST_LEASE'), filesDelivered: result.filesDelivered, bytesDelivered: result.bytesDelivered };
  }
  if (result.problem?.kind === 'access') {
    await markIntegrationFailed(
      { projectId: ref.projectId, integrationId: forwarding.integrationId },
      {
        detectedBy: 'forwarding',
        ...result.problem.failure,
      },
    );
  }
  const now = Date.now();
  const health = healthAfterRun(forwarding.health, result, now);
  const lagSlot = await recordLag(ref, forwarding.lagSlot, health.lagSeconds, now);
  if (!(await finishRun(run, health, lagSlot))) return notRun('LOST_LEASE');

  const status: RunStatus = result.problem ? 'FAILED' : result.filesDelivered > 0 ? 'DELIVERED' : 'UP_TO_DATE';
  recordMetrics(result, health);
  // Codes only: problem messages can carry the external ID (validation's ASSUME_ROLE message).
  const log = result.problem ? logger.warn.bind(logger) : logger.info.bind(logger);
  log('forwarding run finished', {
    ...ids,
    status,
    filesDelivered: result.filesDelivered,
    bytesDelivered: result.bytesDelivered,
    lagSeconds: health.lagSeconds,
    problemCode: result.problem?.code,
  });
  return {
    status,
    filesDelivered: result.filesDelivered,
    bytesDelivered: result.bytesDelivered,
    lagSeconds: health.lagSeconds,
    problemCode: result.problem?.code,
  };
}

function recordMetrics(result: DeliveryResult, health: IntegrationHealth): void {
  metrics.addMetric('AuditLogFilesDelivered', MetricUnit.Count, result.filesDelivered);
  metrics.addMetric('AuditLogBytesDelivered', MetricUnit.Bytes, result.bytesDelivered);
  metrics.addMetric('AuditLogForwardingFailures', MetricUnit.Count, result.problem ? 1 : 0);
  if (health.lagSeconds !== undefined)
    metrics.addMetric('AuditLogForwardingLagSeconds', MetricUnit.Seconds, health.lagSeconds);
}
