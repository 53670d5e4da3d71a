/**
 * Turns a request body as it arrives on the wire into the payload the client meant, and proves
 * it intact on the way: aws-chunked framing (unsigned chunks with a checksum trailer, which the
 * AWS SDK sends for streamed uploads, or SigV4-signed chunks) is removed, and the checksums the
 * client declared (x-amz-checksum-* header or trailer, Content-MD5, a hex x-amz-content-sha256,
 * x-amz-decoded-content-length) are checked against the decoded bytes before the stream ends.
 * A consumer that sees 'end' therefore holds exactly the bytes the client signed or summed; any
 * mismatch surfaces as a stream error carrying an AwsError, so a half-written object is discarded.
 * Nothing is buffered beyond one framing line.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, type IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { AwsError } from '#endpoint/contract';
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  createChecksum,
  isWellFormedChecksum,
  type ChecksumAlgorithm,
  type Checksums,
  type IncrementalChecksum,
} from '#endpoint/s3/checksums';
import { completesMultipartUpload, planPayload, type DecodeOptions, type PayloadPlan } from '#endpoint/s3/payload-plan';

export type { ChunkSigning, DecodeOptions } from '#endpoint/s3/payload-plan';

const EMPTY_SHA256 = createHash('sha256').digest('hex');
const MAX_LINE_BYTES = 4096;

/** The checksums of a body decoded by `decodeAwsChunked`, known and verified once it has ended. */
export function verifiedChecksums(body: NodeJS.ReadableStream): Checksums | undefined {
  return body instanceof DecodedPayload ? body.verified : undefined;
}

/** Throws (synchronously) an AwsError when the headers describe a payload S3 would refuse. */
export function decodeAwsChunked(
  raw: NodeJS.ReadableStream,
  headers: IncomingHttpHeaders,
  options: DecodeOptions = {},
): NodeJS.ReadableStream {
  const headerChecksumsDescribeBody = !(raw instanceof IncomingMessage && completesMultipartUpload(raw));
  const decoded = new DecodedPayload(planPayload(headers, options, headerChecksumsDescribeBody));
  // Not stream.pipeline: on a decoding error it would destroy the request, and with it the
  // socket we still need to send the error answer on.
  let rawEnded = false;
  raw.on('end', () => (rawEnded = true));
  raw.on('error', (error: Error) => decoded.destroy(error));
  // A client that disconnects mid-body closes the request without 'end' (and maybe without
  // 'error'): the consumer must still learn that the body is incomplete.
  raw.on('close', () => {
    if (!rawEnded)
      decoded.destroy(
        new AwsError('IncompleteBody', 'The connection closed before the request body was complete.', 400),
      );
  });
  raw.pipe(decoded);
  return decoded;
}

type FramingState = 'size' | 'data' | 'data-crlf' | 'trailer' | 'done';

class DecodedPayload extends Transform {
  /** Set (with every verified checksum) just before the stream ends cleanly. */
  verified: Checksums | undefined;

  private state: FramingState = 'size';
  private line: Buffer[] = [];
  private lineBytes = 0;
  private chunkRemaining = 0;
  private crlfSeen = 0;
  private decodedBytes = 0;
  private previousSignature: string;
  private chunkSignature = '';
  private chunkHash: ReturnType<typeof createHash> | undefined;
  private readonly trailers = new Map<string, string>();
  private readonly checksums = new Map<ChecksumAlgorithm, IncrementalChecksum>();
  private readonly payloadSha256: ReturnType<typeof createHash> | undefined;
  private readonly md5: ReturnType<typeof createHash> | undefined;

