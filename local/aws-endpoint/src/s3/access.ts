/**
 * The checks every S3 operation passes before it touches a bucket: the bucket exists, the
 * expected owner matches, the request is signed for the bucket's region, and the caller (of the
 * owning account only) is allowed the operation's IAM action.
 */
import { AwsError, type AccessRequest } from '#endpoint/contract';
import { bucketArn, header, type S3Request } from '#endpoint/s3/context';
import { s3AccessDenied, noSuchBucket, permanentRedirect } from '#endpoint/s3/errors';
import type { BucketStore } from '#endpoint/s3/bucket-store';

export interface BucketAccess {
  /** The IAM action AWS evaluates for this operation, e.g. `s3:PutObject`. */
  action: string;
  /** Defaults to the bucket ARN. */
  resource?: string;
  context?: Record<string, string>;
  /** GetBucketLocation answers from any region: it is how clients find the bucket's region. */
  anyRegion?: boolean;
  /** CopyObject checks the source bucket with x-amz-source-expected-bucket-owner instead. */
  expectedOwnerHeader?: string;
  bucketName?: string;
}

/**
 * Finds the bucket and runs the checks AWS runs before an S3 operation, in AWS's order:
 * a missing bucket is 404 NoSuchBucket for anyone; the x-amz-expected-bucket-owner header must
 * name the owner (else 403); a request signed for another region is redirected to the bucket's
 * region (301, x-amz-bucket-region); then the caller must be allowed.
 */
export function accessBucket(request: S3Request, access: BucketAccess): BucketStore {
  const bucket = locateBucket(request, access);
  authorizeFor(request, bucket.record.ownerAccountId, {
    action: access.action,
    resource: access.resource ?? bucketArn(bucket.name),
    context: access.context ?? {},
  });
  return bucket;
}

/** The checks before authorization (existence, expected owner, region), for per-key authorization. */
export function locateBucket(request: S3Request, access: Omit<BucketAccess, 'action'>): BucketStore {
  const name = access.bucketName ?? request.bucketName;
  const bucket = request.store.get(name);
  if (!bucket) throw noSuchBucket(name);

  const expectedOwner = header(request, access.expectedOwnerHeader ?? 'x-amz-expected-bucket-owner');
  if (expectedOwner !== undefined && expectedOwner.trim() !== bucket.record.ownerAccountId) throw s3AccessDenied();

  if (!access.anyRegion && request.signed.region !== bucket.record.region)
    throw permanentRedirect(name, bucket.record.region);
  return bucket;
}

/**
 * Bucket policies and ACLs are not modelled, so nothing can grant another account access: a
 * caller from any account but the bucket owner's is denied here, explicitly, before the
 * identity policies are even consulted (which could only ever grant their own account).
 */
export function authorizeFor(request: S3Request, ownerAccountId: string, access: AccessRequest): void {
  const { caller } = request.signed;
  if (caller.accountId !== ownerAccountId) throw s3AccessDenied();
  request.authorize(caller, {
    ...access,
    context: { ...access.context, 'aws:ResourceAccount': ownerAccountId, 's3:ResourceAccount': ownerAccountId },
  });
}

/** Whether the caller may do `action` (for answers that depend on it, like 404 vs 403). */
export function isAllowed(request: S3Request, ownerAccountId: string, access: AccessRequest): boolean {
  try {
    authorizeFor(request, ownerAccountId, access);
    return true;
  } catch (error) {
    if (error instanceof AwsError) return false;
    throw error;
  }
}
