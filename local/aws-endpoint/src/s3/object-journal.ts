/**
 * The object metadata of one bucket as an append-only journal (`objects.jsonl`): one line per
 * committed write or delete marker (`{"put": {...}}`) or removed version (`{"delete": "<key>"}`
 * for the null version, plus `"versionId"` for another), with the event notification it raised
 * (`"event"`) in the same line; `{"notified": [ids]}` records deliveries and `{"notify": {...}}`
 * carries an undelivered event over a rewrite. A commit is one append,
 * and appends that arrive while a write is under way go out together in the next write, so
 * thousands of small objects cost at most one disk write each instead of a file each. Loading
 * replays the lines; when most lines are superseded, the journal is rewritten with the live
 * objects. A last line cut short by a crash is dropped: that commit never answered success.
 */
import { createReadStream } from 'node:fs';
import { open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { ObjectVersion } from '#endpoint/s3/model';
import type { PendingEvent } from '#endpoint/s3/notification-events';
import { isMissingFile, writeJsonLinesAtomically } from '#endpoint/s3/files';

export type JournalEntry =
  | { put: ObjectVersion; event?: PendingEvent }
  | { delete: string; versionId?: string; event?: PendingEvent }
  | { notify: PendingEvent }
  | { notified: string[] };

export class ObjectJournal {
  private handle: FileHandle | undefined;
  private pending: Array<{ line: string; done: (error?: Error) => void }> = [];
  /** Whether a writer loop is running; set and cleared synchronously around the loop. */
  private writerActive = false;
  private writer: Promise<void> = Promise.resolve();
  /** Lines in the file, to know when rewriting it pays off. */
  private lines = 0;

  constructor(private readonly path: string) {}

  /** Replays the journal into `apply`, in order; returns once it is ready for appends. */
  async load(apply: (entry: JournalEntry) => void): Promise<void> {
    let size = 0;
    try {
      size = (await stat(this.path)).size;
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
    const replay = (entry: JournalEntry | undefined) => {
      if (!entry) return;
      apply(entry);
      this.lines += 1;
    };
    let offset = 0;
    let lastLineStart = 0;
    let last: JournalEntry | undefined;
    if (size > 0) {
      const lines = createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) {
        // Each line is applied once the next one shows it was complete.
        replay(last);
        lastLineStart = offset;
        offset += Buffer.byteLength(line, 'utf8') + 1;
        last = parseEntry(line);
        if (!last) console.error(`local S3: skipping an unreadable line in ${this.path}`);
      }
    }
    // Every line but a cut-off last one ends in a newline: a crash mid-append, never acknowledged.
    if (offset <= size) replay(last);
    else await truncate(this.path, lastLineStart);
    this.handle = await open(this.path, 'a');
  }

  put(version: ObjectVersion): Promise<void> {
    return this.append({ put: version });
  }

  /** Removes the null version of `key`, or the version named. */
  delete(key: string, versionId?: string): Promise<void> {
    return this.append(versionId === undefined ? { delete: key } : { delete: key, versionId });
  }

  append(entry: JournalEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line: `${JSON.stringify(entry)}\n`, done: (error) => (error ? reject(error) : resolve()) });
      if (!this.writerActive) {
        this.writerActive = true;
        this.writer = this.writeBatches();
      }
    });
  }

  /** Whether rewriting would drop most of the file. */
  isWasteful(liveVersions: number): boolean {
    return this.lines > 2 * liveVersions + 1000;
  }

  /**
   * Replaces the journal with one line per live version (oldest first) and per undelivered event.
   * Callers keep commits out meanwhile.
   */
  async rewrite(versions: Iterable<ObjectVersion>, undelivered: Iterable<PendingEvent> = []): Promise<void> {
    await this.writer;
    const lines: string[] = [];
    for (const version of versions) lines.push(JSON.stringify({ put: version }));
    for (const event of undelivered) lines.push(JSON.stringify({ notify: event }));
    await writeJsonLinesAtomically(this.path, lines);
    await this.handle?.close();
    this.handle = await open(this.path, 'a');
    this.lines = lines.length;
  }

  async close(): Promise<void> {
    await this.writer;
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Writes what is pending, then what arrived meanwhile, until nothing is left. */
  private async writeBatches(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0);
        try {
          if (!this.handle) throw new Error('the object journal is not open');
          await this.handle.write(batch.map((item) => item.line).join(''));
          this.lines += batch.length;
          for (const item of batch) item.done();
        } catch (error) {
          for (const item of batch) item.done(error as Error);
        }
      }
    } finally {
      // In the same synchronous step as the last empty check: a later append starts a new loop.
      this.writerActive = false;
    }
  }
}

function parseEntry(line: string): JournalEntry | undefined {
  try {
    const entry = JSON.parse(line) as Partial<{
      put: ObjectVersion & { dataFile?: unknown; deleteMarker?: unknown };
      delete: string;
      versionId: unknown;
      event: PendingEvent;
      notify: PendingEvent;
      notified: unknown;
    }>;
    const event = isEvent(entry.event) ? { event: entry.event } : {};
    const put = entry.put;
    if (put && typeof put.key === 'string' && (typeof put.dataFile === 'string' || put.deleteMarker === true))
      return { put, ...event };
    if (typeof entry.delete === 'string')
      return {
        delete: entry.delete,
        ...(typeof entry.versionId === 'string' ? { versionId: entry.versionId } : {}),
        ...event,
      };
    if (isEvent(entry.notify)) return { notify: entry.notify };
    if (Array.isArray(entry.notified) && entry.notified.every((id) => typeof id === 'string'))
      return { notified: entry.notified as string[] };
  } catch {
    // falls through: not a whole entry
  }
  return undefined;
}

const isEvent = (value: unknown): value is PendingEvent =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as PendingEvent).id === 'string' &&
  Array.isArray((value as PendingEvent).destinations);
