/**
 * The flexible checksums S3 accepts (`x-amz-checksum-<algorithm>` headers and trailers).
 * Values travel base64-encoded, big-endian for the CRCs, exactly as the SDK sends them.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc32cJs, Crc64Nvme } from '@aws-sdk/checksums/crc';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** Base64 checksum values by algorithm. */
export type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

export interface IncrementalChecksum {
  update(data: Uint8Array): void;
  digest(): Promise<Buffer>;
}

export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** `x-amz-checksum-crc32` -> `CRC32`; anything else (including `x-amz-checksum-mode`) -> undefined. */
export function algorithmOfHeader(headerName: string): ChecksumAlgorithm | undefined {
  const lower = headerName.trim().toLowerCase();
  return CHECKSUM_ALGORITHMS.find((algorithm) => checksumHeaderName(algorithm) === lower);
}

/** `crc32` / `CRC32` -> `CRC32` (the spelling of x-amz-sdk-checksum-algorithm and friends). */
export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | undefined {
  const upper = value.trim().toUpperCase();
  return CHECKSUM_ALGORITHMS.find((algorithm) => algorithm === upper);
}

/** True when `value` is canonical base64 of exactly the algorithm's digest length. */
export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === DIGEST_BYTES[algorithm] && bytes.toString('base64') === value;
}

export function createChecksum(algorithm: ChecksumAlgorithm): IncrementalChecksum {
  switch (algorithm) {
    case 'CRC32':
      return nodeCrc32();
    case 'CRC32C':
      return fromSdkChecksum(new Crc32cJs());
    case 'CRC64NVME':
      return fromSdkChecksum(new Crc64Nvme());
    case 'SHA1':
    case 'SHA256': {
      const hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (data) => hash.update(data), digest: async () => hash.digest() };
    }
  }
}

/** zlib's native CRC32 is an order of magnitude faster than a JS table for GiB-sized bodies. */
function nodeCrc32(): IncrementalChecksum {
  let value = 0;
  return {
    update: (data) => {
      value = crc32(data, value);
    },
    digest: async () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out;
    },
  };
}

function fromSdkChecksum(checksum: {
  update(data: Uint8Array): void;
  digest(): Promise<Uint8Array>;
}): IncrementalChecksum {
  return {
    update: (data) => checksum.update(data),
    digest: async () => Buffer.from(await checksum.digest()),
  };
}

/** One-shot checksum of a buffer, base64 (for composite multipart checksums and tests). */
export async function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): Promise<string> {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return (await checksum.digest()).toString('base64');
}
