import { logger } from '#shared/logger';
import type { FileCheckpoint } from '#shared/exports/file-store';
import { LeaseLostError } from '#shared/exports/job-lease';
import { ByteBudget } from '#shared/exports/worker/byte-budget';
import type { CopyEnv } from '#shared/exports/worker/copy-env';
import { LargeFileCopy } from '#shared/exports/worker/copy-large-file';
import { copySmallFile } from '#shared/exports/worker/copy-small-file';
import { ExportFailure } from '#shared/exports/worker/export-failure';
import { IntegrityError, RetriesExhaustedError } from '#shared/exports/worker/retry';
import type { TimeBudget } from '#shared/exports/worker/time-budget';
import { inParallel } from '#shared/worker/in-parallel';

/**
 * Copies the files that are not done yet, many at a time, until all are done, the time budget
 * runs out, or something stops the job. Work is cut into units (a small file, or one part of a
 * large file); a fixed number of workers take units in file order, and each unit first reserves
 * its bytes from a shared budget, so memory stays bounded whatever the file sizes.
 */
export interface EngineLimits {
  /** Units in flight at once (small files are latency-bound: many of them keep the pipe full). */
  concurrency: number;
  /** Bytes of file data held in memory at once. */
  memoryBytes: number;
}

/**
 * 32 units in flight keep S3's per-request latency hidden for small files; small files are read
 * whole into memory, so their buffers are bounded by 48 MiB. Parts of large files stream through
 * without being held (see part-stream.ts); each still reserves 4 MiB of the budget, which caps a
 * file's parts in flight at twelve.
 */
export const DEFAULT_LIMITS: EngineLimits = { concurrency: 32, memoryBytes: 48 * 1024 * 1024 };
const STREAMED_PART_RESERVATION = 4 * 1024 * 1024;

export type EngineResult =
  | { kind: 'all-copied' }
  | { kind: 'out-of-time' }
  /** Transient failures outlasted the retries: a later invocation tries again. */
  | { kind: 'interrupted'; cause: unknown }
  | { kind: 'failed'; failure: ExportFailure }
  | { kind: 'lease-lost' }
  /** An error we did not expect (a bug or an unknown answer): the job fails with an internal error. */
  | { kind: 'crashed'; error: unknown };

interface Unit {
  bytes: number;
  run: () => Promise<void>;
}

function* unitsOf(files: FileCheckpoint[], env: CopyEnv): Generator<Unit> {
  for (const file of files) {
    if (file.state === 'DONE') continue;
    if (!file.multipart) {
      yield { bytes: file.size, run: () => copySmallFile(env, file) };
      continue;
    }
    const copy = new LargeFileCopy(env, file);
    for (const part of copy.missingParts()) yield { bytes: STREAMED_PART_RESERVATION, run: () => copy.copyPart(part) };
    yield { bytes: 0, run: () => copy.complete() };
  }
}

/** The most telling outcome wins: a permanent failure over a lost lease over a transient stop. */
function rank(result: EngineResult): number {
  return { 'all-copied': 0, 'out-of-time': 1, interrupted: 2, 'lease-lost': 3, crashed: 4, failed: 5 }[result.kind];
}

function resultOf(error: unknown, env: CopyEnv): EngineResult {
  if (error instanceof ExportFailure) return { kind: 'failed', failure: error };
  if (error instanceof LeaseLostError) return { kind: 'lease-lost' };
  if (error instanceof RetriesExhaustedError && error.lastError instanceof IntegrityError) {
    return {
      kind: 'failed',
      failure: new ExportFailure(
        'VERIFICATION_FAILED',
        'A copied file kept failing its size or checksum check: something in the bucket changes objects under the export folder (a lifecycle rule, replication or another writer). Remove it and export again.',
      ),
    };
  }
  if (error instanceof RetriesExhaustedError || env.signal.aborted) return { kind: 'interrupted', cause: error };
  return { kind: 'crashed', error };
}

export async function copyPendingFiles(
  files: FileCheckpoint[],
  env: CopyEnv,
  budget: TimeBudget,
  limits: EngineLimits = DEFAULT_LIMITS,
): Promise<EngineResult> {
  const units = unitsOf(files, env);
  const memory = new ByteBudget(limits.memoryBytes);
  let outcome: EngineResult = { kind: 'all-copied' };
  const settle = (result: EngineResult) => {
    if (rank(result) > rank(outcome)) outcome = result;
  };

  // No more units once the outcome is decided, or when the time budget says stop.
  const mayContinue = () => {
    if (outcome.kind !== 'all-copied' && outcome.kind !== 'out-of-time') return false;
    if (budget.mayStartWork()) return true;
    settle({ kind: 'out-of-time' });
    return false;
  };
  await inParallel(
    units,
    limits.concurrency,
    async (unit) => {
      const release = await memory.reserve(unit.bytes);
      try {
        await unit.run();
      } catch (error) {
        const result = resultOf(error, env);
        if (result.kind === 'crashed') logger.error('export copy failed unexpectedly', { error: error as Error });
        settle(result);
      } finally {
        release();
      }
    },
    { mayContinue },
  );
  // Units still waiting when a worker stopped early mean the export is not complete.
  if (outcome.kind === 'all-copied' && files.some((file) => file.state !== 'DONE')) settle({ kind: 'out-of-time' });
  return outcome;
}
