/**
 * Multipart uploads of one bucket, under `uploads/<uploadId>/`: `upload.json`, one
 * `part-<n>.json` sidecar per part and the part bytes in uniquely named files. Uploading a
 * part number again writes a new file and renames the sidecar over the old one, so a retried
 * part replaces the earlier one atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConflictTicket, ConflictTracker } from '#endpoint/s3/write-conflicts';
import type { PartRecord, UploadRecord } from '#endpoint/s3/model';
import { SerialQueue, isMissingFile, mapLimit, readJson, uniqueName, writeJsonAtomically } from '#endpoint/s3/files';

export interface UploadState {
  record: UploadRecord;
  dir: string;
  parts: Map<number, PartRecord>;
  /** Serializes part commits and completion of this upload. */
  queue: SerialQueue;
  /** Set once CompleteMultipartUpload or AbortMultipartUpload took the upload. */
  closed: boolean;
  /** Marked when a delete of the key commits while the upload is open (conditional completion: 409). */
  conflict: ConflictTicket;
}

export class UploadStore {
  private loaded: Promise<Map<string, UploadState>> | undefined;

  constructor(
    private readonly dir: string,
    private readonly conflicts: ConflictTracker,
  ) {}

  all(): Promise<Map<string, UploadState>> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  async get(uploadId: string): Promise<UploadState | undefined> {
    const upload = (await this.all()).get(uploadId);
    return upload && !upload.closed ? upload : undefined;
  }

  async create(record: Omit<UploadRecord, 'uploadId'>): Promise<UploadState> {
    const uploads = await this.all();
    const uploadId = randomBytes(36).toString('base64url');
    const dir = join(this.dir, uploadId);
    await mkdir(dir, { recursive: true });
    const full: UploadRecord = { ...record, uploadId };
    await writeJsonAtomically(join(dir, 'upload.json'), full);
    const state: UploadState = {
      record: full,
      dir,
      parts: new Map(),
      queue: new SerialQueue(),
      closed: false,
      conflict: this.conflicts.begin(full.key),
    };
    uploads.set(uploadId, state);
    return state;
  }

  newPartFile(upload: UploadState): { dataFile: string; path: string } {
    const dataFile = uniqueName('.part');
    return { dataFile, path: join(upload.dir, dataFile) };
  }

  async discardPartFile(upload: UploadState, dataFile: string): Promise<void> {
    await rm(join(upload.dir, dataFile), { force: true });
  }

  partPath(upload: UploadState, part: PartRecord): string {
    return join(upload.dir, part.dataFile);
  }

  /** Makes `part` the current one for its number; the data file is discarded if the upload went away. */
  async commitPart(upload: UploadState, part: PartRecord, onClosed: () => Error): Promise<void> {
    await upload.queue.run(async () => {
      try {
        if (upload.closed) throw onClosed();
        await writeJsonAtomically(join(upload.dir, `part-${part.partNumber}.json`), part);
      } catch (error) {
        await rm(join(upload.dir, part.dataFile), { force: true });
        throw error;
      }
      const previous = upload.parts.get(part.partNumber);
      upload.parts.set(part.partNumber, part);
      if (previous) await rm(join(upload.dir, previous.dataFile), { force: true });
    });
  }

  /** Forgets the upload and deletes its files (after completion or on abort). */
  async remove(upload: UploadState): Promise<void> {
    upload.closed = true;
    this.conflicts.end(upload.conflict);
    (await this.all()).delete(upload.record.uploadId);
    await rm(upload.dir, { recursive: true, force: true });
  }

  private async load(): Promise<Map<string, UploadState>> {
    const uploads = new Map<string, UploadState>();
    await mkdir(this.dir, { recursive: true });
    for (const uploadId of await readdir(this.dir)) {
      const dir = join(this.dir, uploadId);
      let record: UploadRecord;
      try {
        record = await readJson<UploadRecord>(join(dir, 'upload.json'));
      } catch (error) {
        if (!isMissingFile(error)) throw error;
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      const names = await readdir(dir);
      const sidecars = names.filter((name) => /^part-\d+\.json$/.test(name));
      const parts = await mapLimit(sidecars, 32, (name) => readJson<PartRecord>(join(dir, name)));
      const referenced = new Set(['upload.json', ...sidecars, ...parts.map((part) => part.dataFile)]);
      await mapLimit(
        names.filter((name) => !referenced.has(name)),
        32,
        (name) => rm(join(dir, name), { force: true }),
      );
      uploads.set(uploadId, {
        record,
        dir,
        parts: new Map(parts.map((part) => [part.partNumber, part])),
        queue: new SerialQueue(),
        closed: false,
        conflict: this.conflicts.begin(record.key),
      });
    }
    return uploads;
  }
}
