/**
 * The platform's own audit-log bucket, read with the function's execution role (platformS3).
 * ExpectedBucketOwner guards against reading a same-named bucket of another account.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { platformS3 } from '#shared/aws/clients';
import { config } from '#shared/config';
import { sourceHourPrefix } from '#shared/forwarding/audit-log-keys';

/**
 * The largest audit-log file forwarding delivers: files are read whole (to hash, compress and
 * retry them). The platform writes files of kilobytes; a larger one is skipped and counted
 * (AuditLogFilesTooLarge), never half delivered (docs/audit-log-forwarding.md, writer contract).
 */
export const MAX_AUDIT_LOG_BYTES = 64 * 1024 * 1024;

export interface ListedFile {
  key: string;
  size: number;
  /** When the object landed in the platform's bucket. */
  lastModified: Date;
}

/** Every object of one cluster's hour folder, in key order (all pages). */
export async function listHour(clusterId: string, hour: Date, abortSignal?: AbortSignal): Promise<ListedFile[]> {
  const files: ListedFile[] = [];
  let token: string | undefined;
  do {
    const page = await platformS3().send(
      new ListObjectsV2Command({
        Bucket: config().AUDIT_LOG_BUCKET,
        Prefix: sourceHourPrefix(clusterId, hour),
        ContinuationToken: token,
        ExpectedBucketOwner: config().PLATFORM_ACCOUNT_ID,
      }),
      { abortSignal },
    );
    for (const object of page.Contents ?? []) {
      if (object.Key)
        files.push({ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return files;
}

export class AuditLogTooLarge extends Error {
  constructor(
    readonly key: string,
    readonly size: number,
  ) {
    super(`audit-log file ${key} is ${size} bytes, more than forwarding delivers (${MAX_AUDIT_LOG_BYTES})`);
    this.name = 'AuditLogTooLarge';
  }
}

export class AuditLogGone extends Error {
  constructor(readonly key: string) {
    super(`audit-log file ${key} is no longer in the platform's bucket`);
    this.name = 'AuditLogGone';
  }
}

export interface AuditLogContent {
  body: Uint8Array;
  lastModified: Date;
}

/** Reads one audit-log file whole; the SDK validates its checksum when the platform stored one. */
export async function readAuditLog(key: string, abortSignal?: AbortSignal): Promise<AuditLogContent> {
  let answer;
  try {
    answer = await platformS3().send(
      new GetObjectCommand({
        Bucket: config().AUDIT_LOG_BUCKET,
        Key: key,
        ChecksumMode: 'ENABLED',
        ExpectedBucketOwner: config().PLATFORM_ACCOUNT_ID,
      }),
      { abortSignal },
    );
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') throw new AuditLogGone(key);
    throw error;
  }
  const { Body, ContentLength, LastModified } = answer;
  if (!Body || ContentLength === undefined) throw new Error('GetObject returned no body or length');
  if (ContentLength > MAX_AUDIT_LOG_BYTES) {
    (Body as { destroy?: () => void }).destroy?.(); // not read: the connection is dropped instead
    throw new AuditLogTooLarge(key, ContentLength);
  }
  return { body: await Body.transformToByteArray(), lastModified: LastModified ?? new Date() };
}
