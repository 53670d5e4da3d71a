/**
 * S3 versioning through the real S3 client: the bucket's status, versions and delete markers, version-aware
 * reads, copies, deletes and ListObjectVersions.
 */
import {
  CopyObjectCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listVersionsPage } from '#endpoint/s3/list-versions';
import type { StoredObject } from '#endpoint/s3/model';
import { ObjectVersions, versionIdOf } from '#endpoint/s3/versions';
import {
  CUSTOMER,
  allowAll,
  assumeRole,
  createRole,
  failure,
  functionSession,
  startFixture,
  trustAccount,
  type Fixture,
} from './endpoint-fixture';
import { bodyBytes, createBucket, rootS3, s3Client, storedFiles, uniqueBucket } from './s3-helpers';

let fixture: Fixture;
let s3: S3Client;
beforeAll(async () => {
  fixture = await startFixture();
  s3 = rootS3(fixture, CUSTOMER);
});
afterAll(async () => {
  await fixture.stop();
});

async function bucketWith(status?: 'Enabled' | 'Suspended'): Promise<string> {
  const bucket = await createBucket(s3, uniqueBucket('versions'));
  if (status)
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }));
  return bucket;
}

const put = (Bucket: string, Key: string, Body: string) => s3.send(new PutObjectCommand({ Bucket, Key, Body }));
const text = async (Bucket: string, Key: string, VersionId?: string) =>
  (await bodyBytes((await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body)).toString();

/** Every page of ListObjectVersions, as [key, version id, latest, delete marker] rows. */
async function allVersions(Bucket: string, extra: { MaxKeys?: number; Prefix?: string; Delimiter?: string } = {}) {
  // Versions, then delete markers: the SDK answers them as two lists (listVersionsPage's own test checks the
  // interleaving).
  const rows: Array<[string, string, boolean, boolean]> = [];
  const prefixes: string[] = [];
  let page: ListObjectVersionsCommandOutput | undefined;
  let pages = 0;
  do {
    page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket,
        ...extra,
        KeyMarker: page?.NextKeyMarker,
        VersionIdMarker: page?.NextVersionIdMarker,
      }),
    );
    pages += 1;
    // The SDK splits versions and markers; listing order is key, then newest first.
    const entries = [
      ...(page.Versions ?? []).map((version) => ({ ...version, marker: false })),
      ...(page.DeleteMarkers ?? []).map((marker) => ({ ...marker, marker: true })),
    ];
    for (const entry of entries)
      rows.push([entry.Key ?? '', entry.VersionId ?? '', entry.IsLatest ?? false, entry.marker]);
    prefixes.push(...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix ?? ''));
  } while (page.IsTruncated);
  return { rows, prefixes, pages };
}

describe('PutBucketVersioning / GetBucketVersioning', () => {
  it('reports no status until versioning is enabled, then Enabled or Suspended; refuses other values', async () => {
    const bucket = await bucketWith();
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Suspended');
    const invalid = s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Sometimes' as 'Enabled' } }),
    );
    expect(await failure(invalid)).toMatchObject({ name: 'MalformedXML', status: 400 });
  });
});

