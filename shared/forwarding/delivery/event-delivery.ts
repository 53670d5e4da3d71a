/**
 * The event path: files the platform's bucket announced (S3 "Object Created" events), delivered
 * within seconds, one cluster at a time. A cluster's files are delivered at once when nothing of
 * it is pending; otherwise they join the pending files (delivery/pending-files.ts), which a
 * catch-up run delivers oldest first: while forwarding is paused, while its integration cannot be
 * used, while older files wait, and when the customer's bucket fails now.
 *
 * Nothing here is lost on a crash: an event is acknowledged only after its file was delivered,
 * recorded as pending, or found to be none of forwarding's business.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import { markIntegrationFailed } from '#shared/integrations/mark-failed';
import { loadOwnedCluster } from '#shared/projects/project-store';
import { parseSourceKey } from '#shared/forwarding/audit-log-keys';
import { destinationFor } from '#shared/forwarding/customer-destination';
import { ClusterHealth } from '#shared/forwarding/delivery/cluster-health';
import { requestCatchUp } from '#shared/forwarding/delivery/catch-up-requests';
import { DeliveryLedger } from '#shared/forwarding/delivery/delivery-ledger';
import { recordDeliveryMetrics } from '#shared/forwarding/delivery/delivery-metrics';
import { FileBatch } from '#shared/forwarding/delivery/file-batch';
import type { PlatformAuditLogFile } from '#shared/forwarding/delivery/file-delivery';
import { markPending } from '#shared/forwarding/delivery/pending-files';
import { compressionOf, landedBeforeEnablement, type Forwarding } from '#shared/forwarding/forwarding';
import { findClusterForwarding } from '#shared/forwarding/forwarding-store';

export interface AnnouncedFile {
  key: string;
  /** The event's time: when the object landed in the platform's bucket (whole seconds). */
  landedAt: Date;
}

export type EventOutcome = 'delivered' | 'pending' | 'failed' | 'ignored';

/** Files per cluster under way at once. */
const LANES = 8;
const FILE_TIMEOUT_MS = 20_000;

export async function deliverClusterEvents(clusterId: string, announced: AnnouncedFile[]): Promise<EventOutcome> {
  const forwarding = await findClusterForwarding(clusterId);
  if (!forwarding) return 'ignored'; // forwarding is off: files are not forwarded
  const ids = { projectId: forwarding.projectId, clusterId, integrationId: forwarding.integrationId };
  // Both reads at once: they are on the path of every event's latency.
  const [owned, integration] = await Promise.all([
    loadOwnedCluster(forwarding.projectId, clusterId),
    loadIntegration(forwarding.projectId, forwarding.integrationId),
  ]);
  // The cluster id alone does not say whose logs these are. The forwarding was found through the
  // cluster's current owner; this second check covers an owner that changed meanwhile and clusters
  // recorded before owner records existed. The catch-up run it asks for turns the stale forwarding off.
  if (!owned) {
    logger.warn('audit-log events ignored: the cluster belongs to another project now', ids);
    await requestCatchUp(forwarding);
    return 'ignored';
  }
  const files = dueFiles(forwarding, announced);
  if (files.length === 0) return 'ignored';
  const oldest = files[0]?.file.writtenAt as Date;
  if (forwarding.paused) return pend(forwarding, oldest, false, files.length);
  const target = integration && workerTargetOf(integration);
  // Not usable now (FAILED, awaiting a role): its files wait, and validation making it ACTIVE lets
  // the next tick deliver them.
  if (!target) return pend(forwarding, oldest, false, files.length);
  // Older files wait: these join them, so that delivery stays oldest first.
  if (forwarding.pendingSince) return pend(forwarding, oldest, true, files.length);

  const ledger = new DeliveryLedger(forwarding, target.bucketName, 'event');
  const batch = new FileBatch(destinationFor(target, forwarding.directory, clusterId), ledger, {
    directory: forwarding.directory,
    compression: compressionOf(forwarding),
    lanes: LANES,
    fileTimeoutMs: FILE_TIMEOUT_MS,
  });
  const outcome = await batch.deliver(files);
  await ledger.flush();
  const health = new ClusterHealth(forwarding);
  health.delivered(outcome.delivered);
  for (const problem of outcome.fileProblems) health.failed(problem);
  recordDeliveryMetrics(outcome.delivered, 'event');
  if (outcome.problem) {
    health.failed(outcome.problem);
    if (outcome.problem.kind === 'access') {
      await markIntegrationFailed(
        { projectId: forwarding.projectId, integrationId: forwarding.integrationId },
        { detectedBy: 'forwarding', ...outcome.problem.failure },
      );
    }
    logger.warn('audit-log delivery failed; the files stay pending', {
      ...ids,
      problemCode: outcome.problem.code,
      pending: outcome.notDelivered.length,
    });
    metrics.addMetric('AuditLogForwardingFailures', MetricUnit.Count, 1);
  } else health.pending(undefined);
  if (health.worthSaving()) await health.save();
  const left = outcome.notDelivered[0];
  if (left)
    return pend(forwarding, left.file.writtenAt, outcome.problem?.kind !== 'access', outcome.notDelivered.length);
  return outcome.problem ? 'failed' : 'delivered';
}

/** The announced files that are this forwarding's to deliver, oldest first. */
function dueFiles(forwarding: Forwarding, announced: AnnouncedFile[]): PlatformAuditLogFile[] {
  const files: PlatformAuditLogFile[] = [];
  for (const { key, landedAt } of announced) {
    const file = parseSourceKey(key, forwarding.clusterId);
    if (!file) {
      logger.warn('audit-log key does not follow the layout; skipped', { clusterId: forwarding.clusterId, key });
      metrics.addMetric('AuditLogKeysSkipped', MetricUnit.Count, 1);
      continue;
    }
    if (!landedBeforeEnablement(landedAt, forwarding)) files.push({ key, file });
  }
  return files.sort((a, b) => a.key.localeCompare(b.key));
}

async function pend(forwarding: Forwarding, oldest: Date, mayCatchUp: boolean, count: number): Promise<EventOutcome> {
  const marked = await markPending(forwarding, oldest);
  if (!marked.recorded) return 'ignored'; // turned off meanwhile
  metrics.addMetric('AuditLogFilesPending', MetricUnit.Count, count);
  if (mayCatchUp && marked.requestCatchUp) await requestCatchUp(forwarding);
  return 'pending';
}
