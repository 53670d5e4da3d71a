/**
 * An S3 client for one customer bucket. Every command it sends carries ExpectedBucketOwner = the
 * target's bucket owner, added by a middleware so that no call can forget it: if the bucket name
 * were ever taken over by another account, S3 answers 403 instead of accepting our data. Its
 * answers are read with bounds (bounded-responses.ts) and timeouts.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { newS3Client } from '#shared/aws/clients';
import { customerCredentials } from '#shared/customer-bucket/assume-customer-role';
import { boundedResponseBodies } from '#shared/customer-bucket/bounded-responses';
import type { SessionScope } from '#shared/customer-bucket/session-policy';
import type { CustomerTarget } from '#shared/customer-bucket/types';

/** A connection must open within this; an open one may stay silent this long (a stalled answer ends). */
const CONNECTION_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 60_000;

export type ClientScope = Omit<SessionScope, 'bucketName' | 'kmsKeyArn'>;

export function customerS3Client(bucket: CustomerTarget, scope: ClientScope, purpose: string) {
  const expectedOwner = bucket.bucketOwnerAccountId;
  const client = newS3Client({
    region: bucket.region,
    credentials: customerCredentials(
      bucket,
      { ...scope, bucketName: bucket.bucketName, kmsKeyArn: bucket.kmsKeyArn },
      purpose,
    ),
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: IDLE_TIMEOUT_MS },
  });
  client.middlewareStack.add(boundedResponseBodies(), {
    step: 'deserialize',
    priority: 'low',
    name: 'boundedResponseBodies',
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ExpectedBucketOwner?: string };
      input.ExpectedBucketOwner = expectedOwner;
      return next(args);
    },
    { step: 'initialize', name: 'expectedBucketOwner', priority: 'high' },
  );
  return { client, expectedOwner };
}

/**
 * Customer clients kept across invocations of a warm container, one per destination (the target,
 * the session's scope and purpose), so their sessions and sockets are reused; any change of role,
 * bucket, owner, key or scope makes a new one. At most `max` are kept: the least recently used is
 * dropped first, and its sockets closed.
 */
export class CustomerClientCache {
  private readonly clients = new Map<string, S3Client>();

  constructor(private readonly max: number) {}

  clientFor(target: CustomerTarget, scope: ClientScope, purpose: string): S3Client {
    const { integrationId, roleArn, externalId, bucketName, bucketOwnerAccountId, region, kmsKeyArn } = target;
    const key = JSON.stringify([
      integrationId,
      roleArn,
      externalId,
      bucketName,
      bucketOwnerAccountId,
      region,
      kmsKeyArn ?? '',
      scope,
      purpose,
    ]);
    let client = this.clients.get(key);
    if (client)
      this.clients.delete(key); // set again below: the map's order is least recently used first
    else client = customerS3Client(target, scope, purpose).client;
    this.clients.set(key, client);
    for (const [oldest, stale] of this.clients) {
      if (this.clients.size <= this.max) break;
      this.clients.delete(oldest);
      stale.destroy();
    }
    return client;
  }
}
