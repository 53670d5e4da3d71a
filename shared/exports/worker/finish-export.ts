/**
 * The finisher: once every lane is done, one holder of the job lease (the lease makes it one, at
 * any moment) completes the large files' uploads, aborts any upload left in the folder, checks
 * every file's size in one listing, and writes the manifest last. Each step is safe to repeat, so a
 * finisher that runs out of time hands over to a fresh invocation, which starts again at the first
 * step not done: completed files are marked, and a completion or a manifest already there is
 * recognised by its bytes.
 */
import { queryRange } from '#shared/exports/checkpoints/attempt';
import { DoneMarks } from '#shared/exports/checkpoints/done-marks';
import {
  isMultipartGroup,
  loadAllGroups,
  type FileGroup,
  type PlannedFile,
} from '#shared/exports/checkpoints/file-groups';
import { FINISHER_EPOCH } from '#shared/exports/checkpoints/part-ledger';
import { exportSortKey } from '#shared/table/keys';
import { fixCompletedAt, markFinishing } from '#shared/exports/job-lease';
import type { JobProgress } from '#shared/exports/schemas';
import { completeLargeFile } from '#shared/exports/worker/complete-large-file';
import { runWorkItems, type EngineResult, type WorkItem } from '#shared/exports/worker/copy-engine';
import { copySmallFile } from '#shared/exports/worker/copy-small-file';
import type { ExportContext } from '#shared/exports/worker/export-context';
import { ExportFailure } from '#shared/exports/worker/export-failure';
import { buildManifest, writeManifest } from '#shared/exports/worker/manifest';
import { abortUploadsNotKept } from '#shared/exports/worker/orphan-uploads';
import { checkSizes } from '#shared/exports/worker/verify-export';

/** Large files completed at once. */
const COMPLETIONS_IN_FLIGHT = 8;

export type FinishResult =
  | { kind: 'succeeded'; manifestKey: string; progress: JobProgress }
  /** A unit is not done yet (a lane counted itself done while a straggler of another lane still runs). */
  | { kind: 'units-pending' }
  | EngineResult;

const changedAfterWrite = () =>
  new ExportFailure(
    'VERIFICATION_FAILED',
    'Copied files kept disappearing or changing size in the export folder: something in the bucket changes ' +
      'objects there (a lifecycle rule, replication or another writer). Remove it and export again.',
  );

export async function finishExport(context: ExportContext): Promise<FinishResult> {
  const { job, attempt, owner, env, budget } = context;
  const units = await queryRange<{ done?: boolean }>(
    attempt,
    exportSortKey.unit(0),
    exportSortKey.unit(Math.max(0, (job.units ?? 1) - 1)),
  );
  if (units.length < (job.units ?? 0) || units.some((unit) => !unit.done)) return { kind: 'units-pending' };
  if (job.phase !== 'FINISHING') await markFinishing(job, owner);

  const groups = await loadAllGroups(attempt);
  const marks = await DoneMarks.load(attempt, 0, groups.length, FINISHER_EPOCH);
  const unmarked = groups.filter((group) => isMultipartGroup(group) && !isMarked(marks, group));
  const completions = runWorkItems(
    unmarked.map((group) => completionOf(context, group, marks))[Symbol.iterator](),
    budget,
    {
      concurrency: COMPLETIONS_IN_FLIGHT,
      memoryBytes: COMPLETIONS_IN_FLIGHT,
    },
  );
  const completed = await completions;
  if (completed.kind !== 'all-copied') return completed;
  if (groups.some((group) => !isMarked(marks, group))) return { kind: 'out-of-time' };

  await abortUploadsNotKept(env);
  const files = groups.flatMap((group) =>
    group.files.map((file) => ({ ...file, crc32: marks.crc32Of(group.group, file.index) })),
  );
  for (let round = 0; ; round += 1) {
    const { missing, changed } = await checkSizes(env, files);
    if (changed.length > 0) throw changedAfterWrite();
    if (missing.length === 0) break;
    if (round > 0) throw changedAfterWrite();
    await copyAgain(context, groups, missing);
  }

  const completedAt = await fixCompletedAt(job, owner);
  const manifestKey = await writeManifest(env, buildManifest(job, files, completedAt));
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  return {
    kind: 'succeeded',
    manifestKey,
    progress: { objectsTotal: files.length, objectsCopied: files.length, bytesTotal: bytes, bytesCopied: bytes },
  };
}

const isMarked = (marks: DoneMarks, group: FileGroup) =>
  group.files.every((file) => marks.crc32Of(group.group, file.index) !== undefined);

function completionOf(context: ExportContext, group: FileGroup, marks: DoneMarks): WorkItem {
  return {
    bytes: 1,
    run: async () => {
      const crc32 = await completeLargeFile(context.env, context.attempt, group);
      const [file] = group.files as [PlannedFile];
      await marks.mark(group.group, file.index, crc32);
      await marks.flush();
    },
  };
}

/** Files whose copy vanished after it was written are written once more (create-only: nothing is there). */
async function copyAgain(context: ExportContext, groups: FileGroup[], missing: PlannedFile[]): Promise<void> {
  const groupOf = new Map(groups.flatMap((group) => group.files.map((file) => [file.index, group] as const)));
  for (const file of missing) {
    const group = groupOf.get(file.index);
    if (group && isMultipartGroup(group)) await completeLargeFile(context.env, context.attempt, group, true);
    else await copySmallFile(context.env, file);
  }
}
