/**
 * The world a forwarding bench needs on its stack: an enterprise project, customer integrations
 * validated to ACTIVE through the API (each customer account creating its bucket, policy and role
 * from the returned documents), dedicated clusters learnt from platform events, forwarding turned
 * on through the API, and audit-log files written into the platform's bucket.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sourceKey } from '#shared/forwarding/audit-log-keys';
import { inParallel } from '#shared/worker/in-parallel';
import { PLATFORM_EVENT_BUS, rootCredentials, sleep, type BenchStack } from './local-stack';
import { auditLogLines } from '../../test/fixtures/audit-log-lines';

const PLATFORM_ACCOUNT = '111111111111';
export const REGION = 'us-east-1';
const AUDIT_LOG_BUCKET = 'platform-audit-logs';

type Answer = { status: number; json: Record<string, unknown> };

export interface BenchProject {
  projectId: string;
  call(method: string, path: string, body?: unknown): Promise<Answer>;
}

export interface BenchIntegration {
  integrationId: string;
  bucketName: string;
  accountId: string;
}

export function platformClients(stack: BenchStack) {
  const common = { endpoint: stack.awsUrl, region: REGION, credentials: rootCredentials(PLATFORM_ACCOUNT) };
  return { s3: new S3Client({ ...common, forcePathStyle: true }), events: new EventBridgeClient(common) };
}

export async function benchProject(stack: BenchStack): Promise<BenchProject> {
  const projectId = `bench-${randomBytes(4).toString('hex')}`;
  const orgId = `org-${projectId}`;
  await platformClients(stack).events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'platform.projects',
          DetailType: 'Project Upserted',
          Detail: JSON.stringify({ projectId, orgId, plan: 'enterprise' }),
          EventBusName: PLATFORM_EVENT_BUS,
        },
      ],
    }),
  );
  const token = await stack.token({ sub: 'bench', org: orgId, orgRole: 'owner', projects: {} });
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  while ((await call('GET', `/v1/projects/${projectId}/integrations`)).status !== 200) await sleep(50);
  return { projectId, call };
}

/** One customer: account, bucket, policy and role from the documents; validated to ACTIVE. */
export async function activeIntegration(stack: BenchStack, project: BenchProject): Promise<BenchIntegration> {
  const bucketName = `bench-fwd-${randomBytes(6).toString('hex')}`;
  const base = `/v1/projects/${project.projectId}/integrations`;
  const created = await project.call('POST', base, { name: bucketName, region: REGION, bucketName });
  if (created.status !== 201) throw new Error(`create integration answered ${created.status}`);
  const { integrationId, setup } = created.json as {
    integrationId: string;
    setup: { iamPolicy: unknown; trustPolicy: unknown };
  };
  const accountId = `${randomInt(2, 10)}${String(randomInt(0, 1e11)).padStart(11, '0')}`;
  const common = { endpoint: stack.awsUrl, region: REGION, credentials: rootCredentials(accountId) };
  await new S3Client({ ...common, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucketName }));
  const iam = new IAMClient(common);
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: bucketName, AssumeRolePolicyDocument: JSON.stringify(setup.trustPolicy) }),
  );
  const { Policy } = await iam.send(
    new CreatePolicyCommand({ PolicyName: bucketName, PolicyDocument: JSON.stringify(setup.iamPolicy) }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: bucketName, PolicyArn: Policy?.Arn }));
  const put = await project.call('PUT', `${base}/${integrationId}/role`, { roleArn: Role?.Arn });
  if (put.status !== 202) throw new Error(`PUT role answered ${put.status}`);
  for (;;) {
    const { json } = await project.call('GET', `${base}/${integrationId}`);
    if (json.status === 'ACTIVE') return { integrationId, bucketName, accountId };
    if (json.status === 'FAILED') throw new Error(`validation failed: ${JSON.stringify(json.validation)}`);
    await sleep(50);
  }
}

