/**
 * Where one cluster's audit logs go: the integration's bucket, through a session narrowed to
 * `<directory>/<clusterId>/audit/` with PutObject and GetObject alone (GetObject reads back a key
 * that already exists, to tell a delivered file from a conflict), so even a bug here could not
 * touch anything else in the customer's bucket.
 *
 * Every write is conditional (`If-None-Match: *`): S3 refuses it with 412 when the key exists, so a
 * retried or repeated delivery never adds a second version.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CustomerClientCache } from '#shared/customer-bucket/customer-s3';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { auditLogFolder } from '#shared/forwarding/audit-log-keys';

/**
 * Clients are kept per destination across runs of a warm container (their sessions and sockets
 * are reused); a change of role, bucket, key or directory makes a new one.
 */
const clients = new CustomerClientCache(512);

export interface Destination {
  client: S3Client;
  target: CustomerTarget;
  /** The audit-log folder: every key written here starts with it. */
  folder: string;
}

export function destinationFor(target: CustomerTarget, directory: string, clusterId: string): Destination {
  const folder = auditLogFolder(directory, clusterId);
  const client = clients.clientFor(
    target,
    { prefixes: [folder], objectActions: ['s3:PutObject', 's3:GetObject'] },
    'forwarding',
  );
  return { client, target, folder };
}

/**
 * Resolves the session (AssumeRole) on its own, before any write, so that a refused AssumeRole is
 * reported as the role problem it is and not as a failed upload.
 */
export async function openSession(destination: Destination): Promise<void> {
  await destination.client.config.credentials();
}

export interface ObjectToWrite {
  key: string;
  body: Uint8Array;
  /** Base64 SHA-256 of the body: S3 checks it and keeps it as the object's checksum. */
  sha256Base64: string;
  contentType: string;
  contentEncoding?: string;
  metadata?: Record<string, string>;
}

/** Thrown when the key already holds an object: the write did not happen. */
export class KeyExists extends Error {
  constructor(readonly key: string) {
    super(`s3 key ${key} already exists`);
    this.name = 'KeyExists';
  }
}

/** Writes the object only if the key holds none; KeyExists otherwise. */
export async function writeNewObject(
  destination: Destination,
  object: ObjectToWrite,
  abortSignal?: AbortSignal,
): Promise<void> {
  const { kmsKeyArn, bucketName } = destination.target;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await destination.client.send(
        new PutObjectCommand({
          Bucket: bucketName,
          Key: object.key,
          Body: object.body,
          ContentLength: object.body.length,
          ContentType: object.contentType,
          ...(object.contentEncoding ? { ContentEncoding: object.contentEncoding } : {}),
          ...(object.metadata ? { Metadata: object.metadata } : {}),
          ChecksumSHA256: object.sha256Base64,
          IfNoneMatch: '*',
          // With a customer key, write under that key even if the bucket's default encryption differs.
          ...(kmsKeyArn ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyArn } : {}),
        }),
        { abortSignal },
      );
      return;
    } catch (error) {
      const name = (error as { name?: string }).name;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === 'PreconditionFailed' || status === 412) throw new KeyExists(object.key);
      // 409 ConditionalRequestConflict: a delete of the key raced this write; S3 asks for a retry.
      if (status === 409 && attempt < 3) continue;
      throw error;
    }
  }
}

/**
 * Reads an object of the destination whole if it is at most `maxBytes` long (audit logs and
 * digests are small); undefined for a larger one, which is not read.
 */
export async function readObject(
  destination: Destination,
  key: string,
  maxBytes: number,
  abortSignal?: AbortSignal,
): Promise<{ body: Uint8Array; contentEncoding?: string } | undefined> {
  const { Body, ContentEncoding, ContentLength } = await destination.client.send(
    new GetObjectCommand({ Bucket: destination.target.bucketName, Key: key }),
    { abortSignal },
  );
  if (!Body) throw new Error('GetObject returned no body');
  if (ContentLength === undefined || ContentLength > maxBytes) {
    (Body as { destroy?: () => void }).destroy?.();
    return undefined;
  }
  return { body: await Body.transformToByteArray(), ...(ContentEncoding ? { contentEncoding: ContentEncoding } : {}) };
}
