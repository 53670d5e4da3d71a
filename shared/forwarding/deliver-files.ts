import { logger, metrics } from '#shared/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { destinationKey, parseSourceKey } from '#shared/forwarding/audit-log-keys';
import { openSession, writeAuditLog, type Destination } from '#shared/forwarding/customer-destination';
import { customerProblem, sourceProblem, type DeliveryProblem } from '#shared/forwarding/delivery-problems';
import type { Forwarding } from '#shared/forwarding/forwarding';
import { listAuditLogsAfter, openAuditLog, type ListedFile } from '#shared/forwarding/platform-audit-logs';
import { moveCursor, type RunRef } from '#shared/forwarding/run-state-store';

/**
 * Copies one cluster's new audit-log files into the customer's bucket, oldest first, one at a time:
 * a file is written only after the one before it was confirmed, so the customer's bucket never holds
 * a newer file without the older ones. The cursor follows the confirmed writes (in checkpoints, so a
 * crash re-delivers at most one checkpoint's files, to the same keys).
 */
export interface RunBudget {
  /** No new file is started after this time (epoch ms). */
  deadline: number;
  /** Requests still in flight are aborted at this time (epoch ms). */
  hardDeadline: number;
  maxFiles: number;
}

export interface DeliveryResult {
  filesDelivered: number;
  bytesDelivered: number;
  /** Write time of the oldest file that is due and not delivered yet. */
  oldestPending?: Date;
  lastDeliveryAt?: string;
  problem?: DeliveryProblem;
  /** Another run took over or forwarding was turned off: this run must write nothing more. */
  lostLease: boolean;
  /** The time budget ran out between two pages, before the next due file was seen. */
  stoppedBetweenPages: boolean;
}

const PAGE_SIZE = 1000;
const CHECKPOINT_FILES = 100;
const CHECKPOINT_MS = 2000;
/** One slow customer bucket may hold one file this long, never the whole run. */
const FILE_TIMEOUT_MS = 30_000;

/**
 * Files the platform wrote before forwarding was turned on are not forwarded. S3 reports
 * LastModified in whole seconds, so the comparison is at that precision, erring towards delivery.
 */
function writtenBeforeEnablement(listed: ListedFile, forwarding: Forwarding): boolean {
  const enabledSecond = Math.floor(Date.parse(forwarding.enabledAt) / 1000) * 1000;
  return listed.lastModified !== undefined && listed.lastModified.getTime() < enabledSecond;
}

/**
 * The write time of the oldest file due for delivery, without delivering anything: the lag of a
 * forwarding whose integration cannot be used right now. Looks at one page after the cursor.
 */
export async function oldestDueFile(forwarding: Forwarding): Promise<Date | undefined> {
  const { files } = await listAuditLogsAfter(forwarding.clusterId, forwarding.cursor, PAGE_SIZE, AbortSignal.timeout(FILE_TIMEOUT_MS));
  for (const listed of files) {
    const file = parseSourceKey(listed.key, forwarding.clusterId);
    if (file && !writtenBeforeEnablement(listed, forwarding)) return file.writtenAt;
  }
  return undefined;
}

export async function deliverNewFiles(
  forwarding: Forwarding,
  run: RunRef,
  destination: Destination,
  budget: RunBudget,
  settleSeconds: number,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { filesDelivered: 0, bytesDelivered: 0, lostLease: false, stoppedBetweenPages: false };
  const settledBefore = Date.now() - settleSeconds * 1000;
  const { clusterId } = forwarding;
  let confirmed = forwarding.cursor;
  let reached = confirmed;
  let deliveredSinceCheckpoint: { through: string; at: string } | undefined;
  let lastCheckpoint = Date.now();
  let sinceCheckpoint = 0;

  const checkpoint = async (): Promise<boolean> => {
    if (reached === undefined || reached === confirmed) return true;
    const moved = await moveCursor(run, { from: confirmed, to: reached, delivered: deliveredSinceCheckpoint });
    if (!moved) {
      result.lostLease = true;
      return false;
    }
    confirmed = reached;
    deliveredSinceCheckpoint = undefined;
    lastCheckpoint = Date.now();
    sinceCheckpoint = 0;
    return true;
  };

  try {
    await openSession(destination);
  } catch (error) {
    result.problem = await customerProblem('AssumeRole', error, destination.target);
    return result;
  }

  let listFrom = confirmed;
  listing: for (;;) {
    // Checked here as well, so that a long run of skipped keys cannot outlast the budget either.
    if (Date.now() >= budget.deadline) {
      result.stoppedBetweenPages = true;
      break;
    }
    let page;
    try {
      page = await listAuditLogsAfter(clusterId, listFrom, PAGE_SIZE, AbortSignal.timeout(FILE_TIMEOUT_MS));
    } catch (error) {
      result.problem = sourceProblem(error);
      break;
    }
    for (const listed of page.files) {
      listFrom = listed.key;
      const file = parseSourceKey(listed.key, clusterId);
      if (!file) {
        // Never delivered (it could sort out of time order), never blocks the files after it.
        logger.warn('audit-log key does not follow the layout; skipped', { clusterId, key: listed.key });
        metrics.addMetric('AuditLogKeysSkipped', MetricUnit.Count, 1);
        reached = listed.key;
        continue;
      }
      if (file.writtenAt.getTime() > settledBefore) {
        result.oldestPending = file.writtenAt;
        break listing;
      }
      if (writtenBeforeEnablement(listed, forwarding)) {
        reached = listed.key;
        continue;
      }
      if (Date.now() >= budget.deadline || result.filesDelivered >= budget.maxFiles) {
        result.oldestPending = file.writtenAt;
        break listing;
      }
      const abortSignal = AbortSignal.timeout(Math.max(1, Math.min(FILE_TIMEOUT_MS, budget.hardDeadline - Date.now())));
      let source;
      try {
        source = await openAuditLog(listed.key, abortSignal);
      } catch (error) {
        result.problem = sourceProblem(error);
        result.oldestPending = file.writtenAt;
        break listing;
      }
      const key = destinationKey(forwarding.directory, file);
      try {
        await writeAuditLog(destination, key, source, abortSignal);
      } catch (error) {
        result.problem = await customerProblem('PutObject', error, destination.target, key);
        result.oldestPending = file.writtenAt;
        break listing;
      }
      const at = new Date().toISOString();
      result.filesDelivered += 1;
      result.bytesDelivered += source.length;
      result.lastDeliveryAt = at;
      deliveredSinceCheckpoint = { through: file.writtenAt.toISOString(), at };
      reached = listed.key;
      sinceCheckpoint += 1;
      if ((sinceCheckpoint >= CHECKPOINT_FILES || Date.now() - lastCheckpoint >= CHECKPOINT_MS) && !(await checkpoint())) {
        return result;
      }
    }
    if (!page.more) break;
  }
  await checkpoint();
  return result;
}
