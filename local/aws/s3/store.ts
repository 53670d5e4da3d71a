import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SortedIndex, compareUtf8 } from '#local/aws/s3/object-index';
import { UploadStore } from '#local/aws/s3/upload-store';
import type { BucketRecord, StoredObject } from '#local/aws/s3/model';
import {
  SerialQueue,
  fileNameForKey,
  isMissingFile,
  mapLimit,
  readJson,
  uniqueName,
  writeJsonAtomically,
} from '#local/aws/s3/files';

/**
 * Buckets and objects on disk under `<dataDir>/s3`:
 *
 *   buckets/<bucket>/bucket.json              owner, region, default encryption
 *   buckets/<bucket>/objects/<sha256(key)>.json  one sidecar per object (key, size, ETag, ...)
 *   buckets/<bucket>/data/<unique>            object bytes, a new file for every write
 *   buckets/<bucket>/uploads/<uploadId>/      multipart uploads (upload-store.ts)
 *
 * A write streams into a fresh data file, then commits by renaming the sidecar into place: a
 * reader sees the old object or the new one, never a mix, and a failed upload leaves only an
 * unreferenced data file that is deleted at once (or, after a crash, when the bucket loads).
 * Readers that already opened the old data file keep reading it after it is unlinked.
 * One process owns a data directory; buckets are loaded lazily, keys are indexed in memory.
 */
export class BucketStore {
  /** Serializes commits and deletes in this bucket, so sidecar, index and data files agree. */
  readonly queue = new SerialQueue();
  private index: Promise<SortedIndex<StoredObject>> | undefined;
  private uploadStore: UploadStore | undefined;

  constructor(
    readonly dir: string,
    public record: BucketRecord,
  ) {}

  get name(): string {
    return this.record.name;
  }

  objects(): Promise<SortedIndex<StoredObject>> {
    this.index ??= this.loadObjects();
    return this.index;
  }

  uploads(): UploadStore {
    this.uploadStore ??= new UploadStore(join(this.dir, 'uploads'));
    return this.uploadStore;
  }

  dataPath(dataFile: string): string {
    return join(this.dir, 'data', dataFile);
  }

  /** A new, unreferenced data file path; the bucket is loaded first so it cannot be collected. */
  async newDataFile(): Promise<{ dataFile: string; path: string }> {
    await this.objects();
    const dataFile = uniqueName('.bin');
    return { dataFile, path: this.dataPath(dataFile) };
  }

  /**
   * Makes `object` the current version of its key. `precondition` sees the current version and
   * may throw (conditional writes); then the new data file is discarded and nothing changes.
   */
  async commitObject(object: StoredObject, precondition?: (current: StoredObject | undefined) => void): Promise<void> {
    const index = await this.objects();
    await this.queue.run(async () => {
      const current = index.get(object.key);
      try {
        precondition?.(current);
        await writeJsonAtomically(join(this.dir, 'objects', fileNameForKey(object.key)), object);
      } catch (error) {
        await rm(this.dataPath(object.dataFile), { force: true });
        throw error;
      }
      index.set(object.key, object);
      // The new version is committed; failing to delete the old bytes only leaves garbage for the next load.
      if (current && current.dataFile !== object.dataFile) await rm(this.dataPath(current.dataFile), { force: true }).catch(() => undefined);
    });
  }

  async deleteObject(key: string): Promise<StoredObject | undefined> {
    const index = await this.objects();
    return this.queue.run(async () => {
      const current = index.get(key);
      if (!current) return undefined;
      await rm(join(this.dir, 'objects', fileNameForKey(key)), { force: true });
      index.delete(key);
      await rm(this.dataPath(current.dataFile), { force: true });
      return current;
    });
  }

