import { AwsError } from '#local/aws/contract';
import { accessBucket, authorizeFor, locateBucket } from '#local/aws/s3/access';
import { algorithmOfHeader } from '#local/aws/s3/checksums';
import { header, objectArn, type S3Request } from '#local/aws/s3/context';
import { invalidRequest, malformedXml } from '#local/aws/s3/errors';
import { sendEmpty, sendXml } from '#local/aws/s3/responses';
import { childElements, childText, readXmlBody, renderDocument } from '#local/aws/s3/xml';

/** DeleteObject and DeleteObjects. Deleting a missing key succeeds, as in S3. */

export async function deleteObject(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:DeleteObject', resource: objectArn(request.bucketName, request.key) });
  await bucket.deleteObject(request.key);
  sendEmpty(request.response, 204);
}

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

  const deleted: Array<{ Key: string }> = [];
  const errors: Array<{ Key: string; Code: string; Message: string }> = [];
  for (const entry of entries) {
    const key = childText(entry, 'Key');
    if (key === undefined) throw malformedXml();
    try {
      authorizeFor(request, bucket.record.ownerAccountId, { action: 's3:DeleteObject', resource: objectArn(bucket.name, key) });
      await bucket.deleteObject(key);
      deleted.push({ Key: key });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      errors.push({ Key: key, Code: error.code, Message: error.message });
    }
  }
  sendXml(request.response, renderDocument('DeleteResult', { Deleted: quiet ? undefined : deleted, Error: errors }));
}
