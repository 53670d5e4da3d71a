/** Multipart uploads: create, upload (or copy) parts, abort. Completion and listings live beside. */
import { createReadStream } from 'node:fs';
import { verifiedChecksums } from '#endpoint/aws-chunked';
import { accessBucket } from '#endpoint/s3/access';
import {
  assertValidKey,
  attributesFromRequest,
  checksumHeaders,
  checksumXmlFields,
  requestedChecksumAlgorithm,
} from '#endpoint/s3/attributes';
import { header, objectArn, type S3Request } from '#endpoint/s3/context';
import { requireDataKey, requireDecrypt, resolveSse, sseHeaders } from '#endpoint/s3/encryption';
import { invalidArgument, invalidRequest, noSuchUpload } from '#endpoint/s3/errors';
import type { ChecksumType, PartRecord } from '#endpoint/s3/model';
import { objectBytes, withOpenObject } from '#endpoint/s3/object-files';
import { parseRange } from '#endpoint/s3/object-read';
import {
  accessCopySource,
  assertDeclaredLength,
  checkCopySource,
  copySourceVersionHeaders,
  sseConditionContext,
} from '#endpoint/s3/object-write';
import { sendEmpty, sendXml } from '#endpoint/s3/responses';
import { HIGH_WATER_MARK, MAX_OBJECT_BYTES, etagOf, writeFileFrom } from '#endpoint/s3/streams';
import type { BucketStore } from '#endpoint/s3/bucket-store';
import type { UploadState } from '#endpoint/s3/upload-store';
import { renderDocument } from '#endpoint/s3/xml';

export async function createMultipartUpload(request: S3Request): Promise<void> {
  const { key } = request;
  assertValidKey(key);
  const bucket = accessBucket(request, {
    action: 's3:PutObject',
    resource: objectArn(request.bucketName, key),
    context: sseConditionContext(request),
  });
  const attributes = attributesFromRequest(request, resolveSse(request, bucket.record));
  requireDataKey(request, attributes.sse);
  const checksumAlgorithm = requestedChecksumAlgorithm(request);
  const checksumType = multipartChecksumType(header(request, 'x-amz-checksum-type'), checksumAlgorithm);
  const upload = await bucket.uploads().create({
    ...attributes,
    key,
    initiated: new Date().toISOString(),
    initiatorArn: request.signed.caller.arn,
    ...(checksumAlgorithm ? { checksumAlgorithm, checksumType } : {}),
  });
  const headers: Record<string, string> = sseHeaders(attributes.sse);
  if (checksumAlgorithm && checksumType) {
    headers['x-amz-checksum-algorithm'] = checksumAlgorithm;
    headers['x-amz-checksum-type'] = checksumType;
  }
  sendXml(
    request.response,
    renderDocument('InitiateMultipartUploadResult', {
      Bucket: bucket.name,
      Key: key,
      UploadId: upload.record.uploadId,
    }),
    headers,
  );
}

/** CRC64NVME objects can only be FULL_OBJECT; SHA objects only COMPOSITE; CRC32(C) either. */
function multipartChecksumType(requested: string | undefined, algorithm: string | undefined): ChecksumType | undefined {
  if (requested === undefined)
    return algorithm === undefined ? undefined : algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
  if (requested !== 'COMPOSITE' && requested !== 'FULL_OBJECT')
    throw invalidArgument('Value for x-amz-checksum-type header is invalid.', 'x-amz-checksum-type', requested);
  if (!algorithm)
    throw invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
  const fullObjectOnly = algorithm === 'CRC64NVME';
  const compositeOnly = algorithm === 'SHA1' || algorithm === 'SHA256';
  if ((fullObjectOnly && requested === 'COMPOSITE') || (compositeOnly && requested === 'FULL_OBJECT')) {
    throw invalidRequest(
      `The ${requested} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`,
    );
  }
  return requested;
}

/** The upload named by ?uploadId for this key, after the bucket-level checks. */
export async function findUpload(request: S3Request, bucket: BucketStore): Promise<UploadState> {
  const uploadId = request.query.get('uploadId') ?? '';
  const upload = await bucket.uploads().get(uploadId);
  if (!upload || upload.record.key !== request.key) throw noSuchUpload(uploadId);
  return upload;
}

function partNumberOf(request: S3Request): number {
  const text = request.query.get('partNumber') ?? '';
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > 10000) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', text);
  }
  return partNumber;
}

