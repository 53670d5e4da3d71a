/**
 * The platform and customer sides of an export test on the local stack. The platform: an
 * enterprise project and a dedicated cluster learnt from events, and backup files in a platform
 * bucket announced by a `Backup Completed` event. The customer: a fresh account whose bucket,
 * policy and role come from the documents the API returned, validated to ACTIVE through the API.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { dynamodb } from '#shared/aws/clients';
import { keys } from '#shared/table/keys';
import type { ExportJob } from '#shared/exports/export-job';
import type { JobView } from '#shared/exports/schemas';
import type { Manifest } from '#shared/exports/worker/manifest';
import type { IntegrationView } from '#shared/integrations/schemas';
import { clientsFor, localStack, mintToken, rootCredentials, uniqueAccountId } from '../../support/local-stack';
import {
  createIntegration,
  createKmsKey,
  customerSetUp,
  encryptBucketWith,
  setRoleAndWait,
  type CreatedIntegration,
} from '../../support/customer';
import {
  PLATFORM_ACCOUNT,
  type Project,
  eventually,
  platformCluster,
  platformProject,
  publish,
} from '../../support/platform';
import { contentStream, digestOf, type BackupFileSpec, type Digest } from './backup-data';

export { eventually, PLATFORM_ACCOUNT, type Project };
export const REGION = 'us-east-1';

const platformConfig = () => ({
  endpoint: localStack().awsUrl,
  region: REGION,
  credentials: rootCredentials(PLATFORM_ACCOUNT),
});
export const platformS3 = () => new S3Client({ ...platformConfig(), forcePathStyle: true });

export interface ExportWorld {
  project: Project;
  /** A token of the project's organization owner (for calling API handlers in-process). */
  ownerToken: string;
  clusterId: string;
  integration: IntegrationView;
  created: CreatedIntegration;
  accountId: string;
  roleArn: string;
}

/** A project, a dedicated cluster and an ACTIVE integration (optionally on an SSE-KMS bucket) in REGION. */
export async function exportWorld(options: { kms?: boolean } = {}): Promise<ExportWorld> {
  const project = await platformProject('enterprise');
  const clusterId = await platformCluster(project, { region: REGION });
  const bucketName = `exp-${randomBytes(6).toString('hex')}`;
  const accountId = uniqueAccountId();
  let kmsKeyArn: string | undefined;
  if (options.kms) kmsKeyArn = await createKmsKey(accountId, REGION);
  const created = await createIntegration(project, { region: REGION, bucketName, ...(kmsKeyArn ? { kmsKeyArn } : {}) });
  const { roleArn } = await customerSetUp(created, { accountId });
  if (kmsKeyArn) await encryptBucketWith(accountId, bucketName, REGION, kmsKeyArn);
  const integration = await setRoleAndWait(project, created.integrationId, roleArn);
  expect(integration.status, JSON.stringify(integration.validation)).toBe('ACTIVE');
  const ownerToken = await mintToken({
    sub: `owner-${project.projectId}`,
    org: project.orgId,
    orgRole: 'owner',
    projects: {},
  });
  return { project, ownerToken, clusterId, integration, created, accountId, roleArn };
}

export interface PlatformBackup {
  backupId: string;
  bucket: string;
  prefix: string;
  files: Array<BackupFileSpec & Digest>;
}

