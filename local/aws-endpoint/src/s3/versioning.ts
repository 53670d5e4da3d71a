/**
 * PutBucketVersioning / GetBucketVersioning, and the version-id parts of object requests
 * (`?versionId=`, `x-amz-version-id`). The bucket's status lives in bucket.json; versions.ts
 * holds what it means for writes and deletes.
 */
import { accessBucket } from '#endpoint/s3/access';
import type { S3Request } from '#endpoint/s3/context';
import { S3Error, invalidArgument, malformedXml, notImplemented } from '#endpoint/s3/errors';
import type { BucketRecord, ObjectVersion } from '#endpoint/s3/model';
import { sendEmpty, sendXml } from '#endpoint/s3/responses';
import { isWellFormedVersionId, versionIdOf } from '#endpoint/s3/versions';
import { childText, readXmlBody, renderDocument } from '#endpoint/s3/xml';

export async function putBucketVersioning(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:PutBucketVersioning' });
  const document = await readXmlBody(request.signed.body, 64 * 1024);
  if (!document || document.name !== 'VersioningConfiguration') throw malformedXml();
  const status = childText(document, 'Status')?.trim();
  const mfaDelete = childText(document, 'MfaDelete')?.trim();
  if (status !== undefined && status !== 'Enabled' && status !== 'Suspended') throw malformedXml();
  if (mfaDelete !== undefined && mfaDelete !== 'Enabled' && mfaDelete !== 'Disabled') throw malformedXml();
  if (mfaDelete === 'Enabled') throw notImplemented('MFA delete');
  // Saving runs alone on the bucket: commits under way finish under the old status.
  if (status !== undefined) await request.store.saveRecord(bucket, { ...bucket.record, versioning: status });
  sendEmpty(request.response, 200);
}

export async function getBucketVersioning(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:GetBucketVersioning' });
  // A bucket that never had versioning answers an empty configuration.
  sendXml(request.response, renderDocument('VersioningConfiguration', { Status: bucket.record.versioning }));
}

/** The `versionId` query parameter, checked: `null` names the null version. */
export function requestedVersionId(request: S3Request): string | undefined {
  const value = request.query.get('versionId');
  if (value === null) return undefined;
  if (!isWellFormedVersionId(value)) throw invalidArgument('Invalid version id specified', 'versionId', value);
  return value;
}

export const noSuchVersion = (key: string, versionId: string) =>
  new S3Error('NoSuchVersion', 'The specified version does not exist.', 404, { Key: key, VersionId: versionId });

/** GET/HEAD name a version's id once the bucket has a versioning status (`null` for the null version). */
export function versionHeaders(record: BucketRecord, version: ObjectVersion): Record<string, string> {
  return record.versioning ? { 'x-amz-version-id': versionIdOf(version) } : {};
}

/** A write answers the id of the version it created, when it created one with an id. */
export function writtenVersionHeaders(version: ObjectVersion): Record<string, string> {
  return version.versionId === undefined ? {} : { 'x-amz-version-id': version.versionId };
}
