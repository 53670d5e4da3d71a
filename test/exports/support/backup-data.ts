/**
 * Deterministic backup files for export tests and benchmarks: the bytes of a file are an AES-CTR
 * keystream derived from its seed, so a 100 MiB file is generated at memory speed, streamed
 * instead of held, and can be generated again to check what arrived.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

const CHUNK = 1024 * 1024;

function keystream(seed: string) {
  const key = createHash('sha256').update(`key:${seed}`).digest();
  const iv = createHash('sha256').update(`iv:${seed}`).digest().subarray(0, 16);
  return createCipheriv('aes-256-ctr', key, iv);
}

/** The file's bytes as a stream of 1 MiB chunks. */
export function contentStream(seed: string, size: number): Readable {
  const cipher = keystream(seed);
  const zeros = Buffer.alloc(CHUNK);
  let produced = 0;
  return new Readable({
    read() {
      if (produced >= size) {
        this.push(null);
        return;
      }
      const length = Math.min(CHUNK, size - produced);
      produced += length;
      this.push(cipher.update(zeros.subarray(0, length)));
    },
  });
}

export function contentBytes(seed: string, size: number): Buffer {
  return keystream(seed).update(Buffer.alloc(size));
}

export interface Digest {
  sha256: string;
  /** Base64 of the big-endian CRC32, as S3 and the export manifest write it. */
  crc32: string;
}

export async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<Digest & { size: number }> {
  const sha = createHash('sha256');
  let crc = 0;
  let size = 0;
  for await (const chunk of stream) {
    sha.update(chunk);
    crc = crc32(chunk, crc);
    size += chunk.length;
  }
  const crcBytes = Buffer.alloc(4);
  crcBytes.writeUInt32BE(crc >>> 0);
  return { sha256: sha.digest('hex'), crc32: crcBytes.toString('base64'), size };
}

export interface BackupFileSpec {
  /** Path below the backup prefix. */
  name: string;
  size: number;
  seed: string;
}

/** `count` small files of varied sizes (1 byte to `maxSize`), in folders, named deterministically. */
export function smallFiles(label: string, count: number, maxSize = 64 * 1024): BackupFileSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `data/part-${String(index).padStart(4, '0')}.bin`,
    // Sizes spread over the range, with an empty file among them.
    size: index === 0 ? 0 : 1 + ((index * 7919) % maxSize),
    seed: `${label}:${index}`,
  }));
}
