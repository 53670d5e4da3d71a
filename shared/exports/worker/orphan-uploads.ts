/**
 * Parts of an unfinished multipart upload are stored (and billed) until the upload is aborted. An
 * upload can be left behind without any checkpoint naming it: its creator crashed between
 * CreateMultipartUpload and the write that records the id, or the SDK retried a creation whose
 * answer was lost (S3 then holds two). So the export folder's unfinished uploads are listed
 * (ListMultipartUploads with the folder as prefix) and every one the job does not own any more is
 * aborted: before a plan creates uploads, once every file is complete, and when the job fails.
 * Nothing else writes into the folder (the session policy allows only it), so what is there and
 * not kept is ours to abort.
 *
 * Best effort: a role whose policy predates s3:ListBucketMultipartUploads is refused the listing
 * (logged); the bucket's lifecycle rule (AbortIncompleteMultipartUpload) is then the remedy.
 */
import { nameOf, statusOf } from '#shared/aws/error-kinds';
import { logger } from '#shared/logger';
import type { CopyEnv } from '#shared/exports/worker/copy-env';
import { withRetries } from '#shared/exports/worker/retry';
import { inParallel } from '#shared/worker/in-parallel';

const ABORTS_IN_FLIGHT = 8;

export interface UploadSweep {
  aborted: number;
  refused: number;
  /** False when the listing itself was refused. */
  listed: boolean;
}

export async function abortUploadsNotKept(env: CopyEnv, keep: ReadonlySet<string> = new Set()): Promise<UploadSweep> {
  let open: Array<{ key: string; uploadId: string }>;
  try {
    open = await withRetries(() => env.writes.openUploads(env.exportFolder, env.signal), env.signal);
  } catch (error) {
    if (env.signal.aborted) throw error;
    // A missing bucket or a moved one fails the job as any other call would; a refusal does not.
    if (statusOf(error) !== 403) throw await env.access.explain('ListMultipartUploads', error);
    logger.warn(
      'the role may not list unfinished uploads (s3:ListBucketMultipartUploads): ' +
        'uploads no checkpoint names are left to the bucket lifecycle rule',
    );
    return { aborted: 0, refused: 0, listed: false };
  }
  const doomed = open.filter((upload) => !keep.has(upload.uploadId));
  let aborted = 0;
  let refused = 0;
  await inParallel(doomed, ABORTS_IN_FLIGHT, async (upload) => {
    try {
      await withRetries(() => env.writes.abortUpload(upload.key, upload.uploadId, env.signal), env.signal);
      aborted += 1;
    } catch (error) {
      if (nameOf(error) === 'NoSuchUpload') return; // gone meanwhile
      if (env.signal.aborted) throw error;
      refused += 1;
    }
  });
  if (aborted + refused > 0)
    logger.info('aborted unfinished multipart uploads in the export folder', { aborted, refused });
  return { aborted, refused, listed: true };
}
