/**
 * Which files of a range of groups are copied and verified, with each file's CRC32 (the manifest's
 * checksum). One small item per group (`DONE#<g>`), each mark an attribute `i<index>` = CRC32, so a
 * mark is added without rewriting the plan and no item outgrows its group's 100 files.
 *
 * Small files are marked in batches (50, or at flush()): a crash between a copy and its mark costs
 * that file one more conditional write to the same key, which finds the same bytes there and counts
 * them. Multipart files are marked one by one by the finisher. Writes are fenced by the writer's
 * epoch: a writer whose lease was taken over can no longer change a mark.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { tableName } from '#shared/table/items';
import { exportSortKey } from '#shared/table/keys';
import { attemptKey, checkpointExpiry, queryRange, type AttemptRef } from '#shared/exports/checkpoints/attempt';
import { LeaseLostError } from '#shared/exports/lease-lost';

const MARK_BATCH = 50;
const markName = (index: number) => `i${index}`;

export class DoneMarks {
  private pending = new Map<number, Map<number, string>>();
  private pendingCount = 0;

  private constructor(
    private readonly ref: AttemptRef,
    private readonly epoch: number,
    /** group -> file index -> CRC32, as written. */
    private readonly recorded: Map<number, Map<number, string>>,
  ) {}

  /** The marks of groups `first` to `last`, for a writer fenced by `epoch`. */
  static async load(ref: AttemptRef, first: number, last: number, epoch: number): Promise<DoneMarks> {
    const items = await queryRange<Record<string, unknown>>(
      ref,
      exportSortKey.doneMarks(first),
      exportSortKey.doneMarks(last),
    );
    const recorded = new Map<number, Map<number, string>>();
    for (const item of items) {
      const marks = new Map<number, string>();
      for (const [name, value] of Object.entries(item))
        if (/^i\d+$/.test(name)) marks.set(Number(name.slice(1)), String(value));
      recorded.set(Number(item.group), marks);
    }
    return new DoneMarks(ref, epoch, recorded);
  }

  /** The CRC32 of a file whose mark is written, or undefined. */
  crc32Of(group: number, index: number): string | undefined {
    return this.recorded.get(group)?.get(index);
  }

  /** Whether the file is marked, written or waiting for the next batch. */
  isMarked(group: number, index: number): boolean {
    return this.crc32Of(group, index) !== undefined || this.pending.get(group)?.has(index) === true;
  }

  /**
   * Marks a copied file; written with the next batch (the returned promise resolves once it is, if
   * this call filled the batch).
   */
  mark(group: number, index: number, crc32: string): Promise<void> {
    const marks = this.pending.get(group) ?? new Map<number, string>();
    marks.set(index, crc32);
    this.pending.set(group, marks);
    this.pendingCount += 1;
    return this.pendingCount >= MARK_BATCH ? this.flush() : Promise.resolve();
  }

  /** Writes every waiting mark: one update per group. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.pendingCount = 0;
    await Promise.all([...batch].map(([group, marks]) => this.write(group, marks)));
  }

  private async write(group: number, marks: Map<number, string>): Promise<void> {
    const entries = [...marks];
    if (entries.length === 0) return;
    const names = Object.fromEntries(entries.map(([index], at) => [`#m${at}`, markName(index)]));
    const values = Object.fromEntries(entries.map(([, crc32], at) => [`:m${at}`, crc32]));
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: attemptKey(this.ref, exportSortKey.doneMarks(group)),
          UpdateExpression:
            `SET ${entries.map((_, at) => `#m${at} = :m${at}`).join(', ')}, ` +
            `#group = :group, epoch = :epoch, expiresAt = :expiresAt`,
          ConditionExpression: 'attribute_not_exists(epoch) OR epoch <= :epoch',
          ExpressionAttributeNames: { ...names, '#group': 'group' },
          ExpressionAttributeValues: {
            ...values,
            ':group': group,
            ':epoch': this.epoch,
            ':expiresAt': checkpointExpiry(),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError('work unit');
      throw error;
    }
    const recorded = this.recorded.get(group) ?? new Map<number, string>();
    for (const [index, crc32] of entries) recorded.set(index, crc32);
    this.recorded.set(group, recorded);
  }
}
