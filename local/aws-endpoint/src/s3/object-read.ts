/** GetObject and HeadObject: conditional requests, byte ranges, streamed from the data file. */
import { pipeline } from 'node:stream/promises';
import { accessBucket, isAllowed } from '#endpoint/s3/access';
import { etagMatches, objectHeaders } from '#endpoint/s3/attributes';
import { bucketArn, header, objectArn, type S3Request } from '#endpoint/s3/context';
import { requireDecrypt } from '#endpoint/s3/encryption';
import {
  S3Error,
  s3AccessDenied,
  invalidArgument,
  noSuchKey,
  notImplemented,
  preconditionFailed,
} from '#endpoint/s3/errors';
import { isDeleteMarker, type StoredObject } from '#endpoint/s3/model';
import { openObject } from '#endpoint/s3/object-files';
import { httpDate, sendEmpty } from '#endpoint/s3/responses';
import type { BucketStore } from '#endpoint/s3/bucket-store';
import { noSuchVersion, requestedVersionId, versionHeaders } from '#endpoint/s3/versioning';
import { versionIdOf } from '#endpoint/s3/versions';
import { HIGH_WATER_MARK } from '#endpoint/s3/streams';

const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

export async function getObject(request: S3Request): Promise<void> {
  const { key, response } = request;
  const head = request.method === 'HEAD';
  const versionId = requestedVersionId(request);
  // Reading a named version is its own IAM action.
  const action = versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
  const bucket = accessBucket(request, { action, resource: objectArn(request.bucketName, key) });
  if (request.query.has('partNumber')) throw notImplemented('GetObject with partNumber');
  const opened = await openObject(bucket, key, versionId);
  if (!opened) throw await nothingToRead(request, bucket, versionId);
  const { object, handle } = opened;
  try {
    const notModified = evaluateConditions(request, object);
    if (notModified) {
      sendEmpty(response, 304, {
        etag: object.etag,
        'last-modified': objectHeaders(object, false)['last-modified'] ?? '',
      });
      return;
    }
    // The bytes are behind the object's KMS key: HeadObject answers without them, GetObject does not.
    if (!head) requireDecrypt(request, object.sse);
    const range = parseRange(header(request, 'range'), object.size);
    const checksumMode = header(request, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
    const headers = { ...objectHeaders(object, checksumMode && !range), ...versionHeaders(bucket.record, object) };
    for (const [parameter, name] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = request.query.get(parameter);
      if (value === null) continue;
      if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value))
        throw invalidArgument(`${parameter} is not a valid header value`, parameter, value);
      headers[name] = value;
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    const start = range?.start ?? 0;
    const end = range?.end ?? object.size - 1;
    response.statusCode = range ? 206 : 200;
    if (range) response.setHeader('content-range', `bytes ${start}-${end}/${object.size}`);
    response.setHeader('content-length', end - start + 1);
    if (head || end < start) {
      response.end();
      return;
    }
    const reader = handle.createReadStream({ start, end, highWaterMark: HIGH_WATER_MARK, autoClose: false });
    await pipeline(reader, response).catch((error: NodeJS.ErrnoException) => {
      // The client hung up mid-download: nothing left to answer.
      if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
    });
  } finally {
    await handle.close();
  }
}

/**
 * Why there is nothing to read: a delete marker named by id is 405 MethodNotAllowed; a key whose
 * newest version is a delete marker is NoSuchKey with `x-amz-delete-marker`; AWS only reveals
 * that a key or version is missing to callers who may list the bucket (403 otherwise).
 */
async function nothingToRead(request: S3Request, bucket: BucketStore, versionId: string | undefined): Promise<S3Error> {
  const { key } = request;
  const versions = await bucket.versions();
  const version = versionId === undefined ? versions.latest(key) : versions.get(key, versionId);
  const markerHeaders: Record<string, string> =
    version && isDeleteMarker(version)
      ? { 'x-amz-delete-marker': 'true', 'x-amz-version-id': versionIdOf(version) }
      : {};
  if (version && isDeleteMarker(version) && versionId !== undefined) {
    return new S3Error(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      405,
      { Method: request.method, ResourceType: 'DeleteMarker' },
      {
        ...markerHeaders,
        'last-modified': httpDate(version.lastModified),
        allow: 'DELETE',
      },
    );
  }
  const mayList = isAllowed(request, bucket.record.ownerAccountId, {
    action: 's3:ListBucket',
    resource: bucketArn(bucket.name),
    context: { 's3:prefix': key },
  });
  if (!mayList) return s3AccessDenied();
  const missing = versionId === undefined ? noSuchKey(key) : noSuchVersion(key, versionId);
  return new S3Error(missing.code, missing.message, missing.statusCode, missing.fields, markerHeaders);
}

/** If-Match / If-Unmodified-Since (412) and If-None-Match / If-Modified-Since (304), as S3 combines them. */
function evaluateConditions(request: S3Request, object: StoredObject): boolean {
  const lastModified = Math.floor(Date.parse(object.lastModified) / 1000) * 1000;
  const ifMatch = header(request, 'if-match');
  const ifNoneMatch = header(request, 'if-none-match');
  const ifModifiedSince = parseHttpDate(header(request, 'if-modified-since'));
  const ifUnmodifiedSince = parseHttpDate(header(request, 'if-unmodified-since'));
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, object.etag)) throw preconditionFailed('If-Match');
  } else if (ifUnmodifiedSince !== undefined && lastModified > ifUnmodifiedSince) {
    throw preconditionFailed('If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, object.etag);
  return ifModifiedSince !== undefined && lastModified <= ifModifiedSince;
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * One `bytes=` range (S3 serves no multi-range requests). Syntax it cannot read is ignored, as
 * HTTP says, and the whole object is answered; a range that starts past the end is 416.
 */
export function parseRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const unsatisfiable = () =>
    new S3Error(
      'InvalidRange',
      'The requested range is not satisfiable',
      416,
      { RangeRequested: value, ActualObjectSize: String(size) },
      { 'content-range': `bytes */${size}` },
    );
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Number(match[2]);
  if (end < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end: Math.min(end, size - 1) };
}
