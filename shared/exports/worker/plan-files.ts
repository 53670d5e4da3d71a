/**
 * Lists the backup's files once per attempt. The destination of each file is fixed here (the
 * export folder + the file's path below the backup prefix), so every later invocation writes
 * exactly the same keys. Files copied in parts also note the source's own whole-object CRC32,
 * which the assembled copy must match.
 */
import { MANIFEST_NAME, MAX_KEY_BYTES } from '#shared/exports/destination';
import type { ExportJob } from '#shared/exports/export-job';
import type { PlannedFile } from '#shared/exports/checkpoints/file-groups';
import { isMultipart } from '#shared/exports/part-layout';
import { inParallel } from '#shared/worker/in-parallel';
import { listBackupFiles, sourceCrc32 } from '#shared/exports/worker/backup-source';
import { ExportFailure, fromSource } from '#shared/exports/worker/export-failure';
import { withRetries } from '#shared/exports/worker/retry';
import { backupLocationProblem } from '#shared/projects/platform-event-checks';

/** Source checksums read at once while planning (one HeadObject per large file). */
const HEADS_IN_FLIGHT = 16;

export async function planFiles(job: ExportJob, signal: AbortSignal): Promise<PlannedFile[]> {
  // Checked when the event arrived; checked again here for jobs recorded before that check existed.
  if (backupLocationProblem(job.source, job)) {
    throw new ExportFailure(
      'BACKUP_LOCATION_REFUSED',
      "This backup's files are not where the platform keeps backups, so they are not exported. Contact support.",
    );
  }
  const listed = await withRetries(
    () => fromSource('(listing)', signal, () => listBackupFiles(job.source, signal)),
    signal,
  );
  if (listed.length === 0) {
    throw new ExportFailure(
      'BACKUP_EMPTY',
      'The backup has no files to export. Check that the backup completed; if it did, contact support.',
    );
  }
  const planned: PlannedFile[] = listed.map((file, index) => {
    const name = file.key.slice(job.source.prefix.length);
    if (name === MANIFEST_NAME) {
      throw new ExportFailure(
        'BACKUP_FILE_NAME_RESERVED',
        `The backup contains a file named ${MANIFEST_NAME}, the name of the export manifest: contact support.`,
      );
    }
    if (Buffer.byteLength(`${job.destination.prefix}${name}`, 'utf8') > MAX_KEY_BYTES) {
      throw new ExportFailure(
        'DESTINATION_KEY_TOO_LONG',
        `A backup file's key would be longer than S3's ${MAX_KEY_BYTES} bytes below "${job.destination.prefix}": ` +
          'choose a shorter directory.',
      );
    }
    return { index, name, sourceETag: file.etag, size: file.size };
  });
  await inParallel(
    planned.filter((file) => isMultipart(file)),
    HEADS_IN_FLIGHT,
    async (file) => {
      const source = { key: `${job.source.prefix}${file.name}`, size: file.size, etag: file.sourceETag };
      const checksum = await withRetries(
        () => fromSource(file.name, signal, () => sourceCrc32(job.source, source, signal)),
        signal,
      );
      if (checksum) file.sourceCrc32 = checksum;
    },
  );
  return planned;
}
