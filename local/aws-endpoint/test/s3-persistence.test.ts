/**
 * S3 data survives a restart of the endpoint: buckets, settings, objects, versions and open multipart
 * uploads, and what a crash leaves behind is collected.
 */
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startAwsEndpoint, type AwsEndpoint } from '#endpoint/server';
import { CUSTOMER, recordingHooks, type Fixture } from './endpoint-fixture';
import { bodyBytes, createBucket, rootS3, uniqueBucket } from './s3-helpers';

const dataDir = mkdtempSync(join(tmpdir(), 'local-s3-persist-'));
let endpoint: AwsEndpoint | undefined;

/** An endpoint on `dataDir`, shaped like the fixture the S3 helpers take. */
async function start(): Promise<Fixture> {
  endpoint = await startAwsEndpoint({ port: 0, dataDir, hooks: recordingHooks() });
  const current = endpoint;
  return {
    endpoint: current,
    dataDir,
    hooks: recordingHooks(),
    advanceClock: () => undefined,
    clockOffsetMs: () => 0,
    stop: () => current.close(),
  };
}

afterAll(async () => {
  await endpoint?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('S3 data survives a restart of the endpoint', () => {
  it('keeps buckets, their settings, objects and open multipart uploads; collects what a crash leaves', async () => {
    const bucket = uniqueBucket('persist');
    let fixture = await start();
    let s3 = rootS3(fixture, CUSTOMER, 'eu-west-1');
    await createBucket(s3, bucket, 'eu-west-1');
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
      }),
    );
    for (const key of ['b', 'a/1', 'a/2'])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: upload.UploadId, PartNumber: 1, Body: 'only part' }),
    );
    await fixture.stop();

    // What a crash in the middle of an upload leaves: a data file no object refers to.
    const dataFolder = join(dataDir, 's3', 'buckets', bucket, 'data');
    writeFileSync(join(dataFolder, 'orphan.bin'), 'half an upload');
    // ...and the journal line of that write, cut off before its end.
    const journal = join(dataDir, 's3', 'buckets', bucket, 'objects.jsonl');
    appendFileSync(journal, '{"put":{"key":"ghost","dataFile":"orphan.bin","si');

    fixture = await start();
    s3 = rootS3(fixture, CUSTOMER, 'eu-west-1');
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint).toBe('eu-west-1');
    const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration
      ?.Rules?.[0];
    expect(rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('aws:kms');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual(['a/1', 'a/2', 'b']);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/2' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('body of a/2');
    expect(readdirSync(dataFolder)).not.toContain('orphan.bin');
    expect(readFileSync(journal, 'utf8').endsWith('}\n')).toBe(true);

    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(
      (await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp' }))).Body)).toString(),
    ).toBe('only part');
  });

  it('keeps versions, delete markers and the versioning status across a restart and a journal compaction', async () => {
    const bucket = uniqueBucket('persist-versions');
    let fixture = await start();
    let s3 = rootS3(fixture, CUSTOMER);
    await createBucket(s3, bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'null version' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v1' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    // Enough short-lived versions to make the journal rewrite itself (most lines superseded).
    for (let batch = 0; batch < 6; batch += 1) {
      const written = await Promise.all(
        Array.from({ length: 200 }, () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'churn', Body: 'x' }))),
      );
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: written.map((answer) => ({ Key: 'churn', VersionId: answer.VersionId })) },
        }),
      );
    }
    const before = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const journal = join(dataDir, 's3', 'buckets', bucket, 'objects.jsonl');
    expect(readFileSync(journal, 'utf8').trim().split('\n').length).toBeLessThan(1000);
    await fixture.stop();

    fixture = await start();
    s3 = rootS3(fixture, CUSTOMER);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(after.Versions).toEqual(before.Versions);
    expect(after.DeleteMarkers).toEqual(before.DeleteMarkers);
    expect(after.Versions?.map((version) => version.VersionId)).toEqual([
      expect.stringMatching(/^[A-Za-z0-9._]{32}$/),
      'null',
    ]);
    const oldest = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: 'null' }));
    expect((await bodyBytes(oldest.Body)).toString()).toBe('null version');
  });
});
