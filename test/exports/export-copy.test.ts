/**
 * Backup exports end to end on the local stack: the API queues the job, the stack's worker copies
 * the platform's backup files into the customer's bucket through the assumed role, and the
 * customer finds every file byte-identical plus a manifest written last.
 * Faults, crashes and several workers: worker/*.test.ts.
 */
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { clientsFor } from '../support/local-stack';
import { smallFiles, type BackupFileSpec } from './support/backup-data';
import {
  announceBackup,
  exportWorld,
  expectCompleteExport,
  finished,
  getJobView,
  platformBackup,
  REGION,
  requestExport,
  waitForJob,
  type ExportWorld,
} from './support/export-stack';

const MiB = 1024 * 1024;

/**
 * 200 small files and one large file (not a multiple of the part size); 100 MiB files are copied by
 * worker/lanes.test.ts.
 */
const backupFiles = (label: string): BackupFileSpec[] => [
  ...smallFiles(label, 200),
  { name: 'segments/large.bin', size: 30 * MiB + 12_345, seed: `${label}:large` },
];

async function lastModified(world: ExportWorld, prefix: string): Promise<Map<string, number>> {
  const { s3 } = clientsFor(world.accountId, REGION);
  const times = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: world.integration.bucketName, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) times.set(object.Key ?? '', object.LastModified?.getTime() ?? 0);
    token = page.NextContinuationToken;
  } while (token);
  return times;
}

describe('backup export', () => {
  it('copies 200 small files and a 30 MiB file byte-identically, with a manifest written last', async () => {
    const world = await exportWorld();
    const backup = await platformBackup(world.clusterId, backupFiles('plain'));
    await announceBackup(world.project, world.clusterId, backup);
    const jobId = await requestExport(world, backup, 'exports/daily');

    const job = await waitForJob(world, jobId, finished);
    expect(job, JSON.stringify(job.error)).toMatchObject({
      status: 'SUCCEEDED',
      type: 'BACKUP_EXPORT',
      trigger: 'API',
      destination: {
        bucket: world.integration.bucketName,
        prefix: `exports/daily/${world.clusterId}/${backup.backupId}/`,
      },
      manifestKey: `exports/daily/${world.clusterId}/${backup.backupId}/export-manifest.json`,
    });
    const bytes = backup.files.reduce((sum, file) => sum + file.size, 0);
    expect(job.progress).toEqual({ objectsTotal: 201, objectsCopied: 201, bytesTotal: bytes, bytesCopied: bytes });

    const manifest = await expectCompleteExport(world, backup, 'exports/daily');
    expect(manifest.jobId).toBe(jobId);
    const times = await lastModified(world, job.destination.prefix);
    const manifestTime = times.get(job.manifestKey ?? '') ?? 0;
    for (const [key, time] of times) if (key !== job.manifestKey) expect(time).toBeLessThanOrEqual(manifestTime);
  }, 180_000);

  it('encrypts every exported object with the integration KMS key', async () => {
    const world = await exportWorld({ kms: true });
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('kms', 3),
      { name: 'large.bin', size: 9 * MiB, seed: 'kms:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    const jobId = await requestExport(world, backup, 'kms');
    const job = await waitForJob(world, jobId, finished);
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    await expectCompleteExport(world, backup, 'kms');
    const { s3 } = clientsFor(world.accountId, REGION);
    for (const key of [...backup.files.map((file) => `${job.destination.prefix}${file.name}`), job.manifestKey ?? '']) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: world.integration.bucketName, Key: key }));
      expect({ key, sse: head.ServerSideEncryption, keyId: head.SSEKMSKeyId }).toEqual({
        key,
        sse: 'aws:kms',
        keyId: world.integration.kmsKeyArn,
      });
    }
    expect((await getJobView(world, jobId)).progress.objectsCopied).toBe(4);
  }, 120_000);
});
