import { MANIFEST_NAME, MAX_KEY_BYTES } from '#shared/exports/destination';
import type { ExportJob } from '#shared/exports/export-job';
import { groupFiles, type FileCheckpoint, type PlannedFile } from '#shared/exports/file-store';
import { listBackupFiles, sourceCrc32 } from '#shared/exports/worker/backup-source';
import { SINGLE_PUT_MAX_BYTES } from '#shared/exports/worker/copy-large-file';
import { ExportFailure, fromSource } from '#shared/exports/worker/export-failure';
import { withRetries } from '#shared/exports/worker/retry';
import { backupLocationProblem } from '#shared/projects/platform-event-checks';

/**
 * Lists the backup's files once per attempt and turns them into checkpoints. The destination of
 * each file is fixed here (the export folder + the file's path below the backup prefix), so every
 * later invocation writes exactly the same keys. Files copied in parts also note the source's own
 * whole-object CRC32, which the assembled copy must match.
 */
export async function planFiles(job: ExportJob, signal: AbortSignal): Promise<FileCheckpoint[]> {
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
  const planned: PlannedFile[] = [];
  for (const [index, file] of listed.entries()) {
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
        `A backup file's key would be longer than S3's ${MAX_KEY_BYTES} bytes below "${job.destination.prefix}": choose a shorter directory.`,
      );
    }
    const multipart = file.size > SINGLE_PUT_MAX_BYTES;
    const checksum = multipart
      ? await withRetries(() => fromSource(name, signal, () => sourceCrc32(job.source, file, signal)), signal)
      : undefined;
    planned.push({
      index,
      name,
      sourceKey: file.key,
      sourceETag: file.etag,
      size: file.size,
      multipart,
      ...(checksum ? { sourceCrc32: checksum } : {}),
    });
  }
  return groupFiles(planned);
}
