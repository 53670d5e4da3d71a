import { open, type FileHandle } from 'node:fs/promises';
import { noSuchKey } from '#local/aws/s3/errors';
import { isMissingFile } from '#local/aws/s3/files';
import type { StoredObject } from '#local/aws/s3/model';
import type { BucketStore } from '#local/aws/s3/bucket-store';
import { HIGH_WATER_MARK } from '#local/aws/s3/streams';

export interface OpenObject {
  object: StoredObject;
  handle: FileHandle;
}

/**
 * Opens the current version of a key for reading. A concurrent overwrite may unlink the data
 * file between the index lookup and the open; then the newer version is looked up again. Once
 * open, the bytes stay readable even if the object is replaced or deleted meanwhile.
 */
export async function openObject(bucket: BucketStore, key: string): Promise<OpenObject | undefined> {
  const index = await bucket.objects();
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const object = index.get(key);
    if (!object) return undefined;
    try {
      return { object, handle: await open(bucket.dataPath(object.dataFile), 'r') };
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
  }
  throw new Error(`the data of ${key} kept changing while being opened`);
}

/** Runs `use` with the key's current version open (NoSuchKey if there is none), then closes it. */
export async function withOpenObject<T>(bucket: BucketStore, key: string, use: (opened: OpenObject) => Promise<T>): Promise<T> {
  const opened = await openObject(bucket, key);
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
