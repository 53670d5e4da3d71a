/**
 * What forwarding tests add to the shared fixtures (test/support/platform.ts and customer.ts):
 * audit-log files in the platform's audit-log bucket, forwarding turned on through the API, an
 * integration validated to ACTIVE, reads of what arrived in the customer's bucket (versions
 * included) and of the delivery ledger.
 */
import { randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client as CustomerS3,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { expect } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import { HOUR_MS, hourLabel, sourceKey } from '#shared/forwarding/audit-log-keys';
import type { LedgerEntry } from '#shared/forwarding/delivery/delivery-ledger';
import type { BucketReader } from '#shared/forwarding/digests/verify-audit-logs';
import { deliveryLedgerPk } from '#shared/table/keys';
import type { ForwardingView } from '#shared/forwarding/schemas';
import type { IntegrationView } from '#shared/integrations/schemas';
import { clientsFor, localStack, rootCredentials } from '../support/local-stack';
import { PLATFORM_ACCOUNT, type Project, eventually, platformCluster, platformProject } from '../support/platform';
import {
  createIntegration,
  customerSetUp,
  setRoleAndWait,
  uniqueBucketName,
  type CreatedIntegration,
} from '../support/customer';
import { auditLogLines } from '../fixtures/audit-log-lines';
import { lambdaContext as lambdaContextOf } from '../support/lambda-context';

export const AUDIT_LOG_BUCKET = 'platform-audit-logs';
export const REGION = 'us-east-1';

const platform = () => ({
  s3: new S3Client({
    endpoint: localStack().awsUrl,
    region: REGION,
    credentials: rootCredentials(PLATFORM_ACCOUNT),
    forcePathStyle: true,
  }),
});

export const forwardingPath = (projectId: string, clusterId: string) =>
  `/v1/projects/${projectId}/clusters/${clusterId}/audit-log-forwarding`;

export interface Customer {
  integration: IntegrationView;
  accountId: string;
  roleArn: string;
  created: CreatedIntegration;
}

/** An integration in `REGION` that the customer set up from its documents and validation made ACTIVE. */
export async function activeIntegration(project: Project, options: { accountId?: string } = {}): Promise<Customer> {
  const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('fwd') });
  const { accountId, roleArn } = await customerSetUp(
    created,
    options.accountId ? { accountId: options.accountId } : {},
  );
  const integration = await setRoleAndWait(project, created.integrationId, roleArn);
  expect(integration.status, JSON.stringify(integration.validation)).toBe('ACTIVE');
  return { integration, accountId, roleArn, created };
}

export async function enableForwarding(
  project: Project,
  clusterId: string,
  integrationId: string,
  directory: string,
  compression?: 'gzip',
): Promise<ForwardingView> {
  const answer = await project.client.put(forwardingPath(project.projectId, clusterId), {
    integrationId,
    directory,
    ...(compression ? { compression } : {}),
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.json as ForwardingView;
}

/** A project, its cluster and an ACTIVE integration, with forwarding on into `directory`. */
export interface ForwardingWorld {
  project: Project;
  clusterId: string;
  customer: Customer;
  bucket: string;
  enabled: ForwardingView;
}

/** The start of most forwarding tests; `versioned` turns versioning on before anything arrives. */
export async function forwardingWorld(
  directory: string,
  options: { versioned?: boolean; compression?: 'gzip' } = {},
): Promise<ForwardingWorld> {
  const project = await platformProject();
  const clusterId = await platformCluster(project);
  const customer = await activeIntegration(project);
  const bucket = customer.integration.bucketName;
  if (options.versioned) await enableVersioning(customer.accountId, bucket);
  const enabled = await enableForwarding(
    project,
    clusterId,
    customer.integration.integrationId,
    directory,
    options.compression,
  );
  return { project, clusterId, customer, bucket, enabled };
}

export interface AuditLogFile {
  key: string;
  writtenAt: Date;
  id: string;
  body: string;
}

/** Writes one audit-log file into the platform's bucket, as the platform does. */
export async function writeAuditLog(clusterId: string, time: Date, lines = 3): Promise<AuditLogFile> {
  const writtenAt = new Date(Math.floor(time.getTime() / 1000) * 1000); // keys carry whole seconds
  const id = randomBytes(6).toString('hex');
  const body = auditLogLines(clusterId, writtenAt, lines, (line) => `${id}-${line}`);
  const key = sourceKey(clusterId, writtenAt, id);
  await platform().s3.send(new PutObjectCommand({ Bucket: AUDIT_LOG_BUCKET, Key: key, Body: `${body}\n` }));
  return { key, writtenAt, id, body: `${body}\n` };
}

/** `HH-MM-SS-<id>.log` under `<directory>/<clusterId>/audit/<YYYY-MM-DD>/`: what the customer should receive. */
export function expectedKey(
  directory: string,
  clusterId: string,
  file: Pick<AuditLogFile, 'writtenAt' | 'id'>,
  suffix = '.log',
): string {
  const iso = file.writtenAt.toISOString();
  return (
    `${directory}/${clusterId}/audit/${iso.slice(0, 10)}/` +
    `${iso.slice(11, 19).replace(/:/g, '-')}-${file.id}${suffix}`
  );
}

/** Turns versioning on for a customer bucket, so that a second write of a key would show as a second version. */
export async function enableVersioning(accountId: string, bucket: string): Promise<void> {
  const { s3 } = clientsFor(accountId, REGION);
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

/** Every version of every key under the prefix: key -> number of versions (delete markers included). */
export async function versionCounts(accountId: string, bucket: string, prefix: string): Promise<Map<string, number>> {
  const { s3 } = clientsFor(accountId, REGION);
  const counts = new Map<string, number>();
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const entry of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])])
      counts.set(entry.Key ?? '', (counts.get(entry.Key ?? '') ?? 0) + 1);
    if (!page.IsTruncated) return counts;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
}