  constructor(private readonly plan: PayloadPlan) {
    super({ readableHighWaterMark: 1024 * 1024, writableHighWaterMark: 1024 * 1024 });
    this.previousSignature = plan.signing?.seedSignature ?? '';
    for (const algorithm of CHECKSUM_ALGORITHMS) {
      if (plan.declaredChecksums[algorithm] !== undefined || plan.trailerAlgorithm === algorithm) {
        this.checksums.set(algorithm, createChecksum(algorithm));
      }
    }
    this.payloadSha256 = plan.contentSha256 ? createHash('sha256') : undefined;
    this.md5 = plan.contentMd5 ? createHash('md5') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      if (this.plan.chunked) this.unframe(chunk);
      else this.emitData(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    this.finish().then(
      () => done(),
      (error: unknown) => done(error as Error),
    );
  }

  private emitData(data: Buffer): void {
    if (data.length === 0) return;
    this.decodedBytes += data.length;
    // Refuse as soon as the body outgrows its declared length, not after storing all of it.
    if (this.plan.decodedLength !== undefined && this.decodedBytes > this.plan.decodedLength) throw incompleteBody();
    for (const checksum of this.checksums.values()) checksum.update(data);
    this.payloadSha256?.update(data);
    this.md5?.update(data);
    this.chunkHash?.update(data);
    this.push(data);
  }

  private unframe(chunk: Buffer): void {
    let position = 0;
    while (position < chunk.length) {
      if (this.state === 'data') {
        const take = Math.min(this.chunkRemaining, chunk.length - position);
        this.emitData(chunk.subarray(position, position + take));
        this.chunkRemaining -= take;
        position += take;
        if (this.chunkRemaining === 0) this.state = 'data-crlf';
      } else if (this.state === 'data-crlf') {
        const expected = this.crlfSeen === 0 ? 0x0d : 0x0a;
        if (chunk[position] !== expected) throw framingError('a chunk is not followed by CRLF');
        position += 1;
        this.crlfSeen += 1;
        if (this.crlfSeen === 2) {
          this.crlfSeen = 0;
          this.verifyChunkSignature();
          this.state = 'size';
        }
      } else if (this.state === 'done') {
        throw framingError('data follows the final chunk');
      } else {
        const newline = chunk.indexOf(0x0a, position);
        const end = newline === -1 ? chunk.length : newline + 1;
        this.lineBytes += end - position;
        if (this.lineBytes > MAX_LINE_BYTES) throw framingError('a chunk header or trailer line is too long');
        this.line.push(chunk.subarray(position, end));
        position = end;
        if (newline !== -1) this.takeLine();
      }
    }
  }

  private takeLine(): void {
    const text = Buffer.concat(this.line).toString('latin1');
    this.line = [];
    this.lineBytes = 0;
    if (!text.endsWith('\r\n')) throw framingError('a line does not end with CRLF');
    const line = text.slice(0, -2);
    if (this.state === 'size') this.startChunk(line);
    else if (line === '') this.state = 'done';
    else this.addTrailer(line);
  }

  private startChunk(line: string): void {
    const match = /^([0-9a-fA-F]{1,12})(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(line);
    if (!match?.[1]) throw framingError('a chunk size line is malformed');
    if (this.plan.signing && !match[2]) throw framingError('a signed chunk has no chunk-signature');
    if (!this.plan.signing && match[2]) throw framingError('an unsigned payload carries chunk signatures');
    const size = parseInt(match[1], 16);
    this.chunkSignature = match[2] ?? '';
    this.chunkHash = this.plan.signing ? createHash('sha256') : undefined;
    if (size > 0) {
      this.chunkRemaining = size;
      this.state = 'data';
    } else {
      this.verifyChunkSignature();
      this.state = 'trailer';
    }
  }

  private verifyChunkSignature(): void {
    const signing = this.plan.signing;
    if (!signing || !this.chunkHash) return;
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      signing.amzDate,
      signing.credentialScope,
      this.previousSignature,
      EMPTY_SHA256,
      this.chunkHash.digest('hex'),
    ].join('\n');
    this.chunkHash = undefined;
    assertSignature(signing.sign(stringToSign), this.chunkSignature);
    this.previousSignature = this.chunkSignature;
  }

  private addTrailer(line: string): void {
    if (!this.plan.trailerAllowed) throw framingError('trailing headers follow a payload without trailer');
    const colon = line.indexOf(':');
    if (colon <= 0) throw trailerError();
    const name = line.slice(0, colon).trim().toLowerCase();
    if (this.trailers.has(name)) throw trailerError();
    this.trailers.set(name, line.slice(colon + 1).trim());
  }

  private async finish(): Promise<void> {
    // Some clients end the body right after the trailer lines, without the final blank line.
    const endedAfterTrailers = this.state === 'trailer' && this.lineBytes === 0 && this.trailers.size > 0;
    if (this.plan.chunked && this.state !== 'done' && !endedAfterTrailers) {
      throw new AwsError('IncompleteBody', 'The request body ended before the final aws-chunked chunk.', 400);
    }
    if (this.plan.decodedLength !== undefined && this.plan.decodedLength !== this.decodedBytes) throw incompleteBody();
    this.verifyTrailerSignature();
    if (this.payloadSha256 && this.payloadSha256.digest('hex') !== this.plan.contentSha256) {
      throw new AwsError(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
      );
    }
    if (this.md5 && this.md5.digest('base64') !== this.plan.contentMd5) {
      throw new AwsError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
    }
    this.verified = await this.verifyChecksums();
  }

  private verifyTrailerSignature(): void {
    const signing = this.plan.signing;
    if (!signing || !this.plan.trailerSigned) return;
    const signature = this.trailers.get('x-amz-trailer-signature');
    if (!signature) throw trailerError();
    const trailerLines = [...this.trailers]
      .filter(([name]) => name !== 'x-amz-trailer-signature')
      .map(([name, value]) => `${name}:${value}\n`)
      .join('');
    const stringToSign = [
      'AWS4-HMAC-SHA256-TRAILER',
      signing.amzDate,
      signing.credentialScope,
      this.previousSignature,
      createHash('sha256').update(trailerLines).digest('hex'),
    ].join('\n');
    assertSignature(signing.sign(stringToSign), signature);
  }

  private async verifyChecksums(): Promise<Checksums> {
    const expected: Checksums = { ...this.plan.declaredChecksums };
    const trailerAlgorithm = this.plan.trailerAlgorithm;
    if (trailerAlgorithm) {
      const value = this.trailers.get(checksumHeaderName(trailerAlgorithm));
      if (value === undefined || !isWellFormedChecksum(trailerAlgorithm, value)) throw trailerError();
      expected[trailerAlgorithm] = value;
    }
    for (const [algorithm, checksum] of this.checksums) {
      const actual = (await checksum.digest()).toString('base64');
      if (actual !== expected[algorithm]) {
        throw new AwsError('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, 400);
      }
    }
    return expected;
  }
}

function assertSignature(expected: string, received: string): void {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(received, 'hex');
  if (a.length !== 32 || a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and ' +
        'signing method.',
      403,
    );
  }
}

function incompleteBody(): AwsError {
  return new AwsError(
    'IncompleteBody',
    'You did not provide the number of bytes specified by the Content-Length HTTP header',
    400,
  );
}

function framingError(what: string): AwsError {
  return new AwsError('InvalidRequest', `The aws-chunked body is malformed: ${what}.`, 400);
}

function trailerError(): AwsError {
  return new AwsError(
    'MalformedTrailerError',
    'The request contained trailing data that was not well-formed or did not conform to our published schema.',
    400,
  );
}
