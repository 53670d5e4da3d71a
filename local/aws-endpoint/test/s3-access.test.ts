/**
 * The product's situation: the platform account assumes a role in the customer's account (with
 * an external ID) and writes into the customer's bucket, which may default to SSE-KMS.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyStatement } from '#endpoint/contract';
import {
  CUSTOMER,
  OTHER,
  clientConfig,
  failure,
  rootCredentials,
  startFixture,
  type Fixture,
} from './endpoint-fixture';
import { allow, createBucket, customerRoleSession, rootS3, s3Client, uniqueBucket } from './s3-helpers';

let fixture: Fixture;
let keyArn: string;
let kmsBucket: string;
let plainBucket: string;
const platformSession = (statements: PolicyStatement[], account = CUSTOMER) =>
  customerRoleSession(fixture, statements, account);

const bucketStatements = (bucket: string) => [
  allow(['s3:GetObject', 's3:PutObject'], `arn:aws:s3:::${bucket}/*`),
  allow(['s3:ListBucket', 's3:GetBucketLocation'], `arn:aws:s3:::${bucket}`),
];

beforeAll(async () => {
  fixture = await startFixture();
  const customerS3 = rootS3(fixture, CUSTOMER);
  const kms = new KMSClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
  keyArn = (await kms.send(new CreateKeyCommand({ Description: 'customer exports' }))).KeyMetadata?.Arn ?? '';
  kmsBucket = await createBucket(customerS3, uniqueBucket('kms'));
  await customerS3.send(
    new PutBucketEncryptionCommand({
      Bucket: kmsBucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }],
      },
    }),
  );
  plainBucket = await createBucket(customerS3, uniqueBucket('plain'));
});
afterAll(async () => {
  await fixture.stop();
});

describe('S3 with SSE-KMS default encryption', () => {
  it('denies writes without kms:GenerateDataKey on the bucket key', async () => {
    const s3 = s3Client(fixture, await platformSession(bucketStatements(kmsBucket)));
    expect(
      await failure(
        s3.send(new PutObjectCommand({ Bucket: kmsBucket, Key: 'probe', Body: 'x', ExpectedBucketOwner: CUSTOMER })),
      ),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await failure(s3.send(new CreateMultipartUploadCommand({ Bucket: kmsBucket, Key: 'mp' })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(
      await failure(rootS3(fixture, CUSTOMER).send(new HeadObjectCommand({ Bucket: kmsBucket, Key: 'probe' }))),
    ).toMatchObject({ status: 404 });
  });

  it('allows them with kms:GenerateDataKey and answers the encryption headers', async () => {
    const s3 = s3Client(
      fixture,
      await platformSession([...bucketStatements(kmsBucket), allow('kms:GenerateDataKey', keyArn)]),
    );
    const put = await s3.send(
      new PutObjectCommand({ Bucket: kmsBucket, Key: 'probe', Body: 'x', ExpectedBucketOwner: CUSTOMER }),
    );
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const head = await s3.send(new HeadObjectCommand({ Bucket: kmsBucket, Key: 'probe' }));
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
    const mp = await s3.send(new CreateMultipartUploadCommand({ Bucket: kmsBucket, Key: 'mp' }));
    expect(mp).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn });
  });

  it('denies reading the bytes back without kms:Decrypt on the key, naming it; HeadObject needs no key', async () => {
    const writer = s3Client(
      fixture,
      await platformSession([...bucketStatements(kmsBucket), allow('kms:GenerateDataKey', keyArn)]),
    );
    await writer.send(
      new PutObjectCommand({ Bucket: kmsBucket, Key: 'read-back', Body: 'bytes', ExpectedBucketOwner: CUSTOMER }),
    );
    const refused = await failure(
      writer.send(new GetObjectCommand({ Bucket: kmsBucket, Key: 'read-back', ExpectedBucketOwner: CUSTOMER })),
    );
    expect(refused).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(refused.message).toMatch(
      new RegExp(`is not authorized to perform: kms:Decrypt on resource: ${keyArn} because no identity-based policy`),
    );
    // A range is still the object's bytes.
    expect(
      await failure(writer.send(new GetObjectCommand({ Bucket: kmsBucket, Key: 'read-back', Range: 'bytes=0-1' }))),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    await expect(writer.send(new HeadObjectCommand({ Bucket: kmsBucket, Key: 'read-back' }))).resolves.toMatchObject({
      ServerSideEncryption: 'aws:kms',
    });

    const reader = s3Client(
      fixture,
      await platformSession([...bucketStatements(kmsBucket), allow('kms:Decrypt', keyArn)]),
    );
    const read = await reader.send(new GetObjectCommand({ Bucket: kmsBucket, Key: 'read-back' }));
    expect(await read.Body?.transformToString()).toBe('bytes');
    // Plain (SSE-S3) objects need no key at all.
    const plainReader = s3Client(fixture, await platformSession(bucketStatements(plainBucket)));
    await plainReader.send(new PutObjectCommand({ Bucket: plainBucket, Key: 'plain-read', Body: 'x' }));
    const plain = await plainReader.send(new GetObjectCommand({ Bucket: plainBucket, Key: 'plain-read' }));
    expect(await plain.Body?.transformToString()).toBe('x');
  });

  it(
    "asks KMS through S3: a policy that allows the key only via S3 in the bucket's region lets the write " + 'through',
    async () => {
      const viaS3 = allow('kms:GenerateDataKey', keyArn, {
        StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:CallerAccount': CUSTOMER },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${kmsBucket}/exports/*` },
      });
      const s3 = s3Client(fixture, await platformSession([...bucketStatements(kmsBucket), viaS3]));
      await expect(
        s3.send(
          new PutObjectCommand({ Bucket: kmsBucket, Key: 'exports/a', Body: 'x', ExpectedBucketOwner: CUSTOMER }),
        ),
      ).resolves.toBeTruthy();
      // S3 passes the object's ARN as encryption context: a key outside exports/ is refused.
      expect(
        await failure(
          s3.send(
            new PutObjectCommand({ Bucket: kmsBucket, Key: 'other/a', Body: 'x', ExpectedBucketOwner: CUSTOMER }),
          ),
        ),
      ).toMatchObject({
        name: 'AccessDenied',
        status: 403,
      });
    },
  );

  it('applies the same check to an explicit SSE-KMS request header on a plain bucket', async () => {
    const s3 = s3Client(fixture, await platformSession(bucketStatements(plainBucket)));
    const explicit = {
      Bucket: plainBucket,
      Key: 'explicit',
      Body: 'x',
      ServerSideEncryption: 'aws:kms' as const,
      SSEKMSKeyId: keyArn,
    };
    expect(await failure(s3.send(new PutObjectCommand(explicit)))).toMatchObject({ name: 'AccessDenied', status: 403 });
    const plain = await s3.send(new PutObjectCommand({ Bucket: plainBucket, Key: 'plain', Body: 'x' }));
    expect(plain.ServerSideEncryption).toBe('AES256');
  });
});

describe('S3 identity policies', () => {
  it("lets the common TLS-only Deny stand: requests count as TLS, as the SDK's are in AWS", async () => {
    const tlsOnly: PolicyStatement = {
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const s3 = s3Client(fixture, await platformSession([...bucketStatements(plainBucket), tlsOnly]));
    await expect(
      s3.send(new PutObjectCommand({ Bucket: plainBucket, Key: 'tls-only', Body: 'x', ExpectedBucketOwner: CUSTOMER })),
    ).resolves.toBeTruthy();
  });

  it('scopes writes to the resources the policy names', async () => {
    const s3 = s3Client(
      fixture,
      await platformSession([allow('s3:PutObject', `arn:aws:s3:::${plainBucket}/exports/*`)]),
    );
    await s3.send(new PutObjectCommand({ Bucket: plainBucket, Key: 'exports/a', Body: 'x' }));
    expect(
      await failure(s3.send(new PutObjectCommand({ Bucket: plainBucket, Key: 'elsewhere/a', Body: 'x' }))),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: plainBucket, Key: 'exports/a' })))).toMatchObject({
      status: 403,
    });
    expect(await failure(s3.send(new GetBucketLocationCommand({ Bucket: plainBucket })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it('evaluates s3:prefix conditions on ListBucket', async () => {
    const s3 = s3Client(
      fixture,
      await platformSession([
        allow('s3:ListBucket', `arn:aws:s3:::${plainBucket}`, { StringLike: { 's3:prefix': 'exports/*' } }),
      ]),
    );
    await s3.send(new ListObjectsV2Command({ Bucket: plainBucket, Prefix: 'exports/' }));
    expect(await failure(s3.send(new ListObjectsV2Command({ Bucket: plainBucket })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it('reveals a missing key as 404 only to callers who may list the bucket', async () => {
    const withList = s3Client(fixture, await platformSession(bucketStatements(plainBucket)));
    expect(await failure(withList.send(new GetObjectCommand({ Bucket: plainBucket, Key: 'missing' })))).toMatchObject({
      name: 'NoSuchKey',
      status: 404,
    });
    const withoutList = s3Client(
      fixture,
      await platformSession([allow('s3:GetObject', `arn:aws:s3:::${plainBucket}/*`)]),
    );
    expect(
      await failure(withoutList.send(new GetObjectCommand({ Bucket: plainBucket, Key: 'missing' }))),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(
      await failure(withoutList.send(new HeadObjectCommand({ Bucket: plainBucket, Key: 'missing' }))),
    ).toMatchObject({ status: 403 });
  });

  it('needs s3:GetObject on the source and s3:PutObject on the target to copy', async () => {
    await rootS3(fixture, CUSTOMER).send(
      new PutObjectCommand({ Bucket: plainBucket, Key: 'source/file', Body: 'data' }),
    );
    const putOnly = s3Client(fixture, await platformSession([allow('s3:PutObject', `arn:aws:s3:::${plainBucket}/*`)]));
    expect(
      await failure(
        putOnly.send(
          new CopyObjectCommand({ Bucket: plainBucket, Key: 'copy', CopySource: `${plainBucket}/source/file` }),
        ),
      ),
    ).toMatchObject({ status: 403 });
    const getOnly = s3Client(fixture, await platformSession([allow('s3:GetObject', `arn:aws:s3:::${plainBucket}/*`)]));
    expect(
      await failure(
        getOnly.send(
          new CopyObjectCommand({ Bucket: plainBucket, Key: 'copy', CopySource: `${plainBucket}/source/file` }),
        ),
      ),
    ).toMatchObject({ status: 403 });
    const both = s3Client(
      fixture,
      await platformSession([allow(['s3:GetObject', 's3:PutObject'], `arn:aws:s3:::${plainBucket}/*`)]),
    );
    await both.send(
      new CopyObjectCommand({ Bucket: plainBucket, Key: 'copy', CopySource: `${plainBucket}/source/file` }),
    );
  });

  it('denies every account but the owner, whatever its own policies allow', async () => {
    const s3 = s3Client(fixture, await platformSession([allow('s3:*', '*')], OTHER));
    expect(
      await failure(s3.send(new PutObjectCommand({ Bucket: plainBucket, Key: 'intruder', Body: 'x' }))),
    ).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await failure(s3.send(new ListObjectsV2Command({ Bucket: plainBucket })))).toMatchObject({ status: 403 });
  });
});
