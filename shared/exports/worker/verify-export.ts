import type { FileCheckpoint } from '#shared/exports/file-store';
import { destinationKeyOf, type CopyEnv } from '#shared/exports/worker/copy-env';
import { withRetries } from '#shared/exports/worker/retry';

/**
 * The last check before the manifest: S3's own listing of the export folder must show every file
 * with exactly the source's size. Checksums were already enforced by S3 on every write; this
 * catches what could happen after a write (an object deleted or overwritten by a lifecycle rule,
 * replication or another writer) with one request per thousand files instead of one per file.
 */
export async function filesFailingSizeCheck(env: CopyEnv, files: FileCheckpoint[]): Promise<FileCheckpoint[]> {
  const sizes = await withRetries(
    () => env.access.step('ListObjectsV2', env.signal, () => env.writes.sizesBelow(env.destinationPrefix, env.signal)),
    env.signal,
  );
  return files.filter((file) => sizes.get(destinationKeyOf(env, file)) !== file.size);
}
