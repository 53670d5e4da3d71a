/**
 * Local-only routes of the local HTTP API under /local/ (never deployed: serverless.yml has no such
 * route): what the console's local sign-in page needs in place of the platform's identity
 * provider and of the platform itself.
 *
 * - GET  /local/sign-in       the projects the service knows, and the local AWS endpoint to show the customer
 * - POST /local/token         a token for the chosen organization, project and role, signed by local/runtime/src/jwt.ts
 * - POST /local/demo-project  a demo enterprise project with a dedicated cluster and a finished backup,
 *                             announced with platform events, as the platform would
 * - GET  /local/customer-role-template.json  the generic role template (the local customerRoleTemplateUrl):
 *                             the file a platform publishes, deploy/customer-role-template.json
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import type { HttpAnswer } from '#runtime/http-api-event';
import { signToken, type SigningKey } from '#runtime/jwt';
import { REPOSITORY_ROOT } from '#runtime/paths';

export interface LocalSignInOptions {
  signingKey: SigningKey;
  jwt: { issuer: string; audience: string };
  dynamodb: DynamoDBClient;
  tableName: string;
  awsUrl: string;
  platformAccountId: string;
  region: string;
  /** Where the platform's events go: the service's own bus (serverless.yml PlatformEventBus). */
  platformEventBus: string;
}

/** A customer account for the local walkthrough (any 12-digit account exists on the local endpoint). */
export const LOCAL_CUSTOMER_ACCOUNT = '222222222222';
export const DEMO = {
  projectId: 'demo-project',
  orgId: 'demo-org',
  clusterId: 'demo-cluster',
  serverlessClusterId: 'demo-serverless',
  backupId: 'demo-backup-1',
};

const tokenRequest = z.strictObject({
  sub: z.string().min(1).max(128).optional(),
  org: z.string().min(1).max(128),
  orgRole: z.enum(['owner', 'member']),
  projects: z.record(z.string().min(1).max(128), z.enum(['admin', 'member'])).default({}),
});

const json = (statusCode: number, body: unknown): HttpAnswer => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: Buffer.from(JSON.stringify(body)),
});

export function localSignInRoutes(options: LocalSignInOptions) {
  const platform = {
    endpoint: options.awsUrl,
    region: options.region,
    credentials: { accessKeyId: `LOCAL${options.platformAccountId}`, secretAccessKey: 'local' },
  };

  async function knownProjects() {
    const projects: Array<{ projectId: string; orgId: string; plan: string }> = [];
    const table = DynamoDBDocumentClient.from(options.dynamodb);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await table.send(
        new ScanCommand({
          TableName: options.tableName,
          FilterExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': 'PROJECT' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        projects.push({ projectId: item.projectId, orgId: item.orgId, plan: item.plan });
      start = page.LastEvaluatedKey;
    } while (start);
    return projects.sort((a, b) => a.projectId.localeCompare(b.projectId));
  }

  async function createDemoProject() {
    const events = new EventBridgeClient(platform);
    const s3 = new S3Client({ ...platform, forcePathStyle: true });
    try {
      const bucket = 'platform-backups-demo';
      // The backup prefix layout the service accepts by default (backupPrefixLayout, docs/deploy.md).
      const prefix = `backups/${DEMO.clusterId}/${DEMO.backupId}/`;
      await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
        if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
      });
      for (const [name, size] of [
        ['manifest.json', 2_000],
        ['data/segment-0001.bin', 3_000_000],
        ['data/segment-0002.bin', 1_500_000],
      ] as const) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}`, Body: randomBytes(size) }));
      }
      const put = (Source: string, DetailType: string, detail: object) =>
        events.send(
          new PutEventsCommand({
            Entries: [{ Source, DetailType, Detail: JSON.stringify(detail), EventBusName: options.platformEventBus }],
          }),
        );
      const { projectId, orgId, clusterId, serverlessClusterId, backupId } = DEMO;
      await put('platform.projects', 'Project Upserted', { projectId, orgId, plan: 'enterprise' });
      await put('platform.clusters', 'Cluster Upserted', {
        projectId,
        clusterId,
        region: options.region,
        tier: 'dedicated',
      });
      await put('platform.clusters', 'Cluster Upserted', {
        projectId,
        clusterId: serverlessClusterId,
        region: options.region,
        tier: 'serverless',
      });
      await put('platform.backups', 'Backup Completed', {
        projectId,
        clusterId,
        backupId,
        bucket,
        prefix,
        completedAt: new Date().toISOString(),
      });
      return { projectId, orgId };
    } finally {
      events.destroy();
      s3.destroy();
    }
  }

  /** Answers a /local/ request, or undefined for any other path. */
  return async (method: string, pathname: string, body: Buffer): Promise<HttpAnswer | undefined> => {
    if (!pathname.startsWith('/local/')) return undefined;
    const route = `${method} ${pathname}`;
    if (route === 'GET /local/sign-in') {
      return json(200, {
        projects: await knownProjects(),
        demo: { projectId: DEMO.projectId, orgId: DEMO.orgId },
        aws: { endpoint: options.awsUrl, customerAccountId: LOCAL_CUSTOMER_ACCOUNT, region: options.region },
      });
    }
    if (route === 'POST /local/token') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        return json(400, {
          error: { code: 'INVALID_REQUEST', message: 'Send the claims as a JSON object.', details: [] },
        });
      }
      const claims = tokenRequest.safeParse(parsed);
      if (!claims.success) {
        const details = claims.error.issues.map((issue) => ({ field: issue.path.join('.'), issue: issue.message }));
        return json(400, {
          error: { code: 'INVALID_REQUEST', message: 'Choose an organization, a role and a project.', details },
        });
      }
      const sub = claims.data.sub ?? `local-${claims.data.orgRole}-${randomBytes(3).toString('hex')}`;
      return json(200, { token: await signToken({ ...claims.data, sub }, options.signingKey, options.jwt) });
    }
    if (route === 'POST /local/demo-project') return json(201, await createDemoProject());
    if (route === 'GET /local/customer-role-template.json') {
      // The checked-in file, which a test keeps equal to the service's template, as a platform publishes it.
      const template = await readFile(join(REPOSITORY_ROOT, 'deploy', 'customer-role-template.json'));
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: template,
      };
    }
    return json(404, { message: 'Not Found' });
  };
}
