/**
 * S3 multipart uploads through the real S3 client: parts assembled byte for byte, the refusals of
 * CompleteMultipartUpload, abort, checksums, UploadPartCopy and the listing of open uploads.
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf } from '#endpoint/s3/checksums';
import { CUSTOMER, failure, startFixture, type Fixture } from './endpoint-fixture';
import {
  bodyBytes,
  createBucket,
  patternBytes,
  rootS3,
  sha256,
  storedFiles,
  streamOf,
  uniqueBucket,
} from './s3-helpers';

const MiB = 1024 * 1024;
let fixture: Fixture;
let s3: S3Client;
let bucket: string;
beforeAll(async () => {
  fixture = await startFixture();
  s3 = rootS3(fixture, CUSTOMER);
  bucket = await createBucket(s3, uniqueBucket('multipart'));
});
afterAll(async () => {
  await fixture.stop();
});

async function startUpload(key: string, extra: { ChecksumAlgorithm?: 'CRC32' | 'SHA256' } = {}): Promise<string> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra }));
  if (!created.UploadId) throw new Error('no upload id');
  return created.UploadId;
}

describe('S3 multipart uploads', () => {
  it('assembles three 5 MiB parts (Buffer and streamed bodies) byte for byte, with a multipart ETag', async () => {
    const parts = [patternBytes(5 * MiB, 1), patternBytes(5 * MiB, 2), patternBytes(5 * MiB, 3)];
    const uploadId = await startUpload('mp/three');
    const completed: CompletedPart[] = [];
    for (const [index, data] of parts.entries()) {
      const Body = index === 1 ? streamOf(data) : data;
      const answer = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'mp/three',
          UploadId: uploadId,
          PartNumber: index + 1,
          Body,
          ContentLength: data.length,
        }),
      );
      expect(answer.ChecksumCRC32).toBe(await checksumOf('CRC32', data));
      completed.push({ PartNumber: index + 1, ETag: answer.ETag });
    }
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'mp/three', UploadId: uploadId }));
    expect(listed.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
      [3, 5 * MiB],
    ]);

    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/three',
        UploadId: uploadId,
        MultipartUpload: { Parts: completed },
      }),
    );
    const partMd5s = Buffer.concat(parts.map((data) => createHash('md5').update(data).digest()));
    expect(done.ETag).toBe(`"${createHash('md5').update(partMd5s).digest('hex')}-3"`);

    const whole = Buffer.concat(parts);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/three' }));
    expect(sha256(await bodyBytes(got.Body))).toBe(sha256(whole));
    expect(got.ContentLength).toBe(whole.length);
    expect(storedFiles(fixture, bucket).uploads).not.toContain(uploadId);
  });

  it('replaces a part uploaded again under the same number', async () => {
    const uploadId = await startUpload('mp/retry');
    await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'mp/retry',
        UploadId: uploadId,
        PartNumber: 1,
        Body: 'first attempt',
      }),
    );
    const retry = await s3.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'mp/retry',
        UploadId: uploadId,
        PartNumber: 1,
        Body: 'second attempt',
      }),
    );
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'mp/retry', UploadId: uploadId }));
    expect(listed.Parts).toHaveLength(1);
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/retry',
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: retry.ETag }] },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/retry' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('second attempt');
    expect(got.PartsCount ?? 1).toBe(1);
  });

  it('refuses parts under 5 MiB before the last, parts out of order and unknown parts', async () => {
    const uploadId = await startUpload('mp/invalid');
    const small = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp/invalid', UploadId: uploadId, PartNumber: 1, Body: 'tiny' }),
    );
    const last = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp/invalid', UploadId: uploadId, PartNumber: 2, Body: 'end' }),
    );
    const complete = (Parts: CompletedPart[]) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'mp/invalid',
          UploadId: uploadId,
          MultipartUpload: { Parts },
        }),
      );
    expect(
      await failure(
        complete([
          { PartNumber: 1, ETag: small.ETag },
          { PartNumber: 2, ETag: last.ETag },
        ]),
      ),
    ).toMatchObject({ name: 'EntityTooSmall', status: 400 });
    expect(
      await failure(
        complete([
          { PartNumber: 2, ETag: last.ETag },
          { PartNumber: 1, ETag: small.ETag },
        ]),
      ),
    ).toMatchObject({ name: 'InvalidPartOrder', status: 400 });
    expect(await failure(complete([{ PartNumber: 3, ETag: last.ETag }]))).toMatchObject({
      name: 'InvalidPart',
      status: 400,
    });
    expect(await failure(complete([{ PartNumber: 2, ETag: small.ETag }]))).toMatchObject({ name: 'InvalidPart' });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp/invalid' })))).toMatchObject({
      status: 404,
    });
    // The upload is still open after refused completions; a single last part is fine.
    await complete([{ PartNumber: 2, ETag: last.ETag }]);
  });

  it('leaves nothing behind when aborted, and then answers NoSuchUpload', async () => {
    const own = await createBucket(s3, uniqueBucket('abort'));
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: own, Key: 'aborted' }));
    const uploadId = created.UploadId ?? '';
    await s3.send(
      new UploadPartCommand({
        Bucket: own,
        Key: 'aborted',
        UploadId: uploadId,
        PartNumber: 1,
        Body: patternBytes(MiB),
      }),
    );
    expect(storedFiles(fixture, own).uploads).toEqual([uploadId]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: own, Key: 'aborted', UploadId: uploadId }));
    expect(storedFiles(fixture, own)).toEqual({ data: [], uploads: [] });
    expect(
      await failure(s3.send(new AbortMultipartUploadCommand({ Bucket: own, Key: 'aborted', UploadId: uploadId }))),
    ).toMatchObject({ name: 'NoSuchUpload', status: 404 });
    expect(
      await failure(
        s3.send(new UploadPartCommand({ Bucket: own, Key: 'aborted', UploadId: uploadId, PartNumber: 2, Body: 'x' })),
      ),
    ).toMatchObject({ name: 'NoSuchUpload' });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: own, Key: 'aborted' })))).toMatchObject({
      status: 404,
    });
  });

  it('builds a COMPOSITE checksum for an upload created with one, and needs part checksums to complete', async () => {
    const parts = [patternBytes(5 * MiB, 4), patternBytes(1000, 5)];
    const uploadId = await startUpload('mp/checksum', { ChecksumAlgorithm: 'CRC32' });
    const completed: CompletedPart[] = [];
    for (const [index, data] of parts.entries()) {
      const answer = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'mp/checksum',
          UploadId: uploadId,
          PartNumber: index + 1,
          Body: data,
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      completed.push({ PartNumber: index + 1, ETag: answer.ETag, ChecksumCRC32: answer.ChecksumCRC32 });
    }
    const withoutChecksums = completed.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }));
    expect(
      await failure(
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: 'mp/checksum',
            UploadId: uploadId,
            MultipartUpload: { Parts: withoutChecksums },
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidRequest' });
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/checksum',
        UploadId: uploadId,
        MultipartUpload: { Parts: completed },
      }),
    );
    const rawPartChecksums = Buffer.concat(
      await Promise.all(parts.map(async (data) => Buffer.from(await checksumOf('CRC32', data), 'base64'))),
    );
    expect(done.ChecksumCRC32).toBe(`${await checksumOf('CRC32', rawPartChecksums)}-2`);
    expect(done.ChecksumType).toBe('COMPOSITE');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp/checksum', ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ChecksumCRC32: done.ChecksumCRC32, ChecksumType: 'COMPOSITE' });
  });

  it('keeps a FULL_OBJECT CRC32 of the assembled bytes and checks the one CompleteMultipartUpload names', async () => {
    const parts = [patternBytes(5 * MiB, 8), patternBytes(3000, 9)];
    const whole = Buffer.concat(parts);
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/full',
        ChecksumAlgorithm: 'CRC32',
        ChecksumType: 'FULL_OBJECT',
      }),
    );
    expect(created).toMatchObject({ ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' });
    const completed: CompletedPart[] = [];
    for (const [index, data] of parts.entries()) {
      const answer = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'mp/full',
          UploadId: created.UploadId,
          PartNumber: index + 1,
          Body: data,
          ChecksumCRC32: await checksumOf('CRC32', data),
        }),
      );
      completed.push({ PartNumber: index + 1, ETag: answer.ETag, ChecksumCRC32: answer.ChecksumCRC32 });
    }
    const complete = (ChecksumCRC32: string) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'mp/full',
          UploadId: created.UploadId,
          ChecksumCRC32,
          ChecksumType: 'FULL_OBJECT',
          MpuObjectSize: whole.length,
          MultipartUpload: { Parts: completed },
        }),
      );
    expect(await failure(complete(await checksumOf('CRC32', Buffer.from('other bytes'))))).toMatchObject({
      name: 'BadDigest',
      status: 400,
    });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp/full' })))).toMatchObject({
      status: 404,
    });
    const done = await complete(await checksumOf('CRC32', whole));
    expect(done).toMatchObject({ ChecksumCRC32: await checksumOf('CRC32', whole), ChecksumType: 'FULL_OBJECT' });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp/full', ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({
      ContentLength: whole.length,
      ChecksumCRC32: done.ChecksumCRC32,
      ChecksumType: 'FULL_OBJECT',
    });
  });

  it('copies byte ranges of an object into parts (UploadPartCopy)', async () => {
    const source = patternBytes(6 * MiB, 6);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'mp/copy-source', Body: source }));
    const uploadId = await startUpload('mp/copied');
    const first = await s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'mp/copied',
        UploadId: uploadId,
        PartNumber: 1,
        CopySource: `${bucket}/mp/copy-source`,
        CopySourceRange: `bytes=0-${5 * MiB - 1}`,
      }),
    );
    const second = await s3.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'mp/copied',
        UploadId: uploadId,
        PartNumber: 2,
        CopySource: `${bucket}/mp/copy-source`,
        CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}`,
      }),
    );
    expect(
      await failure(
        s3.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: 'mp/copied',
            UploadId: uploadId,
            PartNumber: 3,
            CopySource: `${bucket}/mp/copy-source`,
            CopySourceRange: `bytes=0-${6 * MiB}`,
          }),
        ),
      ),
    ).toMatchObject({ name: 'InvalidArgument' });
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/copied',
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: first.CopyPartResult?.ETag },
            { PartNumber: 2, ETag: second.CopyPartResult?.ETag },
          ],
        },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/copied' }));
    expect(sha256(await bodyBytes(got.Body))).toBe(sha256(source));
  });

  it('lists open uploads', async () => {
    const own = await createBucket(s3, uniqueBucket('uploads'));
    const ids: string[] = [];
    for (const key of ['b', 'a', 'a'])
      ids.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: own, Key: key }))).UploadId ?? '');
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: own }));
    expect(listed.Uploads?.map((upload) => upload.Key)).toEqual(['a', 'a', 'b']);
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: own, MaxUploads: 2 }));
    expect(page.IsTruncated).toBe(true);
    const rest = await s3.send(
      new ListMultipartUploadsCommand({
        Bucket: own,
        KeyMarker: page.NextKeyMarker,
        UploadIdMarker: page.NextUploadIdMarker,
      }),
    );
    expect(rest.Uploads?.map((upload) => upload.UploadId)).toEqual([ids[0]]);
    const underA = await s3.send(new ListMultipartUploadsCommand({ Bucket: own, Prefix: 'a' }));
    expect({ prefix: underA.Prefix, ids: underA.Uploads?.map((upload) => upload.UploadId).sort() }).toEqual({
      prefix: 'a',
      ids: [ids[1], ids[2]].sort(),
    });
  });
});
