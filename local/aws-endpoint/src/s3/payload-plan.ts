/**
 * What a request's headers say about its body, checked before a byte is read: the payload mode
 * (plain, unsigned aws-chunked with a trailer, SigV4-signed chunks), the checksum it declares in
 * a header or announces as a trailer, its decoded length, Content-MD5 and payload hash.
 * local/aws-endpoint/src/aws-chunked.ts then holds the bytes to all of it.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { AwsError } from '#endpoint/contract';
import {
  algorithmOfHeader,
  isWellFormedChecksum,
  parseChecksumAlgorithm,
  type ChecksumAlgorithm,
  type Checksums,
} from '#endpoint/s3/checksums';

/** What the server knows from the request's Authorization header, to verify signed chunks. */
export interface ChunkSigning {
  /** X-Amz-Date of the request. */
  amzDate: string;
  /** `<yyyymmdd>/<region>/s3/aws4_request`. */
  credentialScope: string;
  /** The request's own signature: the first chunk's signature chains from it. */
  seedSignature: string;
  /** Hex HMAC-SHA256 of `stringToSign` with the request's SigV4 signing key. */
  sign(stringToSign: string): string;
}

export interface DecodeOptions {
  /** Required for STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) bodies; unsigned ones need nothing. */
  chunkSigning?: ChunkSigning;
}

const UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const SIGNED_CHUNKS = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
const SIGNED_CHUNKS_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';

export interface PayloadPlan {
  chunked: boolean;
  signing: ChunkSigning | undefined;
  trailerAlgorithm: ChecksumAlgorithm | undefined;
  trailerAllowed: boolean;
  trailerSigned: boolean;
  declaredChecksums: Checksums;
  decodedLength: number | undefined;
  contentSha256: string | undefined;
  contentMd5: string | undefined;
}

/**
 * The one S3 request whose x-amz-checksum-* headers do not describe its body: on
 * CompleteMultipartUpload they name the checksum of the assembled object, which S3 (the S3
 * module) compares once the parts are joined.
 */
export function completesMultipartUpload(request: IncomingMessage): boolean {
  const query = (request.url ?? '').split('?')[1] ?? '';
  return request.method === 'POST' && new URLSearchParams(query).has('uploadId');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function planPayload(
  headers: IncomingHttpHeaders,
  options: DecodeOptions,
  headerChecksumsDescribeBody: boolean,
): PayloadPlan {
  const contentSha256 = header(headers, 'x-amz-content-sha256')?.trim() ?? '';
  if (
    contentSha256.startsWith('STREAMING-') &&
    ![UNSIGNED_TRAILER, SIGNED_CHUNKS, SIGNED_CHUNKS_TRAILER].includes(contentSha256)
  ) {
    throw new AwsError(
      'NotImplemented',
      `The payload mode ${contentSha256} is not supported by the local endpoint.`,
      501,
    );
  }
  const chunked = contentSha256.startsWith('STREAMING-');
  const signedChunks = contentSha256 === SIGNED_CHUNKS || contentSha256 === SIGNED_CHUNKS_TRAILER;
  if (signedChunks && !options.chunkSigning) {
    // Refusing beats accepting chunks whose signatures nobody checked.
    throw new AwsError('NotImplemented', 'Signed aws-chunked payloads need the request signing key to verify.', 501);
  }

  const declaredChecksums: Checksums = {};
  for (const name of headerChecksumsDescribeBody ? Object.keys(headers) : []) {
    const algorithm = algorithmOfHeader(name);
    if (!algorithm) continue;
    const value = header(headers, name)?.trim() ?? '';
    if (!isWellFormedChecksum(algorithm, value)) {
      throw new AwsError('InvalidRequest', `Value for ${name} header is invalid.`, 400);
    }
    declaredChecksums[algorithm] = value;
  }
  if (Object.keys(declaredChecksums).length > 1) {
    throw new AwsError(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
      400,
    );
  }

  const trailerAlgorithm = planTrailer(header(headers, 'x-amz-trailer'), contentSha256);
  if (trailerAlgorithm && Object.keys(declaredChecksums).length > 0) {
    throw new AwsError('InvalidRequest', 'Expecting a single x-amz-checksum- header or trailer, not both.', 400);
  }
  const sdkAlgorithm = header(headers, 'x-amz-sdk-checksum-algorithm');
  if (sdkAlgorithm !== undefined && headerChecksumsDescribeBody) {
    const algorithm = parseChecksumAlgorithm(sdkAlgorithm);
    const declared = trailerAlgorithm ?? (Object.keys(declaredChecksums)[0] as ChecksumAlgorithm | undefined);
    if (!algorithm || (declared && declared !== algorithm)) {
      throw new AwsError('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.', 400);
    }
    if (!declared) {
      throw new AwsError(
        'InvalidRequest',
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer ' +
          'headers were found.',
        400,
      );
    }
  }

  return {
    chunked,
    signing: signedChunks ? options.chunkSigning : undefined,
    trailerAlgorithm,
    trailerAllowed: contentSha256 === UNSIGNED_TRAILER || contentSha256 === SIGNED_CHUNKS_TRAILER,
    trailerSigned: contentSha256 === SIGNED_CHUNKS_TRAILER,
    declaredChecksums,
    decodedLength: chunked ? planDecodedLength(header(headers, 'x-amz-decoded-content-length')) : undefined,
    contentSha256: /^[0-9a-f]{64}$/.test(contentSha256) ? contentSha256 : undefined,
    contentMd5: planContentMd5(header(headers, 'content-md5')),
  };
}

function planTrailer(announced: string | undefined, contentSha256: string): ChecksumAlgorithm | undefined {
  if (announced === undefined) return undefined;
  if (contentSha256 !== UNSIGNED_TRAILER && contentSha256 !== SIGNED_CHUNKS_TRAILER) {
    throw new AwsError('InvalidRequest', 'x-amz-trailer needs a STREAMING-*-TRAILER x-amz-content-sha256.', 400);
  }
  const names = announced
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const algorithm = names.length === 1 && names[0] ? algorithmOfHeader(names[0]) : undefined;
  if (!algorithm) {
    throw new AwsError('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported', 400);
  }
  return algorithm;
}

function planDecodedLength(value: string | undefined): number {
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) {
    throw new AwsError('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411);
  }
  return Number(value.trim());
}

function planContentMd5(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length !== 16 || bytes.toString('base64') !== trimmed) {
    throw new AwsError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400);
  }
  return trimmed;
}
