import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictTracker } from '#local/aws/s3/conditional-writes';
import { noSuchBucket } from '#local/aws/s3/errors';
import { CommitGate, mapLimit, uniqueName } from '#local/aws/s3/files';
import type { BucketRecord, StoredObject } from '#local/aws/s3/model';
import { SortedIndex } from '#local/aws/s3/object-index';
import { ObjectJournal } from '#local/aws/s3/object-journal';
import { UploadStore } from '#local/aws/s3/upload-store';

/**
 * One bucket on disk (`buckets/<bucket>/`):
 *
 *   bucket.json      owner, region, default encryption
 *   objects.jsonl    the object metadata journal (object-journal.ts)
 *   data/<unique>    object bytes, a new file for every write
 *   uploads/<id>/    multipart uploads (upload-store.ts)
 *
 * A write streams into a fresh data file, then commits with one journal line: a reader sees the
 * old object or the new one, never a mix, and a failed upload leaves only an unreferenced data
 * file that is deleted at once (or, after a crash, when the bucket loads). Readers that already
 * opened the old data file keep reading it after it is unlinked. Keys are indexed in memory.
 */
export class BucketStore {
  readonly gate = new CommitGate();
  /** Writes under way per key, for conditional writes that a delete overtakes (409). */
  readonly conflicts = new ConflictTracker();
  /** Set once DeleteBucket took the bucket: requests that found it before then answer NoSuchBucket. */
  deleted = false;
  private readonly journal: ObjectJournal;
  private index: Promise<SortedIndex<StoredObject>> | undefined;
  private uploadStore: UploadStore | undefined;
  private compacting = false;

  constructor(
    readonly dir: string,
    public record: BucketRecord,
  ) {
    this.journal = new ObjectJournal(join(dir, 'objects.jsonl'));
  }

  get name(): string {
    return this.record.name;
  }

  objects(): Promise<SortedIndex<StoredObject>> {
    this.index ??= this.load();
    return this.index;
  }

  uploads(): UploadStore {
    this.uploadStore ??= new UploadStore(join(this.dir, 'uploads'), this.conflicts);
    return this.uploadStore;
  }

  dataPath(dataFile: string): string {
    return join(this.dir, 'data', dataFile);
  }

  /** A new, unreferenced data file path; the bucket is loaded first so it cannot be collected. */
  async newDataFile(): Promise<{ dataFile: string; path: string }> {
    await this.objects();
    if (this.deleted) throw noSuchBucket(this.name);
    const dataFile = uniqueName('.bin');
    return { dataFile, path: this.dataPath(dataFile) };
  }

  /**
   * Makes `object` the current version of its key. `precondition` sees the current version and
   * may throw (conditional writes); then the new data file is discarded and nothing changes.
   */
  async commitObject(object: StoredObject, precondition?: (current: StoredObject | undefined) => void): Promise<void> {
    const index = await this.objects();
    await this.gate.forKey(object.key, async () => {
      const current = index.get(object.key);
      try {
        if (this.deleted) throw noSuchBucket(this.name);
        precondition?.(current);
        await this.journal.put(object);
      } catch (error) {
        await rm(this.dataPath(object.dataFile), { force: true });
        throw error;
      }
      index.set(object.key, object);
      // The new version is committed; failing to delete the old bytes only leaves garbage for the next load.
      if (current && current.dataFile !== object.dataFile) await rm(this.dataPath(current.dataFile), { force: true }).catch(() => undefined);
    });
    this.compactIfWasteful(index);
  }

  async deleteObject(key: string): Promise<StoredObject | undefined> {
    const index = await this.objects();
    const deleted = await this.gate.forKey(key, async () => {
      if (this.deleted) throw noSuchBucket(this.name);
      this.conflicts.deleted(key);
      const current = index.get(key);
      if (!current) return undefined;
      await this.journal.delete(key);
      index.delete(key);
      await rm(this.dataPath(current.dataFile), { force: true }).catch(() => undefined);
      return current;
    });
    this.compactIfWasteful(index);
    return deleted;
  }

  /** Stops writing to the journal (the bucket is being deleted). */
  close(): Promise<void> {
    return this.journal.close();
  }

  /** Rewrites the journal once most of its lines are superseded, with commits held back meanwhile. */
  private compactIfWasteful(index: SortedIndex<StoredObject>): void {
    if (this.compacting || !this.journal.isWasteful(index.size)) return;
    this.compacting = true;
    this.gate
      .alone(async () => {
        if (!this.deleted) await this.journal.rewrite([...index.keysFrom('')].map((key) => index.get(key) as StoredObject));
      })
      .catch((error: unknown) => console.error(`local S3: could not compact the object journal of ${this.name}`, error))
      .finally(() => (this.compacting = false));
  }

  private async load(): Promise<SortedIndex<StoredObject>> {
    const index = new SortedIndex<StoredObject>();
    await this.journal.load((key, object) => (object ? index.set(key, object) : index.delete(key)));
    // Collect data files nothing refers to: writes that failed while the process crashed.
    const referenced = new Set<string>();
    for (const key of index.keysFrom('')) referenced.add(index.get(key)?.dataFile ?? '');
    const dataFiles = await readdir(join(this.dir, 'data'));
    await mapLimit(dataFiles.filter((name) => !referenced.has(name)), 32, (name) => rm(this.dataPath(name), { force: true }));
    return index;
  }
}