  private async loadObjects(): Promise<SortedIndex<StoredObject>> {
    const index = new SortedIndex<StoredObject>();
    const objectsDir = join(this.dir, 'objects');
    const names = await readdir(objectsDir);
    const sidecars = names.filter((name) => name.endsWith('.json'));
    await mapLimit(names.filter((name) => name.endsWith('.tmp')), 32, (name) => rm(join(objectsDir, name), { force: true }));
    const loaded = await mapLimit(sidecars, 64, (name) => readSidecar(join(objectsDir, name)));
    const objects = loaded.filter((object): object is StoredObject => object !== undefined);
    for (const object of objects) index.set(object.key, object);
    // Collect data files no sidecar references: uploads that failed while the process crashed.
    const referenced = new Set(objects.map((object) => object.dataFile));
    const dataFiles = await readdir(join(this.dir, 'data'));
    await mapLimit(dataFiles.filter((name) => !referenced.has(name)), 32, (name) => rm(this.dataPath(name), { force: true }));
    return index;
  }
}

/**
 * Sidecars are renamed into place whole, but without fsync a machine crash can still leave an
 * empty or cut file: such an object is dropped (its bytes are then collected), not fatal.
 */
async function readSidecar(path: string): Promise<StoredObject | undefined> {
  try {
    const object = await readJson<StoredObject>(path);
    if (typeof object.key === 'string' && typeof object.dataFile === 'string') return object;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  console.error(`local S3: ignoring the unreadable object metadata file ${path}`);
  await rm(path, { force: true });
  return undefined;
}

export class S3Store {
  private readonly buckets = new Map<string, BucketStore>();
  private readonly bucketsDir: string;
  private readonly trashDir: string;
  private readonly loaded: Promise<void>;

  constructor(dataDir: string) {
    this.bucketsDir = join(dataDir, 's3', 'buckets');
    this.trashDir = join(dataDir, 's3', 'trash');
    this.loaded = this.load();
    // Surfaced by ready(); never an unhandled rejection.
    this.loaded.catch(() => undefined);
  }

  ready(): Promise<void> {
    return this.loaded;
  }

  get(name: string): BucketStore | undefined {
    return this.buckets.get(name);
  }

  listOwnedBy(accountId: string): BucketRecord[] {
    return [...this.buckets.values()]
      .map((bucket) => bucket.record)
      .filter((record) => record.ownerAccountId === accountId)
      .sort((a, b) => compareUtf8(a.name, b.name));
  }

  /** Claims the name synchronously (names are global), then writes the bucket to disk. */
  async create(record: BucketRecord): Promise<BucketStore> {
    if (this.buckets.has(record.name)) throw new Error(`bucket ${record.name} exists`);
    const dir = join(this.bucketsDir, record.name);
    const bucket = new BucketStore(dir, record);
    this.buckets.set(record.name, bucket);
    try {
      await rm(dir, { recursive: true, force: true });
      await Promise.all(['objects', 'data', 'uploads'].map((sub) => mkdir(join(dir, sub), { recursive: true })));
      await writeJsonAtomically(join(dir, 'bucket.json'), record);
      return bucket;
    } catch (error) {
      this.buckets.delete(record.name);
      throw error;
    }
  }

  async saveRecord(bucket: BucketStore, record: BucketRecord): Promise<void> {
    await bucket.queue.run(() => writeJsonAtomically(join(bucket.dir, 'bucket.json'), record));
    bucket.record = record;
  }

  /** Moves the bucket away in one rename (freeing its name), then deletes the files. */
  async delete(bucket: BucketStore, isEmpty: () => boolean): Promise<boolean> {
    await bucket.objects();
    const moved = await bucket.queue.run(async () => {
      if (!isEmpty()) return undefined;
      const trash = join(this.trashDir, uniqueName(''));
      await mkdir(this.trashDir, { recursive: true });
      await rename(bucket.dir, trash);
      this.buckets.delete(bucket.name);
      return trash;
    });
    if (moved === undefined) return false;
    await rm(moved, { recursive: true, force: true });
    return true;
  }

  private async load(): Promise<void> {
    await mkdir(this.bucketsDir, { recursive: true });
    await rm(this.trashDir, { recursive: true, force: true });
    for (const name of await readdir(this.bucketsDir)) {
      const dir = join(this.bucketsDir, name);
      try {
        this.buckets.set(name, new BucketStore(dir, await readJson<BucketRecord>(join(dir, 'bucket.json'))));
      } catch (error) {
        // A bucket whose creation crashed before bucket.json was written never existed.
        if (!isMissingFile(error)) throw error;
        await rm(dir, { recursive: true, force: true });
      }
    }
  }
}
