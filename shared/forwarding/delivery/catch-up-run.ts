/**
 * A catch-up run of one cluster, under its lease: the safety net behind the events.
 *
 * - With files pending (`pendingSince`), it lists every hour folder from the oldest pending file's
 *   hour on, and delivers, strictly oldest first, each file the ledger does not hold: after a
 *   pause, after the integration was FAILED, after the customer's bucket failed for a while.
 * - Without, as the scheduler's reconciliation, it looks at the last RECONCILE_HOURS hours for a
 *   file whose event never came (files younger than the event grace are the events' to deliver).
 *
 * Then it removes `pendingSince`, unless a file was marked pending meanwhile, in which case it goes
 * round again. A run that runs out of time asks for its own continuation at once.
 *
 * Ownership is checked as the run starts and again once each hour folder is listed, before its
 * files are delivered: every file a run delivers landed while the cluster was still the project's,
 * even when the cluster moves to another project while the run goes on.
 */
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import { workerTargetOf } from '#shared/integrations/customer-target';
import { loadIntegration } from '#shared/integrations/integration-store';
import { markIntegrationFailed } from '#shared/integrations/mark-failed';
import { ownsCluster } from '#shared/projects/project-store';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { HOUR_MS, hourStart } from '#shared/forwarding/audit-log-keys';
import { destinationFor } from '#shared/forwarding/customer-destination';
import { claimCatchUpLease } from '#shared/forwarding/delivery/catch-up-lease';
import { requestCatchUp } from '#shared/forwarding/delivery/catch-up-requests';
import { ClusterHealth } from '#shared/forwarding/delivery/cluster-health';
import { DeliveryLedger, ledgerSourceKeys } from '#shared/forwarding/delivery/delivery-ledger';
import { recordDeliveryMetrics } from '#shared/forwarding/delivery/delivery-metrics';
import { FileBatch } from '#shared/forwarding/delivery/file-batch';
import { missingFilesOfHour } from '#shared/forwarding/delivery/hour-listing';
import { advancePending, clearPending, type PendingRef } from '#shared/forwarding/delivery/pending-files';
import { compressionOf, type Forwarding } from '#shared/forwarding/forwarding';
import { loadForwarding } from '#shared/forwarding/forwarding-store';
import { stopForMovedCluster } from '#shared/forwarding/stop-moved-cluster';

export type CatchUpStatus =
  | 'CAUGHT_UP'
  | 'STOPPED'
  | 'FAILED'
  | 'PAUSED'
  | 'INTEGRATION_NOT_ACTIVE'
  | 'CLUSTER_NOT_OWNED'
  | 'NOT_RUN'
  | 'LOST_LEASE';

export interface CatchUpOptions {
  reason: 'pending' | 'reconcile';
  /** No file is started after this time (epoch ms). */
  deadline: number;
  /** Longer than any run can last, so an expired lease means its run is gone. */
  leaseMs: number;
  /** A reconciliation leaves files younger than this to their events. */
  eventGraceSeconds: number;
  fileTimeoutMs: number;
}

export interface CatchUpOutcome {
  status: CatchUpStatus;
  filesDelivered: number;
  problemCode?: string;
}

/** Hours a reconciliation looks back over (the hour in progress and the one before). */
export const RECONCILE_HOURS = 2;
/** Writers' clocks may run ahead: the ledger is read from this much before the first hour swept. */
const CLOCK_SKEW_MS = HOUR_MS;

/** How a sweep ended: every hour done, the cluster moved, time up, or a bucket failing (files left). */
type SweepEnd = { end: 'swept' } | { end: 'cluster-moved' } | { end: 'out-of-time' | 'failed'; oldestLeft?: Date };

