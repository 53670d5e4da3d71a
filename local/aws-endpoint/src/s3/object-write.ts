/** PutObject and CopyObject: stream into a new data file, then commit atomically. */
import { verifiedChecksums } from '#endpoint/aws-chunked';
import { accessBucket } from '#endpoint/s3/access';
import {
  assertValidKey,
  attributesFromRequest,
  checksumHeaders,
  checksumXmlFields,
  etagMatches,
  requestedChecksumAlgorithm,
} from '#endpoint/s3/attributes';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type Checksums } from '#endpoint/s3/checksums';
import { authorizeIfMatchRead, conditionalWriteContext, writePrecondition } from '#endpoint/s3/conditional-writes';
import { header, objectArn, type S3Request } from '#endpoint/s3/context';
import { requireDataKey, requireDecrypt, resolveSse, sseHeaders } from '#endpoint/s3/encryption';
import { invalidArgument, invalidRequest, preconditionFailed } from '#endpoint/s3/errors';
import type { ObjectAttributes, StoredObject } from '#endpoint/s3/model';
import { requestOrigin } from '#endpoint/s3/notifications';
import { objectBytes, withOpenObject } from '#endpoint/s3/object-files';
import { sendEmpty, sendXml } from '#endpoint/s3/responses';
import { MAX_OBJECT_BYTES, entityTooLarge, etagOf, writeFileFrom, type WrittenData } from '#endpoint/s3/streams';
import type { BucketStore } from '#endpoint/s3/bucket-store';
import { versionHeaders, writtenVersionHeaders } from '#endpoint/s3/versioning';
import { isWellFormedVersionId } from '#endpoint/s3/versions';
import { renderDocument } from '#endpoint/s3/xml';

export function sseConditionContext(request: S3Request): Record<string, string> {
  const context: Record<string, string> = conditionalWriteContext(request);
  const algorithm = header(request, 'x-amz-server-side-encryption');
  const keyId = header(request, 'x-amz-server-side-encryption-aws-kms-key-id');
  if (algorithm !== undefined) context['s3:x-amz-server-side-encryption'] = algorithm;
  if (keyId !== undefined) context['s3:x-amz-server-side-encryption-aws-kms-key-id'] = keyId;
  return context;
}

/** Refuses a declared length over the limit before reading a byte of it. */
export function assertDeclaredLength(request: S3Request, limit: number): void {
  const declared = header(request, 'x-amz-decoded-content-length') ?? header(request, 'content-length');
  if (declared !== undefined && Number(declared) > limit) throw entityTooLarge();
}

export async function putObject(request: S3Request): Promise<void> {
  const { key } = request;
  assertValidKey(key);
  const bucket = accessBucket(request, {
    action: 's3:PutObject',
    resource: objectArn(request.bucketName, key),
    context: sseConditionContext(request),
  });
  assertDeclaredLength(request, MAX_OBJECT_BYTES);
  const attributes = attributesFromRequest(request, resolveSse(request, bucket.record));
  requireDataKey(request, attributes.sse);
  const precondition = writePrecondition(request);
  authorizeIfMatchRead(request, bucket);
  precondition.check((await bucket.objects()).get(key), undefined); // fail fast; checked again at commit

  const object = await bucket.conflicts.during(key, precondition, async (ticket) => {
    const { dataFile, path } = await bucket.newDataFile();
    const written = await writeFileFrom([request.signed.body], path, { limit: MAX_OBJECT_BYTES });
    const stored = writtenObject(attributes, key, dataFile, written, verifiedChecksums(request.signed.body) ?? {});
    return bucket.commitObject(stored, (current) => precondition.check(current, ticket), {
      name: 'ObjectCreated:Put',
      origin: requestOrigin(request),
    });
  });
  sendEmpty(request.response, 200, {
    etag: object.etag,
    ...sseHeaders(object.sse),
    ...checksumHeaders(object.checksums, object.checksumType),
    ...writtenVersionHeaders(object),
  });
}

/** `x-amz-copy-source`: `[/]<bucket>/<key>[?versionId=...]`, URL-encoded. */
export function parseCopySource(request: S3Request): CopySource {
  const raw = header(request, 'x-amz-copy-source') ?? '';
  const [path = '', query] = raw.split('?');
  const versionId = query === undefined ? undefined : /^versionId=([^&]*)$/.exec(query)?.[1];
  if (query !== undefined && (versionId === undefined || !isWellFormedVersionId(versionId)))
    throw invalidArgument('Invalid version id specified', 'x-amz-copy-source', raw);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith('/') ? path.slice(1) : path);
  } catch {
    throw invalidArgument('Invalid copy source encoding', 'x-amz-copy-source', raw);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    throw invalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      'x-amz-copy-source',
      raw,
    );
  return {
    bucketName: decoded.slice(0, slash),
    key: decoded.slice(slash + 1),
    ...(versionId === undefined ? {} : { versionId }),
  };
}

export interface CopySource {
  bucketName: string;
  key: string;
  versionId?: string;
}

/**
 * Source checks of CopyObject / UploadPartCopy: s3:GetObject (s3:GetObjectVersion for a named version) on the
 * source, in any region.
 */
