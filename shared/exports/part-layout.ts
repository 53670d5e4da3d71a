/**
 * How a file is cut for copying, decided once at planning: files up to 8 MiB go in one PutObject;
 * larger ones as multipart uploads of 8 MiB parts (larger parts for files over 31 GiB, so that no
 * file needs more than 4,000 parts). Every later invocation derives the same parts from the same
 * size and part size.
 */

const MiB = 1024 * 1024;
/** Files up to this size go in one PutObject; larger ones as multipart uploads. */
export const SINGLE_PUT_MAX_BYTES = 8 * MiB;
const MIN_PART_BYTES = 8 * MiB;
const MAX_PARTS = 4000;

export const isMultipart = (file: { size: number }) => file.size > SINGLE_PUT_MAX_BYTES;

/** Parts of at least 8 MiB, larger for huge files so that no file needs more than MAX_PARTS parts. */
export const partSizeFor = (size: number) => Math.max(MIN_PART_BYTES, Math.ceil(size / MAX_PARTS / MiB) * MiB);

export const partCountOf = (size: number, partSize: number) => Math.ceil(size / partSize);

export interface PartRange {
  partNumber: number;
  offset: number;
  length: number;
}

export function partRange(size: number, partSize: number, partNumber: number): PartRange {
  const offset = (partNumber - 1) * partSize;
  return { partNumber, offset, length: Math.min(partSize, size - offset) };
}