export async function uploadPart(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, {
    action: 's3:PutObject',
    resource: objectArn(request.bucketName, request.key),
  });
  const partNumber = partNumberOf(request);
  const upload = await findUpload(request, bucket);
  // S3 decrypts the upload's data key to encrypt each part with it.
  requireDecrypt(request, upload.record.sse);
  assertDeclaredLength(request, MAX_OBJECT_BYTES);
  const { dataFile, path } = bucket.uploads().newPartFile(upload);
  const written = await writeFileFrom([request.signed.body], path, { limit: MAX_OBJECT_BYTES });
  const checksums = verifiedChecksums(request.signed.body) ?? {};
  const expected = upload.record.checksumAlgorithm;
  if (expected && checksums[expected] === undefined) {
    await bucket.uploads().discardPartFile(upload, dataFile);
    const actual = Object.keys(checksums)[0]?.toLowerCase() ?? 'null';
    throw invalidRequest(
      `Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum ` +
        `Type: ${actual}`,
    );
  }
  const part: PartRecord = {
    partNumber,
    etag: etagOf(written),
    size: written.size,
    lastModified: new Date().toISOString(),
    dataFile,
    checksums,
  };
  await bucket.uploads().commitPart(upload, part, () => noSuchUpload(upload.record.uploadId));
  sendEmpty(request.response, 200, {
    etag: part.etag,
    ...sseHeaders(upload.record.sse),
    ...checksumHeaders(checksums, undefined),
  });
}

export async function uploadPartCopy(request: S3Request): Promise<void> {
  const source = accessCopySource(request);
  const bucket = accessBucket(request, {
    action: 's3:PutObject',
    resource: objectArn(request.bucketName, request.key),
  });
  const partNumber = partNumberOf(request);
  const upload = await findUpload(request, bucket);
  requireDecrypt(request, upload.record.sse);
  const { dataFile, path } = bucket.uploads().newPartFile(upload);
  const { written, copied } = await withOpenObject(
    source.bucket,
    source.key,
    async (opened) => {
      checkCopySource(request, source, opened.object);
      const rangeHeader = header(request, 'x-amz-copy-source-range');
      const range = rangeHeader === undefined ? undefined : copyRange(rangeHeader, opened.object.size);
      const algorithms = upload.record.checksumAlgorithm ? [upload.record.checksumAlgorithm] : [];
      const bytes = await writeFileFrom(objectBytes(opened, range?.start, range?.end), path, {
        limit: MAX_OBJECT_BYTES,
        checksums: algorithms,
      });
      return { written: bytes, copied: opened.object };
    },
    source.versionId,
  );
  const part: PartRecord = {
    partNumber,
    etag: etagOf(written),
    size: written.size,
    lastModified: new Date().toISOString(),
    dataFile,
    checksums: written.checksums,
  };
  await bucket.uploads().commitPart(upload, part, () => noSuchUpload(upload.record.uploadId));
  const checksumFields = checksumXmlFields(part.checksums);
  sendXml(
    request.response,
    renderDocument('CopyPartResult', { ETag: part.etag, LastModified: new Date(part.lastModified), ...checksumFields }),
    { ...sseHeaders(upload.record.sse), ...copySourceVersionHeaders(source, copied) },
  );
}

/** x-amz-copy-source-range must be `bytes=<first>-<last>` inside the source object. */
function copyRange(value: string, size: number): { start: number; end: number } {
  const invalid = () =>
    invalidArgument(
      `Range specified is not valid for source object of size: ${size}`,
      'x-amz-copy-source-range',
      value,
    );
  if (!/^bytes=\d+-\d+$/.test(value.trim())) throw invalid();
  let range;
  try {
    range = parseRange(value, size);
  } catch {
    throw invalid();
  }
  if (!range || Number(value.trim().split('-')[1]) >= size) throw invalid();
  return range;
}

export async function abortMultipartUpload(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, {
    action: 's3:AbortMultipartUpload',
    resource: objectArn(request.bucketName, request.key),
  });
  const upload = await findUpload(request, bucket);
  await upload.queue.run(async () => {
    if (upload.closed) throw noSuchUpload(upload.record.uploadId);
    await bucket.uploads().remove(upload);
  });
  sendEmpty(request.response, 204);
}

/** A part file streamed back, for completion. */
export const partReader = (path: string) => () => createReadStream(path, { highWaterMark: HIGH_WATER_MARK });
