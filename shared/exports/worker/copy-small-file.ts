/**
 * Copies a file small enough for one PutObject and answers its CRC32. The read asks S3 for the
 * backup file's stored checksum, which the SDK checks against the body; the put carries the CRC32
 * of those bytes, which S3 checks against what it received (BadDigest otherwise) and reports back,
 * and we compare that report too. The put creates the object only if the key holds none; if it
 * holds one, it must be exactly this file (existing-object.ts). Sizes are checked for all files at
 * once before the manifest (verify-export.ts). A retry re-reads the source.
 */
import type { PlannedFile } from '#shared/exports/checkpoints/file-groups';
import { readWholeFile } from '#shared/exports/worker/backup-source';
import { destinationKeyOf, sourceFileOf, type CopyEnv } from '#shared/exports/worker/copy-env';
import { crc32Of, toBase64 } from '#shared/exports/worker/crc32';
import { fromSource } from '#shared/exports/worker/export-failure';
import { acceptExistingObject, isPreconditionFailed } from '#shared/exports/worker/existing-object';
import { IntegrityError, withRetries } from '#shared/exports/worker/retry';

export async function copySmallFile(env: CopyEnv, file: PlannedFile): Promise<string> {
  const key = destinationKeyOf(env, file);
  return withRetries(async () => {
    const body = await fromSource(file.name, env.signal, () =>
      readWholeFile(env.source, sourceFileOf(env, file), env.signal),
    );
    const checksum = toBase64(crc32Of(body));
    try {
      const stored = await env.access.step('PutObject', env.signal, () =>
        env.writes.putObject(key, body, checksum, env.signal),
      );
      if (stored !== checksum)
        throw new IntegrityError(`checksum check failed for ${file.name}: S3 reported ${stored ?? 'no CRC32'}`);
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      await acceptExistingObject(env, key, { size: file.size, crc32: checksum });
    }
    return checksum;
  }, env.signal);
}
