/** ListObjectsV2 (and the older ListObjects), served from the bucket's in-memory key index. */
import { accessBucket } from '#endpoint/s3/access';
import { canonicalUserId } from '#endpoint/s3/buckets';
import { CHECKSUM_ALGORITHMS } from '#endpoint/s3/checksums';
import type { S3Request } from '#endpoint/s3/context';
import { invalidArgument } from '#endpoint/s3/errors';
import type { StoredObject } from '#endpoint/s3/model';
import { listPage, type ListPage } from '#endpoint/s3/object-index';
import { sendXml } from '#endpoint/s3/responses';
import type { BucketStore } from '#endpoint/s3/bucket-store';
import type { XmlValue } from '#endpoint/protocols';
import { renderDocument } from '#endpoint/s3/xml';

export interface ListParameters {
  bucket: BucketStore;
  prefix: string;
  delimiter: string;
  maxKeys: number;
  encode: (value: string) => string;
}

/** The parameters every listing shares, checked, and the caller's access (`action` on the bucket). */
export async function prepareListing(request: S3Request, action = 's3:ListBucket'): Promise<ListParameters> {
  const { query } = request;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeysText = query.get('max-keys');
  const maxKeys = maxKeysText === null ? 1000 : Number(maxKeysText);
  if (!/^\d+$/.test(maxKeysText ?? '0') || !Number.isSafeInteger(maxKeys)) {
    throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', maxKeysText ?? '');
  }
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url')
    throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', encodingType);
  const context: Record<string, string> = { 's3:prefix': prefix };
  if (query.has('delimiter')) context['s3:delimiter'] = delimiter;
  if (maxKeysText !== null) context['s3:max-keys'] = maxKeysText;
  const bucket = accessBucket(request, { action, context });
  return {
    bucket,
    prefix,
    delimiter,
    maxKeys: Math.min(maxKeys, 1000),
    // S3's url encoding: percent-encoding that keeps the slashes of key paths readable.
    encode: encodingType === 'url' ? (value) => encodeURIComponent(value).replace(/%2F/g, '/') : (value) => value,
  };
}

async function page(parameters: ListParameters, after: string): Promise<ListPage & { objects: StoredObject[] }> {
  const index = await parameters.bucket.objects();
  const result =
    parameters.maxKeys === 0
      ? { keys: [], commonPrefixes: [], isTruncated: false, last: undefined }
      : listPage(index, {
          prefix: parameters.prefix,
          delimiter: parameters.delimiter,
          maxKeys: parameters.maxKeys,
          after,
        });
  const objects = result.keys
    .map((key) => index.get(key))
    .filter((object): object is StoredObject => object !== undefined);
  return { ...result, objects };
}

function contents(objects: StoredObject[], parameters: ListParameters, owner: boolean): XmlValue[] {
  const ownerId = canonicalUserId(parameters.bucket.record.ownerAccountId);
  return objects.map((object) => ({
    Key: parameters.encode(object.key),
    LastModified: new Date(object.lastModified),
    ETag: object.etag,
    ChecksumAlgorithm: CHECKSUM_ALGORITHMS.filter((algorithm) => object.checksums[algorithm] !== undefined),
    ChecksumType: Object.keys(object.checksums).length > 0 ? (object.checksumType ?? 'FULL_OBJECT') : undefined,
    Size: object.size,
    StorageClass: 'STANDARD',
    Owner: owner ? { ID: ownerId } : undefined,
  }));
}

/** Continuation tokens are opaque to clients; ours name the last key or common prefix returned. */
const encodeToken = (last: string) => Buffer.from(JSON.stringify({ after: last })).toString('base64url');

function decodeToken(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // falls through to the error below
  }
  throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
}

export async function listObjectsV2(request: S3Request): Promise<void> {
  const parameters = await prepareListing(request);
  const token = request.query.get('continuation-token');
  const startAfter = request.query.get('start-after');
  const after = token !== null ? decodeToken(token) : (startAfter ?? '');
  const result = await page(parameters, after);
  const encoded = parameters.encode;
  sendXml(
    request.response,
    renderDocument('ListBucketResult', {
      Name: parameters.bucket.name,
      Prefix: encoded(parameters.prefix),
      Delimiter: request.query.has('delimiter') ? encoded(parameters.delimiter) : undefined,
      MaxKeys: parameters.maxKeys,
      KeyCount: result.keys.length + result.commonPrefixes.length,
      IsTruncated: result.isTruncated,
      ContinuationToken: token ?? undefined,
      NextContinuationToken: result.isTruncated && result.last !== undefined ? encodeToken(result.last) : undefined,
      StartAfter: startAfter === null ? undefined : encoded(startAfter),
      EncodingType: request.query.get('encoding-type') ?? undefined,
      Contents: contents(result.objects, parameters, request.query.get('fetch-owner') === 'true'),
      CommonPrefixes: result.commonPrefixes.map((prefix) => ({ Prefix: encoded(prefix) })),
    }),
  );
}

export async function listObjectsV1(request: S3Request): Promise<void> {
  const parameters = await prepareListing(request);
  const marker = request.query.get('marker') ?? '';
  const result = await page(parameters, marker);
  const encoded = parameters.encode;
  sendXml(
    request.response,
    renderDocument('ListBucketResult', {
      Name: parameters.bucket.name,
      Prefix: encoded(parameters.prefix),
      Marker: encoded(marker),
      Delimiter: request.query.has('delimiter') ? encoded(parameters.delimiter) : undefined,
      MaxKeys: parameters.maxKeys,
      IsTruncated: result.isTruncated,
      NextMarker: result.isTruncated && result.last !== undefined ? encoded(result.last) : undefined,
      EncodingType: request.query.get('encoding-type') ?? undefined,
      Contents: contents(result.objects, parameters, true),
      CommonPrefixes: result.commonPrefixes.map((prefix) => ({ Prefix: encoded(prefix) })),
    }),
  );
}
