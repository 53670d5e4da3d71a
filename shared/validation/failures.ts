/**
 * The failure codes and messages of validation (docs/product-contract.md §4), in one place: the validation
 * stages use them, and so do exports and forwarding when the customer revokes access later
 * (through `classifyCustomerAccessError`), so a customer sees the same code and the same message
 * shape whichever part of the service found the problem.
 *
 * Every message has one shape: the step that failed, AWS's error as the SDK words it, then what
 * to change. They are shown to the customer through the API only: callers log the code, never the
 * message (the ASSUME_ROLE message carries the external ID, by contract).
 */
import { STSServiceException } from '@aws-sdk/client-sts';
import { config } from '#shared/config';
import { isTransient, nameOf, statusOf } from '#shared/aws/error-kinds';
import { platformPrincipalArn } from '#shared/customer-bucket/assume-customer-role';
import { accountOfRoleArn } from '#shared/integrations/naming-rules';
import { awsErrorText } from '#shared/validation/aws-error-text';
import type { FailureCode, FailureTarget, StageFailure, StageName } from '#shared/validation/failure-types';
import { keyNamedBy, kmsAccessDenied, type BucketKey } from '#shared/validation/kms-failures';

export type { FailureCode, FailureTarget, StageFailure, StageName } from '#shared/validation/failure-types';

export const STAGE_ORDER: readonly StageName[] = [
  'ASSUME_ROLE',
  'EXTERNAL_ID_ENFORCED',
  'BUCKET_LOCATION',
  'BUCKET_REGION',
  'WRITE_ACCESS',
  'READ_ACCESS',
];

/** `try assume role from[<principal>] to [<roleArn>] with externalId[<externalId>] failed: <cause>` */
export function roleAssumptionFailed(platformPrincipal: string, target: FailureTarget, error: unknown): StageFailure {
  return {
    stage: 'ASSUME_ROLE',
    code: 'ROLE_ASSUMPTION_FAILED',
    message:
      `try assume role from[${platformPrincipal}] to [${target.roleArn}] with externalId[${target.externalId}] ` +
      `failed: ` +
      `${awsErrorText('STS', 'AssumeRole', error)}; check that the role exists and that its trust policy allows ` +
      `sts:AssumeRole to arn:aws:iam::${config().PLATFORM_ACCOUNT_ID}:root on condition StringEquals ` +
      `sts:ExternalId = ` +
      `the integration's external ID`,
  };
}

const pinTheExternalId = (target: FailureTarget) =>
  `make every statement that trusts arn:aws:iam::${config().PLATFORM_ACCOUNT_ID}:root (or "*") require ` +
  `"Condition": {"StringEquals": {"sts:ExternalId": "${target.externalId}"}}, with no wildcard (StringLike, ` +
  `ForAnyValue) and no ` +
  `other statement that accepts other IDs, so no one else's integration can act through this role`;

export function externalIdNotEnforced(target: FailureTarget): StageFailure {
  return {
    stage: 'EXTERNAL_ID_ENFORCED',
    code: 'EXTERNAL_ID_NOT_ENFORCED',
    message:
      `trust policy of role [${target.roleArn}] does not enforce the external ID: assume role with a different ` +
      `externalId succeeded; ` +
      pinTheExternalId(target),
  };
}

/** The probe was answered with something other than AccessDenied: nothing shows that other IDs are refused. */
export function externalIdCheckInconclusive(target: FailureTarget, error: unknown): StageFailure {
  return {
    stage: 'EXTERNAL_ID_ENFORCED',
    code: 'EXTERNAL_ID_NOT_ENFORCED',
    message:
      `could not confirm that the trust policy of role [${target.roleArn}] enforces the external ID: assume role ` +
      `with a different externalId ` +
      `was answered ${awsErrorText('STS', 'AssumeRole', error)} instead of AccessDenied; check that STS is active ` +
      `in the account's regions, then ` +
      pinTheExternalId(target),
  };
}

