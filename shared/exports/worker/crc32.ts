/**
 * CRC32 is the checksum we send with every upload (S3 recomputes it and refuses a body that does
 * not match) and the one the manifest lists. zlib's native implementation runs at memory speed.
 * Values travel as S3 writes them: base64 of the big-endian 32-bit value.
 */
import { crc32 } from 'node:zlib';

export const crc32Of = (data: Uint8Array): number => crc32(data) >>> 0;

export function toBase64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString('base64');
}

export function fromBase64(value: string): number {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length !== 4) throw new Error('not a base64 CRC32 value');
  return bytes.readUInt32BE();
}

/*
 * crc32_combine from zlib: the CRC of A+B from crc(A), crc(B) and len(B), by applying len(B) zero
 * bits to crc(A) with GF(2) matrix squaring. It lets the manifest carry a whole-file CRC32 for a
 * file uploaded in parts by different invocations, without reading the file a second time.
 */
function matrixTimes(matrix: Uint32Array, vector: number): number {
  let sum = 0;
  for (let row = 0; vector !== 0; row += 1, vector >>>= 1) {
    if (vector & 1) sum ^= matrix[row] ?? 0;
  }
  return sum >>> 0;
}

function matrixSquare(square: Uint32Array, matrix: Uint32Array): void {
  for (let row = 0; row < 32; row += 1) square[row] = matrixTimes(matrix, matrix[row] ?? 0);
}

export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB <= 0) return crcA >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320; // the CRC-32 polynomial, reflected
  for (let row = 1, bit = 1; row < 32; row += 1, bit <<= 1) odd[row] = bit >>> 0;
  matrixSquare(even, odd); // operator for two zero bits
  matrixSquare(odd, even); // operator for four zero bits
  let crc = crcA >>> 0;
  let remaining = lengthB;
  // Lengths may exceed 2^31, so halve arithmetically instead of with bit shifts.
  for (;;) {
    matrixSquare(even, odd);
    if (remaining % 2 === 1) crc = matrixTimes(even, crc);
    remaining = Math.floor(remaining / 2);
    if (remaining === 0) break;
    matrixSquare(odd, even);
    if (remaining % 2 === 1) crc = matrixTimes(odd, crc);
    remaining = Math.floor(remaining / 2);
    if (remaining === 0) break;
  }
  return (crc ^ crcB) >>> 0;
}

/** Whole-file CRC32 from the CRC32s and sizes of its parts, in order. */
export function combineParts(parts: Array<{ crc32: number; size: number }>): number {
  return parts.reduce((crc, part, index) => (index === 0 ? part.crc32 : crc32Combine(crc, part.crc32, part.size)), 0);
}

/** S3's checksum of a multipart object with COMPOSITE checksums: CRC32 of the part CRC32s, then `-<parts>`. */
export function compositeChecksum(partCrcs: number[]): string {
  const bytes = Buffer.alloc(partCrcs.length * 4);
  partCrcs.forEach((crc, index) => bytes.writeUInt32BE(crc >>> 0, index * 4));
  return `${toBase64(crc32Of(bytes))}-${partCrcs.length}`;
}