export async function catchUp(
  ref: { projectId: string; clusterId: string },
  options: CatchUpOptions,
): Promise<CatchUpOutcome> {
  // Ownership first, lease or not: a run already under way checked it before the cluster moved,
  // and the stop must not wait for that run's lease (the delete is conditioned on the generation).
  if (!(await ownsCluster(ref))) {
    const stale = await loadForwarding(ref.projectId, ref.clusterId);
    if (!stale) return { status: 'NOT_RUN', filesDelivered: 0 };
    await stopForMovedCluster(stale);
    return { status: 'CLUSTER_NOT_OWNED', filesDelivered: 0 };
  }
  const owner = randomUUID();
  const forwarding = await claimCatchUpLease(ref, owner, Date.now(), options.leaseMs);
  if (!forwarding) return { status: 'NOT_RUN', filesDelivered: 0 }; // turned off, or another run is at it
  const integration = await loadIntegration(ref.projectId, forwarding.integrationId);
  const target = integration && workerTargetOf(integration);
  if (forwarding.paused || !target) {
    // Nothing is written; the growing lag stays visible.
    const health = new ClusterHealth(forwarding);
    health.pending(forwarding.pendingSince ? new Date(forwarding.pendingSince) : undefined);
    const saved = await health.save({ lease: { owner, release: true } });
    return {
      status: saved ? (forwarding.paused ? 'PAUSED' : 'INTEGRATION_NOT_ACTIVE') : 'LOST_LEASE',
      filesDelivered: 0,
    };
  }
  return new CatchUpRun(forwarding, owner, target, options).run();
}

class CatchUpRun {
  private readonly health: ClusterHealth;
  private readonly ledger: DeliveryLedger;
  private filesDelivered = 0;

  constructor(
    private forwarding: Forwarding,
    private readonly owner: string,
    private readonly target: CustomerTarget,
    private readonly options: CatchUpOptions,
  ) {
    this.health = new ClusterHealth(forwarding);
    this.ledger = new DeliveryLedger(forwarding, target.bucketName, 'catch-up');
  }

  private get ids() {
    return {
      projectId: this.forwarding.projectId,
      clusterId: this.forwarding.clusterId,
      integrationId: this.forwarding.integrationId,
    };
  }

  async run(): Promise<CatchUpOutcome> {
    for (;;) {
      const pendingSince = this.forwarding.pendingSince ? new Date(this.forwarding.pendingSince) : undefined;
      const reconciling = !pendingSince;
      const from = pendingSince ?? new Date(Date.now() - (RECONCILE_HOURS - 1) * HOUR_MS);
      if (reconciling && this.options.reason !== 'reconcile') return this.finish('CAUGHT_UP');
      const swept = await this.sweep(from, reconciling);
      if (swept.end === 'cluster-moved') {
        // The lease goes with the forwarding item.
        await stopForMovedCluster(this.forwarding);
        return { status: 'CLUSTER_NOT_OWNED', filesDelivered: this.filesDelivered };
      }
      if (swept.end !== 'swept') {
        if (swept.oldestLeft && pendingSince) await advancePending(this.pendingRef(), swept.oldestLeft);
        if (swept.end === 'out-of-time') await requestCatchUp(this.forwarding);
        return this.finish(swept.end === 'out-of-time' ? 'STOPPED' : 'FAILED', swept.oldestLeft);
      }
      if (reconciling || (await clearPending(this.pendingRef()))) return this.finish('CAUGHT_UP');
      // Files were marked pending while this run went: read the forwarding again and go round.
      const again = await loadForwarding(this.forwarding.projectId, this.forwarding.clusterId);
      if (!again || again.generation !== this.forwarding.generation || again.leaseOwner !== this.owner)
        return { status: 'LOST_LEASE', filesDelivered: this.filesDelivered };
      this.forwarding = again;
    }
  }

  private pendingRef(): PendingRef {
    return { ...this.forwarding, leaseOwner: this.owner, mark: this.forwarding.pendingMark };
  }

