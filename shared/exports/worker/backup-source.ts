/**
 * Reads backup files from the platform's own bucket with the function's own credentials (never the
 * customer's). Every read names the ETag the plan recorded (If-Match), so a file that changed
 * after planning fails loudly instead of producing an export that mixes two versions, and the
 * owner of the backup buckets (ExpectedBucketOwner), so a bucket of any other account is never read.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { platformS3 } from '#shared/aws/clients';
import { ExportFailure } from '#shared/exports/worker/export-failure';
import { IntegrityError } from '#shared/exports/worker/retry';
import { backupBucketOwner } from '#shared/projects/platform-event-checks';

export interface BackupLocation {
  bucket: string;
  /** A folder prefix ending in `/`. */
  prefix: string;
  region: string;
}

/** One object of a backup, in the platform's backup bucket. */
export interface BackupFile {
  key: string;
  size: number;
  etag: string;
}

/**
 * The most files one export plans: its checkpoints (100 files an item) and its manifest stay well
 * inside what one job can write and keep, and the listing cannot run on without end.
 */
export const MAX_BACKUP_FILES = 200_000;

/** Every object below the prefix, in key order; folder placeholder objects (`.../`) are skipped. */
export async function listBackupFiles(location: BackupLocation, signal: AbortSignal): Promise<BackupFile[]> {
  const files: BackupFile[] = [];
  let token: string | undefined;
  do {
    if (files.length > MAX_BACKUP_FILES) {
      throw new ExportFailure(
        'BACKUP_TOO_LARGE',
        `The backup has more than ${MAX_BACKUP_FILES} files, more than one export can copy. Contact support.`,
      );
    }
    const page = await platformS3(location.region).send(
      new ListObjectsV2Command({
        Bucket: location.bucket,
        Prefix: location.prefix,
        ContinuationToken: token,
        MaxKeys: 1000,
        ExpectedBucketOwner: backupBucketOwner(),
      }),
      { abortSignal: signal },
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key || object.Key.endsWith('/')) continue;
      files.push({ key: object.Key, size: object.Size ?? 0, etag: object.ETag ?? '' });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return files;
}

/**
 * The whole-object CRC32 S3 keeps for a backup file, when it keeps one (the file was written with
 * a CRC32 checksum of type FULL_OBJECT); a copy must end up with the same value.
 */
export async function sourceCrc32(
  location: BackupLocation,
  file: BackupFile,
  signal: AbortSignal,
): Promise<string | undefined> {
  const head = await platformS3(location.region).send(
    new HeadObjectCommand({
      Bucket: location.bucket,
      Key: file.key,
      IfMatch: file.etag || undefined,
      ChecksumMode: 'ENABLED',
      ExpectedBucketOwner: backupBucketOwner(),
    }),
    { abortSignal: signal },
  );
  return head.ChecksumType === 'FULL_OBJECT' ? head.ChecksumCRC32 : undefined;
}

/** Opens a byte range of a backup file as a stream (for parts of large files, which are not buffered). */
export async function openSourceRange(
  location: BackupLocation,
  file: BackupFile,
  range: { offset: number; length: number },
  signal: AbortSignal,
): Promise<Readable> {
  const { Body } = await platformS3(location.region).send(
    new GetObjectCommand({
      Bucket: location.bucket,
      Key: file.key,
      IfMatch: file.etag || undefined,
      ExpectedBucketOwner: backupBucketOwner(),
      Range: `bytes=${range.offset}-${range.offset + range.length - 1}`,
    }),
    { abortSignal: signal },
  );
  if (!Body) throw new IntegrityError(`no body read from ${file.key}`);
  return Body as Readable;
}

/**
 * Reads a whole (small) backup file into one buffer of exactly its size (no growing copies). The
 * read asks S3 for the file's stored checksum, which the SDK then checks against the body.
 */
export async function readWholeFile(location: BackupLocation, file: BackupFile, signal: AbortSignal): Promise<Buffer> {
  const { Body } = await platformS3(location.region).send(
    new GetObjectCommand({
      Bucket: location.bucket,
      Key: file.key,
      IfMatch: file.etag || undefined,
      ChecksumMode: 'ENABLED',
      ExpectedBucketOwner: backupBucketOwner(),
    }),
    { abortSignal: signal },
  );
  const buffer = Buffer.allocUnsafe(file.size);
  let filled = 0;
  for await (const chunk of (Body as Readable | undefined) ?? []) {
    const bytes = chunk as Buffer;
    if (filled + bytes.length > file.size) {
      (Body as Readable).destroy();
      throw new IntegrityError(`read more bytes than the backup file has (${file.size})`);
    }
    bytes.copy(buffer, filled);
    filled += bytes.length;
  }
  if (filled !== file.size)
    throw new IntegrityError(`short read from the backup file: ${filled} of ${file.size} bytes`);
  return buffer;
}
