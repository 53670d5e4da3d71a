/**
 * The plan of one export attempt: the backup's files in groups, written once when the attempt is
 * planned and only read afterwards. Up to 100 small files share a group (a backup of thousands of
 * small files is planned and read in a few dozen items); a file copied in parts has a group of its
 * own, which also holds its multipart upload (created at planning, so that no two workers ever
 * race to create one). The finisher replaces an upload S3 lost, on condition it is still the lost
 * one. Progress of the copy lives elsewhere (done-marks.ts, part-ledger.ts, work-unit.ts): no
 * checkpoint write ever rewrites a group.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamodb } from '#shared/aws/clients';
import { tableName } from '#shared/table/items';
import { exportSortKey } from '#shared/table/keys';
import { attemptKey, checkpointExpiry, putAll, queryRange, type AttemptRef } from '#shared/exports/checkpoints/attempt';
import { isMultipart } from '#shared/exports/part-layout';

/** What the plan fixes about a backup file. */
export interface PlannedFile {
  /** Position in the backup's key order (the manifest's order). */
  index: number;
  /** Path below the backup prefix; also the path below the export folder. */
  name: string;
  sourceETag: string;
  size: number;
  /** The source's own whole-object CRC32, when S3 keeps one: the copy must end up with the same. */
  sourceCrc32?: string;
}

export interface MultipartUpload {
  uploadId: string;
  partSize: number;
}

export interface FileGroup {
  group: number;
  files: PlannedFile[];
  /** For a multipart file's own group: its upload in the customer's bucket. */
  upload?: MultipartUpload;
}

const FILES_PER_GROUP = 100;
/** Keeps a group item far below DynamoDB's 400 KB limit even with long file names. */
const GROUP_BYTES = 96 * 1024;

/** Packs the planned files into groups, in file order; a multipart file gets a group of its own. */
export function groupFiles(files: PlannedFile[]): FileGroup[] {
  const groups: FileGroup[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = Buffer.byteLength(file.name) + file.sourceETag.length + 64;
    const current = groups.at(-1);
    if (
      !current ||
      isMultipart(file) ||
      isMultipartGroup(current) ||
      current.files.length >= FILES_PER_GROUP ||
      bytes + size > GROUP_BYTES
    ) {
      groups.push({ group: groups.length, files: [file] });
      bytes = size;
    } else {
      current.files.push(file);
      bytes += size;
    }
  }
  return groups;
}

export const isMultipartGroup = (group: FileGroup) =>
  group.files.length === 1 && isMultipart(group.files[0] ?? { size: 0 });

/** Writes the plan's groups. Safe to repeat: a re-plan after a crash writes the same keys again. */
export function writeGroups(ref: AttemptRef, groups: FileGroup[]): Promise<void> {
  const expiresAt = checkpointExpiry();
  return putAll(groups.map((group) => ({ ...attemptKey(ref, exportSortKey.group(group.group)), ...group, expiresAt })));
}

/** The groups `first` to `last` (inclusive), in order. */
export async function loadGroups(ref: AttemptRef, first: number, last: number): Promise<FileGroup[]> {
  const items = await queryRange<FileGroup>(ref, exportSortKey.group(first), exportSortKey.group(last));
  return items.map(({ group, files, upload }) => ({ group, files, ...(upload ? { upload } : {}) }));
}

/** Every group of the plan. */
export const loadAllGroups = (ref: AttemptRef) => loadGroups(ref, 0, 9_999_999);

/**
 * Records `next` as the group's upload in place of `lost` (which S3 no longer knows). False when
 * the group's upload is no longer `lost` (replaced meanwhile).
 */
export async function replaceUpload(
  ref: AttemptRef,
  group: number,
  lost: string,
  next: MultipartUpload,
): Promise<boolean> {
  try {
    await dynamodb.send(
      new UpdateCommand({
        TableName: tableName(),
        Key: attemptKey(ref, exportSortKey.group(group)),
        UpdateExpression: 'SET upload = :next',
        ConditionExpression: 'upload.uploadId = :lost',
        ExpressionAttributeValues: { ':next': next, ':lost': lost },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
