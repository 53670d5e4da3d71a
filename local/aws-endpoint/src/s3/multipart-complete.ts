/** CompleteMultipartUpload and the multipart listings (ListParts, ListMultipartUploads). */
import { createHash } from 'node:crypto';
import { accessBucket } from '#endpoint/s3/access';
import { checksumXmlFields } from '#endpoint/s3/attributes';
import { canonicalUserId } from '#endpoint/s3/buckets';
import { CHECKSUM_ALGORITHMS, checksumHeaderName, checksumOf, type Checksums } from '#endpoint/s3/checksums';
import { authorizeIfMatchRead, conditionalWriteContext, writePrecondition } from '#endpoint/s3/conditional-writes';
import { header, objectArn, type S3Request } from '#endpoint/s3/context';
import { requireDecrypt, sseHeaders } from '#endpoint/s3/encryption';
import { S3Error, invalidArgument, invalidRequest, malformedXml, noSuchUpload } from '#endpoint/s3/errors';
import type { PartRecord, StoredObject } from '#endpoint/s3/model';
import { findUpload, partReader } from '#endpoint/s3/multipart';
import { requestOrigin } from '#endpoint/s3/notifications';
import { compareUtf8 } from '#endpoint/s3/object-index';
import { sendXml } from '#endpoint/s3/responses';
import { writeFileFrom } from '#endpoint/s3/streams';
import type { UploadState } from '#endpoint/s3/upload-store';
import { writtenVersionHeaders } from '#endpoint/s3/versioning';
import { childElements, childText, readXmlBody, renderDocument, type XmlElement } from '#endpoint/s3/xml';

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_OBJECT_FROM_PARTS = 5 * 1024 ** 4; // 5 TiB

const invalidPart = () =>
  new S3Error(
    'InvalidPart',
    'One or more of the specified parts could not be found. The part may not have been uploaded, or the ' +
      "specified entity tag may not have matched the part's entity tag.",
    400,
  );

interface RequestedPart {
  partNumber: number;
  etag: string;
  checksums: Checksums;
}

function requestedParts(document: XmlElement | undefined): RequestedPart[] {
  if (!document || document.name !== 'CompleteMultipartUpload') throw malformedXml();
  const parts = childElements(document, 'Part').map((element) => {
    const partNumber = Number(childText(element, 'PartNumber')?.trim());
    const etag = childText(element, 'ETag')?.trim();
    if (!Number.isInteger(partNumber) || !etag) throw malformedXml();
    const checksums: Checksums = {};
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      const value = childText(element, `Checksum${algorithm}`)?.trim();
      if (value !== undefined) checksums[algorithm] = value;
    }
    return { partNumber, etag: etag.startsWith('"') ? etag : `"${etag}"`, checksums };
  });
  if (parts.length === 0) throw malformedXml();
  return parts;
}

/** The uploaded parts the request names, checked as S3 checks them: order, existence, then sizes. */
function selectParts(upload: UploadState, requested: RequestedPart[]): PartRecord[] {
  requested.forEach((wanted, index) => {
    const previous = requested[index - 1];
    if (previous && wanted.partNumber <= previous.partNumber) {
      throw new S3Error(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
        400,
      );
    }
  });
  const algorithm = upload.record.checksumAlgorithm;
  const parts = requested.map((wanted) => {
    const part = upload.parts.get(wanted.partNumber);
    if (!part || part.etag !== wanted.etag) throw invalidPart();
    for (const [name, value] of Object.entries(wanted.checksums)) {
      if (part.checksums[name as keyof Checksums] !== value) throw invalidPart();
    }
    if (algorithm && wanted.checksums[algorithm] === undefined) {
      throw invalidRequest(
        `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must ` +
          `include the checksum for each part. It was missing for part ${wanted.partNumber} in the request.`,
      );
    }
    return part;
  });
  parts.slice(0, -1).forEach((part) => {
    if (part.size < MIN_PART_BYTES) {
      throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(MIN_PART_BYTES),
      });
    }
  });
  return parts;
}

