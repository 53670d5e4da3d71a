import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CustomerClientCache } from '#shared/customer-bucket/customer-s3';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import { destinationPrefix } from '#shared/forwarding/audit-log-keys';
import type { AuditLogContent } from '#shared/forwarding/platform-audit-logs';

/**
 * Where one cluster's audit logs go: the integration's bucket, through a session narrowed to
 * `<directory>/<clusterId>/audit/` and PutObject alone, so even a bug here could not write
 * anywhere else in the customer's bucket, nor read from it.
 *
 * Clients are kept per destination across runs of a warm container (their sessions and sockets
 * are reused); a change of role, bucket, key or directory makes a new one.
 */
const clients = new CustomerClientCache(512);

export interface Destination {
  client: S3Client;
  target: CustomerTarget;
  prefix: string;
}

export function destinationFor(target: CustomerTarget, directory: string, clusterId: string): Destination {
  const prefix = destinationPrefix(directory, clusterId);
  const client = clients.clientFor(target, { prefixes: [prefix], objectActions: ['s3:PutObject'] }, 'forwarding');
  return { client, target, prefix };
}

/**
 * Resolves the session (AssumeRole) on its own, before any write, so that a refused AssumeRole is
 * reported as the role problem it is and not as a failed upload.
 */
export async function openSession(destination: Destination): Promise<void> {
  await destination.client.config.credentials();
}

export async function writeAuditLog(
  destination: Destination,
  key: string,
  content: AuditLogContent,
  abortSignal?: AbortSignal,
): Promise<void> {
  const { kmsKeyArn, bucketName } = destination.target;
  await destination.client.send(
    new PutObjectCommand({
      Bucket: bucketName,
      Key: key,
      Body: content.body,
      ContentLength: content.length,
      // JSON lines in a .log file: text, so that the customer's tools show it as such.
      ContentType: 'text/plain; charset=utf-8',
      // With a customer key, write under that key even if the bucket's default encryption differs.
      ...(kmsKeyArn ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: kmsKeyArn } : {}),
    }),
    { abortSignal },
  );
}
