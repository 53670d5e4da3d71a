/**
 * The last check before the manifest: S3's own listing of the export folder must show every file
 * with exactly the source's size. Checksums were already enforced by S3 on every write; this
 * catches what could happen after a write (an object deleted or overwritten by a lifecycle rule,
 * replication or another writer) with one request per thousand files instead of one per file.
 * The listing is bounded (CustomerWrites.sizesOf): if the customer's own keys crowd the folder,
 * the files it did not reach are checked one by one, so the work stays proportional to the export.
 */
import { statusOf } from '#shared/aws/error-kinds';
import type { PlannedFile } from '#shared/exports/checkpoints/file-groups';
import { destinationKeyOf, type CopyEnv } from '#shared/exports/worker/copy-env';
import { withRetries } from '#shared/exports/worker/retry';
import { inParallel } from '#shared/worker/in-parallel';

const HEADS_IN_FLIGHT = 16;

export interface SizeCheck {
  /** Copies that are gone: they may be written again (a create-only write succeeds where nothing is). */
  missing: PlannedFile[];
  /** Copies that changed size: never overwritten. */
  changed: PlannedFile[];
}

export async function checkSizes(env: CopyEnv, files: PlannedFile[]): Promise<SizeCheck> {
  const wanted = new Set(files.map((file) => destinationKeyOf(env, file)));
  const { sizes, complete } = await withRetries(
    () => env.access.step('ListObjectsV2', env.signal, () => env.writes.sizesOf(env.exportFolder, wanted, env.signal)),
    env.signal,
  );
  if (!complete) {
    const unseen = files.filter((file) => !sizes.has(destinationKeyOf(env, file)));
    await inParallel(unseen, HEADS_IN_FLIGHT, async (file) => {
      const key = destinationKeyOf(env, file);
      try {
        const stored = await withRetries(
          () => env.access.step('HeadObject', env.signal, () => env.writes.stat(key, env.signal)),
          env.signal,
        );
        sizes.set(key, stored.size);
      } catch (error) {
        // A copy that is gone is missing (copied again); any other error stops the verification.
        if (statusOf(error) !== 404) throw error;
      }
    });
  }
  const sizeOf = (file: PlannedFile) => sizes.get(destinationKeyOf(env, file));
  return {
    missing: files.filter((file) => sizeOf(file) === undefined),
    changed: files.filter((file) => sizeOf(file) !== undefined && sizeOf(file) !== file.size),
  };
}
