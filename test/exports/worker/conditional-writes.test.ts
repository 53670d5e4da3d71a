/**
 * Every write of an export to the customer's bucket is create-only (`If-None-Match: *`): a retry
 * or a duplicate never adds a second version of an object, an object already holding the right
 * bytes counts as copied, and one holding other bytes fails the job with its own code, untouched.
 * The exports run on the local stack, as deployed.
 *
 * Uses the endpoint's fault injection (one setting for the whole endpoint): tests run in order.
 */
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { clearFaults, clientsFor, faultsInjected, setFaults } from '../../support/local-stack';
import { contentBytes, smallFiles } from '../support/backup-data';
import { plannedGroups } from '../support/checkpoints';
import { enableVersioning, requestCounts, versionsBelow } from '../support/customer-bucket';
import {
  announceBackup,
  eventually,
  exportWorld,
  expectCompleteExport,
  finished,
  platformBackup,
  REGION,
  requestExport,
  waitForJob,
} from '../support/export-stack';

const MiB = 1024 * 1024;

afterEach(async () => {
  await clearFaults();
});

describe('create-only writes to the customer bucket', () => {
  it('leaves exactly one version of every object when writes succeed but their answers are lost', async () => {
    const world = await exportWorld();
    await enableVersioning(world);
    const backup = await platformBackup(world.clusterId, [
      ...smallFiles('lost', 40),
      { name: 'large.bin', size: 17 * MiB, seed: 'lost:large' },
    ]);
    await announceBackup(world.project, world.clusterId, backup);
    // Every other put and completion, twelve in all, is stored by S3, then its connection is cut before
    // the answer.
    await setFaults({
      services: ['s3'],
      buckets: [world.integration.bucketName],
      operations: ['PutObject', 'CompleteMultipartUpload'],
      timing: 'after',
      mode: 'drop-connection',
      errorRate: 0.5,
      spread: 'even',
      maxFaults: 12,
    });
    const job = await waitForJob(world, await requestExport(world, backup, 'lost'), finished);
    const injected = await faultsInjected();
    await clearFaults();
    expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
    expect(injected).toBe(12);
    const versions = await versionsBelow(world, job.destination.prefix);
    expect(versions.size).toBe(42);
    expect([...versions.values()].every((count) => count === 1)).toBe(true);
    await expectCompleteExport(world, backup, 'lost');
  }, 120_000);

  it(
    'counts an object already holding the right bytes as copied, ' +
      'and fails on one holding other bytes, naming its key',
    async () => {
      const world = await exportWorld();
      await enableVersioning(world);
      const files = smallFiles('taken', 10);
      const backup = await platformBackup(world.clusterId, files);
      await announceBackup(world.project, world.clusterId, backup);
      const prefix = `taken/${world.clusterId}/${backup.backupId}/`;
      const { s3 } = clientsFor(world.accountId, REGION);
      const [same, other] = [files[3], files[6]];
      if (!same || !other) throw new Error('too few files');
      // The right bytes, put there beforehand (e.g. by an earlier attempt): kept, not written again.
      await s3.send(
        new PutObjectCommand({
          Bucket: world.integration.bucketName,
          Key: `${prefix}${same.name}`,
          Body: contentBytes(same.seed, same.size),
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      // Someone else's object at another key: the export must neither replace it nor add a version to it.
      const foreign = `${prefix}${other.name}`;
      await s3.send(
        new PutObjectCommand({
          Bucket: world.integration.bucketName,
          Key: foreign,
          Body: 'not the backup',
          ChecksumAlgorithm: 'CRC32',
        }),
      );

      const job = await waitForJob(world, await requestExport(world, backup, 'taken'), finished);
      expect(job.status).toBe('FAILED');
      expect(job.error?.code).toBe('DESTINATION_OBJECT_EXISTS');
      expect(job.error?.message).toContain(`"${foreign}"`);
      expect(job.manifestKey).toBeUndefined();
      const versions = await versionsBelow(world, prefix);
      expect(versions.get(foreign)).toBe(1);
      expect(versions.get(`${prefix}${same.name}`)).toBe(1);
      const kept = await s3.send(new GetObjectCommand({ Bucket: world.integration.bucketName, Key: foreign }));
      expect(await kept.Body?.transformToString()).toBe('not the backup');
      // The customer's side is not at fault in a way validation would find: the integration stays ACTIVE.
      const integration = (await world.project.client.get(`${world.project.base}/${world.integration.integrationId}`))
        .json as { status: string };
      expect(integration.status).toBe('ACTIVE');
    },
    120_000,
  );

  it(
    'copies a large file again into a new upload when a delete of its key makes the completion conflict (409), ' +
      'and keeps a large file whose key already holds the right bytes',
    async () => {
      const world = await exportWorld();
      await enableVersioning(world);
      const [kept, conflicted] = [
        { name: 'kept.bin', size: 17 * MiB + 5, seed: 'conflict:kept' },
        { name: 'conflicted.bin', size: 17 * MiB, seed: 'conflict:conflicted' },
      ];
      const backup = await platformBackup(world.clusterId, [...smallFiles('conflict', 4), kept, conflicted]);
      await announceBackup(world.project, world.clusterId, backup);
      const prefix = `conflict/${world.clusterId}/${backup.backupId}/`;
      const { s3 } = clientsFor(world.accountId, REGION);
      const bucket = world.integration.bucketName;
      // The right bytes of one large file, put beforehand in one PutObject (e.g. by an earlier attempt).
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}${kept.name}`,
          Body: contentBytes(kept.seed, kept.size),
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      const countsBefore = await requestCounts(bucket);
      // Parts go slowly, so that the delete below lands while the uploads are open.
      await setFaults({
        services: ['s3'],
        buckets: [bucket],
        operations: ['UploadPart'],
        latencyMs: 1_000,
        errorRate: 0,
      });
      const jobId = await requestExport(world, backup, 'conflict');
      await eventually(
        async () => (await plannedGroups(world.project.projectId, jobId)).some((group) => group.upload !== undefined),
        'the uploads were not created',
        30_000,
      );
      // A delete of the key commits while its upload is open: S3 refuses that upload's create-only
      // completion with 409 ConditionalRequestConflict (a delete marker is no current version).
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}${conflicted.name}` }));
      await clearFaults();

      const job = await waitForJob(world, jobId, finished);
      expect(job.status, JSON.stringify(job.error)).toBe('SUCCEEDED');
      await expectCompleteExport(world, backup, 'conflict');
      const counts = await requestCounts(bucket);
      const since = (operation: string) => (counts[operation] ?? 0) - (countsBefore[operation] ?? 0);
      // Two planned uploads and the conflicted file's second one; its three completions (the 409 one
      // and the new upload's) and the kept file's (412, accepted after HeadObject showed its bytes).
      expect({ uploads: since('CreateMultipartUpload'), completions: since('CompleteMultipartUpload') }).toEqual({
        uploads: 3,
        completions: 3,
      });
      const versions = await versionsBelow(world, prefix);
      // The kept file was never written again; the conflicted key holds the copy over the delete marker.
      expect([versions.get(`${prefix}${kept.name}`), versions.get(`${prefix}${conflicted.name}`)]).toEqual([1, 1]);
    },
    120_000,
  );
});
