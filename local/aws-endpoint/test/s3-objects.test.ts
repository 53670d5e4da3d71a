/**
 * S3 objects through the real S3 client: writing and reading bodies with their metadata and checksums,
 * ranges, conditional requests, copies and deletes.
 */
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
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

let fixture: Fixture;
let s3: S3Client;
let bucket: string;
beforeAll(async () => {
  fixture = await startFixture();
  s3 = rootS3(fixture, CUSTOMER);
  bucket = await createBucket(s3, uniqueBucket('objects'));
});
afterAll(async () => {
  await fixture.stop();
});

describe('S3 objects: writing and reading', () => {
  it('stores a Buffer body with its content type, metadata, MD5 ETag and CRC32', async () => {
    const data = patternBytes(100_000);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'dir/a file+name.bin',
        Body: data,
        ContentType: 'application/x-test',
        Metadata: { purpose: 'backup' },
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.ServerSideEncryption).toBe('AES256');
    const got = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'dir/a file+name.bin', ChecksumMode: 'ENABLED' }),
    );
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
    expect(got).toMatchObject({
      ContentType: 'application/x-test',
      Metadata: { purpose: 'backup' },
      ETag: put.ETag,
      ContentLength: data.length,
    });
    expect(got.ChecksumCRC32).toBe(await checksumOf('CRC32', data));
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'dir/a file+name.bin', ChecksumMode: 'ENABLED' }),
    );
    expect(head).toMatchObject({
      ContentLength: data.length,
      ETag: put.ETag,
      ChecksumCRC32: got.ChecksumCRC32,
      ChecksumType: 'FULL_OBJECT',
    });
  });

  it('stores a streamed 20 MiB body (aws-chunked with a CRC32 trailer) byte for byte', async () => {
    const data = patternBytes(20 * 1024 * 1024, 7);
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'big/20mib', Body: streamOf(data), ContentLength: data.length }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big/20mib', ChecksumMode: 'ENABLED' }));
    const stored = await bodyBytes(got.Body);
    expect(stored.length).toBe(data.length);
    expect(sha256(stored)).toBe(sha256(data));
    expect(got.ChecksumCRC32).toBe(await checksumOf('CRC32', data));
  });

  it('keeps keys with dots, double slashes and unicode exactly', async () => {
    for (const key of ['a/../b', 'x//y', './z', 'ünïcødé/日本/😀', 'trailing/']) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect((await bodyBytes(got.Body)).toString()).toBe(key);
    }
  });

  it('serves byte ranges and refuses ranges past the end with 416', async () => {
    const data = patternBytes(1000, 3);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'ranged', Body: data }));
    const middle = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=10-19' }));
    expect((await bodyBytes(middle.Body)).equals(data.subarray(10, 20))).toBe(true);
    expect(middle).toMatchObject({ ContentRange: 'bytes 10-19/1000', ContentLength: 10 });
    const suffix = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=-5' }));
    expect((await bodyBytes(suffix.Body)).equals(data.subarray(995))).toBe(true);
    const open = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=990-' }));
    expect((await bodyBytes(open.Body)).equals(data.subarray(990))).toBe(true);
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'ranged', Range: 'bytes=1000-1001' }))),
    ).toMatchObject({ name: 'InvalidRange', status: 416 });
  });

  it('answers conditional reads (304, 412) and conditional writes (If-None-Match: *)', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'conditional', Body: 'v1' }));
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional', IfNoneMatch: put.ETag }))),
    ).toMatchObject({ status: 304 });
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional', IfMatch: '"0000"' }))),
    ).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    const matched = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional', IfMatch: put.ETag }));
    expect((await bodyBytes(matched.Body)).toString()).toBe('v1');

    expect(
      await failure(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'conditional', Body: 'v2', IfNoneMatch: '*' })),
      ),
    ).toMatchObject({ name: 'PreconditionFailed', status: 412 });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'conditional-new', Body: 'v1', IfNoneMatch: '*' }));
    const unchanged = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'conditional' }));
    expect((await bodyBytes(unchanged.Body)).toString()).toBe('v1');
  });

  it('answers with the response-* header overrides of the request', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'override', Body: 'x', ContentType: 'text/plain' }));
    const got = await s3.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'override',
        ResponseContentType: 'application/json',
        ResponseContentDisposition: 'attachment; filename="a.json"',
      }),
    );
    expect(got).toMatchObject({ ContentType: 'application/json', ContentDisposition: 'attachment; filename="a.json"' });
    // Prettier counts the emoji's two UTF-16 units as one column and would join these lines past 120.
    // prettier-ignore
    expect(
      await failure(
        s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'override', ResponseContentType: 'text/😀' })),
      ),
    ).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('answers 404 NoSuchKey for a missing key', async () => {
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' })))).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
    });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'nope' })))).toMatchObject({
      name: 'NotFound',
      status: 404,
    });
  });

  it('refuses a body whose CRC32 does not match (BadDigest) and stores nothing', async () => {
    const wrong = await checksumOf('CRC32', Buffer.from('something else'));
    expect(
      await failure(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'corrupt', Body: 'payload', ChecksumCRC32: wrong })),
      ),
    ).toMatchObject({ name: 'BadDigest', status: 400 });
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'corrupt' })))).toMatchObject({
      status: 404,
    });
  });
});

