/**
 * The uploaded parts of one multipart file, as an object that owns them and their persistence (the
 * way lib-storage's Upload owns its upload id and part list): each part S3 accepted is recorded at
 * once as an item of its own (`PART#<g>#<n>`: upload id, ETag, CRC32, size; one write of well under
 * 1 KB whatever the file's size), so recording stays one write per part however many parts a file
 * has. A part recorded for an upload that has since been replaced does not count.
 *
 * Writes are fenced: a part item carries the epoch of the lease it was written under, and a write
 * under an older epoch than the item's, for the same upload, is refused (the writer lost its lease).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { tableName } from '#shared/table/items';
import { exportSortKey } from '#shared/table/keys';
import { attemptKey, checkpointExpiry, queryRange, type AttemptRef } from '#shared/exports/checkpoints/attempt';
import type { MultipartUpload } from '#shared/exports/checkpoints/file-groups';
import { LeaseLostError } from '#shared/exports/lease-lost';

export interface UploadedPart {
  partNumber: number;
  etag: string;
  /** Base64 CRC32 of the part, computed from the source bytes. */
  crc32: string;
  size: number;
}

interface PartItem extends UploadedPart {
  uploadId: string;
  epoch: number;
}

/** The finisher writes only parts no worker recorded for the current upload: its epoch outranks every unit's. */
export const FINISHER_EPOCH = 2 ** 31;

export class PartLedger {
  private constructor(
    private readonly ref: AttemptRef,
    private readonly group: number,
    private upload: MultipartUpload,
    private readonly recorded: Map<number, UploadedPart>,
  ) {}

  /** The parts `first` to `last` (all when omitted) recorded for the group's current upload. */
  static async load(
    ref: AttemptRef,
    group: number,
    upload: MultipartUpload,
    range?: { first: number; last: number },
  ): Promise<PartLedger> {
    const from = exportSortKey.part(group, range?.first ?? 0);
    const to = range ? exportSortKey.part(group, range.last) : exportSortKey.partsOfGroupEnd(group);
    const items = await queryRange<PartItem>(ref, from, to);
    const recorded = new Map<number, UploadedPart>();
    for (const item of items) {
      if (item.uploadId === upload.uploadId)
        recorded.set(item.partNumber, {
          partNumber: item.partNumber,
          etag: item.etag,
          crc32: item.crc32,
          size: item.size,
        });
    }
    return new PartLedger(ref, group, upload, recorded);
  }

  get uploadId(): string {
    return this.upload.uploadId;
  }

  get partSize(): number {
    return this.upload.partSize;
  }

  has(partNumber: number): boolean {
    return this.recorded.has(partNumber);
  }

  /** Bytes of the recorded parts among `partNumbers` (all recorded parts when omitted). */
  recordedBytes(partNumbers?: Iterable<number>): number {
    let bytes = 0;
    for (const partNumber of partNumbers ?? this.recorded.keys()) bytes += this.recorded.get(partNumber)?.size ?? 0;
    return bytes;
  }

  /** The recorded parts in part order, as CompleteMultipartUpload names them. */
  parts(): UploadedPart[] {
    return [...this.recorded.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Records a part S3 accepted for `uploadId`, under a lease of `epoch`. */
  async record(uploadId: string, part: UploadedPart, epoch: number): Promise<void> {
    if (uploadId !== this.upload.uploadId) return; // replaced meanwhile: the part belongs to a lost upload
    const item: PartItem = { ...part, uploadId, epoch };
    try {
      await dynamodb.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...attemptKey(this.ref, exportSortKey.part(this.group, part.partNumber)),
            ...item,
            expiresAt: checkpointExpiry(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR uploadId <> :uploadId OR epoch <= :epoch',
          ExpressionAttributeValues: { ':uploadId': uploadId, ':epoch': epoch },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError('work unit');
      throw error;
    }
    this.recorded.set(part.partNumber, part);
  }

  /** The upload was replaced (the old one was lost): no recorded part counts any more. */
  replaced(upload: MultipartUpload): void {
    this.upload = upload;
    this.recorded.clear();
  }
}
