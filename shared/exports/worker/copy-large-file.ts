import { nameOf } from '#shared/aws/error-kinds';
import type { FileCheckpoint, UploadedPart } from '#shared/exports/file-store';
import { openSourceRange } from '#shared/exports/worker/backup-source';
import { destinationKeyOf, sourceFileOf, verifyStored, type CopyEnv } from '#shared/exports/worker/copy-env';
import { combineParts, compositeChecksum, fromBase64, toBase64 } from '#shared/exports/worker/crc32';
import { ExportFailure, fromSource } from '#shared/exports/worker/export-failure';
import { PartStream } from '#shared/exports/worker/part-stream';
import { IntegrityError, RetriesExhaustedError, withRetries } from '#shared/exports/worker/retry';

const MiB = 1024 * 1024;
/** Files up to this size go in one PutObject; larger ones as multipart uploads. */
export const SINGLE_PUT_MAX_BYTES = 8 * MiB;
const MIN_PART_BYTES = 8 * MiB;
/** Keeps a file's part list (in its checkpoint item) well inside DynamoDB's 400 KB item limit. */
const MAX_PARTS = 4000;

/** Parts of at least 8 MiB, larger for huge files so that no file needs more than MAX_PARTS parts. */
export const partSizeFor = (size: number) => Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / MiB) * MiB);

export interface PartRange {
  partNumber: number;
  offset: number;
  length: number;
}

/**
 * Copies one large file as a multipart upload whose state lives in the file's checkpoint: the
 * upload id is recorded right after it is created, and each part (ETag, CRC32, size) right after
 * S3 accepted it. A later invocation uploads only the parts not recorded yet; re-sending a part
 * under the same number replaces it, so a retried part never adds bytes. Every part carries the
 * CRC32 of its source bytes; completion names the whole file's size and CRC32 (combined from the
 * parts), which S3 checks against the assembled object before HeadObject confirms them again.
 */
export class LargeFileCopy {
  private upload: Promise<string> | undefined;
  private readonly partRuns: Array<Promise<void>> = [];

  constructor(
    private readonly env: CopyEnv,
    private readonly file: FileCheckpoint,
  ) {}

  private get key() {
    return destinationKeyOf(this.env, this.file);
  }

  private get partSize() {
    return this.file.upload?.partSize ?? partSizeFor(this.file.size);
  }

  /** The parts no invocation has recorded yet, in order. */
  missingParts(): PartRange[] {
    const count = Math.ceil(this.file.size / this.partSize);
    const parts: PartRange[] = [];
    for (let partNumber = 1; partNumber <= count; partNumber += 1) {
      if (this.file.parts?.[String(partNumber)]) continue;
      const offset = (partNumber - 1) * this.partSize;
      parts.push({ partNumber, offset, length: Math.min(this.partSize, this.file.size - offset) });
    }
    return parts;
  }

  copyPart(part: PartRange): Promise<void> {
    const run = this.uploadPart(part);
    this.partRuns.push(run.catch(() => undefined));
    return run;
  }

  /** Completes the upload once every part is recorded; if a part failed in this invocation, leaves it for the next. */
  async complete(): Promise<void> {
    await Promise.all(this.partRuns);
    if (this.missingParts().length > 0 || !this.file.upload) return;
    const { uploadId } = this.file.upload;
    const parts = Object.entries(this.file.parts ?? {})
      .map(([partNumber, part]) => ({ partNumber: Number(partNumber), ...part }))
      .sort((a, b) => a.partNumber - b.partNumber);
    const crc32 = toBase64(combineParts(parts.map((part) => ({ crc32: fromBase64(part.crc32), size: part.size }))));
    const composite = compositeChecksum(parts.map((part) => fromBase64(part.crc32)));
    const expected = { size: this.file.size, crc32, composite };
    const { env } = this;
    // What we read must be what the platform stored: checked before anything is assembled.
    if (this.file.sourceCrc32 !== undefined && this.file.sourceCrc32 !== crc32) {
      throw new ExportFailure(
        'VERIFICATION_FAILED',
        `The bytes read from the backup file "${this.file.name}" do not match its stored checksum. Export the backup again; if this repeats, contact support.`,
      );
    }
    await withRetries(async () => {
      try {
        await env.access.step('CompleteMultipartUpload', env.signal, () =>
          env.writes.completeUpload(this.key, uploadId, parts, this.file.size, env.signal),
        );
      } catch (error) {
        // Completed by an earlier invocation that stopped before its checkpoint: the object is there.
        if (nameOf(error) !== 'NoSuchUpload') throw error;
        await this.confirmCompletedEarlier(expected);
        return;
      }
      const stored = await env.access.step('HeadObject', env.signal, () => env.writes.stat(this.key, env.signal));
      verifyStored(stored, expected, this.file.name);
    }, env.signal);
    await env.checkpoints.largeFileDone(this.file, crc32);
    Object.assign(this.file, { state: 'DONE', crc32, upload: undefined, parts: undefined });
    env.progress.addFile();
  }

