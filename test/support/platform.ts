/**
 * The platform side of a test on the local stack: projects and clusters learnt from platform events
 * (docs/product-contract.md §6) sent to the local endpoint with EventBridge PutEvents, and tokens for the users
 * of their organizations.
 */
import { randomBytes } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { api, localStack, mintToken, rootCredentials } from './local-stack';

export const PLATFORM_ACCOUNT = '111111111111';

export type Api = ReturnType<typeof api>;

export interface Project {
  projectId: string;
  orgId: string;
  /** The organization owner's client. */
  client: Api;
  /** `/v1/projects/<projectId>/integrations` */
  base: string;
}

/** The service's platform event bus (serverless.yml PlatformEventBus, stage dev), in the platform account. */
export const PLATFORM_EVENT_BUS = 's3-integrations-dev-platform-events';
export const PLATFORM_EVENT_BUS_ARN = `arn:aws:events:us-east-1:${PLATFORM_ACCOUNT}:event-bus/${PLATFORM_EVENT_BUS}`;

/** An EventBridge client of `accountId` (the platform, the only producer locally, by default). */
export function platformEvents(accountId = PLATFORM_ACCOUNT) {
  return new EventBridgeClient({
    endpoint: localStack().awsUrl,
    region: 'us-east-1',
    credentials: rootCredentials(accountId),
    maxAttempts: 1,
  });
}

/** Puts one platform event on the service's bus, as the platform does (optionally with its own `time`). */
export async function publish(
  source: string,
  detailType: string,
  detail: object,
  options: { time?: Date } = {},
): Promise<void> {
  const answer = await platformEvents().send(
    new PutEventsCommand({
      Entries: [
        {
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify(detail),
          EventBusName: PLATFORM_EVENT_BUS,
          ...(options.time ? { Time: options.time } : {}),
        },
      ],
    }),
  );
  if (answer.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(answer.Entries)}`);
}

export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A project on `plan`, learnt from a `Project Upserted` event, and its organization owner's client. */
export async function platformProject(plan = 'enterprise'): Promise<Project> {
  const projectId = `proj-${randomBytes(6).toString('hex')}`;
  const orgId = `org-${randomBytes(6).toString('hex')}`;
  await publish('platform.projects', 'Project Upserted', { projectId, orgId, plan });
  const client = api(mintToken({ sub: `owner-${projectId}`, org: orgId, orgRole: 'owner', projects: {} }));
  const base = `/v1/projects/${projectId}/integrations`;
  await eventually(async () => (await client.get(base)).status !== 404, 'the project event was not recorded');
  return { projectId, orgId, client, base };
}

/** A client for a user of the project's organization with the given project role. */
export function projectUser(project: Project, role: 'admin' | 'member'): Api {
  const sub = `${role}-${randomBytes(4).toString('hex')}`;
  return api(mintToken({ sub, org: project.orgId, orgRole: 'member', projects: { [project.projectId]: role } }));
}

/** The service's table, read and written as the platform account's root (tests that stage a state). */
export const platformTable = () =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: localStack().dynamodbUrl,
      region: 'us-east-1',
      credentials: rootCredentials(PLATFORM_ACCOUNT),
    }),
  );

/** Every item of a project's partition: for asserting that a request wrote nothing. */
export async function projectItems(projectId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await platformTable().send(
      new QueryCommand({
        TableName: localStack().environment.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `PROJECT#${projectId}` },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** A cluster of the project, learnt from a `Cluster Upserted` event; waits until the service has recorded it. */
export async function platformCluster(
  project: Project,
  options: { tier?: 'dedicated' | 'serverless'; region?: string } = {},
): Promise<string> {
  const clusterId = `cl-${randomBytes(6).toString('hex')}`;
  await publish('platform.clusters', 'Cluster Upserted', {
    projectId: project.projectId,
    clusterId,
    region: options.region ?? 'us-east-1',
    tier: options.tier ?? 'dedicated',
  });
  await eventually(async () => {
    const items = await projectItems(project.projectId);
    return items.some((item) => item.sk === `CLUSTER#${clusterId}`);
  }, 'the cluster event was not recorded');
  return clusterId;
}
