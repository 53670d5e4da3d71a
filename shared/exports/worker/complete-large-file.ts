/**
 * The finisher's work on one large file: complete its multipart upload from the parts the lanes
 * recorded, and make sure the result is exactly the source. Parts no lane recorded for the current
 * upload (a lane met `NoSuchUpload`, or the file's object vanished after completion) are copied
 * here first; an upload S3 no longer knows is replaced by a new one (recorded on condition it is
 * still the lost one) and the file copied again. The completion is create-only (`If-None-Match: *`):
 * `NoSuchUpload` or 412 after a completion whose answer was lost finds our object there, and it
 * counts once HeadObject shows the expected size and CRC32.
 */
import { nameOf, statusOf } from '#shared/aws/error-kinds';
import { logger } from '#shared/logger';
import type { AttemptRef } from '#shared/exports/checkpoints/attempt';
import {
  replaceUpload,
  type FileGroup,
  type MultipartUpload,
  type PlannedFile,
} from '#shared/exports/checkpoints/file-groups';
import { FINISHER_EPOCH, PartLedger } from '#shared/exports/checkpoints/part-ledger';
import { partCountOf, partRange, partSizeFor } from '#shared/exports/part-layout';
import { inParallel } from '#shared/worker/in-parallel';
import { destinationKeyOf, verifyStored, type CopyEnv, type ExpectedObject } from '#shared/exports/worker/copy-env';
import { copyPart } from '#shared/exports/worker/copy-part';
import { combineParts, compositeChecksum, fromBase64, toBase64 } from '#shared/exports/worker/crc32';
import { ExportFailure } from '#shared/exports/worker/export-failure';
import { acceptExistingObject, isPreconditionFailed } from '#shared/exports/worker/existing-object';
import { withRetries } from '#shared/exports/worker/retry';

/** Parts of one file the finisher copies at once (each streams; none is held whole). */
const REPAIR_PARTS_IN_FLIGHT = 4;

class UploadLost extends Error {}

/**
 * Completes the file's upload; answers the whole file's CRC32. With `fresh`, copies the file again
 * into a new upload.
 */
export async function completeLargeFile(
  env: CopyEnv,
  attempt: AttemptRef,
  group: FileGroup,
  fresh = false,
): Promise<string> {
  const [file] = group.files;
  if (!file || !group.upload) throw new Error(`group ${group.group} is not a planned multipart file`);
  let upload = group.upload;
  let ledger = await PartLedger.load(attempt, group.group, upload);
  if (fresh) ({ upload, ledger } = await newUpload(env, attempt, group, upload, ledger));
  for (let round = 0; ; round += 1) {
    try {
      await copyMissingParts(env, file, ledger);
      return await complete(env, file, ledger);
    } catch (error) {
      if (!(error instanceof UploadLost) || round >= 2) throw error;
      logger.warn('multipart upload gone before completion: copying the file again', { group: group.group });
      ({ upload, ledger } = await newUpload(env, attempt, group, upload, ledger));
    }
  }
}

async function newUpload(
  env: CopyEnv,
  attempt: AttemptRef,
  group: FileGroup,
  lost: MultipartUpload,
  ledger: PartLedger,
) {
  const [file] = group.files as [PlannedFile];
  const uploadId = await withRetries(
    () =>
      env.access.step('CreateMultipartUpload', env.signal, () =>
        env.writes.createUpload(destinationKeyOf(env, file), env.signal),
      ),
    env.signal,
  );
  const upload = { uploadId, partSize: lost.partSize || partSizeFor(file.size) };
  if (!(await replaceUpload(attempt, group.group, lost.uploadId, upload)))
    throw new Error(`the upload of group ${group.group} was replaced by another finisher`);
  group.upload = upload;
  ledger.replaced(upload);
  return { upload, ledger };
}

async function copyMissingParts(env: CopyEnv, file: PlannedFile, ledger: PartLedger): Promise<void> {
  const count = partCountOf(file.size, ledger.partSize);
  const missing = Array.from({ length: count }, (_, index) => index + 1).filter(
    (partNumber) => !ledger.has(partNumber),
  );
  const { uploadId } = ledger;
  await inParallel(missing, REPAIR_PARTS_IN_FLIGHT, async (partNumber) => {
    try {
      const part = await copyPart(env, file, uploadId, partRange(file.size, ledger.partSize, partNumber));
      await ledger.record(uploadId, part, FINISHER_EPOCH);
    } catch (error) {
      if (nameOf(error) === 'NoSuchUpload') throw new UploadLost();
      throw error;
    }
  });
}

async function complete(env: CopyEnv, file: PlannedFile, ledger: PartLedger): Promise<string> {
  const parts = ledger.parts();
  const crc32 = toBase64(combineParts(parts.map((part) => ({ crc32: fromBase64(part.crc32), size: part.size }))));
  const expected: ExpectedObject = {
    size: file.size,
    crc32,
    composite: compositeChecksum(parts.map((part) => fromBase64(part.crc32))),
  };
  // What we read must be what the platform stored: checked before anything is assembled.
  if (file.sourceCrc32 !== undefined && file.sourceCrc32 !== crc32) {
    throw new ExportFailure(
      'VERIFICATION_FAILED',
      `The bytes read from the backup file "${file.name}" do not match its stored checksum. ` +
        'Export the backup again; if this repeats, contact support.',
    );
  }
  const key = destinationKeyOf(env, file);
  await withRetries(async () => {
    try {
      await env.access.step('CompleteMultipartUpload', env.signal, () =>
        env.writes.completeUpload(key, ledger.uploadId, parts, file.size, env.signal),
      );
    } catch (error) {
      if (isPreconditionFailed(error)) return acceptExistingObject(env, key, expected);
      if (nameOf(error) === 'ConditionalRequestConflict') throw new UploadLost();
      if (nameOf(error) !== 'NoSuchUpload') throw error;
      // Completed by an earlier finisher that stopped before its mark, or aborted: the object tells which.
      try {
        return await acceptExistingObject(env, key, expected);
      } catch (missing) {
        if (statusOf(missing) === 404) throw new UploadLost();
        throw missing;
      }
    }
    const stored = await env.access.step('HeadObject', env.signal, () => env.writes.stat(key, env.signal));
    verifyStored(stored, expected, file.name);
  }, env.signal);
  return crc32;
}
