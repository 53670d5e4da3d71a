import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/dynamodb';
import { config } from '#shared/config';
import { exportFilesPk, keys } from '#shared/table/keys';
import { LeaseLostError } from '#shared/exports/job-lease';

/**
 * The per-file checkpoints of one job attempt: which backup files are copied, and for a file in a
 * multipart upload its upload id and the parts already uploaded with their ETags and checksums.
 * A fresh invocation reads them to resume exactly where the previous one stopped.
 *
 * Every write is fenced by the lease epoch: it only applies if no invocation with a newer lease
 * has written the item, so a late writer can never roll a checkpoint back.
 */
export interface UploadedPart {
  etag: string;
  /** Base64 CRC32 of the part, computed from the source bytes. */
  crc32: string;
  size: number;
}

export interface FileCheckpoint {
  index: number;
  /** Path relative to the backup prefix; also the path below the export folder. */
  name: string;
  sourceKey: string;
  sourceETag: string;
  size: number;
  state: 'PENDING' | 'UPLOADING' | 'DONE';
  /** Base64 CRC32 of the whole file, once copied and verified. */
  crc32?: string;
  upload?: { uploadId: string; partSize: number };
  /** Part number (as text: a DynamoDB map key) -> uploaded part. */
  parts?: Record<string, UploadedPart>;
}

export interface AttemptRef {
  projectId: string;
  jobId: string;
  attempt: number;
}

/** Checkpoints outlive their job by this long, then DynamoDB's TTL removes them. */
const CHECKPOINT_TTL_SECONDS = 90 * 24 * 3600;
const BATCH = 25;

const table = () => config().TABLE_NAME;
const keyOf = (ref: AttemptRef, index: number) => keys.exportFile(ref.projectId, ref.jobId, ref.attempt, index);

/** Writes the plan. Safe to repeat: a re-plan after a crash writes the same items again. */
export async function writePlan(ref: AttemptRef, files: FileCheckpoint[], epoch: number): Promise<void> {
  const expiresAt = Math.floor(Date.now() / 1000) + CHECKPOINT_TTL_SECONDS;
  for (let start = 0; start < files.length; start += BATCH) {
    let requests = files.slice(start, start + BATCH).map((file) => ({
      PutRequest: { Item: { ...keyOf(ref, file.index), ...file, epoch, expiresAt } },
    }));
    for (let round = 0; requests.length > 0; round += 1) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** round) * Math.random()));
      const { UnprocessedItems } = await dynamodb.send(new BatchWriteCommand({ RequestItems: { [table()]: requests } }));
      requests = (UnprocessedItems?.[table()] ?? []) as typeof requests;
    }
  }
}

export async function loadCheckpoints(ref: AttemptRef): Promise<FileCheckpoint[]> {
  const files: FileCheckpoint[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': exportFilesPk(ref.projectId, ref.jobId, ref.attempt) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, epoch: _epoch, expiresAt: _expiresAt, ...file } = item;
      files.push(file as FileCheckpoint);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return files.sort((a, b) => a.index - b.index);
}

/** A writer bound to one lease epoch. */
export class CheckpointWriter {
  constructor(
    private readonly ref: AttemptRef,
    private readonly epoch: number,
  ) {}

  private async fenced(
    index: number,
    change: { set: string[]; remove?: string[]; condition?: string },
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ) {
    const remove = change.remove?.length ? ` REMOVE ${change.remove.join(', ')}` : '';
    try {
      await dynamodb.send(
        new UpdateCommand({
          TableName: table(),
          Key: keyOf(this.ref, index),
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

  uploadStarted(index: number, upload: { uploadId: string; partSize: number }) {
    return this.fenced(
      index,
      { set: ['#state = :uploading', 'upload = :upload', 'parts = :none'] },
      { ':uploading': 'UPLOADING', ':upload': upload, ':none': {} },
      { '#state': 'state' },
    );
  }

  /** Records one part; the condition ties it to the upload it belongs to. */
  partUploaded(index: number, uploadId: string, partNumber: number, part: UploadedPart) {
    return this.fenced(
      index,
      { set: ['parts.#part = :part'], condition: ' AND upload.uploadId = :uploadId' },
      { ':part': part, ':uploadId': uploadId },
      { '#part': String(partNumber) },
    );
  }

  /** Forgets an upload that S3 no longer knows (e.g. aborted by a lifecycle rule): the file starts over. */
  uploadLost(index: number) {
    return this.fenced(index, { set: ['#state = :pending'], remove: ['upload', 'parts'] }, { ':pending': 'PENDING' }, { '#state': 'state' });
  }

  /** The file is copied and verified; its part list is no longer needed. */
  fileDone(index: number, crc32: string) {
    return this.fenced(
      index,
      { set: ['#state = :done', 'crc32 = :crc'], remove: ['upload', 'parts'] },
      { ':done': 'DONE', ':crc': crc32 },
      { '#state': 'state' },
    );
  }
}
