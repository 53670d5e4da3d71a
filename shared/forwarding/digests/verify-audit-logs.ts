/**
 * The customer's check of a forwarding folder (`npm run verify-audit-logs`), with the customer's
 * own credentials: every digest must carry a valid signature of the platform's key and name this
 * bucket, folder and hour; each digest's predecessor must be there with the SHA-256 it names;
 * every file a digest lists must be there with its size and SHA-256; every audit-log file must be
 * listed by a digest, once the digest of the hour after its upload exists (before that, it is
 * reported as not yet covered). Nothing the bucket holds is trusted before its signature verified.
 */
import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { HOUR_MS, digestHourOf, digestKey, isForwardedKey } from '#shared/forwarding/audit-log-keys';
import {
  digestDocument,
  MAX_DIGEST_BYTES,
  SIGNATURE_METADATA,
  type DigestDocument,
} from '#shared/forwarding/digests/digest-document';
import { inParallel } from '#shared/worker/in-parallel';

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

/** The reads the verifier makes, so that it runs on any S3 client (scripts/verify-audit-logs.ts). */
export interface BucketReader {
  list(prefix: string): Promise<ListedObject[]>;
  /** The object whole with its user metadata, or undefined when it is larger than `maxBytes`. */
  read(key: string, maxBytes: number): Promise<{ body: Uint8Array; metadata: Record<string, string> } | undefined>;
}

export type Finding =
  | { kind: 'missing'; key: string; digest: string }
  | {
      kind: 'altered';
      key: string;
      digest: string;
      expected: { size: number; sha256: string };
      found: { size: number; sha256: string };
    }
  | { kind: 'unexpected'; key: string }
  | { kind: 'brokenChain'; digest: string; detail: string }
  | { kind: 'invalidDigest'; digest: string; detail: string };

export interface VerificationReport {
  ok: boolean;
  digests: number;
  /** Chains found: one per enablement or destination of the forwarding. */
  chains: number;
  filesChecked: number;
  findings: Finding[];
  /** Files uploaded after the newest digest's coverage: a later digest will list them. */
  notYetCovered: string[];
  newestDigestHour?: string;
  notes: string[];
}

export interface VerifyOptions {
  bucket: string;
  /** The forwarding's folder, `<directory>/<clusterId>/audit/`. */
  prefix: string;
  publicKey: KeyObject;
  /** The key digests must name (from the API); any when absent. */
  keyArn?: string;
  now?: Date;
}

const PARALLEL_READS = 8;
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface VerifiedDigest {
  key: string;
  hour: number;
  sha256: string;
  document: DigestDocument;
}

