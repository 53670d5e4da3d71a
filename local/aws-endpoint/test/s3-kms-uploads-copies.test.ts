/**
 * The KMS permissions S3 asks for beyond PutObject and GetObject, as the S3 API reference documents
 * them (CreateMultipartUpload, UploadPart, UploadPartCopy, ListParts, CompleteMultipartUpload,
 * CopyObject): kms:Decrypt on an SSE-KMS upload's key for every part and listing, and for its
 * completion when it has a checksum algorithm; kms:Decrypt on an SSE-KMS copy source's key;
 * kms:GenerateDataKey on an SSE-KMS copy target's key. Each refusal is S3's AccessDenied 403 naming
 * the KMS action and the key, and writes nothing.
 */
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyStatement } from '#endpoint/contract';
import { CUSTOMER, clientConfig, failure, rootCredentials, startFixture, type Fixture } from './endpoint-fixture';
import { allow, createBucket, customerRoleSession, rootS3, s3Client, uniqueBucket } from './s3-helpers';

let fixture: Fixture;
let root: S3Client;
/** The key of kmsBucket's default encryption, and a second key a request may name instead. */
let bucketKey: string;
let otherKey: string;
let kmsBucket: string;
let plainBucket: string;

beforeAll(async () => {
  fixture = await startFixture();
  root = rootS3(fixture, CUSTOMER);
  const kms = new KMSClient(clientConfig(fixture, rootCredentials(CUSTOMER)));
  bucketKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
  otherKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
  kmsBucket = await createBucket(root, uniqueBucket('kms'));
  await root.send(
    new PutBucketEncryptionCommand({
      Bucket: kmsBucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: bucketKey } }],
      },
    }),
  );
  plainBucket = await createBucket(root, uniqueBucket('plain'));
});
afterAll(() => fixture.stop());

/** Every S3 object and multipart action on both buckets, and the KMS statements given. */
const s3As = async (...kms: PolicyStatement[]): Promise<S3Client> => s3Client(fixture, await session(kms));
const session = (kms: PolicyStatement[]): Promise<AwsCredentialIdentity> =>
  customerRoleSession(fixture, [
    allow(
      ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      [`arn:aws:s3:::${kmsBucket}/*`, `arn:aws:s3:::${plainBucket}/*`],
    ),
    allow('s3:ListBucket', [`arn:aws:s3:::${kmsBucket}`, `arn:aws:s3:::${plainBucket}`]),
    ...kms,
  ]);

const refusal = (action: string, key: string) =>
  expect.objectContaining({
    name: 'AccessDenied',
    status: 403,
    message: expect.stringMatching(
      new RegExp(`is not authorized to perform: ${action} on resource: ${key} because no identity-based policy`),
    ),
  });

async function startUpload(s3: S3Client, key: string, extra: { ChecksumAlgorithm?: 'CRC32' } = {}): Promise<string> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: kmsBucket, Key: key, ...extra }));
  return created.UploadId ?? '';
}

describe('SSE-KMS multipart uploads', () => {
  it('need kms:Decrypt on the upload key for UploadPart and ListParts, kms:GenerateDataKey to create', async () => {
    const writeOnly = await s3As(allow('kms:GenerateDataKey', bucketKey));
    const UploadId = await startUpload(writeOnly, 'mp/decrypt');
    const part = { Bucket: kmsBucket, Key: 'mp/decrypt', UploadId, PartNumber: 1, Body: 'part one' };
    expect(await failure(writeOnly.send(new UploadPartCommand(part)))).toEqual(refusal('kms:Decrypt', bucketKey));
    expect(
      await failure(writeOnly.send(new ListPartsCommand({ Bucket: kmsBucket, Key: 'mp/decrypt', UploadId }))),
    ).toEqual(refusal('kms:Decrypt', bucketKey));
    // Nothing was stored for the refused part.
    expect((await root.send(new ListPartsCommand({ Bucket: kmsBucket, Key: 'mp/decrypt', UploadId }))).Parts).toBe(
      undefined,
    );

    const both = await s3As(allow(['kms:GenerateDataKey', 'kms:Decrypt'], bucketKey));
    const { ETag } = await both.send(new UploadPartCommand(part));
    const listed = await both.send(new ListPartsCommand({ Bucket: kmsBucket, Key: 'mp/decrypt', UploadId }));
    expect(listed.Parts?.map((p) => p.ETag)).toEqual([ETag]);
    const done = await both.send(
      new CompleteMultipartUploadCommand({
        Bucket: kmsBucket,
        Key: 'mp/decrypt',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
      }),
    );
    expect(done).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: bucketKey });
    const read = await both.send(new GetObjectCommand({ Bucket: kmsBucket, Key: 'mp/decrypt' }));
    expect(await read.Body?.transformToString()).toBe('part one');
  });

  it('need kms:Decrypt to complete an upload with a checksum algorithm, and only then', async () => {
    const noKms = await s3As();
    for (const [key, extra] of [
      ['mp/with-checksum', { ChecksumAlgorithm: 'CRC32' as const }],
      ['mp/without', {}],
    ] as const) {
      const UploadId = await startUpload(root, key, extra);
      const uploaded = await root.send(
        new UploadPartCommand({ Bucket: kmsBucket, Key: key, UploadId, PartNumber: 1, Body: 'x', ...extra }),
      );
      const complete = new CompleteMultipartUploadCommand({
        Bucket: kmsBucket,
        Key: key,
        UploadId,
        MultipartUpload: {
          Parts: [{ PartNumber: 1, ETag: uploaded.ETag, ChecksumCRC32: uploaded.ChecksumCRC32 }],
        },
      });
      if ('ChecksumAlgorithm' in extra) {
        expect(await failure(noKms.send(complete))).toEqual(refusal('kms:Decrypt', bucketKey));
        expect(await failure(root.send(new HeadObjectCommand({ Bucket: kmsBucket, Key: key })))).toMatchObject({
          status: 404,
        });
      } else {
        await expect(noKms.send(complete)).resolves.toMatchObject({ SSEKMSKeyId: bucketKey });
      }
    }
  });
});

