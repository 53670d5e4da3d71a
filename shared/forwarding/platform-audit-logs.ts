import { GetObjectCommand, ListObjectsV2Command, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { platformS3 } from '#shared/aws/clients';
import { config } from '#shared/config';
import { sourcePrefix } from '#shared/forwarding/audit-log-keys';

/**
 * The platform's own audit-log bucket, read with the function's execution role (platformS3).
 * ExpectedBucketOwner guards against reading a same-named bucket of another account.
 */
export interface ListedFile {
  key: string;
  size: number;
  lastModified?: Date;
}

/** Up to `maxKeys` keys of one cluster's audit logs after `startAfter`, oldest first, and whether more follow. */
export async function listAuditLogsAfter(
  clusterId: string,
  startAfter: string | undefined,
  maxKeys: number,
  abortSignal?: AbortSignal,
): Promise<{ files: ListedFile[]; more: boolean }> {
  const { Contents = [], IsTruncated } = await platformS3().send(
    new ListObjectsV2Command({
      Bucket: config().AUDIT_LOG_BUCKET,
      Prefix: sourcePrefix(clusterId),
      StartAfter: startAfter,
      MaxKeys: maxKeys,
      ExpectedBucketOwner: config().PLATFORM_ACCOUNT_ID,
    }),
    { abortSignal },
  );
  const files = Contents.flatMap((object) =>
    object.Key ? [{ key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified }] : [],
  );
  return { files, more: Boolean(IsTruncated) };
}

/** Files up to this size are read into memory (so the upload can be retried by the SDK); larger ones stream. */
export const BUFFER_LIMIT_BYTES = 16 * 1024 * 1024;

export interface AuditLogContent {
  body: Uint8Array | NonNullable<GetObjectCommandOutput['Body']>;
  length: number;
}

/** Reads one audit-log file; the SDK validates its checksum when the platform stored one. */
export async function readAuditLog(key: string, abortSignal?: AbortSignal): Promise<AuditLogContent> {
  const { Body, ContentLength } = await platformS3().send(
    new GetObjectCommand({
      Bucket: config().AUDIT_LOG_BUCKET,
      Key: key,
      ChecksumMode: 'ENABLED',
      ExpectedBucketOwner: config().PLATFORM_ACCOUNT_ID,
    }),
    { abortSignal },
  );
  if (!Body || ContentLength === undefined) throw new Error('GetObject returned no body or length');
  const body = ContentLength <= BUFFER_LIMIT_BYTES ? await Body.transformToByteArray() : Body;
  return { body, length: ContentLength };
}