describe('a versioning-enabled bucket', () => {
  it('keeps every write as a version with its own id; GET and HEAD read any version', async () => {
    const bucket = await bucketWith('Enabled');
    const first = await put(bucket, 'doc', 'one');
    const second = await put(bucket, 'doc', 'two');
    expect(first.VersionId).toMatch(/^[A-Za-z0-9._]{32}$/);
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(await text(bucket, 'doc')).toBe('two');
    expect(await text(bucket, 'doc', first.VersionId)).toBe('one');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc', VersionId: first.VersionId }));
    expect(head).toMatchObject({ VersionId: first.VersionId, ETag: first.ETag, ContentLength: 3 });
    expect((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'doc' }))).VersionId).toBe(second.VersionId);
    expect(storedFiles(fixture, bucket).data).toHaveLength(2);
    const { rows } = await allVersions(bucket);
    expect(rows).toEqual([
      ['doc', second.VersionId, true, false],
      ['doc', first.VersionId, false, false],
    ]);
  });

  it(
    'answers a delete with a delete marker: the key looks gone, its versions stay, removing the marker ' +
      'restores it',
    async () => {
      const bucket = await bucketWith('Enabled');
      const written = await put(bucket, 'kept', 'content');
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'kept' }));
      expect(deleted).toMatchObject({ DeleteMarker: true, VersionId: expect.stringMatching(/^[A-Za-z0-9._]{32}$/) });
      expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept' })))).toMatchObject({
        name: 'NoSuchKey',
        status: 404,
      });
      expect((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
      expect(await text(bucket, 'kept', written.VersionId)).toBe('content');
      expect(
        await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept', VersionId: deleted.VersionId }))),
      ).toMatchObject({
        name: 'MethodNotAllowed',
        status: 405,
      });
      expect((await allVersions(bucket)).rows).toEqual([
        ['kept', written.VersionId, false, false],
        ['kept', deleted.VersionId, true, true],
      ]);
      // A bucket holding only old versions and markers is not empty.
      expect(await failure(s3.send(new DeleteBucketCommand({ Bucket: bucket })))).toMatchObject({
        name: 'BucketNotEmpty',
        status: 409,
      });

      const unmarked = await s3.send(
        new DeleteObjectCommand({ Bucket: bucket, Key: 'kept', VersionId: deleted.VersionId }),
      );
      expect(unmarked).toMatchObject({ DeleteMarker: true, VersionId: deleted.VersionId });
      expect(await text(bucket, 'kept')).toBe('content');
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'kept', VersionId: written.VersionId }));
      expect((await allVersions(bucket)).rows).toEqual([]);
      expect(storedFiles(fixture, bucket).data).toHaveLength(0);
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    },
  );

  it('reports version ids and markers from DeleteObjects', async () => {
    const bucket = await bucketWith('Enabled');
    const a = await put(bucket, 'a', '1');
    await put(bucket, 'b', '1');
    const answer = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: [{ Key: 'a', VersionId: a.VersionId }, { Key: 'b' }, { Key: 'c', VersionId: 'not a version id' }],
        },
      }),
    );
    expect(answer.Deleted).toEqual([
      { Key: 'a', VersionId: a.VersionId },
      { Key: 'b', DeleteMarker: true, DeleteMarkerVersionId: expect.stringMatching(/^[A-Za-z0-9._]{32}$/) },
    ]);
    expect(answer.Errors).toEqual([expect.objectContaining({ Key: 'c', Code: 'InvalidArgument' })]);
  });

  it(
    'lets a create-only write land on a key whose current version is a delete marker, and refuses the retry ' +
      '(one version per write)',
    async () => {
      const bucket = await bucketWith('Enabled');
      await put(bucket, 'export/file', 'old');
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'export/file' }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'export/file', Body: 'new', IfNoneMatch: '*' }));
      expect(
        await failure(
          s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'export/file', Body: 'new', IfNoneMatch: '*' })),
        ),
      ).toMatchObject({ status: 412 });
      // Versions first, then delete markers (the SDK splits the listing in two).
      expect((await allVersions(bucket)).rows.map(([, , latest, marker]) => [latest, marker])).toEqual([
        [true, false],
        [false, false],
        [false, true],
      ]);
    },
  );

  it('copies a named version (restoring it) and reports the versions involved', async () => {
    const bucket = await bucketWith('Enabled');
    const old = await put(bucket, 'restore-me', 'old');
    await put(bucket, 'restore-me', 'new');
    const copy = await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'restore-me',
        CopySource: `${bucket}/restore-me?versionId=${old.VersionId}`,
      }),
    );
    expect(copy.CopySourceVersionId).toBe(old.VersionId);
    expect(copy.VersionId).toMatch(/^[A-Za-z0-9._]{32}$/);
    expect(await text(bucket, 'restore-me')).toBe('old');
    expect((await allVersions(bucket)).rows).toHaveLength(3);
  });

  it('pages through versions across keys and inside one key with key and version-id markers', async () => {
    const bucket = await bucketWith('Enabled');
    for (const key of ['a/1', 'a/2', 'b', 'c/x/y']) {
      for (let round = 0; round < 3; round += 1) await put(bucket, key, `${key} ${round}`);
    }
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b' }));
    const whole = await allVersions(bucket);
    expect(whole.rows).toHaveLength(13);
    for (const maxKeys of [1, 2, 5]) {
      const paged = await allVersions(bucket, { MaxKeys: maxKeys });
      expect(new Set(paged.rows.map(([key, id]) => `${key} ${id}`)).size).toBe(13);
      expect(paged.pages).toBe(Math.ceil(13 / maxKeys));
    }
    const rolled = await allVersions(bucket, { Delimiter: '/', MaxKeys: 1 });
    expect(rolled.prefixes).toEqual(['a/', 'c/']);
    expect(rolled.rows.map(([key]) => key)).toEqual(['b', 'b', 'b', 'b']);
    const under = await allVersions(bucket, { Prefix: 'c/' });
    expect(under.rows.every(([key]) => key === 'c/x/y')).toBe(true);
  });
});

