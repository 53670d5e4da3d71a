/**
 * The world of bench/export.ts on its own local stack: an enterprise project with a dedicated
 * cluster and an ACTIVE integration, backups written into a platform bucket and announced, exports
 * queued through the real start handler (its message parked in a queue nothing consumes, for the
 * bench to deliver), and the children bundled as the deployment bundles functions.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { credentialVariables, functionCredentials } from '@s3-integrations/local-runtime/function-credentials';
import { inParallel } from '#shared/worker/in-parallel';
import { contentStream } from '../../test/exports/support/backup-data';
import { PLATFORM_EVENT_BUS, rootCredentials, sleep, type BenchStack } from './local-stack';
import {
  activeIntegration,
  benchProject,
  dedicatedClusters,
  platformClients,
  REGION,
  type BenchIntegration,
  type BenchProject,
} from './forwarding-world';

const PLATFORM_ACCOUNT = '111111111111';
/** Not the export dead-letter queue: its consumer would end the jobs of the messages parked there. */
const PARKING_QUEUE = 'ExportParkingQueue';

export interface World {
  stack: BenchStack;
  project: BenchProject;
  integration: BenchIntegration & { roleArn: string; externalId: string };
  clusterId: string;
  token: string;
}

export async function setUp(stack: BenchStack): Promise<World> {
  // Handlers called in this process run with the stack's environment and their functions' role;
  // their queue messages are parked in a queue of the bench's own (no consumer), so the stack's own
  // worker never runs the job, which their role may therefore also send to.
  await new SQSClient({ endpoint: stack.awsUrl, region: REGION, credentials: rootCredentials(PLATFORM_ACCOUNT) }).send(
    new CreateQueueCommand({ QueueName: PARKING_QUEUE }),
  );
  const parking = {
    Effect: 'Allow' as const,
    Action: 'sqs:SendMessage',
    Resource: `arn:aws:sqs:${REGION}:${PLATFORM_ACCOUNT}:${PARKING_QUEUE}`,
  };
  const credentials = await functionCredentials(stack, ['startBackupExport', 'runExportJob'], [parking]);
  Object.assign(process.env, stack.environment, credentialVariables(credentials), { POWERTOOLS_LOG_LEVEL: 'WARN' });
  process.env.EXPORT_QUEUE_URL = (process.env.EXPORT_QUEUE_URL ?? '').replace(/\/ExportQueue$/, `/${PARKING_QUEUE}`);
  const project = await benchProject(stack);
  const integration = await activeIntegration(stack, project);
  const [clusterId = ''] = await dedicatedClusters(stack, project, 1);
  const { json } = await project.call(
    'GET',
    `/v1/projects/${project.projectId}/integrations/${integration.integrationId}`,
  );
  const token = await stack.token({ sub: 'bench', org: `org-${project.projectId}`, orgRole: 'owner', projects: {} });
  return {
    stack,
    project,
    clusterId,
    token,
    integration: { ...integration, roleArn: String(json.roleArn), externalId: String(json.externalId) },
  };
}

/** Writes the backup's files into a platform bucket and announces the backup. */
export async function platformBackup(world: World, files: Array<{ name: string; size: number }>) {
  const { s3, events } = platformClients(world.stack);
  const bucket = `platform-backups-bench-${randomBytes(4).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const backupId = `bk-${randomBytes(4).toString('hex')}`;
  const prefix = `backups/${world.clusterId}/${backupId}/`;
  await inParallel(files, 32, async (file) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${file.name}`,
        Body: contentStream(`${backupId}:${file.name}`, file.size),
        ContentLength: file.size,
      }),
    );
  });
  const detail = {
    projectId: world.project.projectId,
    clusterId: world.clusterId,
    backupId,
    bucket,
    prefix,
    completedAt: new Date().toISOString(),
  };
  await events.send(
    new PutEventsCommand({
      Entries: [
        {
          Source: 'platform.backups',
          DetailType: 'Backup Completed',
          Detail: JSON.stringify(detail),
          EventBusName: PLATFORM_EVENT_BUS,
        },
      ],
    }),
  );
  return { bucket, prefix, backupId };
}

/** POST .../export through the real handler in this process; answers the job's first message. */
export async function queueExport(world: World, backupId: string, directory: string): Promise<string> {
  const { handler } = await import('#functions/start-backup-export/handler');
  const path = `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backups/${backupId}/export`;
  for (;;) {
    const event = {
      version: '2.0',
      routeKey: `POST ${path}`,
      rawPath: path,
      headers: { authorization: `Bearer ${world.token}`, 'content-type': 'application/json' },
      pathParameters: { projectId: world.project.projectId, clusterId: world.clusterId, backupId },
      requestContext: { requestId: randomBytes(6).toString('hex'), http: { method: 'POST', path } },
      body: JSON.stringify({ integrationId: world.integration.integrationId, directory }),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const answer = (await handler(event, { awsRequestId: 'bench' } as Context)) as APIGatewayProxyStructuredResultV2;
    if (answer.statusCode === 202) {
      const { jobId } = JSON.parse(String(answer.body)) as { jobId: string };
      return JSON.stringify({ projectId: world.project.projectId, jobId, turn: 0 });
    }
    if (answer.statusCode !== 404) throw new Error(`export request answered ${answer.statusCode}: ${answer.body}`);
    await sleep(50); // the backup's event is still being recorded
  }
}

/** Bundles a child's script as the deployment bundles functions (esbuild, ESM, node22), so it runs on plain node. */
export async function bundleChild(dir: string, name: 'export-worker' | 'sdk-copy-loop'): Promise<string> {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [join(import.meta.dirname, `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    outfile,
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

/** Credentials of the customer role as the export gets them: same role, external ID, a session policy on the folder. */
export async function assumedRole(world: World, prefix: string) {
  const sts = new STSClient({
    endpoint: world.stack.awsUrl,
    region: REGION,
    credentials: await functionCredentials(world.stack, ['runExportJob']),
  });
  const { sessionPolicyFor } = await import('#shared/customer-bucket/session-policy');
  const { EXPORT_OBJECT_ACTIONS } = await import('#shared/exports/worker/customer-writes');
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: world.integration.roleArn,
      ExternalId: world.integration.externalId,
      RoleSessionName: `${world.integration.integrationId}-rclone`,
      Policy: JSON.stringify(
        sessionPolicyFor({
          bucketName: world.integration.bucketName,
          prefixes: [prefix],
          objectActions: EXPORT_OBJECT_ACTIONS,
        }),
      ),
      DurationSeconds: 3600,
    }),
  );
  return Credentials;
}

/** Checks what the customer holds under a prefix (object count, and bytes when given): each copy is complete. */
export async function expectCopied(
  world: World,
  prefix: string,
  objects: number,
  bytes: number | undefined,
): Promise<void> {
  const s3 = new S3Client({
    endpoint: world.stack.awsUrl,
    region: REGION,
    credentials: rootCredentials(world.integration.accountId),
    forcePathStyle: true,
  });
  let count = 0;
  let total = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: world.integration.bucketName, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      count += 1;
      total += object.Size ?? 0;
    }
    token = page.NextContinuationToken;
  } while (token);
  if (count !== objects || (bytes !== undefined && total !== bytes)) {
    throw new Error(
      `incomplete copy under ${prefix}: ${count} objects / ${total} bytes, ` +
        `expected ${objects}${bytes !== undefined ? ` / ${bytes}` : ''}`,
    );
  }
}