/** `bucket region not match, want[<region>] got[<bucket region>]` */
export function bucketRegionMismatch(wantRegion: string, bucketRegion: string): StageFailure {
  return {
    stage: 'BUCKET_REGION',
    code: 'BUCKET_REGION_MISMATCH',
    message:
      `bucket region not match, want[${wantRegion}] got[${bucketRegion}]; use a bucket in ${wantRegion}, ` +
      `the region of the integration`,
  };
}

export function probeMismatch(target: FailureTarget, key: string): StageFailure {
  return {
    stage: 'READ_ACCESS',
    code: 'PROBE_MISMATCH',
    message:
      `check bucket failed: get object: the bytes read back from s3://${target.bucketName}/${key} differ from the ` +
      `probe just written; ` +
      `make sure no lifecycle rule, replication or other writer changes objects under that prefix`,
  };
}

export function validationInterrupted(stage: StageName, errorName: string): StageFailure {
  return {
    stage,
    code: 'VALIDATION_INTERRUPTED',
    message:
      `validation could not finish: stage ${stage} did not complete after retries (${errorName}); run the ` +
      `validation again in a few minutes`,
  };
}

/** The S3 operations the service sends to customer buckets, with the stage and permission each one proves. */
const S3_OPERATIONS = {
  GetBucketLocation: {
    stage: 'BUCKET_LOCATION',
    phrase: 'get bucket location',
    denied: 'BUCKET_ACCESS_DENIED',
    action: 's3:GetBucketLocation',
    on: 'bucket',
  },
  PutObject: {
    stage: 'WRITE_ACCESS',
    phrase: 'put object',
    denied: 'WRITE_ACCESS_DENIED',
    action: 's3:PutObject',
    on: 'objects',
  },
  CreateMultipartUpload: {
    stage: 'WRITE_ACCESS',
    phrase: 'create multipart upload',
    denied: 'WRITE_ACCESS_DENIED',
    action: 's3:PutObject',
    on: 'objects',
  },
  UploadPart: {
    stage: 'WRITE_ACCESS',
    phrase: 'upload part',
    denied: 'WRITE_ACCESS_DENIED',
    action: 's3:PutObject',
    on: 'objects',
  },
  UploadPartCopy: {
    stage: 'WRITE_ACCESS',
    phrase: 'upload part copy',
    denied: 'WRITE_ACCESS_DENIED',
    action: 's3:PutObject',
    on: 'objects',
  },
  CompleteMultipartUpload: {
    stage: 'WRITE_ACCESS',
    phrase: 'complete multipart upload',
    denied: 'WRITE_ACCESS_DENIED',
    action: 's3:PutObject',
    on: 'objects',
  },
  AbortMultipartUpload: {
    stage: 'WRITE_ACCESS',
    phrase: 'abort multipart upload',
    denied: 'WRITE_ACCESS_DENIED',
    action: 's3:AbortMultipartUpload',
    on: 'objects',
  },
  ListObjectsV2: {
    stage: 'READ_ACCESS',
    phrase: 'list objects',
    denied: 'LIST_ACCESS_DENIED',
    action: 's3:ListBucket',
    on: 'bucket',
  },
  ListMultipartUploads: {
    stage: 'READ_ACCESS',
    phrase: 'list multipart uploads',
    denied: 'LIST_ACCESS_DENIED',
    action: 's3:ListBucketMultipartUploads',
    on: 'bucket',
  },
  GetObject: {
    stage: 'READ_ACCESS',
    phrase: 'get object',
    denied: 'READ_ACCESS_DENIED',
    action: 's3:GetObject',
    on: 'objects',
  },
  HeadObject: {
    stage: 'READ_ACCESS',
    phrase: 'head object',
    denied: 'READ_ACCESS_DENIED',
    action: 's3:GetObject',
    on: 'objects',
  },
} as const satisfies Record<string, { stage: StageName; denied: FailureCode; [key: string]: unknown }>;

export type S3Operation = keyof typeof S3_OPERATIONS;
export type CustomerOperation = 'AssumeRole' | S3Operation;

const REGION_NAME = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