describe('a versioning-suspended bucket', () => {
  it('writes the null version over the null version only, and deletes with a null marker', async () => {
    const bucket = await bucketWith('Enabled');
    const kept = await put(bucket, 'k', 'versioned');
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    await put(bucket, 'k', 'null one');
    await put(bucket, 'k', 'null two');
    expect((await allVersions(bucket)).rows).toEqual([
      ['k', 'null', true, false],
      ['k', kept.VersionId, false, false],
    ]);
    expect(await text(bucket, 'k', 'null')).toBe('null two');
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(deleted).toMatchObject({ DeleteMarker: true, VersionId: 'null' });
    expect((await allVersions(bucket)).rows).toEqual([
      ['k', kept.VersionId, false, false],
      ['k', 'null', true, true],
    ]);
    expect(storedFiles(fixture, bucket).data).toHaveLength(1);
  });
});

describe('a bucket that never had versioning', () => {
  it(
    'lists its objects as null versions, reads versionId=null, and tells a malformed id from a missing ' + 'one',
    async () => {
      const bucket = await bucketWith();
      const written = await put(bucket, 'plain', 'x');
      expect(written.VersionId).toBeUndefined();
      expect((await allVersions(bucket)).rows).toEqual([['plain', 'null', true, false]]);
      expect(await text(bucket, 'plain', 'null')).toBe('x');
      expect((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'plain' }))).VersionId).toBeUndefined();
      expect(
        await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'plain', VersionId: 'A'.repeat(32) }))),
      ).toMatchObject({
        name: 'NoSuchVersion',
        status: 404,
      });
      expect(
        await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'plain', VersionId: 'bad id' }))),
      ).toMatchObject({
        name: 'InvalidArgument',
        status: 400,
      });
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'plain' }));
      expect((await allVersions(bucket)).rows).toEqual([]);
    },
  );
});

describe('listVersionsPage', () => {
  const object = (key: string, versionId?: string): StoredObject => ({
    key,
    ...(versionId ? { versionId } : {}),
    size: 1,
    etag: '"e"',
    lastModified: '2030-01-01T00:00:00.000Z',
    dataFile: `${key}-${versionId ?? 'null'}`,
    checksums: {},
    headers: {},
    metadata: {},
    sse: { algorithm: 'AES256' },
  });
  const id = (n: number) => `${n}`.padStart(32, 'v');

  it('interleaves versions and delete markers key by key, newest first, and resumes inside a key', () => {
    const versions = new ObjectVersions();
    versions.add(object('a', id(1)));
    versions.add({ key: 'a', versionId: id(2), lastModified: '2030-01-02T00:00:00.000Z', deleteMarker: true });
    versions.add(object('a', id(3)));
    versions.add(object('b'));
    const names = (page: ReturnType<typeof listVersionsPage>) =>
      page.entries.map((entry) => ('version' in entry ? versionIdOf(entry.version) : entry.commonPrefix));
    const first = listVersionsPage(versions, { prefix: '', delimiter: '', maxKeys: 2, keyMarker: '' });
    expect(names(first)).toEqual([id(3), id(2)]);
    expect(first).toMatchObject({ isTruncated: true, nextKeyMarker: 'a', nextVersionIdMarker: id(2) });
    const second = listVersionsPage(versions, {
      prefix: '',
      delimiter: '',
      maxKeys: 2,
      keyMarker: 'a',
      versionIdMarker: id(2),
    });
    expect(names(second)).toEqual([id(1), 'null']);
    expect(second.isTruncated).toBe(false);
    expect(listVersionsPage(versions, { prefix: '', delimiter: '', maxKeys: 5, keyMarker: 'a' }).entries).toHaveLength(
      1,
    );
  });
});

describe('version permissions', () => {
  it('needs s3:GetObjectVersion to read a named version and s3:ListBucketVersions to list versions', async () => {
    const bucket = await bucketWith('Enabled');
    const written = await put(bucket, 'guarded', 'x');
    const roleArn = await createRole(
      fixture,
      CUSTOMER,
      `reader-${bucket}`,
      trustAccount(CUSTOMER),
      allowAll('s3:GetObject'),
    );
    const reader = s3Client(
      fixture,
      await assumeRole(fixture, await functionSession(fixture, allowAll('sts:AssumeRole'), CUSTOMER), roleArn),
    );
    await reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'guarded' }));
    expect(
      await failure(
        reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'guarded', VersionId: written.VersionId })),
      ),
    ).toMatchObject({ status: 403 });
    expect(await failure(reader.send(new ListObjectVersionsCommand({ Bucket: bucket })))).toMatchObject({
      status: 403,
    });
  });
});