  private async confirmCompletedEarlier(expected: { size: number; crc32: string; composite: string }): Promise<void> {
    const { env } = this;
    const stored = await env.access
      .step('HeadObject', env.signal, () => env.writes.stat(this.key, env.signal))
      .catch(() => undefined);
    try {
      if (!stored) throw new Error('no object');
      verifyStored(stored, expected, this.file.name);
    } catch {
      await this.forgetUpload();
      throw new RetriesExhaustedError(new Error('the multipart upload vanished before completion'));
    }
  }

  /** S3 no longer knows the upload (aborted by a lifecycle rule or by hand): start the file over next time. */
  private async forgetUpload(): Promise<void> {
    await this.env.checkpoints.uploadLost(this.file);
    this.env.progress.addBytes(-Object.values(this.file.parts ?? {}).reduce((sum, part) => sum + part.size, 0));
    Object.assign(this.file, { state: 'PENDING', upload: undefined, parts: undefined });
  }

  private ensureUpload(): Promise<string> {
    const existing = this.file.upload;
    if (existing) return Promise.resolve(existing.uploadId);
    this.upload ??= (async () => {
      const { env } = this;
      const uploadId = await withRetries(
        () => env.access.step('CreateMultipartUpload', env.signal, () => env.writes.createUpload(this.key, env.signal)),
        env.signal,
      );
      const upload = { uploadId, partSize: this.partSize };
      await env.checkpoints.uploadStarted(this.file, upload);
      Object.assign(this.file, { state: 'UPLOADING', upload, parts: {} });
      return uploadId;
    })();
    // A failed creation may be tried again by the next part.
    this.upload.catch(() => {
      this.upload = undefined;
    });
    return this.upload;
  }

  private async uploadPart(part: PartRange): Promise<void> {
    const { env } = this;
    const uploadId = await this.ensureUpload();
    const uploaded = await withRetries(async (): Promise<UploadedPart> => {
      const source = await fromSource(this.file.name, env.signal, () =>
        openSourceRange(env.source, sourceFileOf(this.file), { offset: part.offset, length: part.length }, env.signal),
      );
      const broken = new AbortController();
      const body = new PartStream(source, part.length, (error) => broken.abort(error));
      try {
        const { etag, crc32: stored } = await env.access.step('UploadPart', env.signal, () =>
          env.writes.uploadPart(
            this.key,
            uploadId,
            part.partNumber,
            body,
            part.length,
            AbortSignal.any([env.signal, broken.signal]),
          ),
        );
        if (!body.complete || stored !== body.crc32) {
          throw new IntegrityError(`checksum check failed for part ${part.partNumber} of ${this.file.name}`);
        }
        return { etag, crc32: body.crc32, size: part.length };
      } catch (error) {
        // A broken read surfaces as an aborted request: report the read, which is worth a retry.
        throw broken.signal.aborted && !env.signal.aborted ? broken.signal.reason : error;
      } finally {
        body.destroy();
      }
    }, env.signal).catch(async (error: unknown) => {
      if (nameOf(error) !== 'NoSuchUpload') throw error;
      if (this.file.upload?.uploadId === uploadId) await this.forgetUpload();
      throw new RetriesExhaustedError(error);
    });
    // The upload may have been forgotten meanwhile (another part met NoSuchUpload): nothing to record.
    if (this.file.upload?.uploadId !== uploadId) return;
    await env.checkpoints.partUploaded(this.file, uploadId, part.partNumber, uploaded);
    (this.file.parts ??= {})[String(part.partNumber)] = uploaded;
    env.progress.addBytes(part.length);
  }
}