describe('S3 objects: copy and delete', () => {
  it('copies an object with its metadata, or replaces the metadata on request', async () => {
    const data = patternBytes(50_000, 9);
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'copy/source',
        Body: data,
        ContentType: 'text/plain',
        Metadata: { a: '1' },
      }),
    );
    const target = await createBucket(s3, uniqueBucket('copytarget'));
    const copied = await s3.send(
      new CopyObjectCommand({ Bucket: target, Key: 'copied', CopySource: `${bucket}/copy/source` }),
    );
    expect(copied.CopyObjectResult?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(copied.CopyObjectResult?.ChecksumCRC32).toBe(await checksumOf('CRC32', data));
    const got = await s3.send(new GetObjectCommand({ Bucket: target, Key: 'copied' }));
    expect((await bodyBytes(got.Body)).equals(data)).toBe(true);
    expect(got).toMatchObject({ ContentType: 'text/plain', Metadata: { a: '1' } });

    await s3.send(
      new CopyObjectCommand({
        Bucket: target,
        Key: 'copied',
        CopySource: `${target}/copied`,
        MetadataDirective: 'REPLACE',
        Metadata: { b: '2' },
      }),
    );
    const replaced = await s3.send(new HeadObjectCommand({ Bucket: target, Key: 'copied' }));
    expect(replaced.Metadata).toEqual({ b: '2' });
    expect(
      await failure(s3.send(new CopyObjectCommand({ Bucket: target, Key: 'copied', CopySource: `${target}/copied` }))),
    ).toMatchObject({ name: 'InvalidRequest' });
    expect(
      await failure(s3.send(new CopyObjectCommand({ Bucket: target, Key: 'x', CopySource: `${bucket}/copy/missing` }))),
    ).toMatchObject({ name: 'NoSuchKey' });
  });

  it('deletes one object or many, and deleting a missing key succeeds', async () => {
    for (const key of ['del/1', 'del/2', 'del/3'])
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'del/1' }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'del/1' }));
    const many = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'del/2' }, { Key: 'del/3' }, { Key: 'del/none' }] },
      }),
    );
    expect((many.Deleted ?? []).map((entry) => entry.Key).sort()).toEqual(['del/2', 'del/3', 'del/none']);
    for (const key of ['del/1', 'del/2', 'del/3']) {
      expect(await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })))).toMatchObject({
        status: 404,
      });
    }
  });
});

describe('S3 objects: early refusals', () => {
  it('answers a refused 16 MiB upload with the S3 error, not a broken connection, and keeps serving', async () => {
    const refused = await failure(
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'big',
          Body: patternBytes(16 * 1024 * 1024),
          ExpectedBucketOwner: '999999999999',
        }),
      ),
    );
    expect(refused).toMatchObject({ name: 'AccessDenied', status: 403 });
    const streamed = patternBytes(16 * 1024 * 1024, 5);
    const alsoRefused = await failure(
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'big',
          Body: streamOf(streamed),
          ContentLength: streamed.length,
          ExpectedBucketOwner: '999999999999',
        }),
      ),
    );
    expect(alsoRefused).toMatchObject({ name: 'AccessDenied', status: 403 });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'after-refusal', Body: 'fine' }));
    expect(
      (
        await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'after-refusal' }))).Body)
      ).toString(),
    ).toBe('fine');
  });
});

describe('S3 objects: atomic writes', () => {
  it('leaves nothing behind when the client aborts an upload midway, and keeps the previous version', async () => {
    const own = await createBucket(s3, uniqueBucket('atomic'));
    await s3.send(new PutObjectCommand({ Bucket: own, Key: 'k', Body: 'previous' }));
    // A slow body the client gives up on after the first megabytes went out.
    let sent = 0;
    const slow = new Readable({
      read() {
        sent += 1;
        setTimeout(() => this.push(sent <= 8 ? patternBytes(1024 * 1024, sent) : null), 20);
      },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    const upload = s3.send(
      new PutObjectCommand({ Bucket: own, Key: 'k', Body: slow, ContentLength: 8 * 1024 * 1024 }),
      { abortSignal: controller.signal },
    );
    await expect(upload).rejects.toThrow();
    expect(sent).toBeLessThan(8);
    const got = await s3.send(new GetObjectCommand({ Bucket: own, Key: 'k' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('previous');
    // The server notices the broken connection shortly after the client gives up.
    for (let attempt = 0; attempt < 50 && storedFiles(fixture, own).data.length > 1; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(storedFiles(fixture, own).data).toHaveLength(1);
  });
});
