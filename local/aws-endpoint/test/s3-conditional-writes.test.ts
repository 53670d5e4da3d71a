/**
 * Conditional writes as the S3 User Guide documents them: If-None-Match: * and If-Match on
 * PutObject, CopyObject and CompleteMultipartUpload (412 / 404), and 409 ConditionalRequestConflict
 * when a delete of the key commits while the conditional write is under way.
 */
import { PassThrough } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUSTOMER,
  allowAll,
  assumeRole,
  createRole,
  eventually,
  failure,
  functionSession,
  startFixture,
  trustAccount,
  type Fixture,
} from './endpoint-fixture';
import { bodyBytes, createBucket, rootS3, s3Client, storedFiles, uniqueBucket } from './s3-helpers';

let fixture: Fixture;
let s3: S3Client;
let bucket: string;
beforeAll(async () => {
  fixture = await startFixture();
  s3 = rootS3(fixture, CUSTOMER);
  bucket = await createBucket(s3, uniqueBucket('conditional'));
});
afterAll(async () => {
  await fixture.stop();
});

const read = async (key: string) =>
  (await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body)).toString();

async function startUpload(
  key: string,
): Promise<{ uploadId: string; parts: Array<{ PartNumber: number; ETag: string }> }> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const uploadId = created.UploadId ?? '';
  const part = await s3.send(
    new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: 'only part' }),
  );
  return { uploadId, parts: [{ PartNumber: 1, ETag: part.ETag ?? '' }] };
}

describe('If-None-Match: * (create only)', () => {
  it('writes a new key, refuses an existing one with 412 and leaves the first object and no stray data', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    expect(
      await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'second', IfNoneMatch: '*' }))),
    ).toMatchObject({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await read('once')).toBe('first');
    const before = storedFiles(fixture, bucket).data.length;
    await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'third', IfNoneMatch: '*' })));
    expect(storedFiles(fixture, bucket).data.length).toBe(before);
  });

  it('lets exactly one of many racing create-only writes win; the others get 412', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'raced', Body: `writer ${index}`, IfNoneMatch: '*' })),
      ),
    );
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect((result.reason as { name: string }).name).toBe('PreconditionFailed');
    }
  });

  it('answers 501 NotImplemented for If-None-Match with an ETag, as S3 does on writes', async () => {
    expect(
      await failure(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'etag-none-match', Body: 'x', IfNoneMatch: '"abc"' })),
      ),
    ).toMatchObject({
      name: 'NotImplemented',
      status: 501,
    });
  });

  it('applies to CopyObject and CompleteMultipartUpload', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-source', Body: 'source' }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy-target',
        CopySource: `${bucket}/copy-source`,
        IfNoneMatch: '*',
      }),
    );
    expect(
      await failure(
        s3.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: 'copy-target',
            CopySource: `${bucket}/copy-source`,
            IfNoneMatch: '*',
          }),
        ),
      ),
    ).toMatchObject({
      name: 'PreconditionFailed',
      status: 412,
    });

    const { uploadId, parts } = await startUpload('multipart-once');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'multipart-once', Body: 'written meanwhile' }));
    const complete = () =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'multipart-once',
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          IfNoneMatch: '*',
        }),
      );
    expect(await failure(complete())).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    expect(await read('multipart-once')).toBe('written meanwhile');
    // The upload stays open: the caller may abort it.
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'multipart-once' }));
    expect(open.Uploads?.map((upload) => upload.UploadId)).toEqual([uploadId]);
  });
});

