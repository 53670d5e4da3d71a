/**
 * What a copy of one file (or one part) needs, built once per invocation. The copies themselves
 * keep no books: whoever runs them records what they did (a lane in its unit's checkpoints, the
 * finisher in the job's).
 */
import type { PlannedFile } from '#shared/exports/checkpoints/file-groups';
import type { BackupLocation, BackupFile } from '#shared/exports/worker/backup-source';
import type { CustomerWrites, StoredObject } from '#shared/exports/worker/customer-writes';
import type { CustomerAccessDiagnosis } from '#shared/exports/worker/export-failure';
import { IntegrityError } from '#shared/exports/worker/retry';

export interface CopyEnv {
  source: BackupLocation;
  writes: CustomerWrites;
  access: CustomerAccessDiagnosis;
  /** `<directory>/<clusterId>/<backupId>/`: the export's own folder in the customer's bucket. */
  exportFolder: string;
  signal: AbortSignal;
}

export const destinationKeyOf = (env: CopyEnv, file: PlannedFile) => `${env.exportFolder}${file.name}`;

export const sourceFileOf = (env: CopyEnv, file: PlannedFile): BackupFile => ({
  key: `${env.source.prefix}${file.name}`,
  size: file.size,
  etag: file.sourceETag,
});

/**
 * The verification after each copy: S3 already refused any body whose CRC32 differed from the one
 * we computed from the source bytes; HeadObject then shows what S3 stored, and its size and CRC32
 * must equal the source's. A multipart object may report a composite checksum (`<crc>-<parts>`),
 * which is compared with the composite of our part checksums.
 */
export function verifyStored(stored: StoredObject, expected: ExpectedObject, name: string): void {
  const problem = storedProblem(stored, expected);
  if (problem) throw new IntegrityError(`${problem} for ${name}`);
}

export interface ExpectedObject {
  size: number;
  crc32: string;
  composite?: string;
}

/** Why what S3 stored is not the expected object, or undefined when it is. */
export function storedProblem(stored: StoredObject, expected: ExpectedObject): string | undefined {
  if (stored.size !== expected.size)
    return `size check failed: stored ${stored.size} bytes, source has ${expected.size}`;
  const reported = stored.crc32;
  if (reported === undefined) return 'checksum check failed: S3 reported no CRC32';
  const wanted = reported.includes('-') ? expected.composite : expected.crc32;
  if (reported !== wanted) return "checksum check failed: stored CRC32 differs from the source's";
  return undefined;
}
