/** Bucket-level operations: create, head, delete, list, location and default encryption. */
import { createHash } from 'node:crypto';
import { AwsError } from '#endpoint/contract';
import { accessBucket, authorizeFor } from '#endpoint/s3/access';
import { assertValidBucketName, isRegionName } from '#endpoint/s3/bucket-names';
import { bucketArn, type S3Request } from '#endpoint/s3/context';
import {
  DEFAULT_ENCRYPTION,
  parseEncryptionConfiguration,
  renderEncryptionConfiguration,
} from '#endpoint/s3/encryption';
import { S3Error, invalidArgument, malformedXml } from '#endpoint/s3/errors';
import type { BucketRecord } from '#endpoint/s3/model';
import { sendEmpty, sendXml } from '#endpoint/s3/responses';
import { S3_NAMESPACE, childText, readXmlBody, renderDocument } from '#endpoint/s3/xml';

/** S3 answers with canonical user ids; a stable one per account is all clients need. */
export const canonicalUserId = (accountId: string) =>
  createHash('sha256').update(`canonical-user:${accountId}`).digest('hex');

export async function createBucket(request: S3Request): Promise<void> {
  const name = request.bucketName;
  assertValidBucketName(name);
  const region = await requestedRegion(request);
  const { caller } = request.signed;
  authorizeFor(request, caller.accountId, {
    action: 's3:CreateBucket',
    resource: bucketArn(name),
    context: { 's3:LocationConstraint': region },
  });

  const existing = request.store.get(name);
  if (existing?.record.ownerAccountId === caller.accountId) {
    throw new S3Error(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
      { BucketName: name },
    );
  }
  if (existing) {
    throw new S3Error(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the ' +
        'system. Please select a different name and try again.',
      409,
      { BucketName: name },
    );
  }
  const record: BucketRecord = {
    name,
    ownerAccountId: caller.accountId,
    region,
    createdAt: new Date().toISOString(),
    encryption: DEFAULT_ENCRYPTION,
  };
  await request.store.create(record);
  sendEmpty(request.response, 200, { location: `/${name}` });
}

/**
 * No LocationConstraint means us-east-1. An endpoint other than us-east-1 only creates buckets
 * in its own region, as AWS's regional endpoints do.
 */
async function requestedRegion(request: S3Request): Promise<string> {
  const document = await readXmlBody(request.signed.body, 64 * 1024);
  if (document && document.name !== 'CreateBucketConfiguration') throw malformedXml();
  const constraint = document ? childText(document, 'LocationConstraint')?.trim() : undefined;
  if (constraint !== undefined && (constraint === 'us-east-1' || !(isRegionName(constraint) || constraint === 'EU'))) {
    throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, {
      LocationConstraint: constraint,
    });
  }
  const region = constraint === 'EU' ? 'eu-west-1' : (constraint ?? 'us-east-1');
  const endpointRegion = request.signed.region;
  if (endpointRegion !== 'us-east-1' && endpointRegion !== region) {
    throw new S3Error(
      'IllegalLocationConstraintException',
      `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific ` +
        `endpoint this request was sent to.`,
      400,
    );
  }
  return region;
}

export async function headBucket(request: S3Request): Promise<void> {
  const bucket = request.store.get(request.bucketName);
  try {
    accessBucket(request, { action: 's3:ListBucket' });
  } catch (error) {
    // AWS tells even a caller without access where an existing bucket lives.
    if (bucket && error instanceof AwsError && error.statusCode === 403) {
      throw new S3Error(error.code, error.message, 403, {}, { 'x-amz-bucket-region': bucket.record.region });
    }
    throw error;
  }
  sendEmpty(request.response, 200, {
    'x-amz-bucket-region': bucket?.record.region ?? '',
    'x-amz-access-point-alias': 'false',
  });
}

export async function deleteBucket(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:DeleteBucket' });
  // Noncurrent versions and delete markers keep a bucket from being empty, as in S3.
  const versions = await bucket.versions();
  const deleted = await request.store.delete(bucket, () => versions.count === 0);
  if (!deleted)
    throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
      BucketName: bucket.name,
    });
  sendEmpty(request.response, 204);
}

export async function listBuckets(request: S3Request): Promise<void> {
  const { caller } = request.signed;
  authorizeFor(request, caller.accountId, { action: 's3:ListAllMyBuckets', resource: '*' });
  const prefix = request.query.get('prefix') ?? '';
  const regionFilter = request.query.get('bucket-region');
  const after = request.query.get('continuation-token') ?? '';
  const maxBuckets = Number(request.query.get('max-buckets') ?? '10000');
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1 || maxBuckets > 10000) {
    throw invalidArgument(
      'max-buckets must be an integer between 1 and 10000',
      'max-buckets',
      String(request.query.get('max-buckets')),
    );
  }
  const matching = request.store
    .listOwnedBy(caller.accountId)
    .filter(
      (record) =>
        record.name.startsWith(prefix) && record.name > after && (!regionFilter || record.region === regionFilter),
    );
  const page = matching.slice(0, maxBuckets);
  const truncated = matching.length > page.length;
  sendXml(
    request.response,
    renderDocument('ListAllMyBucketsResult', {
      Owner: { ID: canonicalUserId(caller.accountId) },
      Buckets: {
        Bucket: page.map((record) => ({
          Name: record.name,
          CreationDate: new Date(record.createdAt),
          BucketRegion: record.region,
        })),
      },
      ContinuationToken: truncated ? page[page.length - 1]?.name : undefined,
      Prefix: request.query.has('prefix') ? prefix : undefined,
    }),
  );
}

/** AWS's answer: an empty LocationConstraint for us-east-1, the region name otherwise. */
export async function getBucketLocation(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:GetBucketLocation', anyRegion: true });
  const region = bucket.record.region;
  const body =
    region === 'us-east-1'
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}"/>`
      : `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint ` +
        `xmlns="${S3_NAMESPACE}">${region}</LocationConstraint>`;
  sendXml(request.response, body);
}

export async function putBucketEncryption(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:PutEncryptionConfiguration' });
  const rule = parseEncryptionConfiguration(await readXmlBody(request.signed.body, 64 * 1024));
  await request.store.saveRecord(bucket, { ...bucket.record, encryption: rule });
  sendEmpty(request.response, 200);
}

export async function getBucketEncryption(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:GetEncryptionConfiguration' });
  sendXml(request.response, renderEncryptionConfiguration(bucket.record.encryption));
}

/** Deleting the configuration returns the bucket to the SSE-S3 default every bucket has. */
export async function deleteBucketEncryption(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:PutEncryptionConfiguration' });
  await request.store.saveRecord(bucket, { ...bucket.record, encryption: DEFAULT_ENCRYPTION });
  sendEmpty(request.response, 204);
}
