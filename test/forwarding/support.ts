/**
 * What forwarding tests add to the shared fixtures (test/support/platform.ts and customer.ts):
 * audit-log files in the platform's audit-log bucket, forwarding turned on through the API, an
 * integration validated to ACTIVE, and reads of what arrived in the customer's bucket.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { expect } from 'vitest';
import { sourceKey } from '#shared/forwarding/audit-log-keys';
import type { ForwardingView } from '#shared/forwarding/schemas';
import type { IntegrationView } from '#shared/integrations/schemas';
import { clientsFor, localStack, rootCredentials } from '../support/local-stack';
import { PLATFORM_ACCOUNT, type Project, eventually } from '../support/platform';
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
): Promise<ForwardingView> {
  const answer = await project.client.put(forwardingPath(project.projectId, clusterId), { integrationId, directory });
  expect(answer.status, answer.text).toBe(201);
  return answer.json as ForwardingView;
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
export function expectedKey(directory: string, clusterId: string, file: AuditLogFile): string {
  const iso = file.writtenAt.toISOString();
  return `${directory}/${clusterId}/audit/${iso.slice(0, 10)}/${iso.slice(11, 19).replace(/:/g, '-')}-${file.id}.log`;
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

/** Waits until the customer holds exactly `count` objects under the prefix (the running stack's schedule delivers them). */
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

/** An SQS event as the local runtime delivers it to the worker, for invoking the handler in-process. */
export function workerEvent(refs: Array<{ projectId: string; clusterId: string }>): SQSEvent {
  const scheduledAt = new Date().toISOString();
  return {
    Records: refs.map((ref, index) => ({
      messageId: `test-${index}-${randomBytes(4).toString('hex')}`,
      receiptHandle: 'test',
      body: JSON.stringify({ ...ref, scheduledAt }),
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