/** The region S3 names when it redirects a request for a bucket that lives in another region. */
export function redirectRegionOf(error: unknown): string | undefined {
  const shape = error as {
    $response?: { headers?: Record<string, string | undefined> };
    BucketRegion?: string;
    Region?: string;
  };
  const named = shape?.$response?.headers?.['x-amz-bucket-region'] ?? shape?.BucketRegion ?? shape?.Region;
  // A header is not to be trusted blindly: only a region name goes into messages and state.
  return named !== undefined && REGION_NAME.test(named) ? named : undefined;
}

/** A KMS problem behind an S3 answer: AWS names a KMS action or answers with a KMS.* error. */
const isKmsProblem = (error: unknown): boolean =>
  /\bkms:\w+/i.test((error as { message?: string })?.message ?? '') || nameOf(error).startsWith('KMS.');

/**
 * The S3 failure of one operation that the customer can fix (403, 404 no such bucket, 301 wrong
 * region), with its code and message; undefined when the error is not theirs to fix (transient,
 * or a bad request of ours). `bucketKey`: the key of the bucket's default encryption, when the
 * caller read it (validation does, when a KMS refusal does not name the key).
 */
export function s3AccessFailure(
  operation: S3Operation,
  error: unknown,
  target: FailureTarget,
  bucketKey?: BucketKey,
): StageFailure | undefined {
  const spec = S3_OPERATIONS[operation];
  const status = statusOf(error);
  const name = nameOf(error);
  const prefix = `check bucket failed: ${spec.phrase}: ${awsErrorText('S3', operation, error)}`;
  const bucketArn = `arn:aws:s3:::${target.bucketName}`;
  if (name === 'NoSuchBucket' || (status === 404 && operation === 'GetBucketLocation')) {
    return {
      stage: 'BUCKET_LOCATION',
      code: 'BUCKET_NOT_FOUND',
      message: `${prefix}; create the bucket ${target.bucketName} or correct the bucket name of the integration`,
    };
  }
  if (status === 301 || name === 'PermanentRedirect') {
    return bucketRegionMismatch(target.region, redirectRegionOf(error) ?? 'unknown');
  }
  if ((status === 403 || name.startsWith('KMS.')) && isKmsProblem(error)) {
    return kmsAccessDenied(spec.stage, prefix, error, target, bucketKey ?? keyNamedBy(error));
  }
  if (status !== 403) return undefined;
  const resource = spec.on === 'bucket' ? bucketArn : `${bucketArn}/*`;
  const owner = accountOfRoleArn(target.roleArn);
  const ownerHint =
    operation === 'GetBucketLocation' ? `, and the bucket must belong to the role's account ${owner}` : '';
  return {
    stage: spec.stage,
    code: spec.denied,
    message: `${prefix}; the role's policy must allow ${spec.action} on ${resource}${ownerHint}`,
  };
}

/**
 * Classifies an error from an AssumeRole or S3 call on a customer's bucket. An STS error is an
 * AssumeRole failure whatever the caller was doing (the S3 client's credentials provider throws
 * it). Returns undefined when the customer is not to blame (throttling, 5xx, timeouts, bugs of
 * ours): such errors must be retried or reported as ours, never mark an integration FAILED.
 *
 * Use: `const failure = await classifyCustomerAccessError('PutObject', error, integration);
 * if (failure) await markIntegrationFailed(ref, { detectedBy: 'export', ...failure });`
 */
export async function classifyCustomerAccessError(
  operation: CustomerOperation,
  error: unknown,
  target: FailureTarget,
): Promise<StageFailure | undefined> {
  if (isTransient(error)) return undefined;
  if (operation === 'AssumeRole' || error instanceof STSServiceException) {
    const status = statusOf(error);
    // 403 is AWS's answer for a missing role, a trust policy that does not trust us, a wrong external ID.
    if (status !== 403) return undefined;
    return roleAssumptionFailed(await platformPrincipalArn(), target, error);
  }
  return s3AccessFailure(operation, error, target);
}
