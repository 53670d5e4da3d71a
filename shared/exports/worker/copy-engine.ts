/**
 * Runs copy work items (a small file, or one part of a large file), many at a time, until there
 * are no more, the time budget runs out, or something stops the work. A fixed number of workers
 * pull items in order, and each item first reserves its bytes from a shared budget, so memory
 * stays bounded whatever the file sizes. Items come from an iterator that may be asynchronous: a
 * lane takes its next unit's lease while the current unit's last parts are still in flight, so the
 * pipe stays full across units.
 */
import { logger } from '#shared/logger';
import { JobNoLongerRunningError } from '#shared/exports/checkpoints/work-unit';
import { LeaseLostError } from '#shared/exports/lease-lost';
import { ByteBudget } from '#shared/exports/worker/byte-budget';
import { ExportFailure } from '#shared/exports/worker/export-failure';
import { IntegrityError, RetriesExhaustedError } from '#shared/exports/worker/retry';
import type { TimeBudget } from '#shared/exports/worker/time-budget';
import { inParallel } from '#shared/worker/in-parallel';

export interface EngineLimits {
  /** Items in flight at once (small files are latency-bound: many of them keep the pipe full). */
  concurrency: number;
  /** Bytes of file data held in memory at once. */
  memoryBytes: number;
}

/**
 * 32 items in flight keep S3's per-request latency hidden for small files; small files are read
 * whole into memory, so their buffers are bounded by 48 MiB. Parts of large files stream through
 * without being held (see part-stream.ts); each still reserves 4 MiB of the budget, which caps the
 * parts in flight at twelve.
 */
export const DEFAULT_LIMITS: EngineLimits = { concurrency: 32, memoryBytes: 48 * 1024 * 1024 };
export const STREAMED_PART_RESERVATION = 4 * 1024 * 1024;

export interface WorkItem {
  bytes: number;
  run: () => Promise<void>;
}

export type EngineResult =
  | { kind: 'all-copied' }
  | { kind: 'out-of-time' }
  /** Transient failures outlasted the retries: a later invocation tries again. */
  | { kind: 'interrupted'; cause: unknown }
  | { kind: 'failed'; failure: ExportFailure }
  | { kind: 'lease-lost' }
  /** The job ended or failed elsewhere: the work is no longer wanted. */
  | { kind: 'job-ended' }
  /** An error we did not expect (a bug or an unknown answer): the job fails with an internal error. */
  | { kind: 'crashed'; error: unknown };

/** The most telling outcome wins: a permanent failure over a lost lease over a transient stop. */
function rank(result: EngineResult): number {
  return { 'all-copied': 0, 'out-of-time': 1, interrupted: 2, 'lease-lost': 3, 'job-ended': 4, crashed: 5, failed: 6 }[
    result.kind
  ];
}

export function resultOf(error: unknown, signal: AbortSignal): EngineResult {
  if (error instanceof ExportFailure) return { kind: 'failed', failure: error };
  if (error instanceof LeaseLostError) return { kind: 'lease-lost' };
  if (error instanceof JobNoLongerRunningError) return { kind: 'job-ended' };
  if (error instanceof RetriesExhaustedError && error.lastError instanceof IntegrityError) {
    return {
      kind: 'failed',
      failure: new ExportFailure(
        'VERIFICATION_FAILED',
        'A copied file kept failing its size or checksum check: something in the bucket changes objects under ' +
          'the export folder (a lifecycle rule, replication or another writer). Remove it and export again.',
      ),
    };
  }
  if (error instanceof RetriesExhaustedError || signal.aborted) return { kind: 'interrupted', cause: error };
  return { kind: 'crashed', error };
}

export class Outcome {
  private value: EngineResult = { kind: 'all-copied' };

  get current(): EngineResult {
    return this.value;
  }

  get going(): boolean {
    return this.value.kind === 'all-copied';
  }

  /** Stopped for good in this invocation (not merely out of time or interrupted): record nothing more. */
  get stopped(): boolean {
    return rank(this.value) > rank({ kind: 'interrupted', cause: undefined });
  }

  settle(result: EngineResult): void {
    if (rank(result) > rank(this.value)) this.value = result;
  }

  settleError(error: unknown, signal: AbortSignal): void {
    const result = resultOf(error, signal);
    if (result.kind === 'crashed') logger.error('export copy failed unexpectedly', { error: error as Error });
    this.settle(result);
  }
}

export async function runWorkItems(
  items: Iterator<WorkItem> | AsyncIterator<WorkItem>,
  budget: TimeBudget,
  limits: EngineLimits = DEFAULT_LIMITS,
  outcome = new Outcome(),
): Promise<EngineResult> {
  const memory = new ByteBudget(limits.memoryBytes);
  // A source that fails (a lane could not take its next unit's lease) settles the outcome and ends.
  const source: AsyncIterable<WorkItem> = {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<WorkItem>> => {
        try {
          return await items.next();
        } catch (error) {
          outcome.settleError(error, budget.signal);
          return { done: true, value: undefined };
        }
      },
    }),
  };
  // No more items once the outcome is decided, or when the time budget says stop.
  const mayContinue = () => {
    if (!outcome.going) return false;
    if (budget.mayStartWork()) return true;
    outcome.settle({ kind: 'out-of-time' });
    return false;
  };
  await inParallel(
    source,
    limits.concurrency,
    async (item) => {
      const release = await memory.reserve(item.bytes);
      try {
        await item.run();
      } catch (error) {
        outcome.settleError(error, budget.signal);
      } finally {
        release();
      }
    },
    { mayContinue },
  );
  return outcome.current;
}
