import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import { destinationKey, parseSourceKey, type AuditLogFile } from '#shared/forwarding/audit-log-keys';
import { openSession, writeAuditLog, type Destination } from '#shared/forwarding/customer-destination';
import { customerProblem, sourceProblem, type DeliveryProblem } from '#shared/forwarding/delivery-problems';
import type { Forwarding } from '#shared/forwarding/forwarding';
import {
  BUFFER_LIMIT_BYTES,
  listAuditLogsAfter,
  readAuditLog,
  type AuditLogContent,
  type ListedFile,
} from '#shared/forwarding/platform-audit-logs';
import { moveCursor, type RunRef } from '#shared/forwarding/run-state-store';

/**
 * Copies one cluster's new audit-log files into the customer's bucket, oldest first. Writes happen
 * one at a time: a file is written only after the one before it was confirmed, so the customer's
 * bucket never holds a newer file without the older ones. Only the read of the next file overlaps
 * the current write. The cursor follows the confirmed writes in checkpoints, so a crash delivers at
 * most one checkpoint's files again, to the same keys.
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

/** What to do with one listed key. */
type Step =
  | { action: 'skip'; listed: ListedFile; malformed: boolean } // not ours to deliver: the cursor passes it
  | { action: 'wait'; file: AuditLogFile } // not settled yet: this run stops here
  | { action: 'deliver'; listed: ListedFile; file: AuditLogFile };

/**
 * Files the platform wrote before forwarding was turned on are not forwarded. S3 reports
 * LastModified in whole seconds, so the comparison is at that precision, erring towards delivery.
 */
function writtenBeforeEnablement(listed: ListedFile, forwarding: Forwarding): boolean {
  const enabledSecond = Math.floor(Date.parse(forwarding.enabledAt) / 1000) * 1000;
  return listed.lastModified !== undefined && listed.lastModified.getTime() < enabledSecond;
}

function stepFor(listed: ListedFile, forwarding: Forwarding, settledBefore: number): Step {
  const file = parseSourceKey(listed.key, forwarding.clusterId);
  // A key off the layout is never delivered (it could sort out of time order) and never blocks the files after it.
  if (!file) return { action: 'skip', listed, malformed: true };
  if (file.writtenAt.getTime() > settledBefore) return { action: 'wait', file };
  if (writtenBeforeEnablement(listed, forwarding)) return { action: 'skip', listed, malformed: false };
  return { action: 'deliver', listed, file };
}

/**
 * The write time of the oldest file due for delivery, without delivering anything: the lag of a
 * forwarding whose integration cannot be used right now. Looks at one page after the cursor.
 */
export async function oldestDueFile(forwarding: Forwarding): Promise<Date | undefined> {
  const { files } = await listAuditLogsAfter(
    forwarding.clusterId,
    forwarding.cursor,
    PAGE_SIZE,
    AbortSignal.timeout(FILE_TIMEOUT_MS),
  );
  for (const listed of files) {
    const file = parseSourceKey(listed.key, forwarding.clusterId);
    if (file && !writtenBeforeEnablement(listed, forwarding)) return file.writtenAt;
  }
  return undefined;
}

const fileSignal = (budget: RunBudget) =>
  AbortSignal.timeout(Math.max(1, Math.min(FILE_TIMEOUT_MS, budget.hardDeadline - Date.now())));

/** Starts reading the next file to deliver on this page, if it comes before any unsettled one and fits in memory. */
function readAhead(
  steps: Step[],
  from: number,
  budget: RunBudget,
): { index: number; content: Promise<AuditLogContent> } | undefined {
  for (let index = from; index < steps.length; index += 1) {
    const step = steps[index] as Step;
    if (step.action === 'wait') return undefined;
    if (step.action === 'skip') continue;
    if (step.listed.size > BUFFER_LIMIT_BYTES || Date.now() >= budget.deadline) return undefined;
    const content = readAuditLog(step.listed.key, fileSignal(budget));
    content.catch(() => undefined); // a read-ahead the run stops before is dropped, its failure with it
    return { index, content };
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
  let confirmed = forwarding.cursor;
  let reached = confirmed;
  let deliveredSinceCheckpoint: { through: string; at: string } | undefined;
  let lastCheckpoint = Date.now();
  let sinceCheckpoint = 0;

  const checkpoint = async (): Promise<boolean> => {
    if (reached === undefined || reached === confirmed) return true;
    if (!(await moveCursor(run, { from: confirmed, to: reached, delivered: deliveredSinceCheckpoint }))) {
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
      page = await listAuditLogsAfter(forwarding.clusterId, listFrom, PAGE_SIZE, AbortSignal.timeout(FILE_TIMEOUT_MS));
    } catch (error) {
      result.problem = sourceProblem(error);
      break;
    }
    const steps = page.files.map((listed) => stepFor(listed, forwarding, settledBefore));
    let ahead: ReturnType<typeof readAhead>;
    for (const [index, step] of steps.entries()) {
      if (step.action === 'wait') {
        result.oldestPending = step.file.writtenAt;
        break listing;
      }
      listFrom = step.listed.key;
      if (step.action === 'skip') {
        if (step.malformed) {
          logger.warn('audit-log key does not follow the layout; skipped', {
            clusterId: forwarding.clusterId,
            key: step.listed.key,
          });
          metrics.addMetric('AuditLogKeysSkipped', MetricUnit.Count, 1);
        }
        reached = step.listed.key;
        continue;
      }
      const { listed, file } = step;
      if (Date.now() >= budget.deadline || result.filesDelivered >= budget.maxFiles) {
        result.oldestPending = file.writtenAt;
        break listing;
      }
      const reading = ahead?.index === index ? ahead.content : readAuditLog(listed.key, fileSignal(budget));
      let content: AuditLogContent;
      try {
        content = await reading;
      } catch (error) {
        result.problem = sourceProblem(error);
        result.oldestPending = file.writtenAt;
        break listing;
      }
      ahead = readAhead(steps, index + 1, budget);
      const key = destinationKey(forwarding.directory, file);
      try {
        await writeAuditLog(destination, key, content, fileSignal(budget));
      } catch (error) {
        result.problem = await customerProblem('PutObject', error, destination.target, key);
        result.oldestPending = file.writtenAt;
        break listing;
      }
      const at = new Date().toISOString();
      result.filesDelivered += 1;
      result.bytesDelivered += content.length;
      result.lastDeliveryAt = at;
      deliveredSinceCheckpoint = { through: file.writtenAt.toISOString(), at };
      reached = listed.key;
      sinceCheckpoint += 1;
      if (
        (sinceCheckpoint >= CHECKPOINT_FILES || Date.now() - lastCheckpoint >= CHECKPOINT_MS) &&
        !(await checkpoint())
      ) {
        return result;
      }
    }
    if (!page.more) break;
  }
  await checkpoint();
  return result;
}
