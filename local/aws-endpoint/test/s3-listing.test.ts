/**
 * Listing keys: the in-memory key index in UTF-8 order, and ListObjectsV2 / ListObjects paginated over
 * thousands of keys through the real S3 client.
 */
import {
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SortedIndex, compareUtf8, listPage } from '#endpoint/s3/object-index';
import { CUSTOMER, failure, startFixture, type Fixture } from './endpoint-fixture';
import { createBucket, rootS3, uniqueBucket } from './s3-helpers';

describe('the key index', () => {
  it('orders keys by UTF-8 bytes, as S3 lists them', () => {
    const keys = ['b', 'a/😀', 'a/\uffff', 'a/', 'A', 'a/z', 'a'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareUtf8)).toEqual(byBytes);
    const index = new SortedIndex<number>();
    keys.forEach((key, value) => index.set(key, value));
    index.delete('A');
    expect([...index.keysFrom('')]).toEqual(byBytes.filter((key) => key !== 'A'));
  });

  it('rolls keys up to common prefixes and resumes after the last one returned', () => {
    const index = new SortedIndex<number>();
    for (const key of ['a/1', 'a/2', 'b', 'c/1', 'c/2/x', 'd']) index.set(key, 0);
    const first = listPage(index, { prefix: '', delimiter: '/', maxKeys: 2, after: '' });
    expect(first).toMatchObject({ keys: ['b'], commonPrefixes: ['a/'], isTruncated: true, last: 'b' });
    const second = listPage(index, { prefix: '', delimiter: '/', maxKeys: 2, after: 'b' });
    expect(second).toMatchObject({ keys: ['d'], commonPrefixes: ['c/'], isTruncated: false });
    expect(listPage(index, { prefix: 'c/', delimiter: '/', maxKeys: 10, after: '' })).toMatchObject({
      keys: ['c/1'],
      commonPrefixes: ['c/2/'],
    });
    expect(listPage(index, { prefix: '', delimiter: '/', maxKeys: 10, after: 'a/' })).toMatchObject({
      commonPrefixes: ['c/'],
      keys: ['b', 'd'],
    });
  });
});

describe('ListObjectsV2 over 2,500 keys', () => {
  let fixture: Fixture;
  let s3: S3Client;
  let bucket: string;
  const keys: string[] = [];

  beforeAll(async () => {
    fixture = await startFixture();
    s3 = rootS3(fixture, CUSTOMER);
    bucket = await createBucket(s3, uniqueBucket('listing'));
    // 2,000 keys under 20 "directories", 500 at the top level.
    for (let index = 0; index < 2000; index += 1)
      keys.push(`dir-${String(index % 20).padStart(2, '0')}/file-${String(index).padStart(4, '0')}`);
    for (let index = 0; index < 500; index += 1) keys.push(`top-${String(index).padStart(4, '0')}`);
    const queue = [...keys];
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let key = queue.pop(); key !== undefined; key = queue.pop())
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await fixture.stop();
  });

  it('pages through every key in order with continuation tokens', async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1000 }, { Bucket: bucket })) {
      pages += 1;
      expect(page.KeyCount).toBe(page.Contents?.length);
      seen.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...keys].sort());
  });

  it('rolls keys up to CommonPrefixes with a delimiter, counting each prefix once per page', async () => {
    const prefixes: string[] = [];
    const topLevel: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 100 }, { Bucket: bucket, Delimiter: '/' })) {
      pages += 1;
      expect(page.KeyCount).toBe((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
      prefixes.push(...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix ?? ''));
      topLevel.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
    }
    expect(prefixes).toEqual(Array.from({ length: 20 }, (_, index) => `dir-${String(index).padStart(2, '0')}/`));
    expect(topLevel).toHaveLength(500);
    expect(pages).toBe(6); // 520 entries, 100 per page
  });

  it('honours Prefix, StartAfter and MaxKeys', async () => {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir-03/', StartAfter: 'dir-03/file-1000', MaxKeys: 5 }),
    );
    expect(page.Contents?.map((object) => object.Key)).toEqual([
      'dir-03/file-1003',
      'dir-03/file-1023',
      'dir-03/file-1043',
      'dir-03/file-1063',
      'dir-03/file-1083',
    ]);
    expect(page).toMatchObject({ IsTruncated: true, KeyCount: 5, MaxKeys: 5, Prefix: 'dir-03/' });
    expect(page.Contents?.[0]).toMatchObject({
      Size: 'dir-03/file-1003'.length,
      StorageClass: 'STANDARD',
      ChecksumAlgorithm: ['CRC32'],
    });
    const empty = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'nothing/' }));
    expect(empty).toMatchObject({ KeyCount: 0, IsTruncated: false });
    expect(
      await failure(s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'garbage' }))),
    ).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('answers the older ListObjects with markers', async () => {
    const page = await s3.send(
      new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', MaxKeys: 19, Marker: 'dir-00/' }),
    );
    expect(page.CommonPrefixes?.map((prefix) => prefix.Prefix)).toHaveLength(19);
    expect(page.CommonPrefixes?.[0]?.Prefix).toBe('dir-01/');
    expect(page).toMatchObject({ IsTruncated: true, NextMarker: 'dir-19/' });
  });
});
