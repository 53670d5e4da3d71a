import type { FileCheckpoint } from '#shared/exports/file-store';
import { readSourceBytes } from '#shared/exports/worker/backup-source';
import { destinationKeyOf, sourceFileOf, verifyStored, type CopyEnv } from '#shared/exports/worker/copy-env';
import { crc32Of, toBase64 } from '#shared/exports/worker/crc32';
import { fromSource } from '#shared/exports/worker/export-failure';
import { withRetries } from '#shared/exports/worker/retry';

/**
 * Copies a file small enough for one PutObject: read it whole, compute its CRC32, put it with that
 * checksum (S3 refuses a body that does not match), read back size and checksum, then checkpoint.
 * A retry re-reads the source and overwrites the same key: never a second copy.
 */
export async function copySmallFile(env: CopyEnv, file: FileCheckpoint): Promise<void> {
  const key = destinationKeyOf(env, file);
  const crc32 = await withRetries(async () => {
    const body = await fromSource(file.name, env.signal, () =>
      readSourceBytes(env.source, sourceFileOf(file), { offset: 0, length: file.size }, env.signal),
    );
    const checksum = toBase64(crc32Of(body));
    await env.access.step('PutObject', env.signal, () => env.writes.putObject(key, body, checksum, env.signal));
    const stored = await env.access.step('HeadObject', env.signal, () => env.writes.stat(key, env.signal));
    verifyStored(stored, { size: file.size, crc32: checksum }, file.name);
    return checksum;
  }, env.signal);
  await env.checkpoints.fileDone(file.index, crc32);
  file.state = 'DONE';
  file.crc32 = crc32;
  env.progress.addBytes(file.size);
  env.progress.addFile();
}
