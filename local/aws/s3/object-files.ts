import { open, type FileHandle } from 'node:fs/promises';
import { isMissingFile } from '#local/aws/s3/files';
import type { StoredObject } from '#local/aws/s3/model';
import type { BucketStore } from '#local/aws/s3/store';

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
