/**
 * Conditional writes (PutObject, CopyObject, CompleteMultipartUpload) as the S3 User Guide
 * describes them ("How to prevent object overwrites with conditional writes"):
 *
 * - `If-None-Match: *` writes only when the key has no current version (a delete marker is no
 *   current version); otherwise 412 PreconditionFailed. Any other value is 501 NotImplemented.
 * - `If-Match: <etag>` writes only over a current version with that ETag: 412 on a mismatch,
 *   404 NoSuchKey when there is none. It needs s3:GetObject besides s3:PutObject.
 * - Both are evaluated when the write commits, so of two racing conditional writes the first to
 *   finish wins and the other gets 412. A delete of the key that commits while a conditional
 *   write is under way (for CompleteMultipartUpload: since CreateMultipartUpload) makes that
 *   write fail with 409 ConditionalRequestConflict: retry a PutObject, start a multipart upload
 *   afresh.
 */
import { etagMatches } from '#endpoint/s3/attributes';
import { header, objectArn, type S3Request } from '#endpoint/s3/context';
import { S3Error, noSuchKey, notImplemented, preconditionFailed } from '#endpoint/s3/errors';
import { authorizeFor } from '#endpoint/s3/access';
import type { BucketStore } from '#endpoint/s3/bucket-store';
import type { WritePrecondition } from '#endpoint/s3/write-conflicts';

export function writePrecondition(request: S3Request): WritePrecondition {
  const ifNoneMatch = header(request, 'if-none-match')?.trim();
  const ifMatch = header(request, 'if-match')?.trim();
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*') throw notImplemented('If-None-Match on writes other than *');
  return {
    conditional: ifNoneMatch !== undefined || ifMatch !== undefined,
    check(current, conflict) {
      if (conflict?.conflicted) throw conditionalRequestConflict();
      if (ifNoneMatch === '*' && current) throw preconditionFailed('If-None-Match');
      if (ifMatch !== undefined) {
        if (!current) throw noSuchKey(request.key);
        if (!etagMatches(ifMatch, current.etag)) throw preconditionFailed('If-Match');
      }
    },
  };
}

/** The condition keys AWS sets for conditional writes, so policies can require them. */
export function conditionalWriteContext(request: S3Request): Record<string, string> {
  const context: Record<string, string> = {};
  const ifNoneMatch = header(request, 'if-none-match');
  const ifMatch = header(request, 'if-match');
  if (ifNoneMatch !== undefined) context['s3:if-none-match'] = ifNoneMatch;
  if (ifMatch !== undefined) context['s3:if-match'] = ifMatch;
  return context;
}

/** If-Match reads the current object's ETag, so AWS also requires s3:GetObject on it. */
export function authorizeIfMatchRead(request: S3Request, bucket: BucketStore): void {
  if (header(request, 'if-match') === undefined) return;
  authorizeFor(request, bucket.record.ownerAccountId, {
    action: 's3:GetObject',
    resource: objectArn(bucket.name, request.key),
  });
}

export const conditionalRequestConflict = () =>
  new S3Error(
    'ConditionalRequestConflict',
    'A conflicting operation occurred. If using PutObject you can retry the request. If using multipart ' +
      'upload you should initiate another CreateMultipartUpload request and re-upload each part.',
    409,
  );
