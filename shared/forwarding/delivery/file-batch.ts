/**
 * Delivers some files of one cluster to its destination, oldest first, and records each outcome in
 * the ledger. `lanes` files are under way at once: several for the files of an event batch, one
 * for a catch-up run, whose writes then land strictly in order (the next file is read while the
 * current one is written). The first problem with either bucket stops new files from starting
 * (the next ones would meet it too); a problem with one file (a conflict at its key, a file too
 * large) is recorded for that file and the others go on.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '#shared/logger';
import { openSession, type Destination } from '#shared/forwarding/customer-destination';
import {
  conflictProblem,
  customerProblem,
  sourceProblem,
  tooLargeProblem,
  type DeliveryProblem,
} from '#shared/forwarding/delivery-problems';
import type { DeliveryLedger } from '#shared/forwarding/delivery/delivery-ledger';
import {
  DeliveryConflict,
  prepareFile,
  writePreparedFile,
  type DeliveredFile,
  type FileDeliveryOptions,
  type PreparedFile,
  type PlatformAuditLogFile,
} from '#shared/forwarding/delivery/file-delivery';
import { AuditLogGone, AuditLogTooLarge } from '#shared/forwarding/platform-audit-logs';
import { inParallel } from '#shared/worker/in-parallel';

export interface BatchOptions extends FileDeliveryOptions {
  lanes: number;
  /** No file is started after this time (epoch ms). */
  deadline?: number;
  /** Per file: its requests are aborted after this long. */
  fileTimeoutMs: number;
}

export interface BatchOutcome {
  delivered: DeliveredFile[];
  /** Files not delivered, to stay pending: the ones that failed and the ones never started. */
  notDelivered: PlatformAuditLogFile[];
  /** What stopped the batch, if anything did. */
  problem?: DeliveryProblem;
  /** Files given up for good (recorded in the ledger), with why. */
  fileProblems: DeliveryProblem[];
  /** The deadline passed before every file was started. */
  outOfTime: boolean;
}

type Failure = { stage: 'read' | 'write'; error: unknown };

export class FileBatch {
  private readonly outcome: BatchOutcome = { delivered: [], notDelivered: [], fileProblems: [], outOfTime: false };
  /** Files that need nothing more: delivered, given up for good, or gone from the platform's bucket. */
  private readonly settled = new Set<string>();

  constructor(
    private readonly destination: Destination,
    private readonly ledger: DeliveryLedger,
    private readonly options: BatchOptions,
  ) {}

  async deliver(files: PlatformAuditLogFile[]): Promise<BatchOutcome> {
    const ordered = [...files].sort((a, b) => a.key.localeCompare(b.key));
    try {
      await openSession(this.destination);
    } catch (error) {
      this.outcome.problem = await customerProblem('AssumeRole', error, this.destination.target);
    }
    if (!this.outcome.problem) {
      if (this.options.lanes <= 1) await this.inOrder(ordered);
      else await this.inLanes(ordered);
    }
    this.outcome.notDelivered = ordered.filter((file) => !this.settled.has(file.key));
    return this.outcome;
  }

  private mayStart(): boolean {
    if (this.outcome.problem) return false;
    if (this.options.deadline !== undefined && Date.now() >= this.options.deadline) {
      this.outcome.outOfTime = true;
      return false;
    }
    return true;
  }

  private signal() {
    return AbortSignal.timeout(this.options.fileTimeoutMs);
  }

  /** Files side by side, each read then written; none started once the batch is stopped. */
  private async inLanes(files: PlatformAuditLogFile[]): Promise<void> {
    const queue = [...files];
    // Asked only while files remain, so a deadline that passes after the last file started is not out of time.
    const mayTakeNext = () => queue.length === 0 || this.mayStart();
    await inParallel(
      (function* () {
        for (let file = queue.shift(); file; file = queue.shift()) yield file;
      })(),
      this.options.lanes,
      async (file) => {
        const prepared = await this.prepare(file);
        if (prepared) await this.write(prepared);
      },
      { mayContinue: mayTakeNext },
    );
  }

  /** Each write starts only after the one before it was confirmed; the next file is read meanwhile. */
  private async inOrder(queue: PlatformAuditLogFile[]): Promise<void> {
    let reading: Promise<PreparedFile | undefined> | undefined;
    for (let index = 0; index < queue.length; index += 1) {
      if (!reading) {
        if (!this.mayStart()) return;
        reading = this.prepare(queue[index] as PlatformAuditLogFile);
      }
      const prepared = await reading;
      reading = undefined;
      const following = queue[index + 1];
      if (following && prepared && this.mayStart()) reading = this.prepare(following);
      if (prepared) await this.write(prepared);
      if (this.outcome.problem) {
        // The read ahead is dropped: its file stays pending.
        reading?.catch(() => undefined);
        return;
      }
    }
  }

  private async prepare(file: PlatformAuditLogFile): Promise<PreparedFile | undefined> {
    try {
      return await prepareFile(file, { ...this.options, signal: this.signal() });
    } catch (error) {
      await this.failed(file, { stage: 'read', error });
      return undefined;
    }
  }

  private async write(prepared: PreparedFile): Promise<void> {
    try {
      const delivered = await writePreparedFile(prepared, this.destination, this.signal());
      this.outcome.delivered.push(delivered);
      this.ledger.record(delivered);
      this.settled.add(prepared.source.key);
    } catch (error) {
      await this.failed(prepared.source, { stage: 'write', error }, prepared);
    }
  }

  private async failed(file: PlatformAuditLogFile, failure: Failure, prepared?: PreparedFile): Promise<void> {
    const { error } = failure;
    if (error instanceof AuditLogGone) {
      // The platform removed it (its retention) before it could be delivered: nothing to deliver.
      logger.warn('audit-log file gone from the platform bucket before delivery', {
        clusterId: file.file.clusterId,
        key: file.key,
      });
      metrics.addMetric('AuditLogFilesGone', MetricUnit.Count, 1);
      this.settled.add(file.key);
      return;
    }
    const landedAt = prepared?.landedAt ?? new Date();
    if (error instanceof AuditLogTooLarge) {
      this.ledger.recordUndeliverable(file.key, '', landedAt, 'tooLarge');
      this.outcome.fileProblems.push(tooLargeProblem(file.key, error.size));
      metrics.addMetric('AuditLogFilesTooLarge', MetricUnit.Count, 1);
      this.settled.add(file.key);
      return;
    }
    if (error instanceof DeliveryConflict) {
      this.ledger.recordUndeliverable(file.key, error.key, landedAt, 'conflict');
      this.outcome.fileProblems.push(conflictProblem(this.destination.target.bucketName, error.key));
      metrics.addMetric('AuditLogDeliveryConflicts', MetricUnit.Count, 1);
      this.settled.add(file.key);
      return;
    }
    if (this.outcome.problem) return;
    const problem =
      failure.stage === 'read'
        ? sourceProblem(error)
        : await customerProblem('PutObject', error, this.destination.target, prepared?.key);
    this.outcome.problem ??= problem;
  }
}