/** Writes the backup's files into a fresh platform bucket (large files streamed), as the platform does. */
export async function platformBackup(clusterId: string, files: BackupFileSpec[]): Promise<PlatformBackup> {
  const s3 = platformS3();
  const bucket = `platform-backups-${randomBytes(5).toString('hex')}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const backupId = `bk-${randomBytes(5).toString('hex')}`;
  const prefix = `backups/${clusterId}/${backupId}`;
  const described: PlatformBackup['files'] = [];
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: `${prefix}/${file.name}`,
            Body: contentStream(file.seed, file.size),
            ContentLength: file.size,
          }),
        );
        described.push({ ...file, ...(await digestOf(contentStream(file.seed, file.size))) });
      }
    }),
  );
  // S3 lists keys in byte order, and so does the manifest.
  return { backupId, bucket, prefix, files: described.sort((a, b) => (a.name < b.name ? -1 : 1)) };
}

/** Announces the backup with a `Backup Completed` event (`times` identical events, to test duplicates). */
export async function announceBackup(
  project: Project,
  clusterId: string,
  backup: PlatformBackup,
  times = 1,
): Promise<void> {
  const detail = {
    projectId: project.projectId,
    clusterId,
    backupId: backup.backupId,
    bucket: backup.bucket,
    prefix: backup.prefix,
    completedAt: new Date().toISOString(),
  };
  for (let sent = 0; sent < times; sent += 1) {
    await publish('platform.backups', 'Backup Completed', detail);
  }
}

export const exportPath = (world: ExportWorld, backupId: string) =>
  `/v1/projects/${world.project.projectId}/clusters/${world.clusterId}/backups/${backupId}/export`;

/** POST .../export once the service has recorded the backup (its event is processed asynchronously). */
export async function requestExport(world: ExportWorld, backup: PlatformBackup, directory: string): Promise<string> {
  const answer = await eventually(async () => {
    const posted = await world.project.client.post(exportPath(world, backup.backupId), {
      integrationId: world.integration.integrationId,
      directory,
    });
    return posted.status === 404 ? undefined : posted;
  }, 'the backup event was not recorded');
  expect(answer.status, answer.text).toBe(202);
  return (answer.json as { jobId: string }).jobId;
}

export async function getJobView(world: ExportWorld, jobId: string): Promise<JobView> {
  const answer = await world.project.client.get(`/v1/projects/${world.project.projectId}/jobs/${jobId}`);
  expect(answer.status, answer.text).toBe(200);
  return answer.json as JobView;
}

export function waitForJob(
  world: ExportWorld,
  jobId: string,
  done: (job: JobView) => boolean,
  timeoutMs = 120_000,
): Promise<JobView> {
  return eventually(
    async () => {
      const job = await getJobView(world, jobId);
      return done(job) ? job : undefined;
    },
    `job ${jobId} did not reach the expected state`,
    timeoutMs,
  );
}

export const finished = (job: JobView) => job.status === 'SUCCEEDED' || job.status === 'FAILED';

/** The job item as stored (lease, turn, attempt): what the tests of the machinery look at. */
export async function storedJob(projectId: string, jobId: string): Promise<ExportJob> {
  const { Item } = await dynamodb.send(
    new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.job(projectId, jobId), ConsistentRead: true }),
  );
  if (!Item) throw new Error(`no job ${jobId}`);
  return Item as unknown as ExportJob;
}

export async function customerKeys(world: ExportWorld, prefix: string): Promise<string[]> {
  const { s3 } = clientsFor(world.accountId, REGION);
  const found: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: world.integration.bucketName, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) found.push(object.Key ?? '');
    token = page.NextContinuationToken;
  } while (token);
  return found.sort();
}

export async function openMultipartUploads(world: ExportWorld, prefix: string): Promise<string[]> {
  const { s3 } = clientsFor(world.accountId, REGION);
  const { Uploads = [] } = await s3.send(
    new ListMultipartUploadsCommand({ Bucket: world.integration.bucketName, Prefix: prefix }),
  );
  return Uploads.map((upload) => upload.UploadId ?? '');
}

/**
 * What a complete export must look like from the customer's side: exactly the backup's files
 * plus the manifest under `<directory>/<clusterId>/<backupId>/`, every file byte-identical to the
 * source (SHA-256 of the whole stream), and a manifest that lists each with its size and CRC32.
 */
export async function expectCompleteExport(
  world: ExportWorld,
  backup: PlatformBackup,
  directory: string,
): Promise<Manifest> {
  const prefix = `${directory}/${world.clusterId}/${backup.backupId}/`;
  const { s3 } = clientsFor(world.accountId, REGION);
  const expectedKeys = [...backup.files.map((file) => `${prefix}${file.name}`), `${prefix}export-manifest.json`].sort();
  expect(await customerKeys(world, prefix)).toEqual(expectedKeys);
  const queue = [...backup.files];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const { Body } = await s3.send(
          new GetObjectCommand({ Bucket: world.integration.bucketName, Key: `${prefix}${file.name}` }),
        );
        const arrived = await digestOf(Body as AsyncIterable<Uint8Array>);
        expect({ name: file.name, ...arrived }).toEqual({
          name: file.name,
          sha256: file.sha256,
          crc32: file.crc32,
          size: file.size,
        });
      }
    }),
  );
  const { Body } = await s3.send(
    new GetObjectCommand({ Bucket: world.integration.bucketName, Key: `${prefix}export-manifest.json` }),
  );
  const manifest = JSON.parse((await Body?.transformToString()) ?? '{}') as Manifest;
  expect(manifest).toMatchObject({
    format: 's3-integrations/backup-export-manifest/v1',
    clusterId: world.clusterId,
    backupId: backup.backupId,
  });
  expect(manifest.files).toEqual(
    backup.files.map((file) => ({
      name: file.name,
      key: `${prefix}${file.name}`,
      size: file.size,
      checksum: { algorithm: 'CRC32', value: file.crc32 },
    })),
  );
  expect(manifest.totals).toEqual({
    files: backup.files.length,
    bytes: backup.files.reduce((sum, file) => sum + file.size, 0),
  });
  expect(await openMultipartUploads(world, prefix)).toEqual([]);
  return manifest;
}
