/**
 * The versions of one bucket's keys, in memory, as the S3 User Guide describes versioning:
 *
 * - A bucket that never had versioning holds one version per key, the null version, and a write
 *   replaces it. With versioning Enabled every write adds a version with its own id on top; with
 *   it Suspended a write becomes the null version, replacing an earlier null version wherever it
 *   sits in the stack (the other versions stay).
 * - DeleteObject without a version id in a versioning bucket adds a delete marker on top (a
 *   null one when Suspended); with a version id it removes that version for good.
 * - The current version is the top of the stack unless that is a delete marker.
 *
 * `current` serves GET, HEAD and ListObjects; `stacks` (newest first) serves ListObjectVersions.
 */
import { randomBytes } from 'node:crypto';
import { isDeleteMarker, type ObjectVersion, type StoredObject } from '#endpoint/s3/model';
import { SortedIndex } from '#endpoint/s3/object-index';

export const NULL_VERSION_ID = 'null';

/** The version id S3 shows for a version: its id, or `null` for the null version. */
export const versionIdOf = (version: ObjectVersion): string => version.versionId ?? NULL_VERSION_ID;

/** 32 URL-safe characters, the shape of S3's version ids (`IYV3p45BT0ac8hjHg1houSdS1a.Mro8e`). */
export const newVersionId = (): string => randomBytes(24).toString('base64url').replace(/-/g, '.');

/** Ids this emulator issues, plus `null`; anything else can never name a version. */
export const isWellFormedVersionId = (value: string): boolean =>
  value === NULL_VERSION_ID || /^[A-Za-z0-9._]{32}$/.test(value);

export class ObjectVersions {
  readonly current = new SortedIndex<StoredObject>();
  readonly stacks = new SortedIndex<ObjectVersion[]>();
  private versions = 0;

  /** Every version and delete marker in the bucket. */
  get count(): number {
    return this.versions;
  }

  get(key: string, versionId: string): ObjectVersion | undefined {
    return this.stacks.get(key)?.find((version) => versionIdOf(version) === versionId);
  }

  /** The newest version of a key, delete markers included. */
  latest(key: string): ObjectVersion | undefined {
    return this.stacks.get(key)?.[0];
  }

  /** Puts `version` on top of its key; a null version displaces the earlier null version, which is returned. */
  add(version: ObjectVersion): ObjectVersion | undefined {
    const stack = this.stacks.get(version.key) ?? [];
    let displaced: ObjectVersion | undefined;
    if (version.versionId === undefined) {
      const index = stack.findIndex((candidate) => candidate.versionId === undefined);
      if (index >= 0) [displaced] = stack.splice(index, 1);
    }
    stack.unshift(version);
    this.versions += displaced ? 0 : 1;
    this.stacks.set(version.key, stack);
    this.refreshCurrent(version.key, stack);
    return displaced;
  }

  remove(key: string, versionId: string): ObjectVersion | undefined {
    const stack = this.stacks.get(key);
    const index = stack?.findIndex((candidate) => versionIdOf(candidate) === versionId) ?? -1;
    if (!stack || index < 0) return undefined;
    const [removed] = stack.splice(index, 1);
    this.versions -= 1;
    if (stack.length === 0) this.stacks.delete(key);
    this.refreshCurrent(key, stack);
    return removed;
  }

  /** Every version, oldest first within each key: replaying them through add() rebuilds the stacks. */
  *oldestFirst(): Generator<ObjectVersion> {
    for (const key of this.stacks.keysFrom('')) yield* [...(this.stacks.get(key) ?? [])].reverse();
  }

  private refreshCurrent(key: string, stack: ObjectVersion[]): void {
    const top = stack[0];
    if (top && !isDeleteMarker(top)) this.current.set(key, top);
    else this.current.delete(key);
  }
}
