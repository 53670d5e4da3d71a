/**
 * S3 bucket operations through the real S3 client: regions and location constraints, ownership and
 * existence checks, default encryption.
 */
import {
  DeleteBucketCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER, OTHER, failure, startFixture, type Fixture } from './endpoint-fixture';
import { createBucket, rootS3, uniqueBucket } from './s3-helpers';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(async () => {
  await fixture.stop();
});

describe('S3 buckets: regions', () => {
  it('answers an empty LocationConstraint for us-east-1, as AWS does', async () => {
    const s3 = rootS3(fixture, CUSTOMER);
    const bucket = await createBucket(s3, uniqueBucket('use1'));
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    expect(location.LocationConstraint ?? '').toBe('');
  });

  it('answers the region of an eu-west-1 bucket, also to a client in us-east-1', async () => {
    const bucket = await createBucket(rootS3(fixture, CUSTOMER, 'eu-west-1'), uniqueBucket('euw1'), 'eu-west-1');
    const location = await rootS3(fixture, CUSTOMER, 'us-east-1').send(
      new GetBucketLocationCommand({ Bucket: bucket }),
    );
    expect(location.LocationConstraint).toBe('eu-west-1');
    const head = await rootS3(fixture, CUSTOMER, 'eu-west-1').send(new HeadBucketCommand({ Bucket: bucket }));
    expect(head.BucketRegion).toBe('eu-west-1');
  });

  it('redirects requests signed for another region than the bucket (301 PermanentRedirect)', async () => {
    const bucket = await createBucket(rootS3(fixture, CUSTOMER, 'eu-west-1'), uniqueBucket('redirect'), 'eu-west-1');
    const s3 = rootS3(fixture, CUSTOMER, 'us-east-1');
    expect(await failure(s3.send(new ListObjectsV2Command({ Bucket: bucket })))).toMatchObject({
      name: 'PermanentRedirect',
      status: 301,
    });
    expect(await failure(s3.send(new HeadBucketCommand({ Bucket: bucket })))).toMatchObject({ status: 301 });
    expect(await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })))).toMatchObject({
      status: 301,
    });
  });

  it('creates buckets only in the endpoint region, except from us-east-1', async () => {
    const fromWest = rootS3(fixture, CUSTOMER, 'us-west-2');
    expect(await failure(createBucket(fromWest, uniqueBucket('illegal'), 'eu-west-1'))).toMatchObject({
      name: 'IllegalLocationConstraintException',
      status: 400,
    });
    // The SDK itself fills in the client's region when a non-us-east-1 client names none.
    const implicit = await createBucket(fromWest, uniqueBucket('implicit'));
    expect((await fromWest.send(new GetBucketLocationCommand({ Bucket: implicit }))).LocationConstraint).toBe(
      'us-west-2',
    );
    const bucket = await createBucket(
      rootS3(fixture, CUSTOMER, 'us-east-1'),
      uniqueBucket('fromeast'),
      'ap-southeast-2',
    );
    const location = await fromWest.send(new GetBucketLocationCommand({ Bucket: bucket }));
    expect(location.LocationConstraint).toBe('ap-southeast-2');
  });
});

