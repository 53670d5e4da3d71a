/**
 * DeleteObject and DeleteObjects. Deleting a missing key succeeds, as in S3; in a versioning
 * bucket it adds a delete marker, and naming a version removes that version (bucket-store.ts).
 */
import { AwsError } from '#endpoint/contract';
import { accessBucket, authorizeFor, locateBucket } from '#endpoint/s3/access';
import { algorithmOfHeader } from '#endpoint/s3/checksums';
import { header, objectArn, type S3Request } from '#endpoint/s3/context';
import { invalidArgument, invalidRequest, malformedXml } from '#endpoint/s3/errors';
import { requestOrigin } from '#endpoint/s3/notifications';
import { sendEmpty, sendXml } from '#endpoint/s3/responses';
import { requestedVersionId } from '#endpoint/s3/versioning';
import { isWellFormedVersionId } from '#endpoint/s3/versions';
import type { XmlValue } from '#endpoint/protocols';
import { childElements, childText, readXmlBody, renderDocument } from '#endpoint/s3/xml';

export async function deleteObject(request: S3Request): Promise<void> {
  const versionId = requestedVersionId(request);
  const bucket = accessBucket(request, {
    action: deleteAction(versionId),
    resource: objectArn(request.bucketName, request.key),
  });
  const outcome = await bucket.deleteObject(request.key, versionId, requestOrigin(request));
  const headers: Record<string, string> = {};
  if (outcome.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  if (outcome.versionId !== undefined) headers['x-amz-version-id'] = outcome.versionId;
  sendEmpty(request.response, 204, headers);
}

/** Removing a version for good is its own IAM action. */
const deleteAction = (versionId: string | undefined) =>
  versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion';

const MAX_KEYS_PER_DELETE = 1000;

/** Every key is authorized on its own (s3:DeleteObject); refusals are reported per key. */
export async function deleteObjects(request: S3Request): Promise<void> {
  const bucket = locateBucket(request, {});
  const hasIntegrityHeader =
    header(request, 'content-md5') !== undefined ||
    header(request, 'x-amz-trailer') !== undefined ||
    Object.keys(request.headers).some((name) => algorithmOfHeader(name) !== undefined);
  if (!hasIntegrityHeader) throw invalidRequest('Missing required header for this request: Content-MD5');

  const document = await readXmlBody(request.signed.body, 2 * 1024 * 1024);
  if (!document || document.name !== 'Delete') throw malformedXml();
  const entries = childElements(document, 'Object');
  if (entries.length === 0 || entries.length > MAX_KEYS_PER_DELETE) throw malformedXml();
  const quiet = childText(document, 'Quiet')?.trim() === 'true';

  const origin = requestOrigin(request);
  const deleted: XmlValue[] = [];
  const errors: Array<{ Key: string; VersionId?: string; Code: string; Message: string }> = [];
  for (const entry of entries) {
    const key = childText(entry, 'Key');
    const versionId = childText(entry, 'VersionId')?.trim();
    if (key === undefined) throw malformedXml();
    try {
      if (versionId !== undefined && !isWellFormedVersionId(versionId))
        throw invalidArgument('Invalid version id specified', 'versionId', versionId);
      authorizeFor(request, bucket.record.ownerAccountId, {
        action: deleteAction(versionId),
        resource: objectArn(bucket.name, key),
      });
      const outcome = await bucket.deleteObject(key, versionId, origin);
      deleted.push({
        Key: key,
        VersionId: versionId,
        DeleteMarker: outcome.deleteMarker ? true : undefined,
        // A marker added (no version named) or removed (its id named) is reported by its id.
        DeleteMarkerVersionId: outcome.deleteMarker ? outcome.versionId : undefined,
      });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      errors.push({
        Key: key,
        ...(versionId === undefined ? {} : { VersionId: versionId }),
        Code: error.code,
        Message: error.message,
      });
    }
  }
  sendXml(request.response, renderDocument('DeleteResult', { Deleted: quiet ? undefined : deleted, Error: errors }));
}
