/**
 * One audit-log file, from the platform's bucket to the customer's: read it, compress it if the
 * forwarding says so, write it with `If-None-Match: *`. When the key already holds an object, it is
 * read back: the same content means the file was delivered before (a retry, a duplicate event, a
 * replay) and counts as delivered; other content is a conflict, reported and never overwritten.
 * The answer carries what the customer's bucket holds (size, SHA-256), which the ledger and the
 * hourly digest record.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { forwardedKey, type AuditLogFile, type Compression } from '#shared/forwarding/audit-log-keys';
import { KeyExists, readObject, writeNewObject, type Destination } from '#shared/forwarding/customer-destination';
import { readAuditLog } from '#shared/forwarding/platform-audit-logs';

/** An audit-log file in the platform's bucket: its key, and what the key says of it. */
export interface PlatformAuditLogFile {
  /** The platform key. */
  key: string;
  file: AuditLogFile;
}

export interface DeliveredFile {
  sourceKey: string;
  /** The customer-side key. */
  key: string;
  /** Size and SHA-256 (hex) of the object in the customer's bucket. */
  size: number;
  sha256: string;
  /** When the file landed in the platform's bucket (S3's time, whole seconds). */
  landedAt: Date;
  confirmedAt: Date;
  /** `written` now, or `alreadyPresent`: the key held the same content. */
  outcome: 'written' | 'alreadyPresent';
}

/** The key holds other content than the file: it is left as it is. */
export class DeliveryConflict extends Error {
  constructor(readonly key: string) {
    super(`s3 key ${key} already holds other content than the audit-log file; it was not overwritten`);
    this.name = 'DeliveryConflict';
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

export interface FileDeliveryOptions {
  directory: string;
  compression: Compression;
  signal?: AbortSignal;
}

/** A file read and encoded, ready to be written: reading ahead of the writes keeps the bucket busy. */
export interface PreparedFile {
  source: PlatformAuditLogFile;
  key: string;
  content: Uint8Array;
  body: Uint8Array;
  sha256: Buffer;
  gzip: boolean;
  landedAt: Date;
}

export async function prepareFile(source: PlatformAuditLogFile, options: FileDeliveryOptions): Promise<PreparedFile> {
  const content = await readAuditLog(source.key, options.signal);
  const gzip = options.compression === 'gzip';
  const body = gzip ? gzipSync(content.body) : content.body;
  return {
    source,
    key: forwardedKey(options.directory, source.file, options.compression),
    content: content.body,
    body,
    sha256: sha256(body),
    gzip,
    landedAt: content.lastModified,
  };
}

export async function writePreparedFile(
  prepared: PreparedFile,
  destination: Destination,
  signal?: AbortSignal,
): Promise<DeliveredFile> {
  const { key, body } = prepared;
  const delivered = { sourceKey: prepared.source.key, key, landedAt: prepared.landedAt };
  try {
    await writeNewObject(
      destination,
      {
        key,
        body,
        sha256Base64: prepared.sha256.toString('base64'),
        // JSON lines in a .log file: text, so that the customer's tools show it as such.
        contentType: 'text/plain; charset=utf-8',
        ...(prepared.gzip ? { contentEncoding: 'gzip' } : {}),
      },
      signal,
    );
    return {
      ...delivered,
      size: body.length,
      sha256: prepared.sha256.toString('hex'),
      confirmedAt: new Date(),
      outcome: 'written',
    };
  } catch (error) {
    if (!(error instanceof KeyExists)) throw error;
  }
  const existing = await sameContentAt(destination, key, prepared.content, body.length, signal);
  return {
    ...delivered,
    size: existing.length,
    sha256: sha256(existing).toString('hex'),
    confirmedAt: new Date(),
    outcome: 'alreadyPresent',
  };
}

export async function deliverFile(
  source: PlatformAuditLogFile,
  destination: Destination,
  options: FileDeliveryOptions,
): Promise<DeliveredFile> {
  return writePreparedFile(await prepareFile(source, options), destination, options.signal);
}

/**
 * The bytes at `key`, if they hold `content` (as is, or gzip-compressed with any settings: a
 * replay compresses again and need not produce the same bytes); DeliveryConflict otherwise. What
 * is read is bounded: a bucket cannot make the worker hold more than a little over the file.
 */
async function sameContentAt(
  destination: Destination,
  key: string,
  content: Uint8Array,
  encodedLength: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const limit = Math.max(content.length, encodedLength) + 1024;
  const existing = await readObject(destination, key, limit, signal);
  if (!existing) throw new DeliveryConflict(key);
  let decoded: Uint8Array = existing.body;
  if (existing.contentEncoding?.toLowerCase().includes('gzip')) {
    try {
      decoded = gunzipSync(existing.body, { maxOutputLength: content.length + 1 });
    } catch {
      throw new DeliveryConflict(key);
    }
  }
  if (decoded.length !== content.length || !sha256(decoded).equals(sha256(content))) throw new DeliveryConflict(key);
  return existing.body;
}