export function accessCopySource(request: S3Request): CopySource & { bucket: BucketStore } {
  const source = parseCopySource(request);
  const bucket = accessBucket(request, {
    bucketName: source.bucketName,
    action: source.versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion',
    resource: objectArn(source.bucketName, source.key),
    anyRegion: true,
    expectedOwnerHeader: 'x-amz-source-expected-bucket-owner',
  });
  return { ...source, bucket };
}

/** `x-amz-copy-source-version-id`: the source version copied, once its bucket has a versioning status. */
export function copySourceVersionHeaders(
  source: { bucket: BucketStore },
  copied: StoredObject,
): Record<string, string> {
  const header = versionHeaders(source.bucket.record, copied)['x-amz-version-id'];
  return header === undefined ? {} : { 'x-amz-copy-source-version-id': header };
}

/**
 * What a copy checks of the source object once it is open: the x-amz-copy-source-if-* conditions,
 * then, for an SSE-KMS source, kms:Decrypt on its key for the caller, with the source's encryption
 * context and region: a copy reads the source's bytes as GetObject does.
 */
export function checkCopySource(
  request: S3Request,
  source: CopySource & { bucket: BucketStore },
  object: StoredObject,
): void {
  checkCopySourceConditions(request, object);
  requireDecrypt(request, object.sse, {
    bucketName: source.bucketName,
    key: source.key,
    region: source.bucket.record.region,
  });
}

function checkCopySourceConditions(request: S3Request, source: StoredObject): void {
  const ifMatch = header(request, 'x-amz-copy-source-if-match');
  const ifNoneMatch = header(request, 'x-amz-copy-source-if-none-match');
  if (ifMatch !== undefined && !etagMatches(ifMatch, source.etag))
    throw preconditionFailed('x-amz-copy-source-If-Match');
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, source.etag))
    throw preconditionFailed('x-amz-copy-source-If-None-Match');
}

export async function copyObject(request: S3Request): Promise<void> {
  const { key } = request;
  assertValidKey(key);
  const source = accessCopySource(request);
  const bucket = accessBucket(request, {
    action: 's3:PutObject',
    resource: objectArn(request.bucketName, key),
    context: sseConditionContext(request),
  });
  const directive = header(request, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  const sse = resolveSse(request, bucket.record);
  requireDataKey(request, sse);
  const precondition = writePrecondition(request);
  authorizeIfMatchRead(request, bucket);
  const replaced = directive === 'REPLACE' ? attributesFromRequest(request, sse) : undefined;
  const { object, sourceObject } = await bucket.conflicts.during(key, precondition, async (ticket) => {
    const {
      sourceObject: copied,
      dataFile,
      written,
    } = await withOpenObject(
      source.bucket,
      source.key,
      async (opened) => {
        checkCopySource(request, source, opened.object);
        // Copying an older version over its own key is how a version is restored: allowed.
        const samePlace = source.bucket === bucket && source.key === key && source.versionId === undefined;
        if (samePlace && directive === 'COPY' && header(request, 'x-amz-server-side-encryption') === undefined) {
          throw invalidRequest(
            'This copy request is illegal because it is trying to copy an object to itself without changing ' +
              "the object's metadata, storage class, website redirect location or encryption attributes.",
          );
        }
        const target = await bucket.newDataFile();
        // A copy gets a full-object checksum of its bytes, with the requested or the source's algorithm.
        const algorithm = requestedChecksumAlgorithm(request) ?? firstAlgorithm(opened.object);
        const bytes = await writeFileFrom(objectBytes(opened), target.path, {
          limit: MAX_OBJECT_BYTES,
          checksums: algorithm ? [algorithm] : [],
        });
        return { sourceObject: opened.object, dataFile: target.dataFile, written: bytes };
      },
      source.versionId,
    );
    const attributes: ObjectAttributes = replaced ?? { headers: copied.headers, metadata: copied.metadata, sse };
    const stored = writtenObject(attributes, key, dataFile, written, written.checksums);
    const cause = { name: 'ObjectCreated:Copy', origin: requestOrigin(request) } as const;
    return {
      object: await bucket.commitObject(stored, (current) => precondition.check(current, ticket), cause),
      sourceObject: copied,
    };
  });
  const checksumFields = checksumXmlFields(object.checksums);
  sendXml(
    request.response,
    renderDocument('CopyObjectResult', {
      ETag: object.etag,
      LastModified: new Date(object.lastModified),
      ...checksumFields,
      ChecksumType: Object.keys(checksumFields).length > 0 ? 'FULL_OBJECT' : undefined,
    }),
    { ...sseHeaders(object.sse), ...writtenVersionHeaders(object), ...copySourceVersionHeaders(source, sourceObject) },
  );
}

/** A new object from bytes just written: their size, their MD5 as ETag, a full-object checksum. */
function writtenObject(
  attributes: ObjectAttributes,
  key: string,
  dataFile: string,
  written: WrittenData,
  checksums: Checksums,
): StoredObject {
  return {
    ...attributes,
    key,
    size: written.size,
    etag: etagOf(written),
    lastModified: new Date().toISOString(),
    dataFile,
    checksums,
    checksumType: 'FULL_OBJECT',
  };
}

function firstAlgorithm(object: StoredObject): ChecksumAlgorithm | undefined {
  return CHECKSUM_ALGORITHMS.find((algorithm) => object.checksums[algorithm] !== undefined);
}
