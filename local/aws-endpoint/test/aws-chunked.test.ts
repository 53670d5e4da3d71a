/**
 * decodeAwsChunked against the bytes the real S3 client sends and AWS's signed-chunk examples: the payload
 * comes out whole and verified, across every framing boundary, and damaged bodies are refused.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client, UploadPartCommand, type ChecksumAlgorithm } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAwsChunked, verifiedChecksums, type ChunkSigning } from '#endpoint/aws-chunked';
import { checksumOf } from '#endpoint/s3/checksums';

interface CapturedRequest {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A server that records what the real S3 client puts on the wire and answers like S3 would. */
const captured: CapturedRequest[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    captured.push({ headers: request.headers, body: Buffer.concat(chunks) });
    response.setHeader('ETag', '"0"');
    response.end();
  });
});
let s3: S3Client;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'LOCAL222222222222', secretAccessKey: 'local' },
  });
});
afterAll(() => {
  s3.destroy();
  server.close();
});

async function sendPut(
  body: Buffer | Readable,
  extra: { ContentLength?: number; ChecksumAlgorithm?: ChecksumAlgorithm } = {},
): Promise<CapturedRequest> {
  await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'key', Body: body, ...extra }));
  return captured[captured.length - 1] as CapturedRequest;
}

/** Replays a body in pieces of the given sizes (cycled), to cross every framing boundary. */
async function decode(request: CapturedRequest, pieceSizes: number[] = [64 * 1024], options = {}) {
  const pieces: Buffer[] = [];
  for (let offset = 0, index = 0; offset < request.body.length; index += 1) {
    const size = pieceSizes[index % pieceSizes.length] ?? 1;
    pieces.push(request.body.subarray(offset, offset + size));
    offset += size;
  }
  const decoded = decodeAwsChunked(Readable.from(pieces), request.headers, options);
  const out: Buffer[] = [];
  for await (const chunk of decoded) out.push(chunk as Buffer);
  return { data: Buffer.concat(out), checksums: verifiedChecksums(decoded) };
}

async function decodeError(request: CapturedRequest, options = {}): Promise<{ code: string; statusCode: number }> {
  try {
    await decode(request, [4096], options);
  } catch (error) {
    return error as { code: string; statusCode: number };
  }
  throw new Error('expected the body to be refused');
}

function streamOf(data: Buffer, pieceSize = 100_000): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += pieceSize)
    pieces.push(data.subarray(offset, offset + pieceSize));
  return Readable.from(pieces);
}

describe('decodeAwsChunked with bytes the real S3 client sends', () => {
  it('decodes a streamed PutObject (aws-chunked, CRC32 trailer) and verifies its checksum', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const request = await sendPut(streamOf(data), { ContentLength: data.length });
    expect(request.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(request.headers['x-amz-trailer']).toBe('x-amz-checksum-crc32');

    const { data: decoded, checksums } = await decode(request, [65_536, 7, 1, 300_001]);
    expect(decoded.equals(data)).toBe(true);
    expect(checksums).toEqual({ CRC32: await checksumOf('CRC32', data) });
  });

  it('survives a body delivered one byte at a time', async () => {
    const data = randomBytes(2000);
    const request = await sendPut(streamOf(data, 333), { ContentLength: data.length });
    const { data: decoded } = await decode(request, [1]);
    expect(decoded.equals(data)).toBe(true);
  });

  it('passes a Buffer PutObject through and verifies its CRC32 header and payload hash', async () => {
    const data = randomBytes(100_000);
    const request = await sendPut(data);
    expect(request.headers['x-amz-checksum-crc32']).toBeDefined();
    const { data: decoded, checksums } = await decode(request, [1000]);
    expect(decoded.equals(data)).toBe(true);
    expect(checksums).toEqual({ CRC32: request.headers['x-amz-checksum-crc32'] });
  });

  it('decodes a streamed UploadPart', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    await s3.send(
      new UploadPartCommand({
        Bucket: 'b',
        Key: 'k',
        UploadId: 'u',
        PartNumber: 2,
        Body: streamOf(data),
        ContentLength: data.length,
      }),
    );
    const request = captured[captured.length - 1] as CapturedRequest;
    const { data: decoded, checksums } = await decode(request);
    expect(decoded.equals(data)).toBe(true);
    expect(checksums?.CRC32).toBe(await checksumOf('CRC32', data));
  });

  it.each(['CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const)('verifies a %s trailer', async (algorithm) => {
    const data = randomBytes(300_000);
    const request = await sendPut(streamOf(data), { ContentLength: data.length, ChecksumAlgorithm: algorithm });
    const { data: decoded, checksums } = await decode(request);
    expect(decoded.equals(data)).toBe(true);
    expect(checksums).toEqual({ [algorithm]: await checksumOf(algorithm, data) });
  });
});

