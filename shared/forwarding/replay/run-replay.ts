/**
 * One slice of a replay job: every audit-log file the platform's bucket still holds whose write
 * time falls in [from, to), hour folder by hour folder, delivered again to the same keys. Each
 * write is conditional, so a file the customer still holds is left as it is (counted as already
 * present) and a versioned bucket gains no second version; only files the bucket lost are
 * written. Progress is saved per hour; a slice that runs out of time hands over to the next
 * message. Nothing is written while forwarding is paused: the job waits. Like a catch-up run, a
 * slice checks again before each hour's files that the cluster is still the project's.
 */
import { logger } from '#shared/logger';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import { markIntegrationFailed } from '#shared/integrations/mark-failed';
import { ownsCluster } from '#shared/projects/project-store';
import { parseSourceKey } from '#shared/forwarding/audit-log-keys';
import { destinationFor } from '#shared/forwarding/customer-destination';
import { requestReplaySlice } from '#shared/forwarding/delivery/catch-up-requests';
import { DeliveryLedger } from '#shared/forwarding/delivery/delivery-ledger';
import { recordDeliveryMetrics } from '#shared/forwarding/delivery/delivery-metrics';
import { FileBatch } from '#shared/forwarding/delivery/file-batch';
import type { PlatformAuditLogFile } from '#shared/forwarding/delivery/file-delivery';
import { compressionOf, landedBeforeEnablement, type Forwarding } from '#shared/forwarding/forwarding';
import { loadForwarding } from '#shared/forwarding/forwarding-store';
import { listHour } from '#shared/forwarding/platform-audit-logs';
import { ReplayJob, type ReplayRef } from '#shared/forwarding/replay/replay-job';

export interface ReplaySliceOptions {
  deadline: number;
  leaseMs: number;
  fileTimeoutMs: number;
}

const LANES = 4;
const WAIT_SECONDS = 60;

const forwardingTurnedOff = {
  code: 'FORWARDING_NOT_FOUND',
  message:
    'Audit-log forwarding of this cluster was turned off while the replay ran: turn it on and start the replay again.',
};

export async function runReplaySlice(ref: ReplayRef, options: ReplaySliceOptions): Promise<void> {
  const job = await ReplayJob.claim(ref, options.leaseMs);
  if (!job) return; // finished, or another slice is at it
  const forwarding = await loadForwarding(ref.projectId, ref.clusterId);
  if (!forwarding || forwarding.generation !== job.generation || !(await ownsCluster(ref))) {
    return job.failed(forwardingTurnedOff);
  }
  const integration = await loadIntegration(ref.projectId, forwarding.integrationId);
  const target = integration && workerTargetOf(integration);
  if (forwarding.paused || !target) {
    if (!target && job.sliceFailed()) {
      return job.failed({
        code: 'INTEGRATION_NOT_ACTIVE',
        message: 'The integration stayed unusable: validate it again (POST .../validate), then start the replay again.',
      });
    }
    await job.handOver();
    return requestReplaySlice(ref, WAIT_SECONDS);
  }

  const ledger = new DeliveryLedger(forwarding, target.bucketName, 'replay');
  const destination = destinationFor(target, forwarding.directory, forwarding.clusterId);
  for (const hour of job.hoursLeft()) {
    const files = await filesInWindow(forwarding, job.window, hour);
    // A cluster moved to another project meanwhile: its next catch-up run turns forwarding off.
    if (files.length > 0 && !(await ownsCluster(ref))) return job.failed(forwardingTurnedOff);
    const batch = new FileBatch(destination, ledger, {
      directory: forwarding.directory,
      compression: compressionOf(forwarding),
      lanes: LANES,
      deadline: options.deadline,
      fileTimeoutMs: options.fileTimeoutMs,
    });
    const outcome = await batch.deliver(files);
    await ledger.flush();
    recordDeliveryMetrics(outcome.delivered, 'replay');
    if (outcome.problem) {
      if (outcome.problem.kind === 'access') {
        await markIntegrationFailed(
          { projectId: forwarding.projectId, integrationId: forwarding.integrationId },
          { detectedBy: 'forwarding', ...outcome.problem.failure },
        );
      }
      if (outcome.problem.kind === 'access' || job.sliceFailed()) {
        return job.failed({ code: outcome.problem.code, message: outcome.problem.message });
      }
      logger.warn('replay slice stopped by the bucket; it is retried', { ...ref, problemCode: outcome.problem.code });
      await job.handOver();
      return requestReplaySlice(ref, WAIT_SECONDS / 2);
    }
    if (outcome.outOfTime) {
      // The hour is listed again by the next slice: what this one wrote is then already present.
      await job.handOver();
      return requestReplaySlice(ref);
    }
    if (!(await job.hourDone(hour, outcome.delivered))) return; // the lease was lost: the slice holding it goes on
  }
  await job.succeeded();
  logger.info('replay finished', { ...ref, ...job.progress });
}

/** The files of one hour folder written inside the window, that forwarding owed the customer. */
async function filesInWindow(
  forwarding: Forwarding,
  window: { from: string; to: string },
  hour: Date,
): Promise<PlatformAuditLogFile[]> {
  // Keys carry whole seconds: a file of the window's first second counts, whatever its milliseconds.
  const from = Math.floor(Date.parse(window.from) / 1000) * 1000;
  const to = Date.parse(window.to);
  const files: PlatformAuditLogFile[] = [];
  for (const listed of await listHour(forwarding.clusterId, hour)) {
    const file = parseSourceKey(listed.key, forwarding.clusterId);
    if (
      !file ||
      file.writtenAt.getTime() < from ||
      file.writtenAt.getTime() >= to ||
      landedBeforeEnablement(listed.lastModified, forwarding)
    )
      continue;
    files.push({ key: listed.key, file });
  }
  return files;
}
