/**
 * The CRC32 helpers, without the stack: the standard check value, the base64 form S3 uses,
 * combining the CRC32s of parts into the whole file's, and S3's COMPOSITE checksum of an upload.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  combineParts,
  compositeChecksum,
  crc32Combine,
  crc32Of,
  fromBase64,
  toBase64,
} from '#shared/exports/worker/crc32';

describe('CRC32 helpers', () => {
  it('matches the standard CRC-32 check value', () => {
    // The catalogue check value of CRC-32/ISO-HDLC for "123456789".
    expect(crc32Of(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(toBase64(0xcbf43926)).toBe('y/Q5Jg==');
    expect(fromBase64('y/Q5Jg==')).toBe(0xcbf43926);
  });

  it('combines the CRC32s of two pieces into the CRC32 of both', () => {
    for (let round = 0; round < 50; round += 1) {
      const a = randomBytes(Math.floor(Math.random() * 3000));
      const b = randomBytes(Math.floor(Math.random() * 3000));
      expect(crc32Combine(crc32Of(a), crc32Of(b), b.length)).toBe(crc32Of(Buffer.concat([a, b])));
    }
  });

  it('combines parts of a file, including empty ones, in order', () => {
    const parts = [randomBytes(1000), Buffer.alloc(0), randomBytes(8 * 1024 + 3), randomBytes(1)];
    const whole = crc32Of(Buffer.concat(parts));
    expect(combineParts(parts.map((part) => ({ crc32: crc32Of(part), size: part.length })))).toBe(whole);
    expect(combineParts([...parts].reverse().map((part) => ({ crc32: crc32Of(part), size: part.length })))).not.toBe(
      whole,
    );
  });

  it('handles lengths beyond 2^31 bytes (a 3 GiB part of zeros)', () => {
    // CRC32 of N zero bytes appended to "a": built by doubling, checked against the combine of small pieces.
    const zeros = (length: number): number => {
      if (length === 0) return 0;
      if (length === 1) return crc32Of(Buffer.alloc(1));
      const half = zeros(Math.floor(length / 2));
      const doubled = crc32Combine(half, half, Math.floor(length / 2));
      return length % 2 === 0 ? doubled : crc32Combine(doubled, crc32Of(Buffer.alloc(1)), 1);
    };
    const big = 3 * 1024 ** 3;
    const viaWhole = crc32Combine(crc32Of(Buffer.from('a')), zeros(big), big);
    const viaSteps = crc32Combine(crc32Combine(crc32Of(Buffer.from('a')), zeros(big - 7), big - 7), zeros(7), 7);
    expect(viaWhole).toBe(viaSteps);
  });

  it("computes S3's COMPOSITE form: CRC32 of the concatenated part CRC32s, then -<parts>", () => {
    const partCrcs = [0x01020304, 0xa0b0c0d0];
    const raw = Buffer.from([1, 2, 3, 4, 0xa0, 0xb0, 0xc0, 0xd0]);
    expect(compositeChecksum(partCrcs)).toBe(`${toBase64(crc32Of(raw))}-2`);
    // Different digests of the same idea must not be confused with it.
    expect(compositeChecksum(partCrcs)).not.toBe(createHash('sha256').update(raw).digest('base64'));
  });
});