describe('decodeAwsChunked refuses damaged bodies', () => {
  async function streamedRequest(): Promise<CapturedRequest> {
    const data = randomBytes(200_000);
    return sendPut(streamOf(data), { ContentLength: data.length });
  }

  it('answers BadDigest when a data byte changed', async () => {
    const request = await streamedRequest();
    request.body[100] = (request.body[100] ?? 0) ^ 0xff;
    expect(await decodeError(request)).toMatchObject({ code: 'BadDigest', statusCode: 400 });
  });

  it('answers BadDigest when the trailer checksum is wrong', async () => {
    const request = await streamedRequest();
    const text = request.body
      .toString('latin1')
      .replace(/x-amz-checksum-crc32:[^\r]+/, 'x-amz-checksum-crc32:AAAAAA==');
    expect(await decodeError({ ...request, body: Buffer.from(text, 'latin1') })).toMatchObject({ code: 'BadDigest' });
  });

  it('answers MalformedTrailerError when the announced trailer is missing', async () => {
    const request = await streamedRequest();
    const text = request.body.toString('latin1').replace(/x-amz-checksum-crc32:[^\r]+\r\n/, '');
    expect(await decodeError({ ...request, body: Buffer.from(text, 'latin1') })).toMatchObject({
      code: 'MalformedTrailerError',
    });
  });

  it('answers IncompleteBody for a truncated body or a wrong decoded length', async () => {
    const request = await streamedRequest();
    expect(await decodeError({ ...request, body: request.body.subarray(0, 150_000) })).toMatchObject({
      code: 'IncompleteBody',
    });
    const headers = { ...request.headers, 'x-amz-decoded-content-length': '199999' };
    expect(await decodeError({ ...request, headers })).toMatchObject({ code: 'IncompleteBody' });
  });

  it('answers InvalidRequest for broken framing', async () => {
    const request = await streamedRequest();
    const noCrlf = Buffer.from(request.body.toString('latin1').replace(/\r\n(?=[0-9a-f]+\r\n)/, 'XX'), 'latin1');
    expect(await decodeError({ ...request, body: noCrlf })).toMatchObject({ code: 'InvalidRequest' });
    const badSize = Buffer.concat([Buffer.from('zz\r\n'), request.body]);
    expect(await decodeError({ ...request, body: badSize })).toMatchObject({ code: 'InvalidRequest' });
  });

  it('refuses a streamed body without x-amz-decoded-content-length before reading it', async () => {
    const request = await streamedRequest();
    const headers = { ...request.headers };
    delete headers['x-amz-decoded-content-length'];
    expect(() => decodeAwsChunked(Readable.from([]), headers)).toThrowError(
      expect.objectContaining({ code: 'MissingContentLength', statusCode: 411 }),
    );
  });

  it('answers XAmzContentSHA256Mismatch, BadDigest and InvalidRequest for plain bodies', async () => {
    const request = await sendPut(randomBytes(1000));
    const changed = Buffer.from(request.body);
    changed[0] = (changed[0] ?? 0) ^ 1;
    expect(await decodeError({ ...request, body: changed })).toMatchObject({ code: 'XAmzContentSHA256Mismatch' });

    const unsignedHeaders = { ...request.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    expect(await decodeError({ headers: unsignedHeaders, body: changed })).toMatchObject({ code: 'BadDigest' });

    const wrongMd5: IncomingHttpHeaders = {
      ...unsignedHeaders,
      'content-md5': createHash('md5').update('other').digest('base64'),
    };
    delete wrongMd5['x-amz-checksum-crc32'];
    delete wrongMd5['x-amz-sdk-checksum-algorithm'];
    expect(await decodeError({ headers: wrongMd5, body: request.body })).toMatchObject({ code: 'BadDigest' });

    const twoChecksums = {
      ...request.headers,
      'x-amz-checksum-sha1': createHash('sha1').update(request.body).digest('base64'),
    };
    expect(() => decodeAwsChunked(Readable.from([]), twoChecksums)).toThrowError(
      expect.objectContaining({ code: 'InvalidRequest' }),
    );
    const algorithmOnly = { ...request.headers };
    delete algorithmOnly['x-amz-checksum-crc32'];
    expect(() => decodeAwsChunked(Readable.from([]), algorithmOnly)).toThrowError(
      expect.objectContaining({ code: 'InvalidRequest' }),
    );
  });
});

/**
 * The worked examples of AWS's "Signature calculation: transferring payload in multiple chunks"
 * pages (65,536 + 1,024 bytes of 'a'), so chunk signatures are checked against AWS's own numbers.
 */
describe('decodeAwsChunked with signed chunks (AWS documentation examples)', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, '20130524'), 'us-east-1'), 's3'), 'aws4_request');
  const signing = (seedSignature: string): ChunkSigning => ({
    amzDate: '20130524T000000Z',
    credentialScope: '20130524/us-east-1/s3/aws4_request',
    seedSignature,
    sign: (stringToSign) => createHmac('sha256', signingKey).update(stringToSign).digest('hex'),
  });
  const payload = Buffer.alloc(66_560, 'a');

  function signedBody(signatures: string[], trailer = ''): Buffer {
    return Buffer.concat([
      Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
      payload.subarray(0, 65_536),
      Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
      payload.subarray(65_536),
      Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n${trailer}\r\n`),
    ]);
  }

  const plainExample = {
    headers: {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
    },
    body: signedBody([
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ]),
  };
  const plainSigning = signing('4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');

  it('decodes the signed-chunks example', async () => {
    expect(plainExample.body.length).toBe(66_824); // the Content-Length the documentation states
    const { data } = await decode(plainExample, [1000, 3], { chunkSigning: plainSigning });
    expect(data.equals(payload)).toBe(true);
  });

  it('answers SignatureDoesNotMatch when a signed chunk was altered', async () => {
    const body = Buffer.from(plainExample.body);
    body[60_000] = 'b'.charCodeAt(0);
    expect(await decodeError({ ...plainExample, body }, { chunkSigning: plainSigning })).toMatchObject({
      code: 'SignatureDoesNotMatch',
      statusCode: 403,
    });
  });

  it('refuses signed chunks when the server cannot check them', () => {
    expect(() => decodeAwsChunked(Readable.from([]), plainExample.headers)).toThrowError(
      expect.objectContaining({ code: 'NotImplemented' }),
    );
  });

  it('decodes the signed-chunks-with-trailer example and its CRC32C', async () => {
    const trailer =
      'x-amz-checksum-crc32c:sOO8/Q==\r\n' +
      'x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n';
    const signatures = [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ];
    const example = {
      headers: {
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        'x-amz-decoded-content-length': '66560',
        'x-amz-trailer': 'x-amz-checksum-crc32c',
      },
      body: signedBody(signatures, trailer),
    };
    const chunkSigning = signing('106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e');
    const { data, checksums } = await decode(example, [4096], { chunkSigning });
    expect(data.equals(payload)).toBe(true);
    expect(checksums).toEqual({ CRC32C: 'sOO8/Q==' });

    const forged = { ...example, body: signedBody(signatures, trailer.replace('sOO8/Q==', 'AAAAAA==')) };
    expect(await decodeError(forged, { chunkSigning })).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });
});
