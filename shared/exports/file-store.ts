import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { config } from '#shared/config';
import { exportFilesPk, keys } from '#shared/table/keys';

/**
 * The checkpoints of one job attempt: which backup files are copied, and for a file in a
 * multipart upload its upload id and the parts already uploaded with their ETags and checksums.
 * A fresh invocation reads them to resume exactly where the previous one stopped.
 *
 * Files are stored in groups: up to 100 small files share one item (a backup of thousands of small
 * files is planned, read and checkpointed in a few dozen writes), while a file copied in parts has
 * an item of its own for its part list. Writes go through CheckpointWriter (checkpoint-writer.ts).
 */
export interface UploadedPart {
  etag: string;
  /** Base64 CRC32 of the part, computed from the source bytes. */
  crc32: string;
  size: number;
}

/** What the plan fixes about a file. */
export interface PlannedFile {
  index: number;
  /** Path relative to the backup prefix; also the path below the export folder. */
  name: string;
  sourceKey: string;
  sourceETag: string;
  size: number;
  /** Copied as a multipart upload (decided once, at planning). */
  multipart: boolean;
  /** The source's own whole-object CRC32, when S3 keeps one: the copy must end up with the same. */
  sourceCrc32?: string;
}

export interface FileCheckpoint extends PlannedFile {
  group: number;
  state: 'PENDING' | 'UPLOADING' | 'DONE';
  /** Base64 CRC32 of the whole file, once copied and verified. */
  crc32?: string;
  upload?: { uploadId: string; partSize: number };
  /** Part number (as text: a DynamoDB map key) -> uploaded part. */
  parts?: Record<string, UploadedPart>;
}

interface GroupItem {
  group: number;
  files: PlannedFile[];
  /** File index (as text) -> whole-file CRC32, for every copied and verified file. */
  done?: Record<string, string>;
  upload?: { uploadId: string; partSize: number };
  parts?: Record<string, UploadedPart>;
}

export interface AttemptRef {
  projectId: string;
  jobId: string;
  attempt: number;
}

/** Checkpoints outlive their job by this long, then DynamoDB's TTL removes them. */
const CHECKPOINT_TTL_SECONDS = 90 * 24 * 3600;
const FILES_PER_GROUP = 100;
/** Keeps a group item far below DynamoDB's 400 KB limit even with long file names. */
const GROUP_BYTES = 96 * 1024;
const BATCH = 25;

const table = () => config().TABLE_NAME;
export const groupKey = (ref: AttemptRef, group: number) =>
  keys.exportFileGroup(ref.projectId, ref.jobId, ref.attempt, group);

/** Packs the planned files into groups, in file order. */
export function groupFiles(files: PlannedFile[]): FileCheckpoint[] {
  const grouped: FileCheckpoint[] = [];
  let group = -1;
  let count = FILES_PER_GROUP;
  let bytes = 0;
  for (const file of files) {
    const size = Buffer.byteLength(file.name) + Buffer.byteLength(file.sourceKey) + file.sourceETag.length + 64;
    if (file.multipart || count >= FILES_PER_GROUP || bytes + size > GROUP_BYTES || grouped.at(-1)?.multipart) {
      group += 1;
      count = 0;
      bytes = 0;
    }
    count += 1;
    bytes += size;
    grouped.push({ ...file, group, state: 'PENDING' });
  }
  return grouped;
}

/** Writes the plan. Safe to repeat: a re-plan after a crash writes the same items again. */
export async function writePlan(ref: AttemptRef, files: FileCheckpoint[], epoch: number): Promise<void> {
  const expiresAt = Math.floor(Date.now() / 1000) + CHECKPOINT_TTL_SECONDS;
  const groups = new Map<number, PlannedFile[]>();
  for (const { group, state: _state, ...planned } of files) groups.set(group, [...(groups.get(group) ?? []), planned]);
  const items = [...groups].map(([group, members]) => ({
    ...groupKey(ref, group),
    group,
    files: members,
    done: {},
    epoch,
    expiresAt,
  }));
  for (let start = 0; start < items.length; start += BATCH) {
    let requests = items.slice(start, start + BATCH).map((item) => ({ PutRequest: { Item: item } }));
    for (let round = 0; requests.length > 0; round += 1) {
      if (round > 0)
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** round) * Math.random()));
      const { UnprocessedItems } = await dynamodb.send(
        new BatchWriteCommand({ RequestItems: { [table()]: requests } }),
      );
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
    for (const item of (page.Items ?? []) as GroupItem[]) {
      for (const file of item.files) {
        const crc32 = item.done?.[String(file.index)];
        if (crc32 !== undefined) files.push({ ...file, group: item.group, state: 'DONE', crc32 });
        else if (item.upload)
          files.push({ ...file, group: item.group, state: 'UPLOADING', upload: item.upload, parts: item.parts ?? {} });
        else files.push({ ...file, group: item.group, state: 'PENDING' });
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return files.sort((a, b) => a.index - b.index);
}
