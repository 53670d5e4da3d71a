/**
 * How an export is cut into work units, which up to K workers copy at the same time. The plan's
 * groups form one sequence of pieces (a group of small files is one piece, a multipart file one
 * piece per part); a unit is a contiguous run of pieces of about `targetBytes`, so a large file is
 * split into part ranges and small files travel in whole groups (a group's done marks then have
 * exactly one writer). Worker `w` of K copies units w, w+K, w+2K, ...: its lane.
 */
import { isMultipartGroup, type FileGroup } from '#shared/exports/checkpoints/file-groups';
import { partCountOf, partSizeFor } from '#shared/exports/part-layout';

/** A piece of the plan: a group of small files (part 0), or one part of a multipart file's group. */
export interface UnitPosition {
  group: number;
  part: number;
}

export interface UnitRange {
  unit: number;
  first: UnitPosition;
  last: UnitPosition;
  bytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** A unit worth leasing: four parts at least. */
export const MIN_UNIT_BYTES = 32 * MiB;
export const MAX_UNIT_BYTES = 64 * GiB;
/**
 * Units per lane when K > 1: static lanes balance only as well as their units are alike, so each
 * lane gets several; with K = 1 there is nothing to balance and one unit per lane keeps bookkeeping least.
 */
const UNITS_PER_LANE = 4;

export function unitTargetBytes(totalBytes: number, workers: number): number {
  const wanted = totalBytes / (workers * (workers > 1 ? UNITS_PER_LANE : 1));
  return Math.min(MAX_UNIT_BYTES, Math.max(MIN_UNIT_BYTES, Math.ceil(wanted)));
}

export function splitIntoUnits(groups: FileGroup[], targetBytes: number): UnitRange[] {
  const units: UnitRange[] = [];
  let open: UnitRange | undefined;
  const add = (position: UnitPosition, bytes: number) => {
    if (open && open.bytes > 0 && open.bytes + bytes > targetBytes) {
      units.push(open);
      open = undefined;
    }
    open ??= { unit: units.length, first: position, last: position, bytes: 0 };
    open.last = position;
    open.bytes += bytes;
  };
  for (const group of groups) {
    const file = group.files[0];
    if (file && isMultipartGroup(group)) {
      const partSize = group.upload?.partSize ?? partSizeFor(file.size);
      const parts = partCountOf(file.size, partSize);
      for (let part = 1; part <= parts; part += 1)
        add({ group: group.group, part }, Math.min(partSize, file.size - (part - 1) * partSize));
    } else {
      add(
        { group: group.group, part: 0 },
        group.files.reduce((sum, planned) => sum + planned.size, 0),
      );
    }
  }
  if (open) units.push(open);
  return units;
}

/** The parts of `group` inside `unit` (for a multipart group), as an inclusive range. */
export function partsOfGroupIn(unit: UnitRange, group: number, partCount: number): { first: number; last: number } {
  return {
    first: group === unit.first.group ? unit.first.part : 1,
    last: group === unit.last.group ? unit.last.part : partCount,
  };
}

/** The lane a unit belongs to, and the next unit of that lane (undefined after the lane's last). */
export const laneOf = (unit: number, workers: number) => unit % workers;
export const nextInLane = (unit: number, workers: number, units: number) =>
  unit + workers < units ? unit + workers : undefined;
