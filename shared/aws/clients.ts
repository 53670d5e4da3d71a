/**
 * Every AWS client the service creates, created here and nowhere else. Endpoint, region and
 * credentials come from the standard SDK environment (the function's own role) unless a caller
 * hands S3 clients its own (customer buckets: shared/customer-bucket/customer-s3.ts).
 *
 * - The platform's clients are made once per container, at module scope. Each is marked pure, so
 *   a bundle that reaches this module without using a client leaves it, and its SDK package, out
 *   (the AWS SDK packages declare no side effects).
 * - S3 clients read the configuration (path-style addressing for the local stack), so they are
 *   made on first use, where config() can say what is missing: one per region for the platform's
 *   own buckets, or a new one for each customer session.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '#shared/config';

export const dynamodb = /* @__PURE__ */ DynamoDBDocumentClient.from(/* @__PURE__ */ new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const stepFunctions = /* @__PURE__ */ new SFNClient({});

export const sqs = /* @__PURE__ */ new SQSClient({});

/** The service's own events on its bus (shared/notifications/publish.ts). */
export const eventBridge = /* @__PURE__ */ new EventBridgeClient({});

/** Signs the audit-log digests and serves their public key (shared/forwarding/digests/). */
export const kms = /* @__PURE__ */ new KMSClient({});

/** The platform's own STS client: AssumeRole into customer roles, and who the platform is. */
export const sts = /* @__PURE__ */ new STSClient({});

/** A new S3 client with the service's addressing; `options` name region, credentials, timeouts. */
export const newS3Client = (options: S3ClientConfig = {}): S3Client =>
  new S3Client({ forcePathStyle: config().S3_FORCE_PATH_STYLE, ...options });

const platformS3Clients = new Map<string, S3Client>();

/**
 * The platform's own buckets (backups, audit logs), read with the function's role: one client per
 * region (backups live in their cluster's region), following a bucket's region redirect.
 */
export function platformS3(region?: string): S3Client {
  let client = platformS3Clients.get(region ?? '');
  if (!client) {
    client = newS3Client({ ...(region ? { region } : {}), followRegionRedirects: true });
    platformS3Clients.set(region ?? '', client);
  }
  return client;
}