describe('copies and SSE-KMS', () => {
  beforeAll(async () => {
    await root.send(new PutObjectCommand({ Bucket: kmsBucket, Key: 'source/sealed', Body: 'sealed bytes' }));
    await root.send(new PutObjectCommand({ Bucket: plainBucket, Key: 'source/plain', Body: 'plain bytes' }));
  });

  it("CopyObject needs kms:Decrypt on an SSE-KMS source's key, with the source's encryption context", async () => {
    const copy = new CopyObjectCommand({
      Bucket: plainBucket,
      Key: 'copies/from-sealed',
      CopySource: `${kmsBucket}/source/sealed`,
    });
    expect(await failure((await s3As()).send(copy))).toEqual(refusal('kms:Decrypt', bucketKey));
    expect(
      await failure(root.send(new HeadObjectCommand({ Bucket: plainBucket, Key: 'copies/from-sealed' }))),
    ).toMatchObject({ status: 404 });
    // A decrypt scoped to the source object through S3 is what S3 asks for (not the target's ARN).
    const scoped = await s3As(
      allow('kms:Decrypt', bucketKey, {
        StringEquals: {
          'kms:ViaService': 's3.us-east-1.amazonaws.com',
          'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${kmsBucket}/source/sealed`,
        },
      }),
    );
    await expect(scoped.send(copy)).resolves.toMatchObject({ ServerSideEncryption: 'AES256' });
    const read = await root.send(new GetObjectCommand({ Bucket: plainBucket, Key: 'copies/from-sealed' }));
    expect(await read.Body?.transformToString()).toBe('sealed bytes');
  });

  it("CopyObject needs kms:GenerateDataKey on an SSE-KMS target's key", async () => {
    const copy = new CopyObjectCommand({
      Bucket: plainBucket,
      Key: 'copies/to-sealed',
      CopySource: `${plainBucket}/source/plain`,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: otherKey,
    });
    expect(await failure((await s3As(allow('kms:Decrypt', otherKey))).send(copy))).toEqual(
      refusal('kms:GenerateDataKey', otherKey),
    );
    await expect((await s3As(allow('kms:GenerateDataKey', otherKey))).send(copy)).resolves.toMatchObject({
      SSEKMSKeyId: otherKey,
    });
  });

  it("UploadPartCopy needs kms:Decrypt on an SSE-KMS source's key and on an SSE-KMS upload's key", async () => {
    // An SSE-S3 upload copying from an SSE-KMS source: the source's key.
    const plainUpload = await root.send(new CreateMultipartUploadCommand({ Bucket: plainBucket, Key: 'mpc/a' }));
    const fromSealed = new UploadPartCopyCommand({
      Bucket: plainBucket,
      Key: 'mpc/a',
      UploadId: plainUpload.UploadId,
      PartNumber: 1,
      CopySource: `${kmsBucket}/source/sealed`,
    });
    expect(await failure((await s3As(allow('kms:Decrypt', otherKey))).send(fromSealed))).toEqual(
      refusal('kms:Decrypt', bucketKey),
    );
    await expect((await s3As(allow('kms:Decrypt', bucketKey))).send(fromSealed)).resolves.toMatchObject({
      CopyPartResult: expect.objectContaining({ ETag: expect.any(String) }),
    });

    // An SSE-KMS upload copying from a plain source: the upload's key.
    const sealedUpload = await root.send(
      new CreateMultipartUploadCommand({
        Bucket: plainBucket,
        Key: 'mpc/b',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: otherKey,
      }),
    );
    const intoSealed = new UploadPartCopyCommand({
      Bucket: plainBucket,
      Key: 'mpc/b',
      UploadId: sealedUpload.UploadId,
      PartNumber: 1,
      CopySource: `${plainBucket}/source/plain`,
    });
    expect(await failure((await s3As(allow('kms:GenerateDataKey', otherKey))).send(intoSealed))).toEqual(
      refusal('kms:Decrypt', otherKey),
    );
    await expect((await s3As(allow('kms:Decrypt', otherKey))).send(intoSealed)).resolves.toMatchObject({
      SSEKMSKeyId: otherKey,
    });
  });
});