export async function verifyAuditLogs(reader: BucketReader, options: VerifyOptions): Promise<VerificationReport> {
  const prefix = options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
  const findings: Finding[] = [];
  const notes: string[] = [];
  const listed = await reader.list(prefix);
  const digestKeys = listed
    .filter((object) => digestHourOf(prefix, object.key) !== undefined)
    .map((object) => object.key);
  const logFiles = new Map(
    listed.filter((object) => digestHourOf(prefix, object.key) === undefined).map((object) => [object.key, object]),
  );

  const digests = new Map<string, VerifiedDigest>();
  await inParallel(digestKeys, PARALLEL_READS, async (key) => {
    const checked = await checkDigest(reader, key, { ...options, prefix });
    if (typeof checked === 'string') findings.push({ kind: 'invalidDigest', digest: key, detail: checked });
    else digests.set(key, checked);
  });

  let chains = 0;
  const successors = new Map<string, string>();
  for (const digest of [...digests.values()].sort((a, b) => a.hour - b.hour)) {
    const previous = digest.document.previousDigest;
    if (!previous || !previous.key.startsWith(prefix)) {
      chains += 1;
      if (previous) notes.push(`the chain of ${digest.key} begins with ${previous.key}, outside the folder checked`);
      continue;
    }
    const before = digests.get(previous.key);
    const invalid = findings.some((finding) => finding.kind === 'invalidDigest' && finding.digest === previous.key);
    if (!before)
      findings.push({
        kind: 'brokenChain',
        digest: digest.key,
        detail: invalid
          ? `its previous digest ${previous.key} is not valid`
          : `its previous digest ${previous.key} is missing`,
      });
    else if (before.sha256 !== previous.sha256)
      findings.push({
        kind: 'brokenChain',
        digest: digest.key,
        detail:
          `its previous digest ${previous.key} was changed ` +
          `(SHA-256 ${before.sha256}, the chain says ${previous.sha256})`,
      });
    else if (before.hour >= digest.hour)
      findings.push({
        kind: 'brokenChain',
        digest: digest.key,
        detail: `its previous digest ${previous.key} is not of an earlier hour`,
      });
    else if (successors.has(previous.key))
      findings.push({
        kind: 'brokenChain',
        digest: digest.key,
        detail: `${successors.get(previous.key)} already follows ${previous.key}`,
      });
    successors.set(previous.key, digest.key);
  }

  const expected = new Map<string, { size: number; sha256: string; digest: string }>();
  for (const digest of digests.values()) {
    for (const file of digest.document.files)
      expected.set(file.key, { size: file.size, sha256: file.sha256, digest: digest.key });
  }
  await inParallel(expected, PARALLEL_READS, async ([key, want]) => {
    if (!logFiles.has(key)) return void findings.push({ kind: 'missing', key, digest: want.digest });
    const object = await reader.read(key, want.size);
    const found = object
      ? { size: object.body.length, sha256: sha256Hex(object.body) }
      : { size: logFiles.get(key)?.size ?? -1, sha256: 'not read: larger than listed' };
    if (found.size !== want.size || found.sha256 !== want.sha256)
      findings.push({
        kind: 'altered',
        key,
        digest: want.digest,
        expected: { size: want.size, sha256: want.sha256 },
        found,
      });
  });

  const newest = Math.max(...[...digests.values()].map((digest) => digest.hour), Number.NEGATIVE_INFINITY);
  // A file confirmed at the end of an hour may be listed by the next hour's digest: it is judged once that one exists.
  const coveredUntil = newest + HOUR_MS;
  const notYetCovered: string[] = [];
  for (const [key, object] of logFiles) {
    if (expected.has(key)) continue;
    if (isForwardedKey(prefix, key) && object.lastModified.getTime() + HOUR_MS > coveredUntil) notYetCovered.push(key);
    else findings.push({ kind: 'unexpected', key });
  }
  const now = (options.now ?? new Date()).getTime();
  if (Number.isFinite(newest) && now - (newest + HOUR_MS) > 3 * HOUR_MS) {
    notes.push(
      `the newest digest is of ${new Date(newest).toISOString()}: ` +
        `either forwarding stopped then, or later digests were removed`,
    );
  }
  return {
    ok: findings.length === 0,
    digests: digests.size,
    chains,
    filesChecked: expected.size,
    findings: findings.sort((a, b) => ('key' in a ? a.key : a.digest).localeCompare('key' in b ? b.key : b.digest)),
    notYetCovered: notYetCovered.sort(),
    ...(Number.isFinite(newest) ? { newestDigestHour: new Date(newest).toISOString() } : {}),
    notes,
  };
}

/** A digest that verifies and names this bucket, folder, hour and key; otherwise why not. */
async function checkDigest(
  reader: BucketReader,
  key: string,
  options: VerifyOptions & { prefix: string },
): Promise<VerifiedDigest | string> {
  const object = await reader.read(key, MAX_DIGEST_BYTES);
  if (!object) return `larger than ${MAX_DIGEST_BYTES} bytes`;
  const signature = object.metadata[SIGNATURE_METADATA];
  if (!signature) return 'it carries no signature';
  const valid = verify(
    'sha256',
    object.body,
    { key: options.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    Buffer.from(signature, 'base64'),
  );
  if (!valid)
    return "its signature does not verify with the platform's public key: it was changed or not signed by the platform";
  let parsed;
  try {
    parsed = digestDocument.safeParse(JSON.parse(Buffer.from(object.body).toString('utf8')));
  } catch {
    return 'it is not JSON';
  }
  if (!parsed.success) return 'it is not a digest of this format';
  const document = parsed.data;
  const hour = digestHourOf(options.prefix, key) as Date;
  if (document.bucket !== options.bucket || document.prefix !== options.prefix)
    return `it is the digest of s3://${document.bucket}/${document.prefix}, not of this folder`;
  if (document.hour.start !== hour.toISOString() || digestKey(options.prefix, new Date(document.hour.start)) !== key)
    return `it is the digest of ${document.hour.start}, stored under another hour's key`;
  if (options.keyArn && document.signing.keyArn !== options.keyArn)
    return `it names the key ${document.signing.keyArn}, not the platform's ${options.keyArn}`;
  const outside = document.files.find((file) => !isForwardedKey(options.prefix, file.key));
  if (outside) return `it lists ${outside.key}, which is not an audit-log file of this folder`;
  return { key, hour: hour.getTime(), sha256: sha256Hex(object.body), document };
}