  /**
   * Every hour folder from `from` to now, in order; stops at the first problem with a bucket, when
   * time is up, or when the cluster is found to belong to another project.
   */
  private async sweep(from: Date, reconciling: boolean): Promise<SweepEnd> {
    const now = Date.now();
    const delivered = await ledgerSourceKeys(
      this.forwarding,
      new Date(hourStart(from).getTime() - CLOCK_SKEW_MS),
      new Date(now),
    );
    const destination = destinationFor(this.target, this.forwarding.directory, this.forwarding.clusterId);
    const landedBefore = reconciling ? now - this.options.eventGraceSeconds * 1000 : Number.POSITIVE_INFINITY;
    for (let hour = hourStart(from).getTime(); hour <= now; hour += HOUR_MS) {
      let files;
      try {
        files = await missingFilesOfHour(this.forwarding, new Date(hour), delivered, landedBefore);
      } catch (error) {
        this.health.failed({
          code: 'AUDIT_LOGS_UNAVAILABLE',
          message: `listing the platform's audit logs failed (${(error as Error).name}); the files stay pending`,
        });
        return { end: 'failed', oldestLeft: new Date(hour) };
      }
      if (files.length === 0) continue;
      // Listed before this check, so each of these files landed while the cluster was the project's.
      if (!(await ownsCluster(this.forwarding))) return { end: 'cluster-moved' };
      const batch = new FileBatch(destination, this.ledger, {
        directory: this.forwarding.directory,
        compression: compressionOf(this.forwarding),
        lanes: 1,
        deadline: this.options.deadline,
        fileTimeoutMs: this.options.fileTimeoutMs,
      });
      const outcome = await batch.deliver(files);
      await this.ledger.flush();
      this.filesDelivered += outcome.delivered.length;
      this.health.delivered(outcome.delivered);
      for (const problem of outcome.fileProblems) this.health.failed(problem);
      recordDeliveryMetrics(outcome.delivered, reconciling ? 'reconciliation' : 'catch-up');
      if (reconciling && outcome.delivered.length > 0)
        logger.warn('reconciliation delivered files whose events never came', {
          ...this.ids,
          files: outcome.delivered.length,
        });
      if (outcome.problem) {
        this.health.failed(outcome.problem);
        if (outcome.problem.kind === 'access') {
          await markIntegrationFailed(
            { projectId: this.forwarding.projectId, integrationId: this.forwarding.integrationId },
            { detectedBy: 'forwarding', ...outcome.problem.failure },
          );
        }
      }
      const left = outcome.notDelivered[0]?.file.writtenAt;
      if (outcome.problem || outcome.outOfTime)
        return { end: outcome.problem ? 'failed' : 'out-of-time', ...(left ? { oldestLeft: left } : {}) };
    }
    return { end: 'swept' };
  }

  private async finish(status: CatchUpStatus, oldestLeft?: Date): Promise<CatchUpOutcome> {
    this.health.pending(
      status === 'CAUGHT_UP'
        ? undefined
        : (oldestLeft ?? (this.forwarding.pendingSince ? new Date(this.forwarding.pendingSince) : undefined)),
    );
    if (!(await this.health.save({ lease: { owner: this.owner, release: true } })))
      return { status: 'LOST_LEASE', filesDelivered: this.filesDelivered };
    const problemCode = this.health.current.consecutiveFailures > 0 ? this.health.current.lastError?.code : undefined;
    if (status === 'FAILED') metrics.addMetric('AuditLogForwardingFailures', MetricUnit.Count, 1);
    const lagSeconds = this.health.current.lagSeconds;
    if (lagSeconds !== undefined) metrics.addMetric('AuditLogForwardingLagSeconds', MetricUnit.Seconds, lagSeconds);
    // Codes only: problem messages can carry the external ID (validation's ASSUME_ROLE message).
    (status === 'FAILED' ? logger.warn.bind(logger) : logger.info.bind(logger))('catch-up run finished', {
      ...this.ids,
      status,
      filesDelivered: this.filesDelivered,
      lagSeconds,
      ...(problemCode ? { problemCode } : {}),
    });
    return { status, filesDelivered: this.filesDelivered, ...(problemCode ? { problemCode } : {}) };
  }
}
