/**
 * classifyCustomerAccessError, which exports and forwarding use to tell a customer's revoked
 * access (the integration becomes FAILED) from trouble that is not theirs (retry, or report as
 * ours). The errors are real SDK errors from the local endpoint wherever AWS can be made to
 * answer that way; throttling and a disabled key are built, since they cannot be provoked on demand.
 */
import { randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { classifyCustomerAccessError, redirectRegionOf, type FailureTarget } from '#shared/validation/failures';
import { clientsFor, localStack, uniqueAccountId } from '../support/local-stack';
import { createBucket, uniqueBucketName } from '../support/customer';
import { functionCredentials, roleSession } from '../support/function-roles';

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** A session of a role of `accountId` with no useful permissions at all. */
async function powerlessRoleSession(accountId: string, region: string) {
  const { roleArn, ...credentials } = await roleSession(accountId, [
    { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: 'arn:aws:s3:::nothing-here' },
  ]);
  const s3 = new S3Client({ endpoint: localStack().awsUrl, region, forcePathStyle: true, credentials });
  return { s3, roleArn };
}

describe('classifyCustomerAccessError', () => {
  const accountId = uniqueAccountId();
  const target = (bucketName: string, roleArn = `arn:aws:iam::${accountId}:role/r`): FailureTarget => ({
    roleArn,
    externalId: 's3i-example',
    bucketName,
    region: 'us-west-2',
  });

  it('names the missing S3 permission of each operation (403), with the stage it belongs to', async () => {
    const bucketName = uniqueBucketName('classify');
    await createBucket(accountId, bucketName, 'us-west-2');
    const { s3, roleArn } = await powerlessRoleSession(accountId, 'us-west-2');
    const cases = [
      [
        'PutObject',
        new PutObjectCommand({ Bucket: bucketName, Key: 'k', Body: 'x' }),
        'WRITE_ACCESS',
        'WRITE_ACCESS_DENIED',
        's3:PutObject',
        'put object',
      ],
      [
        'ListObjectsV2',
        new ListObjectsV2Command({ Bucket: bucketName }),
        'READ_ACCESS',
        'LIST_ACCESS_DENIED',
        's3:ListBucket',
        'list objects',
      ],
      [
        'GetObject',
        new GetObjectCommand({ Bucket: bucketName, Key: 'k' }),
        'READ_ACCESS',
        'READ_ACCESS_DENIED',
        's3:GetObject',
        'get object',
      ],
    ] as const;
    for (const [operation, command, stage, code, action, phrase] of cases) {
      const error = await errorOf(s3.send(command as never));
      const failure = await classifyCustomerAccessError(operation, error, target(bucketName, roleArn));
      expect(failure, operation).toMatchObject({ stage, code });
      expect(failure?.message).toMatch(
        new RegExp(
          `^check bucket failed: ${phrase}: operation error S3: ${operation}, https response error StatusCode: 403, `,
        ),
      );
      expect(failure?.message).toContain(`must allow ${action} on`);
    }
  });

  it('reports a missing bucket as BUCKET_NOT_FOUND whatever the operation', async () => {
    const { s3 } = clientsFor(accountId, 'us-west-2');
    const error = await errorOf(
      s3.send(new PutObjectCommand({ Bucket: uniqueBucketName('gone'), Key: 'k', Body: 'x' })),
    );
    expect(await classifyCustomerAccessError('PutObject', error, target('gone'))).toMatchObject({
      stage: 'BUCKET_LOCATION',
      code: 'BUCKET_NOT_FOUND',
    });
  });

  it('reports a bucket that moved to another region as BUCKET_REGION_MISMATCH, naming the region S3 gave', async () => {
    const bucketName = uniqueBucketName('moved');
    await createBucket(accountId, bucketName, 'eu-central-1');
    const { s3 } = clientsFor(accountId, 'us-west-2');
    const error = await errorOf(s3.send(new HeadObjectCommand({ Bucket: bucketName, Key: 'k' })));
    expect(redirectRegionOf(error)).toBe('eu-central-1');
    const failure = await classifyCustomerAccessError('HeadObject', error, target(bucketName));
    expect(failure).toMatchObject({ stage: 'BUCKET_REGION', code: 'BUCKET_REGION_MISMATCH' });
    expect(failure?.message).toMatch(/^bucket region not match, want\[us-west-2\] got\[eu-central-1\]/);
  });

  it('reports a refused AssumeRole as ROLE_ASSUMPTION_FAILED, whatever operation the caller was doing', async () => {
    const roleArn = `arn:aws:iam::${uniqueAccountId()}:role/missing-${randomBytes(3).toString('hex')}`;
    // Asked as validation asks it: as the runValidationStage function's role.
    const sts = new STSClient({
      endpoint: localStack().awsUrl,
      region: 'us-east-1',
      credentials: await functionCredentials(['runValidationStage']),
    });
    const error = await errorOf(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'classify', ExternalId: 's3i-example' })),
    );
    const failure = await classifyCustomerAccessError('PutObject', error, target('b', roleArn));
    expect(failure).toMatchObject({ stage: 'ASSUME_ROLE', code: 'ROLE_ASSUMPTION_FAILED' });
    expect(failure?.message).toMatch(
      new RegExp(
        String.raw`^try assume role from\[arn:aws:(iam|sts)::111111111111:[^\]]+\] ` +
          String.raw`to \[arn:aws:iam::\d{12}:role\/missing-[0-9a-f]{6}\] with externalId\[s3i-example\] failed: ` +
          String.raw`operation error STS: AssumeRole, https response error StatusCode: 403, `,
      ),
    );
  });

  it('blames a KMS refusal on the key, asking for both KMS actions whichever one AWS named', async () => {
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403, requestId: 'r1', extendedRequestId: 'h1' },
      message: 'User: x is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-west-2:1:key/k',
    });
    const failure = await classifyCustomerAccessError('GetObject', denied, {
      ...target('b'),
      kmsKeyArn: 'arn:aws:kms:us-west-2:1:key/k',
    });
    expect(failure).toMatchObject({ stage: 'READ_ACCESS', code: 'KMS_ACCESS_DENIED' });
    expect(failure?.message).toContain(
      'must allow kms:GenerateDataKey and kms:Decrypt on arn:aws:kms:us-west-2:1:key/k',
    );
    const disabled = new S3ServiceException({
      name: 'KMS.DisabledException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'key is disabled',
    });
    expect(await classifyCustomerAccessError('PutObject', disabled, target('b'))).toMatchObject({
      code: 'KMS_ACCESS_DENIED',
    });
  });

  it('does not blame the customer for throttling, 5xx or a bad request of ours', async () => {
    const make = (name: string, status: number) =>
      new S3ServiceException({
        name,
        $fault: status >= 500 ? 'server' : 'client',
        $metadata: { httpStatusCode: status },
        message: name,
      });
    for (const error of [
      make('SlowDown', 503),
      make('InternalError', 500),
      make('InvalidRequest', 400),
      make('NoSuchKey', 404),
    ]) {
      expect(await classifyCustomerAccessError('PutObject', error, target('b'))).toBeUndefined();
    }
  });
});