/** The delivery ledger of a cluster, for the hours around now (and `extraHours` before). */
export async function ledgerEntries(projectId: string, clusterId: string, extraHours = 1): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  const now = Date.now();
  for (let hour = now - extraHours * HOUR_MS; hour <= now + HOUR_MS; hour += HOUR_MS) {
    const { Items = [] } = await dynamodb.send(
      new QueryCommand({
        TableName: process.env.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': deliveryLedgerPk(projectId, clusterId, hourLabel(hour)) },
        ConsistentRead: true,
      }),
    );
    for (const item of Items) entries.push({ ...(item as LedgerEntry), sourceKey: String(item.sk) });
  }
  return entries;
}

export interface DeliveredObject {
  key: string;
  lastModified: Date;
  etag: string;
}

/** What the customer's bucket holds under a prefix, as the customer sees it. */
export async function customerObjects(accountId: string, bucket: string, prefix: string): Promise<DeliveredObject[]> {
  const { s3 } = clientsFor(accountId, REGION);
  const objects: DeliveredObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      objects.push({
        key: object.Key ?? '',
        lastModified: object.LastModified ?? new Date(0),
        etag: object.ETag ?? '',
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  return objects;
}

export async function customerObjectText(accountId: string, bucket: string, key: string): Promise<string> {
  const { s3 } = clientsFor(accountId, REGION);
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await Body?.transformToString()) ?? '';
}

/**
 * Waits until the customer holds exactly `count` objects under the prefix (the running stack's schedule delivers them).
 */
// Generous: `npm test` runs every test file against one stack on a small machine.
export async function waitForObjects(
  accountId: string,
  bucket: string,
  prefix: string,
  count: number,
  timeoutMs = 60_000,
) {
  return eventually(
    async () => {
      const objects = await customerObjects(accountId, bucket, prefix);
      return objects.length === count ? objects : undefined;
    },
    `${count} objects under ${prefix}`,
    timeoutMs,
  );
}

export async function getForwarding(project: Project, clusterId: string): Promise<ForwardingView> {
  const answer = await project.client.get(forwardingPath(project.projectId, clusterId));
  expect(answer.status, answer.text).toBe(200);
  return answer.json as ForwardingView;
}

export async function getIntegration(project: Project, integrationId: string): Promise<IntegrationView> {
  const answer = await project.client.get(`${project.base}/${integrationId}`);
  expect(answer.status, answer.text).toBe(200);
  return answer.json as IntegrationView;
}

/**
 * An SQS event of catch-up runs as the local runtime delivers it to the worker, for invoking the handler in-process.
 */
export function workerEvent(
  refs: Array<{ projectId: string; clusterId: string }>,
  reason: 'pending' | 'reconcile' = 'reconcile',
): SQSEvent {
  const requestedAt = new Date().toISOString();
  return {
    Records: refs.map((ref, index) => ({
      messageId: `test-${index}-${randomBytes(4).toString('hex')}`,
      receiptHandle: 'test',
      body: JSON.stringify({ kind: 'catch-up', ...ref, reason, requestedAt }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: PLATFORM_ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:ForwardingQueue',
      awsRegion: REGION,
    })),
  };
}

/** A Lambda context with the worker's 60 s timeout. */
export const lambdaContext = (timeoutMs = 60_000) => lambdaContextOf(timeoutMs, 'forwardAuditLogs');

/** The customer's own reads of their bucket. */
export function customerReader(s3: CustomerS3, bucket: string): BucketReader {
  return {
    async list(prefix) {
      const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return Contents.map((object) => ({
        key: object.Key ?? '',
        size: object.Size ?? 0,
        lastModified: object.LastModified ?? new Date(0),
      }));
    },
    async read(key, maxBytes) {
      const { Body, ContentLength, Metadata } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((ContentLength ?? 0) > maxBytes) return undefined;
      return { body: await Body!.transformToByteArray(), metadata: Metadata ?? {} };
    },
  };
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const minutesAgo = (minutes: number, plusSeconds = 0) =>
  new Date(Date.now() - minutes * 60_000 + plusSeconds * 1000);

/**
 * An S3 "Object Created" event in the shape EventBridge delivers it (of the platform's audit-log bucket unless told).
 */
export function objectCreatedEvent(key: string, options: { bucket?: string; account?: string } = {}) {
  const bucket = options.bucket ?? AUDIT_LOG_BUCKET;
  return {
    version: '0',
    id: randomBytes(8).toString('hex'),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: options.account ?? PLATFORM_ACCOUNT,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: REGION,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key, size: 1 }, reason: 'PutObject' },
  };
}

/** Events as AuditLogEventQueue hands them to deliverAuditLogs, for invoking the handler in-process. */
export function auditLogEventBatch(events: object[]): SQSEvent {
  return {
    Records: events.map((event, index) => ({
      messageId: `test-${index}-${randomBytes(4).toString('hex')}`,
      receiptHandle: 'test',
      body: JSON.stringify(event),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(Date.now()),
        SenderId: 'events',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${REGION}:${PLATFORM_ACCOUNT}:AuditLogEventQueue`,
      awsRegion: REGION,
    })),
  };
}