/** `count` dedicated clusters, announced ten per PutEvents call. */
export async function dedicatedClusters(stack: BenchStack, project: BenchProject, count: number): Promise<string[]> {
  const clusters = Array.from({ length: count }, (_, index) => `bc-${index}-${randomBytes(3).toString('hex')}`);
  const batches = Array.from({ length: Math.ceil(count / 10) }, (_, batch) =>
    clusters.slice(batch * 10, batch * 10 + 10),
  );
  const { events } = platformClients(stack);
  await inParallel(batches, 8, async (batch) => {
    await events.send(
      new PutEventsCommand({
        Entries: batch.map((clusterId) => ({
          Source: 'platform.clusters',
          DetailType: 'Cluster Upserted',
          Detail: JSON.stringify({ projectId: project.projectId, clusterId, region: REGION, tier: 'dedicated' }),
          EventBusName: PLATFORM_EVENT_BUS,
        })),
      }),
    );
  });
  return clusters;
}

/** Turns forwarding on for every cluster (retrying while a cluster's event is still being recorded). */
export async function enableForwarding(
  project: BenchProject,
  assignments: Array<{ clusterId: string; integrationId: string }>,
  directory: string,
) {
  await inParallel(assignments, 16, async ({ clusterId, integrationId }) => {
    for (;;) {
      const answer = await project.call(
        'PUT',
        `/v1/projects/${project.projectId}/clusters/${clusterId}/audit-log-forwarding`,
        { integrationId, directory },
      );
      if (answer.status === 201) return;
      if (answer.status !== 404)
        throw new Error(`PUT forwarding answered ${answer.status}: ${JSON.stringify(answer.json)}`);
      await sleep(50);
    }
  });
}

export async function disableForwarding(project: BenchProject, clusters: string[]) {
  await inParallel(clusters, 16, async (clusterId) => {
    const answer = await project.call(
      'DELETE',
      `/v1/projects/${project.projectId}/clusters/${clusterId}/audit-log-forwarding`,
    );
    if (answer.status !== 204) throw new Error(`DELETE forwarding answered ${answer.status}`);
  });
}

/** A small audit-log file: a few JSON lines, about 1.5 KiB. */
const auditLogBody = (clusterId: string, writtenAt: Date) =>
  `${auditLogLines(clusterId, writtenAt, 5, () => randomBytes(16).toString('hex'))}\n`;

/**
 * Writes `perCluster` files for each cluster, one second apart, ending a few minutes ago.
 * Answers the bytes written.
 */
export async function writeAuditLogs(stack: BenchStack, clusters: string[], perCluster: number): Promise<number> {
  const { s3 } = platformClients(stack);
  const end = Math.floor(Date.now() / 1000) * 1000 - 5 * 60_000;
  const files = clusters.flatMap((clusterId) =>
    Array.from({ length: perCluster }, (_, index) => ({
      clusterId,
      writtenAt: new Date(end - (perCluster - 1 - index) * 1000),
    })),
  );
  let bytes = 0;
  await inParallel(files, 32, async ({ clusterId, writtenAt }) => {
    const body = auditLogBody(clusterId, writtenAt);
    bytes += Buffer.byteLength(body);
    await s3.send(
      new PutObjectCommand({
        Bucket: AUDIT_LOG_BUCKET,
        Key: sourceKey(clusterId, writtenAt, randomBytes(4).toString('hex')),
        Body: body,
      }),
    );
  });
  return bytes;
}

/** How many objects the customer holds under `prefix` (the customer's own view). */
const customerClients = new Map<string, S3Client>();

export async function countObjects(stack: BenchStack, integration: BenchIntegration, prefix: string): Promise<number> {
  let s3 = customerClients.get(integration.accountId);
  if (!s3) {
    s3 = new S3Client({
      endpoint: stack.awsUrl,
      region: REGION,
      credentials: rootCredentials(integration.accountId),
      forcePathStyle: true,
    });
    customerClients.set(integration.accountId, s3);
  }
  let count = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: integration.bucketName, Prefix: prefix, ContinuationToken: token }),
    );
    count += page.KeyCount ?? 0;
    token = page.NextContinuationToken;
  } while (token);
  return count;
}
