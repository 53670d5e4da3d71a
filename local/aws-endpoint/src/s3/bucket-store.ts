/**
 * One bucket on disk (`buckets/<bucket>/`):
 *
 *   bucket.json      owner, region, default encryption, versioning, notification configuration
 *   objects.jsonl    the journal of object versions (object-journal.ts, versions.ts)
 *   data/<unique>    object bytes, a new file for every write (one per version)
 *   uploads/<id>/    multipart uploads (upload-store.ts)
 *
 * A write streams into a fresh data file, then commits with one journal line: a reader sees the
 * old object or the new one, never a mix, and a failed upload leaves only an unreferenced data
 * file that is deleted at once (or, after a crash, when the bucket loads). Readers that already
 * opened the old data file keep reading it after it is unlinked. Keys are indexed in memory.
 * The event notification a commit raises is decided inside the commit and written in its
 * journal line (bucket-events.ts), so no committed write goes without its notification.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BucketEvents } from '#endpoint/s3/bucket-events';
import { ConflictTracker } from '#endpoint/s3/write-conflicts';
import { noSuchBucket } from '#endpoint/s3/errors';
import { CommitGate, mapLimit, uniqueName } from '#endpoint/s3/files';
import {
  isDeleteMarker,
  type BucketRecord,
  type DeleteMarker,
  type ObjectVersion,
  type StoredObject,
} from '#endpoint/s3/model';
import type { SortedIndex } from '#endpoint/s3/object-index';
import { pendingEvent, type EventCause, type RequestOrigin } from '#endpoint/s3/notification-events';
import type { NotificationOutbox } from '#endpoint/s3/notification-outbox';
import { ObjectJournal } from '#endpoint/s3/object-journal';
import { UploadStore } from '#endpoint/s3/upload-store';
import { NULL_VERSION_ID, ObjectVersions, newVersionId, versionIdOf } from '#endpoint/s3/versions';

export class BucketStore {
  readonly gate = new CommitGate();
  /** Writes under way per key, for conditional writes that a delete overtakes (409). */
  readonly conflicts = new ConflictTracker();
  /** Set once DeleteBucket took the bucket: requests that found it before then answer NoSuchBucket. */
  deleted = false;
  private readonly journal: ObjectJournal;
  private loaded: Promise<ObjectVersions> | undefined;
  private uploadStore: UploadStore | undefined;
  private compacting = false;
  private readonly events: BucketEvents;

  constructor(
    readonly dir: string,
    public record: BucketRecord,
    outbox: NotificationOutbox,
  ) {
    this.journal = new ObjectJournal(join(dir, 'objects.jsonl'));
    // Delivery records share the journal; '' is no object key, so they never wait on a commit.
    this.events = new BucketEvents(outbox, (ids) => this.gate.forKey('', () => this.journal.append({ notified: ids })));
  }

  get name(): string {
    return this.record.name;
  }

  /** Every version of every key (versions.ts). */
  versions(): Promise<ObjectVersions> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  /** The current version of each key: what GET, HEAD and ListObjects see. */
  async objects(): Promise<SortedIndex<StoredObject>> {
    return (await this.versions()).current;
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
    await this.versions();
    if (this.deleted) throw noSuchBucket(this.name);
    const dataFile = uniqueName('.bin');
    return { dataFile, path: this.dataPath(dataFile) };
  }

  /**
   * Commits `object` as the newest version of its key: with its own version id when versioning
   * is Enabled, else as the null version (replacing the earlier one). `precondition` sees the
   * current version and may throw (conditional writes); then the new data file is discarded
   * and nothing changes. `cause` raises the event notification. Answers the version committed.
   */
  async commitObject(
    object: StoredObject,
    precondition?: (current: StoredObject | undefined) => void,
    cause?: EventCause,
  ): Promise<StoredObject> {
    const versions = await this.versions();
    const committed = await this.gate.forKey(object.key, async () => {
      // Versioning changes run alone (saveRecord), so the status holds for this whole commit.
      const version: StoredObject =
        this.record.versioning === 'Enabled' ? { ...object, versionId: newVersionId() } : object;
      try {
        if (this.deleted) throw noSuchBucket(this.name);
        precondition?.(versions.current.get(object.key));
        const event = cause && pendingEvent(this.record, cause, version);
        await this.journal.append({ put: version, ...(event ? { event } : {}) });
        if (event) this.events.committed(event);
      } catch (error) {
        await rm(this.dataPath(object.dataFile), { force: true });
        throw error;
      }
      await this.discard(versions.add(version));
      return version;
    });
    this.compactIfWasteful(versions);
    return committed;
  }

  /**
   * DeleteObject. With a version id: removes that version for good. Without: removes the object
   * in a bucket that never had versioning, else puts a delete marker on top (a null one when
   * versioning is Suspended, replacing the null version). `origin` raises the event notification.
   */
  async deleteObject(key: string, versionId?: string, origin?: RequestOrigin): Promise<DeleteOutcome> {
    const versions = await this.versions();
    const outcome = await this.gate.forKey(key, async (): Promise<DeleteOutcome> => {
      if (this.deleted) throw noSuchBucket(this.name);
      this.conflicts.deleted(key);
      if (versionId !== undefined || this.record.versioning === undefined) {
        const id = versionId ?? NULL_VERSION_ID;
        const named = versionId === undefined ? {} : { versionId };
        const target = versions.get(key, id);
        if (!target) return { ...named, deleteMarker: false };
        const event = origin && pendingEvent(this.record, { name: 'ObjectRemoved:Delete', origin }, target);
        await this.journal.append({
          delete: key,
          ...(id === NULL_VERSION_ID ? {} : { versionId: id }),
          ...(event ? { event } : {}),
        });
        if (event) this.events.committed(event);
        const removed = versions.remove(key, id);
        await this.discard(removed);
        return { ...named, deleteMarker: removed !== undefined && isDeleteMarker(removed) };
      }
      const marker: DeleteMarker = {
        key,
        ...(this.record.versioning === 'Enabled' ? { versionId: newVersionId() } : {}),
        lastModified: new Date().toISOString(),
        deleteMarker: true,
      };
      const event = origin && pendingEvent(this.record, { name: 'ObjectRemoved:DeleteMarkerCreated', origin }, marker);
      await this.journal.append({ put: marker, ...(event ? { event } : {}) });
      if (event) this.events.committed(event);
      await this.discard(versions.add(marker));
      return { versionId: versionIdOf(marker), deleteMarker: true };
    });
    this.compactIfWasteful(versions);
    return outcome;
  }

  /** The bytes of a version nobody can read any more; failing only leaves garbage for the next load. */
  private async discard(version: ObjectVersion | undefined): Promise<void> {
    if (version && !isDeleteMarker(version))
      await rm(this.dataPath(version.dataFile), { force: true }).catch(() => undefined);
  }

  /** Stops writing to the journal (the bucket is being deleted). */
  close(): Promise<void> {
    return this.journal.close();
  }

  /** Rewrites the journal once most of its lines are superseded, with commits held back meanwhile. */
  private compactIfWasteful(versions: ObjectVersions): void {
    if (this.compacting || !this.journal.isWasteful(versions.count)) return;
    this.compacting = true;
    this.gate
      .alone(async () => {
        if (!this.deleted) await this.journal.rewrite(versions.oldestFirst(), this.events.pending.values());
      })
      .catch((error: unknown) => console.error(`local S3: could not compact the object journal of ${this.name}`, error))
      .finally(() => (this.compacting = false));
  }

  private async load(): Promise<ObjectVersions> {
    const versions = new ObjectVersions();
    await this.journal.load((entry) => {
      if ('put' in entry) versions.add(entry.put);
      else if ('delete' in entry) versions.remove(entry.delete, entry.versionId ?? NULL_VERSION_ID);
      this.events.replay(entry);
    });
    this.events.resume();
    // Collect data files nothing refers to: writes that failed while the process crashed.
    const referenced = new Set<string>();
    for (const version of versions.oldestFirst()) if (!isDeleteMarker(version)) referenced.add(version.dataFile);
    const dataFiles = await readdir(join(this.dir, 'data'));
    await mapLimit(
      dataFiles.filter((name) => !referenced.has(name)),
      32,
      (name) => rm(this.dataPath(name), { force: true }),
    );
    return versions;
  }
}

/** What DeleteObject did: the version removed or the delete marker added, if any. */
export interface DeleteOutcome {
  versionId?: string;
  deleteMarker: boolean;
}
