/**
 * The buckets under `<dataDir>/s3/buckets/<bucket>/` (bucket-store.ts). Bucket names are global:
 * one registry for all accounts. One process owns a data directory; buckets load lazily.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketStore } from '#endpoint/s3/bucket-store';
import { noSuchBucket } from '#endpoint/s3/errors';
import { isMissingFile, readJson, uniqueName, writeJsonAtomically } from '#endpoint/s3/files';
import type { BucketRecord } from '#endpoint/s3/model';
import type { NotificationOutbox } from '#endpoint/s3/notification-outbox';
import { compareUtf8 } from '#endpoint/s3/object-index';

export class S3Store {
  private readonly buckets = new Map<string, BucketStore>();
  private readonly bucketsDir: string;
  private readonly trashDir: string;
  private readonly loaded: Promise<void>;

  constructor(
    dataDir: string,
    private readonly outbox: NotificationOutbox,
  ) {
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
    const bucket = new BucketStore(dir, record, this.outbox);
    this.buckets.set(record.name, bucket);
    try {
      await rm(dir, { recursive: true, force: true });
      await Promise.all(['data', 'uploads'].map((sub) => mkdir(join(dir, sub), { recursive: true })));
      await writeJsonAtomically(join(dir, 'bucket.json'), record);
      return bucket;
    } catch (error) {
      this.buckets.delete(record.name);
      throw error;
    }
  }

  async saveRecord(bucket: BucketStore, record: BucketRecord): Promise<void> {
    await bucket.gate.alone(async () => {
      if (bucket.deleted) throw noSuchBucket(bucket.name);
      await writeJsonAtomically(join(bucket.dir, 'bucket.json'), record);
      bucket.record = record;
    });
  }

  /** Moves the bucket away in one rename (freeing its name), then deletes the files. */
  async delete(bucket: BucketStore, isEmpty: () => boolean): Promise<boolean> {
    await bucket.objects();
    const moved = await bucket.gate.alone(async () => {
      if (bucket.deleted) throw noSuchBucket(bucket.name);
      if (!isEmpty()) return undefined;
      const trash = join(this.trashDir, uniqueName(''));
      await bucket.close();
      await mkdir(this.trashDir, { recursive: true });
      await rename(bucket.dir, trash);
      bucket.deleted = true;
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
        this.buckets.set(
          name,
          new BucketStore(dir, await readJson<BucketRecord>(join(dir, 'bucket.json')), this.outbox),
        );
      } catch (error) {
        // A bucket whose creation crashed before bucket.json was written never existed.
        if (!isMissingFile(error)) throw error;
        await rm(dir, { recursive: true, force: true });
      }
    }
    // Buckets load lazily, but one that sends notifications may hold undelivered events from
    // before a restart: read those journals in the background, without holding up the start.
    for (const bucket of this.buckets.values()) {
      if (bucket.record.notification)
        bucket
          .versions()
          .catch((error: unknown) => console.error(`local S3: could not load bucket ${bucket.name}`, error));
    }
  }
}
