/** Object keys, headers and metadata as S3 accepts, stores and returns them. */
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  parseChecksumAlgorithm,
  type ChecksumAlgorithm,
} from '#endpoint/s3/checksums';
import { header, type S3Request } from '#endpoint/s3/context';
import { S3Error, invalidArgument } from '#endpoint/s3/errors';
import {
  STORED_HEADERS,
  type ChecksumType,
  type ObjectAttributes,
  type SseState,
  type StoredObject,
} from '#endpoint/s3/model';
import { sseHeaders } from '#endpoint/s3/encryption';
import { httpDate } from '#endpoint/s3/responses';

const MAX_KEY_BYTES = 1024;
const MAX_METADATA_BYTES = 2 * 1024;

export function assertValidKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', 'Your key is too long', 400, { MaxSizeAllowed: String(MAX_KEY_BYTES) });
  }
}

/** Content-Type and friends, and x-amz-meta-*, as sent with PutObject / CreateMultipartUpload. */
export function attributesFromRequest(request: S3Request, sse: SseState): ObjectAttributes {
  const headers: ObjectAttributes['headers'] = {};
  for (const name of STORED_HEADERS) {
    let value = header(request, name);
    // aws-chunked describes the transfer, not the object: S3 drops it.
    if (name === 'content-encoding' && value !== undefined) {
      value = value
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token && token !== 'aws-chunked')
        .join(',');
    }
    if (value) headers[name] = value;
  }
  headers['content-type'] ??= 'binary/octet-stream';
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(request.headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    metadata[name.slice('x-amz-meta-'.length)] = text;
    metadataBytes += Buffer.byteLength(name.slice('x-amz-meta-'.length)) + Buffer.byteLength(text);
  }
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.', 400, {
      MaxSizeAllowed: String(MAX_METADATA_BYTES),
    });
  }
  return { headers, metadata, sse };
}

/** The headers GET/HEAD (and the write answers, partly) carry for a stored object. */
export function objectHeaders(object: StoredObject, withChecksums: boolean): Record<string, string> {
  const result: Record<string, string> = {
    etag: object.etag,
    'last-modified': httpDate(object.lastModified),
    'accept-ranges': 'bytes',
    ...sseHeaders(object.sse),
  };
  for (const [name, value] of Object.entries(object.headers)) if (value) result[name] = value;
  for (const [name, value] of Object.entries(object.metadata)) result[`x-amz-meta-${name}`] = value;
  if (withChecksums) Object.assign(result, checksumHeaders(object.checksums, object.checksumType));
  return result;
}

export function checksumHeaders(
  checksums: StoredObject['checksums'],
  type: ChecksumType | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = checksums[algorithm];
    if (value !== undefined) result[checksumHeaderName(algorithm)] = value;
  }
  if (Object.keys(result).length > 0) result['x-amz-checksum-type'] = type ?? 'FULL_OBJECT';
  return result;
}

/** `{ ChecksumCRC32: ... }`: how checksums appear in XML answers (CopyObjectResult, ListParts...). */
export function checksumXmlFields(checksums: StoredObject['checksums']): Record<string, string> {
  return Object.fromEntries(Object.entries(checksums).map(([algorithm, value]) => [`Checksum${algorithm}`, value]));
}

/** The algorithm named by x-amz-checksum-algorithm (CreateMultipartUpload, CopyObject). */
export function requestedChecksumAlgorithm(request: S3Request): ChecksumAlgorithm | undefined {
  const value = header(request, 'x-amz-checksum-algorithm');
  if (value === undefined) return undefined;
  const algorithm = parseChecksumAlgorithm(value);
  if (!algorithm)
    throw invalidArgument('Checksum algorithm provided is unsupported.', 'x-amz-checksum-algorithm', value);
  return algorithm;
}

/** `"abc"`, `abc`, `W/"abc"` and lists of them all name the ETag `"abc"`; `*` names any. */
export function etagMatches(condition: string, etag: string): boolean {
  return condition
    .split(',')
    .map((candidate) => candidate.trim().replace(/^W\//, ''))
    .some((candidate) => candidate === '*' || candidate === etag || `"${candidate}"` === etag);
}
