import type { FileCheckpoint } from '#shared/exports/file-store';
import { readWholeFile } from '#shared/exports/worker/backup-source';
import { destinationKeyOf, sourceFileOf, type CopyEnv } from '#shared/exports/worker/copy-env';
import { crc32Of, toBase64 } from '#shared/exports/worker/crc32';
import { fromSource } from '#shared/exports/worker/export-failure';
import { IntegrityError, withRetries } from '#shared/exports/worker/retry';

/**
 * Copies a file small enough for one PutObject. The read asks S3 for the backup file's stored
 * checksum, which the SDK checks against the body; the put carries the CRC32 of those bytes, which
 * S3 checks against what it received (BadDigest otherwise) and reports back, and we compare that
 * report too. Sizes are checked for all files at once before the manifest (verify-export.ts).
 * A retry re-reads the source and overwrites the same key: never a second copy.
 */
export async function copySmallFile(env: CopyEnv, file: FileCheckpoint): Promise<void> {
  const key = destinationKeyOf(env, file);
  const crc32 = await withRetries(async () => {
    const body = await fromSource(file.name, env.signal, () =>
      readWholeFile(env.source, sourceFileOf(file), env.signal),
    );
    const checksum = toBase64(crc32Of(body));
    const stored = await env.access.step('PutObject', env.signal, () =>
      env.writes.putObject(key, body, checksum, env.signal),
    );
    if (stored !== checksum)
      throw new IntegrityError(`checksum check failed for ${file.name}: S3 reported ${stored ?? 'no CRC32'}`);
    return checksum;
  }, env.signal);
  Object.assign(file, { state: 'DONE', crc32 });
  env.progress.addBytes(file.size);
  env.progress.addFile();
  await env.checkpoints.smallFileDone(file, crc32);
}
