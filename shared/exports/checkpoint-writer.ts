import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { groupKey, type AttemptRef, type FileCheckpoint, type UploadedPart } from '#shared/exports/file-store';
import { LeaseLostError } from '#shared/exports/job-lease';

/** Small files marked done are written together once this many wait (or at flush()). */
const DONE_BATCH = 50;

/**
 * Writes checkpoints on behalf of one lease. Every write is fenced by the lease epoch: it applies
 * only if no invocation with a newer lease has written the item, so a late writer can never roll
 * a checkpoint back. Part uploads are recorded one by one, as soon as S3 accepted them (a part
 * that S3 has but the checkpoint lacks is simply sent again under the same number). Finished
 * files are recorded in batches: a crash between a copy and its record costs one more copy of
 * the same object to the same key, never a second object.
 */
export class CheckpointWriter {
  private pending = new Map<number, Map<number, string>>();
  private pendingCount = 0;

  constructor(
    private readonly ref: AttemptRef,
    private readonly epoch: number,
  ) {}

  private async fenced(
    group: number,
    change: { set: string[]; remove?: string[]; condition?: string },
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ) {
    const remove = change.remove?.length ? ` REMOVE ${change.remove.join(', ')}` : '';
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: config().TABLE_NAME,
          Key: groupKey(this.ref, group),
          UpdateExpression: `SET ${[...change.set, 'epoch = :epoch'].join(', ')}${remove}`,
          ConditionExpression: `attribute_exists(pk) AND epoch <= :epoch${change.condition ?? ''}`,
          ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
          ExpressionAttributeValues: { ':epoch': this.epoch, ...values },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError();
      throw error;
    }
  }

  uploadStarted(file: FileCheckpoint, upload: { uploadId: string; partSize: number }) {
    return this.fenced(file.group, { set: ['upload = :upload', 'parts = :none'] }, { ':upload': upload, ':none': {} });
  }

  /** Records one part; the condition ties it to the upload it belongs to. */
  partUploaded(file: FileCheckpoint, uploadId: string, partNumber: number, part: UploadedPart) {
    return this.fenced(
      file.group,
      { set: ['parts.#part = :part'], condition: ' AND upload.uploadId = :uploadId' },
      { ':part': part, ':uploadId': uploadId },
      { '#part': String(partNumber) },
    );
  }

  /** Forgets an upload that S3 no longer knows (e.g. aborted by a lifecycle rule): the file starts over. */
  uploadLost(file: FileCheckpoint) {
    return this.fenced(file.group, { set: [], remove: ['upload', 'parts'] }, {});
  }

  /** A multipart file is complete and verified: recorded at once, and its part list dropped. */
  largeFileDone(file: FileCheckpoint, crc32: string) {
    return this.fenced(
      file.group,
      { set: ['done.#file = :crc'], remove: ['upload', 'parts'] },
      { ':crc': crc32 },
      { '#file': String(file.index) },
    );
  }

  /** A small file is copied and verified: recorded with the next batch. */
  smallFileDone(file: FileCheckpoint, crc32: string): Promise<void> {
    const group = this.pending.get(file.group) ?? new Map<number, string>();
    group.set(file.index, crc32);
    this.pending.set(file.group, group);
    this.pendingCount += 1;
    return this.pendingCount >= DONE_BATCH ? this.flush() : Promise.resolve();
  }

  /** Removes a file's done mark (its copy failed the final check and will be made again). */
  notDone(file: FileCheckpoint) {
    this.pending.get(file.group)?.delete(file.index);
    return this.fenced(file.group, { set: [], remove: ['done.#file'] }, {}, { '#file': String(file.index) });
  }

  /** Writes every waiting done mark: one update per group. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.pendingCount = 0;
    await Promise.all(
      [...batch].map(([group, done]) => {
        const entries = [...done];
        if (entries.length === 0) return Promise.resolve();
        const names = Object.fromEntries(entries.map(([index], at) => [`#f${at}`, String(index)]));
        const values = Object.fromEntries(entries.map(([, crc32], at) => [`:c${at}`, crc32]));
        return this.fenced(group, { set: entries.map((_, at) => `done.#f${at} = :c${at}`) }, values, names);
      }),
    );
  }
}
