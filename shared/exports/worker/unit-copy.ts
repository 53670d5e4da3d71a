/**
 * The copy of one work unit in one invocation: what the unit holds (its small files and part
 * ranges, from the plan), what is already recorded (done marks, part items), the work items still
 * to do, and what those items record as they finish. It owns the unit's checkpoint objects
 * (DoneMarks, one PartLedger per large file), fenced by the unit lease's epoch, and tells its lane
 * when everything of the unit is recorded.
 */
import { nameOf } from '#shared/aws/error-kinds';
import { logger } from '#shared/logger';
import type { AttemptRef } from '#shared/exports/checkpoints/attempt';
import { DoneMarks } from '#shared/exports/checkpoints/done-marks';
import {
  isMultipartGroup,
  loadGroups,
  type FileGroup,
  type PlannedFile,
} from '#shared/exports/checkpoints/file-groups';
import { PartLedger } from '#shared/exports/checkpoints/part-ledger';
import { partsOfGroupIn } from '#shared/exports/checkpoints/unit-ranges';
import type { Counts, WorkUnit } from '#shared/exports/checkpoints/work-unit';
import { partCountOf, partRange } from '#shared/exports/part-layout';
import { STREAMED_PART_RESERVATION, type WorkItem } from '#shared/exports/worker/copy-engine';
import type { CopyEnv } from '#shared/exports/worker/copy-env';
import { copyPart } from '#shared/exports/worker/copy-part';
import { copySmallFile } from '#shared/exports/worker/copy-small-file';

interface LargeFileShare {
  group: FileGroup;
  file: PlannedFile;
  ledger: PartLedger;
  parts: number[];
  /** S3 no longer knows the upload: the parts are left to the finisher, which starts the file over. */
  lost: boolean;
}

export class UnitCopy {
  private outstanding = 0;

  private constructor(
    readonly unit: WorkUnit,
    private readonly small: Array<{ group: number; file: PlannedFile }>,
    private readonly large: LargeFileShare[],
    private readonly marks: DoneMarks,
  ) {}

  static async open(ref: AttemptRef, unit: WorkUnit): Promise<UnitCopy> {
    const { first, last } = unit.range;
    const [groups, marks] = await Promise.all([
      loadGroups(ref, first.group, last.group),
      DoneMarks.load(ref, first.group, last.group, unit.epoch),
    ]);
    const small: Array<{ group: number; file: PlannedFile }> = [];
    const large: LargeFileShare[] = [];
    for (const group of groups) {
      const [file] = group.files;
      if (file && isMultipartGroup(group)) {
        if (!group.upload) throw new Error(`the plan has no upload for group ${group.group}`);
        const range = partsOfGroupIn(unit.range, group.group, partCountOf(file.size, group.upload.partSize));
        const ledger = await PartLedger.load(ref, group.group, group.upload, range);
        const parts = Array.from({ length: range.last - range.first + 1 }, (_, offset) => range.first + offset);
        large.push({ group, file, ledger, parts, lost: false });
      } else {
        for (const planned of group.files) small.push({ group: group.group, file: planned });
      }
    }
    return new UnitCopy(unit, small, large, marks);
  }

  /** What the checkpoints hold for this unit: small files marked, bytes of those and of recorded parts. */
  recorded(): Counts {
    const marked = this.small.filter(({ group, file }) => this.marks.crc32Of(group, file.index) !== undefined);
    const parts = this.large.reduce((sum, share) => sum + share.ledger.recordedBytes(share.parts), 0);
    return { objects: marked.length, bytes: marked.reduce((sum, { file }) => sum + file.size, 0) + parts };
  }

  /**
   * Everything of the unit is copied and marked (a mark may wait for flush()); parts of a lost
   * upload count as left to the finisher.
   */
  get complete(): boolean {
    return (
      this.outstanding === 0 &&
      this.small.every(({ group, file }) => this.marks.isMarked(group, file.index)) &&
      this.large.every((share) => share.lost || share.parts.every((part) => share.ledger.has(part)))
    );
  }

  flush(): Promise<void> {
    return this.marks.flush();
  }

  /** The work still to do; `settled` is called after each item that ended without an error. */
  items(env: CopyEnv, settled: () => Promise<void>): WorkItem[] {
    const items: WorkItem[] = [];
    const track = (run: () => Promise<void>) => async () => {
      try {
        await run();
      } finally {
        this.outstanding -= 1;
      }
      await settled();
    };
    for (const { group, file } of this.small) {
      if (this.marks.crc32Of(group, file.index) !== undefined) continue;
      items.push({
        bytes: file.size,
        run: track(async () => this.marks.mark(group, file.index, await copySmallFile(env, file))),
      });
    }
    for (const share of this.large) {
      for (const partNumber of share.parts) {
        if (share.ledger.has(partNumber)) continue;
        items.push({ bytes: STREAMED_PART_RESERVATION, run: track(() => this.copyPart(env, share, partNumber)) });
      }
    }
    this.outstanding = items.length;
    return items;
  }

  private async copyPart(env: CopyEnv, share: LargeFileShare, partNumber: number): Promise<void> {
    if (share.lost) return;
    const { uploadId, partSize } = share.ledger;
    try {
      const part = await copyPart(env, share.file, uploadId, partRange(share.file.size, partSize, partNumber));
      await share.ledger.record(uploadId, part, this.unit.epoch);
    } catch (error) {
      if (nameOf(error) !== 'NoSuchUpload') throw error;
      // Aborted from outside (a lifecycle rule, by hand): the finisher starts this file over.
      if (!share.lost)
        logger.warn('multipart upload gone: the finisher will copy the file again', { group: share.group.group });
      share.lost = true;
    }
  }
}
