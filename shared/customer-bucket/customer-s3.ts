import { S3Client } from '@aws-sdk/client-s3';
import { config } from '#shared/config';
import { customerCredentials } from '#shared/customer-bucket/assume-customer-role';
import { boundedResponseBodies } from '#shared/customer-bucket/bounded-responses';
import type { SessionScope } from '#shared/customer-bucket/session-policy';
import type { CustomerTarget } from '#shared/customer-bucket/types';

/** A connection must open within this; an open one may stay silent this long (a stalled answer ends). */
const CONNECTION_TIMEOUT_MS = 10_000;
const IDLE_TIMEOUT_MS = 60_000;

/**
 * An S3 client for one customer bucket. Every command it sends carries ExpectedBucketOwner = the
 * target's bucket owner, added by a middleware so that no call can forget it: if the bucket name
 * were ever taken over by another account, S3 answers 403 instead of accepting our data. Its
 * answers are read with bounds (bounded-responses.ts) and timeouts.
 */
export function customerS3Client(bucket: CustomerTarget, scope: Omit<SessionScope, 'bucketName' | 'kmsKeyArn'>, purpose: string) {
  const expectedOwner = bucket.bucketOwnerAccountId;
  const client = new S3Client({
    region: bucket.region,
    forcePathStyle: config().S3_FORCE_PATH_STYLE,
    credentials: customerCredentials(bucket, { ...scope, bucketName: bucket.bucketName, kmsKeyArn: bucket.kmsKeyArn }, purpose),
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: IDLE_TIMEOUT_MS },
  });
  client.middlewareStack.add(boundedResponseBodies(), { step: 'deserialize', priority: 'low', name: 'boundedResponseBodies' });
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
