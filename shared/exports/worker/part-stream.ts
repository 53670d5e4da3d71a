/**
 * A part of a large file on its way from the platform's bucket to the customer's: the range GET's
 * body flows straight into the UploadPart request, so a part never sits in memory whole. On the
 * way it computes the part's CRC32 from the source bytes (compared afterwards with the CRC32 S3
 * computed of what it received) and counts them: a short or long read fails the part. A read that
 * breaks off mid-way fails as an IntegrityError, which the copy retries from a fresh GET.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { nameOf } from '#shared/aws/error-kinds';
import { toBase64 } from '#shared/exports/worker/crc32';
import { IntegrityError } from '#shared/exports/worker/retry';

export class PartStream extends Transform {
  private crc = 0;
  private seen = 0;

  /**
   * @param onBroken called when the part cannot be sent whole: the HTTP client does not notice a
   *   body that fails mid-way (it pipes the body into the request), so the caller aborts the
   *   request then, instead of leaving it waiting for bytes that never come.
   */
  constructor(
    source: Readable,
    private readonly length: number,
    private readonly onBroken: (error: IntegrityError) => void,
  ) {
    super();
    source.once('error', (error: unknown) =>
      this.fail(new IntegrityError(`the backup file read broke off (${nameOf(error)})`)),
    );
    source.pipe(this);
    // The consumer (the upload) may stop early: stop reading the source then too.
    this.once('close', () => source.destroy());
  }

  private fail(error: IntegrityError): void {
    this.onBroken(error);
    this.destroy(error);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.length) {
      this.fail(new IntegrityError(`read more bytes than the part has (${this.length})`));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen !== this.length) {
      this.fail(new IntegrityError(`short read from the backup file: ${this.seen} of ${this.length} bytes`));
      return;
    }
    done();
  }

  /** Base64 CRC32 of the bytes that went through (complete once the stream has ended). */
  get crc32(): string {
    return toBase64(this.crc >>> 0);
  }

  get complete(): boolean {
    return this.seen === this.length && this.writableFinished;
  }
}
