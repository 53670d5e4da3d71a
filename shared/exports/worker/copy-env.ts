import type { JobProgress } from '#shared/exports/schemas';
import type { CheckpointWriter } from '#shared/exports/checkpoint-writer';
import type { FileCheckpoint } from '#shared/exports/file-store';
import type { BackupLocation, SourceFile } from '#shared/exports/worker/backup-source';
import type { CustomerWrites, StoredObject } from '#shared/exports/worker/customer-writes';
import type { CustomerAccessDiagnosis } from '#shared/exports/worker/export-failure';
import { IntegrityError } from '#shared/exports/worker/retry';

/** What a copy of one file (or one part) needs; built once per invocation. */
export interface CopyEnv {
  source: BackupLocation;
  writes: CustomerWrites;
  access: CustomerAccessDiagnosis;
  checkpoints: CheckpointWriter;
  /** `<directory>/<clusterId>/<backupId>/` */
  destinationPrefix: string;
  progress: ProgressCounter;
  signal: AbortSignal;
}

export const destinationKeyOf = (env: CopyEnv, file: FileCheckpoint) => `${env.destinationPrefix}${file.name}`;

export const sourceFileOf = (file: FileCheckpoint): SourceFile => ({
  key: file.sourceKey,
  size: file.size,
  etag: file.sourceETag,
});

/** Progress of the job as this invocation sees it: what earlier invocations did plus what it does. */
export class ProgressCounter {
  private value: JobProgress;
  private advancedBy = 0;

  constructor(start: JobProgress) {
    this.value = { ...start };
  }

  addBytes(bytes: number): void {
    this.value.bytesCopied += bytes;
    this.advancedBy += bytes;
  }

  addFile(): void {
    this.value.objectsCopied += 1;
    this.advancedBy += 1;
  }

  /** A copied file has to be copied again. */
  removeFile(size: number): void {
    this.value.objectsCopied -= 1;
    this.value.bytesCopied -= size;
  }

  get current(): JobProgress {
    return { ...this.value };
  }

  /** Whether this invocation copied anything at all (an invocation that did not is a stall). */
  get advanced(): boolean {
    return this.advancedBy > 0;
  }
}

/**
 * The verification after each copy: S3 already refused any body whose CRC32 differed from the one
 * we computed from the source bytes; HeadObject then shows what S3 stored, and its size and CRC32
 * must equal the source's. A multipart object may report a composite checksum (`<crc>-<parts>`),
 * which is compared with the composite of our part checksums.
 */
export function verifyStored(
  stored: StoredObject,
  expected: { size: number; crc32: string; composite?: string },
  name: string,
): void {
  if (stored.size !== expected.size) {
    throw new IntegrityError(`size check failed for ${name}: stored ${stored.size} bytes, source has ${expected.size}`);
  }
  const reported = stored.crc32;
  if (reported === undefined) throw new IntegrityError(`checksum check failed for ${name}: S3 reported no CRC32`);
  const wanted = reported.includes('-') ? expected.composite : expected.crc32;
  if (reported !== wanted)
    throw new IntegrityError(`checksum check failed for ${name}: stored CRC32 differs from the source's`);
}