describe('If-Match: <etag> (compare and swap)', () => {
  it(
    'overwrites only the version with that ETag: 412 on a mismatch, 404 NoSuchKey when the key is ' + 'absent',
    async () => {
      const first = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'swap', Body: 'v1' }));
      const second = await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'swap', Body: 'v2', IfMatch: first.ETag }),
      );
      expect(await read('swap')).toBe('v2');
      expect(
        await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'swap', Body: 'v3', IfMatch: first.ETag }))),
      ).toMatchObject({
        name: 'PreconditionFailed',
        status: 412,
      });
      expect(await read('swap')).toBe('v2');
      expect(
        await failure(
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'never-written', Body: 'x', IfMatch: second.ETag })),
        ),
      ).toMatchObject({
        name: 'NoSuchKey',
        status: 404,
      });

      const { uploadId, parts } = await startUpload('swap');
      const complete = (IfMatch: string | undefined) =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: 'swap',
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
            IfMatch,
          }),
        );
      expect(await failure(complete(first.ETag))).toMatchObject({ name: 'PreconditionFailed', status: 412 });
      await complete(second.ETag);
      expect(await read('swap')).toBe('only part');
    },
  );

  it('needs s3:GetObject besides s3:PutObject; policies can require a condition with s3:if-none-match', async () => {
    const roleArn = await createRole(fixture, CUSTOMER, 'conditional-writer', trustAccount(CUSTOMER), {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*` },
        // Enforce create-only writes, as AWS suggests for conditional writes.
        {
          Effect: 'Deny',
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${bucket}/*`,
          Condition: { Null: { 's3:if-none-match': 'true' } },
        },
      ],
    });
    const writer = s3Client(
      fixture,
      await assumeRole(fixture, await functionSession(fixture, allowAll('sts:AssumeRole'), CUSTOMER), roleArn),
    );
    await writer.send(new PutObjectCommand({ Bucket: bucket, Key: 'enforced', Body: 'ok', IfNoneMatch: '*' }));
    expect(
      await failure(writer.send(new PutObjectCommand({ Bucket: bucket, Key: 'enforced-2', Body: 'no condition' }))),
    ).toMatchObject({ name: 'AccessDenied' });
    const etag = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'read-needed', Body: 'x' }))).ETag;
    expect(
      await failure(
        writer.send(
          new PutObjectCommand({ Bucket: bucket, Key: 'read-needed', Body: 'y', IfMatch: etag, IfNoneMatch: '*' }),
        ),
      ),
    ).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });
});

describe('409 ConditionalRequestConflict', () => {
  it(
    'fails a conditional PutObject when a delete of the key commits while its body streams; a retry ' + 'succeeds',
    async () => {
      const body = new PassThrough();
      const filesBefore = storedFiles(fixture, bucket).data.length;
      const pending = s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'overtaken', Body: body, ContentLength: 8, IfNoneMatch: '*' }),
      );
      body.write('half');
      // The write is under way (its ticket is held) once it streams into its new data file.
      await eventually(() => storedFiles(fixture, bucket).data.length > filesBefore);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'overtaken' }));
      body.end('half');
      expect(await failure(pending)).toMatchObject({ name: 'ConditionalRequestConflict', status: 409 });
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'overtaken', Body: 'retried', IfNoneMatch: '*' }));
      expect(await read('overtaken')).toBe('retried');
    },
  );

  it('fails a conditional CompleteMultipartUpload when the key was deleted since CreateMultipartUpload', async () => {
    const { uploadId, parts } = await startUpload('upload-overtaken');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'upload-overtaken' }));
    const complete = (IfNoneMatch?: string) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'upload-overtaken',
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
          IfNoneMatch,
        }),
      );
    expect(await failure(complete('*'))).toMatchObject({ name: 'ConditionalRequestConflict', status: 409 });
    // A new upload started after the delete has nothing to conflict with.
    const fresh = await startUpload('upload-overtaken');
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'upload-overtaken',
        UploadId: fresh.uploadId,
        MultipartUpload: { Parts: fresh.parts },
        IfNoneMatch: '*',
      }),
    );
    expect(await read('upload-overtaken')).toBe('only part');
  });

  it('leaves unconditional writes alone: they never conflict', async () => {
    const { uploadId, parts } = await startUpload('plain-upload');
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'plain-upload' }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'plain-upload',
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    expect(await read('plain-upload')).toBe('only part');
  });
});
