/**
 * ListObjectVersions (`GET /<bucket>?versions`): every version and delete marker, keys in UTF-8
 * order and each key's versions newest first, paginated with key-marker / version-id-marker as
 * S3 does. Each version, delete marker and common prefix counts once against max-keys.
 */
import { canonicalUserId } from '#endpoint/s3/buckets';
import { CHECKSUM_ALGORITHMS } from '#endpoint/s3/checksums';
import type { S3Request } from '#endpoint/s3/context';
import { invalidArgument } from '#endpoint/s3/errors';
import { prepareListing } from '#endpoint/s3/listing';
import { isDeleteMarker, type ObjectVersion } from '#endpoint/s3/model';
import { compareUtf8 } from '#endpoint/s3/object-index';
import { sendXml } from '#endpoint/s3/responses';
import { versionIdOf, type ObjectVersions } from '#endpoint/s3/versions';
import { renderXml, type XmlValue } from '#endpoint/protocols';
import { S3_NAMESPACE } from '#endpoint/s3/xml';

export interface VersionsQuery {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  keyMarker: string;
  versionIdMarker?: string;
}

export type VersionsEntry = { version: ObjectVersion; isLatest: boolean } | { commonPrefix: string };

export interface VersionsPage {
  entries: VersionsEntry[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
}

export function listVersionsPage(versions: ObjectVersions, query: VersionsQuery): VersionsPage {
  const { prefix, delimiter, maxKeys, keyMarker, versionIdMarker } = query;
  const page: VersionsPage = { entries: [], isTruncated: false };
  if (maxKeys === 0) return page;
  const start = compareUtf8(keyMarker, prefix) > 0 ? keyMarker : prefix;
  // With a version-id marker the listing resumes inside the marker key; without, after it.
  const resumeInside = versionIdMarker !== undefined && start === keyMarker;
  const full = () => page.entries.length >= maxKeys;
  let rolledUp: string | undefined;

  walk: for (const key of versions.stacks.keysFrom(start, start === keyMarker && !resumeInside)) {
    if (!key.startsWith(prefix)) break;
    if (rolledUp !== undefined && key.startsWith(rolledUp)) continue;
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut !== -1) {
      rolledUp = key.slice(0, cut + delimiter.length);
      // A common prefix at or before the marker was returned on an earlier page.
      if (compareUtf8(rolledUp, keyMarker) <= 0) continue;
      if (full()) {
        page.isTruncated = true;
        break;
      }
      page.entries.push({ commonPrefix: rolledUp });
      continue;
    }
    const stack = versions.stacks.get(key) ?? [];
    // A marker version that is gone since the last page: list the whole key again (never skip).
    const from =
      resumeInside && key === keyMarker
        ? stack.findIndex((version) => versionIdOf(version) === versionIdMarker) + 1
        : 0;
    for (let index = from; index < stack.length; index += 1) {
      if (full()) {
        page.isTruncated = true;
        break walk;
      }
      page.entries.push({ version: stack[index] as ObjectVersion, isLatest: index === 0 });
    }
  }
  const last = page.entries[page.entries.length - 1];
  if (page.isTruncated && last) {
    if ('commonPrefix' in last) page.nextKeyMarker = last.commonPrefix;
    else {
      page.nextKeyMarker = last.version.key;
      page.nextVersionIdMarker = versionIdOf(last.version);
    }
  }
  return page;
}

export async function listObjectVersions(request: S3Request): Promise<void> {
  const parameters = await prepareListing(request, 's3:ListBucketVersions');
  const { bucket, encode } = parameters;
  const keyMarker = request.query.get('key-marker') ?? '';
  const versionIdMarker = request.query.get('version-id-marker') ?? undefined;
  if (versionIdMarker !== undefined && keyMarker === '') {
    throw invalidArgument(
      'A version-id marker cannot be specified without a key marker.',
      'version-id-marker',
      versionIdMarker,
    );
  }
  const page = listVersionsPage(await bucket.versions(), {
    ...parameters,
    keyMarker,
    ...(versionIdMarker === undefined ? {} : { versionIdMarker }),
  });
  const owner = { ID: canonicalUserId(bucket.record.ownerAccountId) };
  const head: Record<string, XmlValue> = {
    Name: bucket.name,
    Prefix: encode(parameters.prefix),
    KeyMarker: encode(keyMarker),
    VersionIdMarker: versionIdMarker ?? '',
    NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
    NextVersionIdMarker: page.nextVersionIdMarker,
    MaxKeys: parameters.maxKeys,
    Delimiter: request.query.has('delimiter') ? encode(parameters.delimiter) : undefined,
    IsTruncated: page.isTruncated,
  };
  // Versions and delete markers interleave in listing order, so they are rendered one by one.
  const entries = page.entries.map((entry) => {
    if ('commonPrefix' in entry) return renderXml('CommonPrefixes', { Prefix: encode(entry.commonPrefix) }, 'flat');
    const { version, isLatest } = entry;
    const common = {
      Key: encode(version.key),
      VersionId: versionIdOf(version),
      IsLatest: isLatest,
      LastModified: new Date(version.lastModified),
    };
    if (isDeleteMarker(version)) return renderXml('DeleteMarker', { ...common, Owner: owner }, 'flat');
    return renderXml(
      'Version',
      {
        ...common,
        ETag: version.etag,
        Size: version.size,
        Owner: owner,
        StorageClass: 'STANDARD',
        ChecksumAlgorithm: CHECKSUM_ALGORITHMS.filter((algorithm) => version.checksums[algorithm] !== undefined),
        ChecksumType: Object.keys(version.checksums).length > 0 ? (version.checksumType ?? 'FULL_OBJECT') : undefined,
      },
      'flat',
    );
  });
  const body =
    Object.entries(head)
      .map(([name, value]) => renderXml(name, value, 'flat'))
      .join('') +
    entries.join('') +
    renderXml('EncodingType', request.query.get('encoding-type') ?? undefined, 'flat');
  sendXml(
    request.response,
    `<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult xmlns="${S3_NAMESPACE}">${body}</ListVersionsResult>`,
  );
}