describe('S3 buckets: ownership and existence', () => {
  it('keeps names global: 409 BucketAlreadyOwnedByYou for the owner, BucketAlreadyExists for others', async () => {
    const bucket = await createBucket(rootS3(fixture, CUSTOMER), uniqueBucket('taken'));
    expect(await failure(createBucket(rootS3(fixture, CUSTOMER), bucket))).toMatchObject({
      name: 'BucketAlreadyOwnedByYou',
      status: 409,
    });
    expect(await failure(createBucket(rootS3(fixture, OTHER), bucket))).toMatchObject({
      name: 'BucketAlreadyExists',
      status: 409,
    });
  });

  it('refuses names that break S3 naming rules', async () => {
    for (const name of ['Upper-Case', 'ab', 'a..b-bucket', '192.168.1.10', 'xn--bucket', 'bucket-', 'my_bucket']) {
      expect(await failure(rootS3(fixture, CUSTOMER).send(new CreateBucketCommand({ Bucket: name })))).toMatchObject({
        name: 'InvalidBucketName',
        status: 400,
      });
    }
  });

  it('checks ExpectedBucketOwner: 403 when it names another account, success when it names the owner', async () => {
    const s3 = rootS3(fixture, CUSTOMER);
    const bucket = await createBucket(s3, uniqueBucket('owner'));
    expect(
      await failure(s3.send(new GetBucketLocationCommand({ Bucket: bucket, ExpectedBucketOwner: OTHER }))),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(
      await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', ExpectedBucketOwner: OTHER }))),
    ).toMatchObject({ status: 403 });
    await s3.send(new GetBucketLocationCommand({ Bucket: bucket, ExpectedBucketOwner: CUSTOMER }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', ExpectedBucketOwner: CUSTOMER }));
  });

  it("answers 403 for another account's bucket and 404 NoSuchBucket for a missing one", async () => {
    const bucket = await createBucket(rootS3(fixture, CUSTOMER), uniqueBucket('private'));
    const other = rootS3(fixture, OTHER);
    expect(await failure(other.send(new GetBucketLocationCommand({ Bucket: bucket })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await failure(other.send(new ListObjectsV2Command({ Bucket: bucket })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await failure(other.send(new HeadBucketCommand({ Bucket: bucket })))).toMatchObject({ status: 403 });
    expect(await failure(other.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' })))).toMatchObject({
      status: 403,
    });
    const missing = uniqueBucket('missing');
    expect(await failure(other.send(new GetBucketLocationCommand({ Bucket: missing })))).toMatchObject({
      name: 'NoSuchBucket',
      status: 404,
    });
    expect(await failure(other.send(new HeadBucketCommand({ Bucket: missing })))).toMatchObject({ status: 404 });
  });

  it("lists only the caller's buckets, with their regions", async () => {
    const mine = await createBucket(rootS3(fixture, CUSTOMER, 'eu-west-1'), uniqueBucket('listed'), 'eu-west-1');
    const theirs = await createBucket(rootS3(fixture, OTHER), uniqueBucket('unlisted'));
    const answer = await rootS3(fixture, CUSTOMER).send(new ListBucketsCommand({}));
    const names = (answer.Buckets ?? []).map((bucket) => bucket.Name);
    expect(names).toContain(mine);
    expect(names).not.toContain(theirs);
    expect(answer.Buckets?.find((bucket) => bucket.Name === mine)?.BucketRegion).toBe('eu-west-1');
  });

  it('deletes only empty buckets, and frees the name', async () => {
    const s3 = rootS3(fixture, CUSTOMER);
    const bucket = await createBucket(s3, uniqueBucket('delete'));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b', Body: 'x' }));
    expect(await failure(s3.send(new DeleteBucketCommand({ Bucket: bucket })))).toMatchObject({
      name: 'BucketNotEmpty',
      status: 409,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a/b' }));
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(await failure(s3.send(new HeadBucketCommand({ Bucket: bucket })))).toMatchObject({ status: 404 });
    await createBucket(rootS3(fixture, OTHER), bucket);
  });
});

describe('S3 buckets: default encryption', () => {
  it('defaults to SSE-S3, stores an SSE-KMS rule, and returns to SSE-S3 when deleted', async () => {
    const s3 = rootS3(fixture, CUSTOMER);
    const bucket = await createBucket(s3, uniqueBucket('encryption'));
    const rule = async () =>
      (await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }))).ServerSideEncryptionConfiguration?.Rules?.[0];
    expect((await rule())?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');

    const keyArn = `arn:aws:kms:us-east-1:${CUSTOMER}:key/00000000-0000-4000-8000-000000000000`;
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );
    expect(await rule()).toMatchObject({
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn },
      BucketKeyEnabled: true,
    });

    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
    expect((await rule())?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe('AES256');
  });

  it('refuses a KMS key with AES256 and encryption changes by other accounts', async () => {
    const s3 = rootS3(fixture, CUSTOMER);
    const bucket = await createBucket(s3, uniqueBucket('badrule'));
    const aesWithKey = {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const, KMSMasterKeyID: 'some-key' } }],
    };
    expect(
      await failure(
        s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: aesWithKey })),
      ),
    ).toMatchObject({ name: 'InvalidArgument', status: 400 });
    const aes = { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } }] };
    expect(
      await failure(
        rootS3(fixture, OTHER).send(
          new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: aes }),
        ),
      ),
    ).toMatchObject({ status: 403 });
  });
});