export async function completeMultipartUpload(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, {
    action: 's3:PutObject',
    resource: objectArn(request.bucketName, request.key),
    context: conditionalWriteContext(request),
  });
  const upload = await findUpload(request, bucket);
  // AWS documents kms:Decrypt for completing an SSE-KMS upload that has an additional checksum.
  if (upload.record.checksumAlgorithm) requireDecrypt(request, upload.record.sse);
  const requested = requestedParts(await readXmlBody(request.signed.body, 4 * 1024 * 1024));
  const precondition = writePrecondition(request);
  authorizeIfMatchRead(request, bucket);
  // The upload is the write under way: a delete since CreateMultipartUpload conflicts with it.
  const conflict = precondition.conditional ? upload.conflict : undefined;
  const uploads = bucket.uploads();

  const object = await upload.queue.run(async () => {
    if (upload.closed) throw noSuchUpload(upload.record.uploadId);
    const parts = selectParts(upload, requested);
    const totalSize = parts.reduce((sum, part) => sum + part.size, 0);
    const declaredSize = header(request, 'x-amz-mp-object-size');
    if (declaredSize !== undefined && Number(declaredSize) !== totalSize) {
      throw invalidRequest(
        `The provided 'x-amz-mp-object-size' header value ${declaredSize} does not match what was computed: ` +
          `${totalSize}`,
      );
    }
    precondition.check((await bucket.objects()).get(upload.record.key), conflict);

    const { record } = upload;
    const fullObject =
      record.checksumType === 'FULL_OBJECT' && record.checksumAlgorithm ? [record.checksumAlgorithm] : [];
    const { dataFile, path } = await bucket.newDataFile();
    // Parts are streamed one after another into the object: never all in memory.
    const written = await writeFileFrom(
      parts.map((part) => partReader(uploads.partPath(upload, part))),
      path,
      { limit: MAX_OBJECT_FROM_PARTS, checksums: fullObject, md5: false },
    );
    const partMd5s = Buffer.concat(parts.map((part) => Buffer.from(part.etag.replaceAll('"', ''), 'hex')));
    const completed: StoredObject = {
      headers: record.headers,
      metadata: record.metadata,
      sse: record.sse,
      key: record.key,
      size: written.size,
      etag: `"${createHash('md5').update(partMd5s).digest('hex')}-${parts.length}"`,
      lastModified: new Date().toISOString(),
      dataFile,
      checksums: fullObject.length > 0 ? written.checksums : await compositeChecksums(upload, parts),
      ...(record.checksumType ? { checksumType: record.checksumType } : {}),
      partsCount: parts.length,
    };
    const cause = { name: 'ObjectCreated:CompleteMultipartUpload', origin: requestOrigin(request) } as const;
    const committed = await bucket.commitObject(
      completed,
      (current) => {
        assertExpectedChecksum(request, completed);
        precondition.check(current, conflict);
      },
      cause,
    );
    await uploads.remove(upload);
    return committed;
  });

  const checksumFields = checksumXmlFields(object.checksums);
  sendXml(
    request.response,
    renderDocument('CompleteMultipartUploadResult', {
      Location: `/${bucket.name}/${encodeURIComponent(object.key).replace(/%2F/g, '/')}`,
      Bucket: bucket.name,
      Key: object.key,
      ETag: object.etag,
      ...checksumFields,
      ChecksumType: object.checksumType,
    }),
    { ...sseHeaders(object.sse), ...writtenVersionHeaders(object) },
  );
}

/**
 * CompleteMultipartUpload may name the checksum the assembled object must have (whole-object
 * for FULL_OBJECT uploads, `<checksum of part checksums>-<parts>` for COMPOSITE ones).
 */
function assertExpectedChecksum(request: S3Request, completed: StoredObject): void {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const expected = header(request, checksumHeaderName(algorithm))?.trim();
    if (expected === undefined) continue;
    const actual = completed.checksums[algorithm];
    if (actual === undefined) {
      throw invalidRequest(
        `The upload was not created with the ${algorithm.toLowerCase()} checksum algorithm named by ` +
          `${checksumHeaderName(algorithm)}.`,
      );
    }
    if (expected.replace(/-\d+$/, '') !== actual.replace(/-\d+$/, '')) {
      throw new S3Error(
        'BadDigest',
        `The ${algorithm.toLowerCase()} you specified for the full object didn't match the calculated checksum.`,
        400,
      );
    }
  }
}

/** COMPOSITE checksums: the checksum of the parts' checksums, suffixed with the part count. */
async function compositeChecksums(upload: UploadState, parts: PartRecord[]): Promise<Checksums> {
  const algorithm = upload.record.checksumAlgorithm;
  if (!algorithm) return {};
  const raw = Buffer.concat(parts.map((part) => Buffer.from(part.checksums[algorithm] ?? '', 'base64')));
  return { [algorithm]: `${await checksumOf(algorithm, raw)}-${parts.length}` };
}

