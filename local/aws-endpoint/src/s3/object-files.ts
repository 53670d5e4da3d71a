/**
 * Opening stored object versions for reading (GetObject, HeadObject, copy sources), safe against
 * a concurrent overwrite or delete, and streaming their bytes.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { invalidRequest, noSuchKey } from '#endpoint/s3/errors';
import { isMissingFile } from '#endpoint/s3/files';
import { isDeleteMarker, type StoredObject } from '#endpoint/s3/model';
import type { BucketStore } from '#endpoint/s3/bucket-store';
import { HIGH_WATER_MARK } from '#endpoint/s3/streams';
import { noSuchVersion } from '#endpoint/s3/versioning';

export interface OpenObject {
  object: StoredObject;
  handle: FileHandle;
}

/**
 * Opens the current version of a key (or the version named) for reading. A concurrent overwrite
 * may unlink the data file between the lookup and the open; then the version is looked up again.
 * Once open, the bytes stay readable even if the object is replaced or deleted meanwhile.
 * Nothing to open (no such version, or a delete marker) answers undefined.
 */
export async function openObject(
  bucket: BucketStore,
  key: string,
  versionId?: string,
): Promise<OpenObject | undefined> {
  const versions = await bucket.versions();
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const object = versionId === undefined ? versions.current.get(key) : versions.get(key, versionId);
    if (!object || isDeleteMarker(object)) return undefined;
    try {
      return { object, handle: await open(bucket.dataPath(object.dataFile), 'r') };
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
  }
  throw new Error(`the data of ${key} kept changing while being opened`);
}

/**
 * Runs `use` with a copy source open (the current version, or the version named), then closes
 * it. NoSuchKey / NoSuchVersion when there is none; a delete marker named by id is refused.
 */
export async function withOpenObject<T>(
  bucket: BucketStore,
  key: string,
  use: (opened: OpenObject) => Promise<T>,
  versionId?: string,
): Promise<T> {
  const opened = await openObject(bucket, key, versionId);
  if (!opened && versionId !== undefined) {
    const version = (await bucket.versions()).get(key, versionId);
    if (version && isDeleteMarker(version))
      throw invalidRequest('The source of a copy request may not specifically refer to a delete marker by version id.');
    throw noSuchVersion(key, versionId);
  }
  if (!opened) throw noSuchKey(key);
  try {
    return await use(opened);
  } finally {
    await opened.handle.close();
  }
}

/** The bytes `start..end` (inclusive) of an open object; none for an empty range. */
export function objectBytes(opened: OpenObject, start = 0, end = opened.object.size - 1): NodeJS.ReadableStream[] {
  if (end < start) return [];
  return [opened.handle.createReadStream({ start, end, highWaterMark: HIGH_WATER_MARK, autoClose: false })];
}
