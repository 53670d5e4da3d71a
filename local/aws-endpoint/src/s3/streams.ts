/** Streaming object bytes to disk without holding them: MD5 (the ETag) and size computed on the way. */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createChecksum,
  type ChecksumAlgorithm,
  type Checksums,
  type IncrementalChecksum,
} from '#endpoint/s3/checksums';
import { S3Error } from '#endpoint/s3/errors';

export const HIGH_WATER_MARK = 1024 * 1024;
export const MAX_OBJECT_BYTES = 5 * 1024 ** 3;

export interface WrittenData {
  size: number;
  /** Absent when not asked for (a multipart object's ETag comes from its parts' MD5s). */
  md5: Buffer | undefined;
  /** Only the algorithms asked for. */
  checksums: Checksums;
}

export const entityTooLarge = () =>
  new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
    MaxSizeAllowed: String(MAX_OBJECT_BYTES),
  });

export interface WriteOptions {
  /** Refuse more bytes than this (EntityTooLarge). */
  limit: number;
  /** Checksums to compute over the bytes (CopyObject and multipart completion make their own). */
  checksums?: ChecksumAlgorithm[];
  /** MD5 for the ETag; on unless turned off. */
  md5?: boolean;
}

/** The ETag of bytes written with their MD5: `"<md5 hex>"`. */
export function etagOf(written: WrittenData): string {
  if (!written.md5) throw new Error('the MD5 of these bytes was not computed');
  return `"${written.md5.toString('hex')}"`;
}

/** Counts and hashes what flows through, refusing more than `limit` bytes. */
export class Meter extends Transform {
  size = 0;
  private readonly md5: ReturnType<typeof createHash> | undefined;
  private readonly checksums = new Map<ChecksumAlgorithm, IncrementalChecksum>();

  constructor(private readonly options: WriteOptions) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.md5 = options.md5 === false ? undefined : createHash('md5');
    for (const algorithm of options.checksums ?? []) this.checksums.set(algorithm, createChecksum(algorithm));
  }

  /** Network chunks are small; gathering them into ~1 MiB blocks makes far fewer hash and disk calls. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.options.limit) {
      done(entityTooLarge());
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= HIGH_WATER_MARK) this.emitPending();
    done();
  }

  override _flush(done: TransformCallback): void {
    this.emitPending();
    done();
  }

  private emitPending(): void {
    if (this.pendingBytes === 0) return;
    const block =
      this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.md5?.update(block);
    for (const checksum of this.checksums.values()) checksum.update(block);
    this.push(block);
  }

  async result(): Promise<WrittenData> {
    const checksums: Checksums = {};
    for (const [algorithm, checksum] of this.checksums)
      checksums[algorithm] = (await checksum.digest()).toString('base64');
    return { size: this.size, md5: this.md5?.digest(), checksums };
  }
}

/**
 * Streams `sources` one after the other into a new file at `path` (created exclusively). On any
 * failure the file is removed, so a failed or aborted upload leaves nothing behind.
 */
export async function writeFileFrom(
  sources: Array<NodeJS.ReadableStream | (() => NodeJS.ReadableStream)>,
  path: string,
  options: WriteOptions,
): Promise<WrittenData> {
  const meter = new Meter(options);
  try {
    await pipeline(
      Readable.from(concatenate(sources), { objectMode: false }),
      meter,
      createWriteStream(path, { flags: 'wx', highWaterMark: HIGH_WATER_MARK }),
    );
    return await meter.result();
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}

/** The sources one after the other; a lazy source is opened only when its turn comes. */
async function* concatenate(
  sources: Array<NodeJS.ReadableStream | (() => NodeJS.ReadableStream)>,
): AsyncGenerator<Buffer> {
  for (const source of sources) {
    const stream = typeof source === 'function' ? source() : source;
    for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}
