/**
 * The hourly digest of one forwarding: a JSON object in the customer's bucket
 * (`<folder>digests/<YYYY-MM-DD>/<HH>.json`) that lists every file whose delivery was confirmed in
 * that hour, with its size and SHA-256 as the bucket holds it, and names the previous digest by key
 * and SHA-256, so the digests form a chain. The platform signs the exact bytes of each digest with
 * its KMS key (RSASSA-PSS, SHA-256); the signature travels as the object's metadata
 * `x-amz-meta-signature` (base64), as CloudTrail does it. A digest names its bucket and folder, so
 * a valid digest copied elsewhere does not verify there.
 *
 * The bytes are deterministic for the same content (fixed field order, files sorted by key), so
 * two writers of the same hour produce the same object.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { HOUR_MS } from '#shared/forwarding/audit-log-keys';
import { clusterId } from '#shared/projects/schemas';

export const DIGEST_VERSION = 1;
export const SIGNING_ALGORITHM = 'RSASSA_PSS_SHA_256';
/** The metadata name of the signature (S3 sends it as `x-amz-meta-signature`). */
export const SIGNATURE_METADATA = 'signature';
/** A digest larger than this is not read by the verifier (about 200,000 files an hour). */
export const MAX_DIGEST_BYTES = 64 * 1024 * 1024;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const digestDocument = z.strictObject({
  version: z.literal(DIGEST_VERSION),
  bucket: z.string().min(3).max(63),
  prefix: z.string().min(1).max(1024),
  clusterId,
  hour: z.strictObject({ start: z.string().datetime(), end: z.string().datetime() }),
  files: z.array(
    z.strictObject({ key: z.string().min(1).max(1024), size: z.number().int().min(0), sha256: sha256Hex }),
  ),
  previousDigest: z.strictObject({ key: z.string().min(1).max(1024), sha256: sha256Hex }).nullable(),
  signing: z.strictObject({ algorithm: z.literal(SIGNING_ALGORITHM), keyArn: z.string().min(1).max(2048) }),
});

export type DigestDocument = z.infer<typeof digestDocument>;
export type DigestFile = DigestDocument['files'][number];

export interface DigestInput {
  bucket: string;
  prefix: string;
  clusterId: string;
  hour: Date;
  files: DigestFile[];
  previousDigest: { key: string; sha256: string } | null;
  keyArn: string;
}

export function digestOf(input: DigestInput): DigestDocument {
  const byKey = new Map<string, DigestFile>();
  for (const file of input.files) byKey.set(file.key, { key: file.key, size: file.size, sha256: file.sha256 });
  return {
    version: DIGEST_VERSION,
    bucket: input.bucket,
    prefix: input.prefix,
    clusterId: input.clusterId,
    hour: { start: input.hour.toISOString(), end: new Date(input.hour.getTime() + HOUR_MS).toISOString() },
    files: [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    previousDigest: input.previousDigest
      ? { key: input.previousDigest.key, sha256: input.previousDigest.sha256 }
      : null,
    signing: { algorithm: SIGNING_ALGORITHM, keyArn: input.keyArn },
  };
}

/** The exact bytes that are written and signed. */
export const serializeDigest = (digest: DigestDocument): Buffer =>
  Buffer.from(`${JSON.stringify(digest, null, 1)}\n`, 'utf8');

export const sha256HexOf = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
