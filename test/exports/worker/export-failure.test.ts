/**
 * Exports that fail for good, each with its own code: the customer revoking the role or its
 * permissions mid-export (the integration becomes FAILED with the same report a validation run
 * would give), a missing bucket, a KMS key the role may not use, and problems on the platform's
 * side (a backup changed mid-export, an empty backup) that leave the integration alone. A failed
 * job releases its integration and aborts the multipart uploads it left open when it still can.
 *
 * Uses the endpoint's fault injection (latency, to keep exports running while the test acts): the
 * tests run one after the other and clear it when done.
 */
import { randomBytes } from 'node:crypto';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DeleteBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '#shared/exports/schemas';
import type { IntegrationView } from '#shared/integrations/schemas';
import { probeKey } from '#shared/validation/probe';
import { clearFaults, clientsFor, setFaults } from '../../support/local-stack';
import { withoutAction } from '../../support/customer';
import { smallFiles } from '../support/backup-data';
import { plannedGroups } from '../support/checkpoints';
import {
  announceBackup,
  eventually,
  exportWorld,
  finished,
  openMultipartUploads,
  platformBackup,
  platformS3,
  REGION,
  requestExport,
  waitForJob,
  type ExportWorld,
} from '../support/export-stack';

const MiB = 1024 * 1024;

afterEach(async () => {
  await clearFaults();
});

const slowWrites = (world: ExportWorld, latencyMs: number) =>
  setFaults({
    services: ['s3'],
    buckets: [world.integration.bucketName],
    actions: ['s3:PutObject'],
    latencyMs,
    errorRate: 0,
  });

async function integrationOf(world: ExportWorld): Promise<IntegrationView> {
  return (await world.project.client.get(`${world.project.base}/${world.integration.integrationId}`))
    .json as IntegrationView;
}

/** Starts an export of 10 small files and a 60 MiB file and waits until some of it has arrived. */
async function exportUnderWay(world: ExportWorld, latencyMs = 600) {
  const backup = await platformBackup(world.clusterId, [
    ...smallFiles('fail', 10),
    { name: 'large.bin', size: 60 * MiB, seed: 'fail:large' },
  ]);
  await announceBackup(world.project, world.clusterId, backup);
  await slowWrites(world, latencyMs);
  const jobId = await requestExport(world, backup, 'failing');
  await waitForJob(world, jobId, (job) => job.progress.objectsCopied > 0 || finished(job), 60_000);
  return { backup, jobId };
}

async function detachPolicies(world: ExportWorld, remove: boolean): Promise<void> {
  const { iam } = clientsFor(world.accountId);
  const roleName = world.roleArn.split('/').pop() ?? '';
  const { AttachedPolicies = [] } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  for (const policy of AttachedPolicies) {
    await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: policy.PolicyArn }));
    if (remove) await iam.send(new DeletePolicyCommand({ PolicyArn: policy.PolicyArn }));
  }
}

/** The integration is FAILED with a one-stage report carrying the job's own code and message. */
function expectIntegrationFailed(integration: IntegrationView, job: JobView, stage: string): void {
  expect(integration.status).toBe('FAILED');
  expect(integration.validation?.result).toBe('FAILED');
  expect(integration.validation?.stages).toEqual([
    expect.objectContaining({ name: stage, status: 'FAILED', code: job.error?.code, message: job.error?.message }),
  ]);
}

