/**
 * Plans an attempt, under the job lease: lists the backup, creates one multipart upload per large
 * file (here, once, so that no two workers ever race to create one), writes the file groups and
 * the work units, then commits: the job is marked planned with its K and unit count, and its K is
 * reserved from the project's budget, in one transaction. Until that commit nothing counts: a
 * crash before it makes the next holder plan again, and the uploads of the lost plan are aborted
 * first (none of them is recorded anywhere that survives). Answers the job as planned.
 */
import { logger } from '#shared/logger';
import type { ExportJob } from '#shared/exports/export-job';
import { commitPlan, workerBudget, workersWanted } from '#shared/exports/export-workers';
import { groupFiles, isMultipartGroup, writeGroups, type FileGroup } from '#shared/exports/checkpoints/file-groups';
import { splitIntoUnits, unitTargetBytes } from '#shared/exports/checkpoints/unit-ranges';
import { WorkUnit } from '#shared/exports/checkpoints/work-unit';
import { partSizeFor } from '#shared/exports/part-layout';
import { inParallel } from '#shared/worker/in-parallel';
import type { ExportContext } from '#shared/exports/worker/export-context';
import { abortUploadsNotKept } from '#shared/exports/worker/orphan-uploads';
import { planFiles } from '#shared/exports/worker/plan-files';
import { withRetries } from '#shared/exports/worker/retry';

/** Uploads created at once while planning. */
const CREATES_IN_FLIGHT = 16;

export async function planExport(context: ExportContext): Promise<ExportJob> {
  const { job, env, attempt, owner } = context;
  const files = await planFiles(job, env.signal);
  const groups = groupFiles(files);
  await abortUploadsNotKept(env);
  await createUploads(context, groups);
  await writeGroups(attempt, groups);
  const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  const progress = { objectsTotal: files.length, objectsCopied: 0, bytesTotal, bytesCopied: 0 };
  for (;;) {
    const budget = await workerBudget(job);
    const wanted = Math.min(workersWanted(bytesTotal), budget.allowed);
    const units = splitIntoUnits(groups, unitTargetBytes(bytesTotal, wanted));
    const workers = Math.min(wanted, units.length);
    await WorkUnit.writeAll(attempt, units);
    if (await commitPlan(job, owner, { workers, units: units.length, progress }, budget)) {
      logger.info('export planned', { objects: files.length, bytes: bytesTotal, workers, units: units.length });
      return { ...job, planned: true, workers, units: units.length, lanesDone: 0, progress };
    }
  }
}

async function createUploads(context: ExportContext, groups: FileGroup[]): Promise<void> {
  const { env } = context;
  await inParallel(groups.filter(isMultipartGroup), CREATES_IN_FLIGHT, async (group) => {
    const [file] = group.files;
    if (!file) return;
    const key = `${env.exportFolder}${file.name}`;
    const uploadId = await withRetries(
      () => env.access.step('CreateMultipartUpload', env.signal, () => env.writes.createUpload(key, env.signal)),
      env.signal,
    );
    group.upload = { uploadId, partSize: partSizeFor(file.size) };
  });
}
