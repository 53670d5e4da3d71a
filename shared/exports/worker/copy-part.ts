/**
 * Copies one part of a large file into its multipart upload and answers what to record. The part
 * streams from a range GET straight into UploadPart (part-stream.ts): on the way we compute its
 * CRC32 and count its bytes, the SDK sends a trailing CRC32 of the same bytes that S3 verifies, and
 * S3's reported CRC32 must equal ours. Re-sending a part under the same number replaces it, so a
 * retried part never adds bytes. `NoSuchUpload` (the upload was aborted) is left to the caller.
 */
import type { PlannedFile } from '#shared/exports/checkpoints/file-groups';
import type { UploadedPart } from '#shared/exports/checkpoints/part-ledger';
import type { PartRange } from '#shared/exports/part-layout';
import { openSourceRange } from '#shared/exports/worker/backup-source';
import { destinationKeyOf, sourceFileOf, type CopyEnv } from '#shared/exports/worker/copy-env';
import { fromSource } from '#shared/exports/worker/export-failure';
import { PartStream } from '#shared/exports/worker/part-stream';
import { IntegrityError, withRetries } from '#shared/exports/worker/retry';

export function copyPart(env: CopyEnv, file: PlannedFile, uploadId: string, part: PartRange): Promise<UploadedPart> {
  const key = destinationKeyOf(env, file);
  return withRetries(async (): Promise<UploadedPart> => {
    const source = await fromSource(file.name, env.signal, () =>
      openSourceRange(env.source, sourceFileOf(env, file), part, env.signal),
    );
    const broken = new AbortController();
    const body = new PartStream(source, part.length, (error) => broken.abort(error));
    try {
      const { etag, crc32: stored } = await env.access.step('UploadPart', env.signal, () =>
        env.writes.uploadPart(
          key,
          uploadId,
          part.partNumber,
          body,
          part.length,
          AbortSignal.any([env.signal, broken.signal]),
        ),
      );
      if (!body.complete || stored !== body.crc32) {
        throw new IntegrityError(`checksum check failed for part ${part.partNumber} of ${file.name}`);
      }
      return { partNumber: part.partNumber, etag, crc32: body.crc32, size: part.length };
    } catch (error) {
      // A broken read surfaces as an aborted request: report the read, which is worth a retry.
      throw broken.signal.aborted && !env.signal.aborted ? broken.signal.reason : error;
    } finally {
      body.destroy();
    }
  }, env.signal);
}