export async function listParts(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, {
    action: 's3:ListMultipartUploadParts',
    resource: objectArn(request.bucketName, request.key),
  });
  const upload = await findUpload(request, bucket);
  requireDecrypt(request, upload.record.sse); // the parts of an SSE-KMS upload, as ListParts documents
  const maxParts = boundedInteger(request, 'max-parts', 1000);
  const marker = boundedInteger(request, 'part-number-marker', 0);
  const after = [...upload.parts.values()]
    .filter((part) => part.partNumber > marker)
    .sort((a, b) => a.partNumber - b.partNumber);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  const owner = { ID: canonicalUserId(bucket.record.ownerAccountId) };
  sendXml(
    request.response,
    renderDocument('ListPartsResult', {
      Bucket: bucket.name,
      Key: upload.record.key,
      UploadId: upload.record.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page[page.length - 1]?.partNumber ?? marker,
      MaxParts: maxParts,
      IsTruncated: truncated,
      Part: page.map((part) => ({
        PartNumber: part.partNumber,
        LastModified: new Date(part.lastModified),
        ETag: part.etag,
        Size: part.size,
        ...checksumXmlFields(part.checksums),
      })),
      Initiator: { ID: upload.record.initiatorArn, DisplayName: upload.record.initiatorArn },
      Owner: owner,
      StorageClass: 'STANDARD',
      ChecksumAlgorithm: upload.record.checksumAlgorithm,
      ChecksumType: upload.record.checksumType,
    }),
  );
}

export async function listMultipartUploads(request: S3Request): Promise<void> {
  const bucket = accessBucket(request, { action: 's3:ListBucketMultipartUploads' });
  const prefix = request.query.get('prefix') ?? '';
  const keyMarker = request.query.get('key-marker') ?? '';
  const uploadIdMarker = request.query.get('upload-id-marker') ?? '';
  const maxUploads = boundedInteger(request, 'max-uploads', 1000);
  const all = [...(await bucket.uploads().all()).values()]
    .filter((upload) => !upload.closed && upload.record.key.startsWith(prefix))
    .sort(
      (a, b) =>
        compareUtf8(a.record.key, b.record.key) ||
        compareUtf8(a.record.initiated + a.record.uploadId, b.record.initiated + b.record.uploadId),
    );
  const after = all.filter((upload) => {
    const order = compareUtf8(upload.record.key, keyMarker);
    return (
      order > 0 ||
      (order === 0 &&
        uploadIdMarker !== '' &&
        compareUtf8(upload.record.initiated + upload.record.uploadId, markerSortKey(all, keyMarker, uploadIdMarker)) >
          0)
    );
  });
  const page = after.slice(0, maxUploads);
  const last = page[page.length - 1];
  const owner = { ID: canonicalUserId(bucket.record.ownerAccountId) };
  sendXml(
    request.response,
    renderDocument('ListMultipartUploadsResult', {
      Bucket: bucket.name,
      KeyMarker: keyMarker,
      UploadIdMarker: uploadIdMarker,
      NextKeyMarker: last?.record.key,
      NextUploadIdMarker: last?.record.uploadId,
      MaxUploads: maxUploads,
      IsTruncated: after.length > page.length,
      Prefix: prefix,
      Upload: page.map((upload) => ({
        Key: upload.record.key,
        UploadId: upload.record.uploadId,
        Initiator: { ID: upload.record.initiatorArn, DisplayName: upload.record.initiatorArn },
        Owner: owner,
        StorageClass: 'STANDARD',
        Initiated: new Date(upload.record.initiated),
        ChecksumAlgorithm: upload.record.checksumAlgorithm,
        ChecksumType: upload.record.checksumType,
      })),
    }),
  );
}

/** Uploads of the marker key sort by initiation time, then id; the marker names one of them. */
function markerSortKey(uploads: UploadState[], key: string, uploadId: string): string {
  const marker = uploads.find((upload) => upload.record.key === key && upload.record.uploadId === uploadId);
  return marker ? marker.record.initiated + marker.record.uploadId : '';
}

function boundedInteger(request: S3Request, name: string, fallback: number): number {
  const text = request.query.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value))
    throw invalidArgument(`Provided ${name} not an integer or within integer range`, name, text);
  return name.startsWith('max-') ? Math.min(value, 1000) : value;
}
