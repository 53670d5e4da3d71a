/**
 * The platform and customer sides of a forwarding test on the local stack. The platform: a project
 * on the enterprise plan and dedicated clusters learnt from platform events, and audit-log files in
 * its audit-log bucket. The customer: a fresh account whose bucket, policy and role come from the
 * documents the API returned (test/validation/customer.ts), validated to ACTIVE through the API.
 */
import { randomBytes } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SQSEvent } from 'aws-lambda';
import { expect } from 'vitest';
import { sourceKey } from '#shared/forwarding/audit-log-keys';
import type { ForwardingView } from '#shared/forwarding/schemas';
import type { IntegrationView } from '#shared/integrations/schemas';
import { api, clientsFor, localStack, mintToken, rootCredentials } from '../support/local-stack';
import {
  createIntegration,
  customerSetUp,
  enterpriseProject,
  eventually,
  PLATFORM_ACCOUNT,
  setRoleAndWait,
  uniqueBucketName,
  type CreatedIntegration,
  type Project,
} from '../validation/customer';

export { eventually, type Project };

export const AUDIT_LOG_BUCKET = 'platform-audit-logs';
export const REGION = 'us-east-1';

const platform = () => ({
  events: new EventBridgeClient({ endpoint: localStack().awsUrl, region: REGION, credentials: rootCredentials(PLATFORM_ACCOUNT) }),
  s3: new S3Client({ endpoint: localStack().awsUrl, region: REGION, credentials: rootCredentials(PLATFORM_ACCOUNT), forcePathStyle: true }),
});

export const forwardingPath = (projectId: string, clusterId: string) =>
  `/v1/projects/${projectId}/clusters/${clusterId}/audit-log-forwarding`;

export interface TenantProject extends Project {
  orgId: string;
}

/** A project on `plan`, learnt from a `Project Upserted` event, and its organization owner's client. */
export async function platformProject(plan: string): Promise<TenantProject> {
  const projectId = `proj-${randomBytes(6).toString('hex')}`;
  const orgId = `org-${randomBytes(6).toString('hex')}`;
  await platform().events.send(
    new PutEventsCommand({
      Entries: [{ Source: 'platform.projects', DetailType: 'Project Upserted', Detail: JSON.stringify({ projectId, orgId, plan }) }],
    }),
  );
  const client = api(mintToken({ sub: `owner-${projectId}`, org: orgId, orgRole: 'owner', projects: {} }));
  const base = `/v1/projects/${projectId}/integrations`;
  await eventually(async () => (await client.get(base)).status !== 404, 'the project event was not recorded');
  return { projectId, orgId, client, base };
}

/** A client for a user of the project's organization with the given project role. */
export function projectUser(project: TenantProject, role: 'admin' | 'member') {
  return api(mintToken({ sub: `${role}-${randomBytes(4).toString('hex')}`, org: project.orgId, orgRole: 'member', projects: { [project.projectId]: role } }));
}

/** A cluster of the project, learnt from a `Cluster Upserted` event; waits until the service knows it. */
export async function platformCluster(project: Project, options: { tier?: 'dedicated' | 'serverless'; region?: string } = {}): Promise<string> {
  const clusterId = `cl-${randomBytes(6).toString('hex')}`;
  const detail = { projectId: project.projectId, clusterId, region: options.region ?? REGION, tier: options.tier ?? 'dedicated' };
  await platform().events.send(
    new PutEventsCommand({ Entries: [{ Source: 'platform.clusters', DetailType: 'Cluster Upserted', Detail: JSON.stringify(detail) }] }),
  );
  await eventually(async () => {
    const answer = await project.client.get(forwardingPath(project.projectId, clusterId));
    return answer.status !== 404 || (answer.json as { error: { code: string } }).error.code !== 'NOT_FOUND';
  }, 'the cluster event was not recorded');
  return clusterId;
}

export interface Customer {
  integration: IntegrationView;
  accountId: string;
  roleArn: string;
  created: CreatedIntegration;
}

/** An integration in `REGION` that the customer set up from its documents and validation made ACTIVE. */
export async function activeIntegration(project: Project, options: { accountId?: string } = {}): Promise<Customer> {
  const created = await createIntegration(project, { region: REGION, bucketName: uniqueBucketName('fwd') });
  const { accountId, roleArn } = await customerSetUp(created, options.accountId ? { accountId: options.accountId } : {});
  const integration = await setRoleAndWait(project, created.integrationId, roleArn);
  expect(integration.status, JSON.stringify(integration.validation)).toBe('ACTIVE');
  return { integration, accountId, roleArn, created };
}

export async function enableForwarding(project: Project, clusterId: string, integrationId: string, directory: string): Promise<ForwardingView> {
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
  const body = Array.from({ length: lines }, (_, line) =>
    JSON.stringify({
      date: writtenAt.toISOString().slice(0, 10),
      action: 'Search',
      cluster_id: clusterId,
      database: 'default',
      interface: 'gRPC',
      log_type: 'dml',
      params: { collection: 'docs', limit: 10 },
      result: 'success',
      status: 0,
      time: writtenAt.toISOString(),
      trace_id: `${id}-${line}`,
      user: 'db_admin',
    }),
  ).join('\n');
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
      objects.push({ key: object.Key ?? '', lastModified: object.LastModified ?? new Date(0), etag: object.ETag ?? '' });
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
export async function waitForObjects(accountId: string, bucket: string, prefix: string, count: number, timeoutMs = 60_000) {
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
export function lambdaContext(timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'forwardAuditLogs',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:forwardAuditLogs',
    memoryLimitInMB: '512',
    awsRequestId: randomBytes(8).toString('hex'),
    logGroupName: '/aws/lambda/forwardAuditLogs',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export { enterpriseProject };