describe('export failures', () => {
  it('fails with ROLE_ASSUMPTION_FAILED when the customer revokes the role mid-export', async () => {
    const world = await exportWorld();
    const { jobId } = await exportUnderWay(world);
    // The customer deletes the role's policy and the role itself.
    await detachPolicies(world, true);
    await clientsFor(world.accountId).iam.send(new DeleteRoleCommand({ RoleName: world.roleArn.split('/').pop() }));

    const job = await waitForJob(world, jobId, finished);
    expect(job.status).toBe('FAILED');
    expect(job.error?.code).toBe('ROLE_ASSUMPTION_FAILED');
    // The caller is the export worker's session, as the customer's CloudTrail shows it.
    expect(job.error?.message).toMatch(
      new RegExp(
        String.raw`^try assume role from\[arn:aws:sts::111111111111:assumed-role\/` +
          String.raw`s3-integrations-dev-runExportJob-[\w-]+\/s3-integrations-dev-runExportJob\] ` +
          String.raw`to \[arn:aws:iam::\d{12}:role\/[\w-]+\] with externalId\[s3i-[\w-]+\] failed: `,
      ),
    );
    expect(job.progress.objectsCopied).toBeLessThan(job.progress.objectsTotal);
    expect(job.manifestKey).toBeUndefined();
    expectIntegrationFailed(await integrationOf(world), job, 'ASSUME_ROLE');
    // The job no longer holds the integration.
    expect((await world.project.client.delete(`${world.project.base}/${world.integration.integrationId}`)).status).toBe(
      204,
    );
  }, 120_000);

  it("fails with the denied permission when the customer removes the role's policy mid-export", async () => {
    const world = await exportWorld();
    const { jobId } = await exportUnderWay(world);
    await detachPolicies(world, true);

    const job = await waitForJob(world, jobId, finished);
    expect(job.status).toBe('FAILED');
    // Whichever call met the refusal first: a write (put, upload part, complete) or the read-back check.
    expect(['WRITE_ACCESS_DENIED', 'READ_ACCESS_DENIED']).toContain(job.error?.code);
    expect(job.error?.message).toMatch(
      new RegExp(
        "^check bucket failed: .*StatusCode: 403.*; the role's policy must allow s3:(PutObject|GetObject) " +
          'on arn:aws:s3:::exp-',
      ),
    );
    const integration = await integrationOf(world);
    expectIntegrationFailed(
      integration,
      job,
      job.error?.code === 'WRITE_ACCESS_DENIED' ? 'WRITE_ACCESS' : 'READ_ACCESS',
    );
  }, 120_000);

  it('fails with BUCKET_NOT_FOUND when the bucket is gone', async () => {
    const world = await exportWorld();
    // The customer empties the bucket (only validation's probe is in it) and deletes it.
    const { s3 } = clientsFor(world.accountId, REGION);
    await s3.send(
      new DeleteObjectCommand({ Bucket: world.integration.bucketName, Key: probeKey(world.integration.integrationId) }),
    );
    await s3.send(new DeleteBucketCommand({ Bucket: world.integration.bucketName }));
    const backup = await platformBackup(world.clusterId, smallFiles('nobucket', 3));
    await announceBackup(world.project, world.clusterId, backup);
    const job = await waitForJob(world, await requestExport(world, backup, 'x'), finished);
    expect([job.status, job.error?.code]).toEqual(['FAILED', 'BUCKET_NOT_FOUND']);
    expect(job.error?.message).toMatch(/StatusCode: 404.*NoSuchBucket/);
    expectIntegrationFailed(await integrationOf(world), job, 'BUCKET_LOCATION');
  }, 60_000);

  it('fails with KMS_ACCESS_DENIED when the role may no longer use the KMS key', async () => {
    const world = await exportWorld({ kms: true });
    // The customer replaces the role's policy with one that lacks the KMS statement.
    const { iam } = clientsFor(world.accountId);
    const withoutKms = withoutAction(
      withoutAction(world.created.setup.iamPolicy, 'kms:GenerateDataKey'),
      'kms:Decrypt',
    );
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: `no-kms-${randomBytes(3).toString('hex')}`,
        PolicyDocument: JSON.stringify(withoutKms),
      }),
    );
    await detachPolicies(world, false);
    await iam.send(new AttachRolePolicyCommand({ RoleName: world.roleArn.split('/').pop(), PolicyArn: Policy?.Arn }));

    const backup = await platformBackup(world.clusterId, smallFiles('nokms', 3));
    await announceBackup(world.project, world.clusterId, backup);
    const job = await waitForJob(world, await requestExport(world, backup, 'x'), finished);
    expect([job.status, job.error?.code]).toEqual(['FAILED', 'KMS_ACCESS_DENIED']);
    expect(job.error?.message).toContain(
      `must allow kms:GenerateDataKey and kms:Decrypt on ${world.integration.kmsKeyArn}`,
    );
    expectIntegrationFailed(await integrationOf(world), job, 'WRITE_ACCESS');
  }, 60_000);

  it('fails with BACKUP_FILES_CHANGED when a backup file changes mid-export, and aborts its open upload', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, [
      { name: 'large.bin', size: 20 * MiB, seed: 'changed:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    // Reads of the backup file wait: the platform rewrites it after the upload started, before any part was read.
    await setFaults({
      services: ['s3'],
      buckets: [backup.bucket],
      operations: ['GetObject'],
      latencyMs: 2_000,
      errorRate: 0,
    });
    const jobId = await requestExport(world, backup, 'changed');
    const job0 = await waitForJob(world, jobId, (job) => job.status === 'RUNNING' && job.progress.objectsTotal > 0);
    await eventually(
      async () => (await plannedGroups(world.project.projectId, jobId))[0]?.upload !== undefined,
      'the upload did not start',
      30_000,
    );
    await platformS3().send(
      new PutObjectCommand({ Bucket: backup.bucket, Key: `${backup.prefix}/large.bin`, Body: 'rewritten' }),
    );

    const job = await waitForJob(world, jobId, finished);
    expect([job.status, job.error?.code]).toEqual(['FAILED', 'BACKUP_FILES_CHANGED']);
    expect(job.error?.message).toContain('"large.bin" changed or disappeared');
    expect(job0.destination.prefix).toBe(job.destination.prefix);
    // Nothing of the failed upload is left billed in the customer's bucket; the integration is fine.
    expect(await openMultipartUploads(world, job.destination.prefix)).toEqual([]);
    expect((await integrationOf(world)).status).toBe('ACTIVE');
  }, 120_000);

  it('fails with BACKUP_EMPTY when the backup has no files', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, []);
    await announceBackup(world.project, world.clusterId, backup);
    const job = await waitForJob(world, await requestExport(world, backup, 'x'), finished);
    expect([job.status, job.error?.code]).toEqual(['FAILED', 'BACKUP_EMPTY']);
    expect((await integrationOf(world)).status).toBe('ACTIVE');
  }, 60_000);
});
