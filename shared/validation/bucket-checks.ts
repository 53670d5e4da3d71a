/**
 * The four bucket stages. They share one S3 client per integration in this container; its
 * session (AssumeRole with the external ID, narrowed to the bucket and the probe prefix) is cached
 * and renewed by shared/customer-bucket, and every call carries ExpectedBucketOwner = the role's
 * account, so a bucket of any other account answers 403.
 */
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { nameOf, statusOf } from '#shared/aws/error-kinds';
import { CustomerClientCache } from '#shared/customer-bucket/customer-s3';
import type { CustomerTarget } from '#shared/customer-bucket/types';
import {
  bucketRegionMismatch,
  classifyCustomerAccessError,
  probeMismatch,
  redirectRegionOf,
  s3AccessFailure,
  type S3Operation,
} from '#shared/validation/failures';
import { probeBody, probeKey, probePrefix, validationScope } from '#shared/validation/probe';
import { keyNamedBy, keyOfEncryptionRule, type BucketKey } from '#shared/validation/kms-failures';
import { failed, passed, type CheckOutcome } from '#shared/validation/stage-outcome';
import { throwIfTransient } from '#shared/validation/transient-stage-error';

export interface RunTarget extends CustomerTarget {
  runId: string;
}

/** A container serves many integrations: the most recent ones keep their clients. */
const clients = new CustomerClientCache(32);

const validationClient = (target: CustomerTarget): S3Client =>
  clients.clientFor(target, validationScope(target.integrationId), 'validate');

/** Turns an error into the customer's failure, a retry (transient) or a rethrow (ours). */
async function failureOf(operation: S3Operation, error: unknown, target: CustomerTarget): Promise<CheckOutcome> {
  throwIfTransient(error);
  const failure = await classifyCustomerAccessError(operation, error, target);
  if (!failure) throw error;
  return failed(failure);
}

/** S3's location constraint as a region: empty means us-east-1, and `EU` is the legacy name of eu-west-1. */
export function regionOfLocation(constraint: string | undefined | null): string {
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

/** BUCKET_LOCATION: the bucket exists, belongs to the role's account, and the role may locate it. */
export async function checkBucketLocation(target: CustomerTarget): Promise<CheckOutcome> {
  try {
    const { LocationConstraint } = await validationClient(target).send(
      new GetBucketLocationCommand({ Bucket: target.bucketName }),
    );
    return passed({ bucketRegion: regionOfLocation(LocationConstraint) });
  } catch (error) {
    // S3 may answer a request signed for the wrong region with a redirect naming the bucket's
    // region: the bucket exists and is ours to check, and BUCKET_REGION reports the mismatch.
    const redirectedTo =
      statusOf(error) === 301 || nameOf(error) === 'PermanentRedirect' ? redirectRegionOf(error) : undefined;
    if (redirectedTo) return passed({ bucketRegion: redirectedTo });
    return failureOf('GetBucketLocation', error, target);
  }
}

/** BUCKET_REGION: the bucket is in the integration's region (exports never cross regions). */
export function checkBucketRegion(target: CustomerTarget, bucketRegion: string): CheckOutcome {
  return bucketRegion === target.region ? passed() : failed(bucketRegionMismatch(target.region, bucketRegion));
}

/** WRITE_ACCESS: PutObject of the probe, with SSE-KMS under the integration's key when it names one. */
export async function checkWriteAccess(target: RunTarget): Promise<CheckOutcome> {
  try {
    await validationClient(target).send(
      new PutObjectCommand({
        Bucket: target.bucketName,
        Key: probeKey(target.integrationId),
        Body: probeBody(target.integrationId, target.runId),
        ContentType: 'text/plain; charset=utf-8',
        ...(target.kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.kmsKeyArn } : {}),
      }),
    );
    return passed();
  } catch (error) {
    const outcome = await failureOf('PutObject', error, target);
    if (outcome.passed || outcome.failure.code !== 'KMS_ACCESS_DENIED' || keyNamedBy(error)) return outcome;
    // KMS did not name the key (it does not to another account): the bucket's default encryption does.
    const bucketKey = await defaultEncryptionKey(target);
    return bucketKey ? failed(s3AccessFailure('PutObject', error, target, bucketKey) ?? outcome.failure) : outcome;
  }
}

/**
 * The KMS key of the bucket's default encryption, or undefined when it cannot be read (a role
 * set up from documents older than the s3:GetEncryptionConfiguration permission, no KMS rule, any
 * error): the message then says how to look it up.
 */
async function defaultEncryptionKey(target: CustomerTarget): Promise<BucketKey> {
  try {
    const { ServerSideEncryptionConfiguration } = await validationClient(target).send(
      new GetBucketEncryptionCommand({ Bucket: target.bucketName }),
    );
    const rule = ServerSideEncryptionConfiguration?.Rules?.find((candidate) =>
      candidate.ApplyServerSideEncryptionByDefault?.SSEAlgorithm?.startsWith('aws:kms'),
    );
    return keyOfEncryptionRule(rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, {
      region: target.region,
      ownerAccountId: target.bucketOwnerAccountId,
    });
  } catch {
    return undefined;
  }
}

/** Larger than any probe: a bigger object under the probe key is not ours and is not read. */
const MAX_PROBE_BYTES = 4096;
/** The probe is a few hundred bytes: reading it back never takes long. */
const PROBE_READ_TIMEOUT_MS = 15_000;

/** The body as text if it has at most `limit` bytes; undefined (and the rest left unread) if more. */
async function readAtMost(body: AsyncIterable<Uint8Array> | undefined, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.length;
    if (size > limit) {
      (body as { destroy?: () => void }).destroy?.();
      return undefined;
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** READ_ACCESS: ListObjectsV2 of the probe prefix, then GetObject of the probe with its bytes checked. */
export async function checkReadAccess(target: RunTarget): Promise<CheckOutcome> {
  const client = validationClient(target);
  const key = probeKey(target.integrationId);
  try {
    await client.send(
      new ListObjectsV2Command({ Bucket: target.bucketName, Prefix: probePrefix(target.integrationId), MaxKeys: 10 }),
    );
  } catch (error) {
    return failureOf('ListObjectsV2', error, target);
  }
  let body: string | undefined;
  try {
    // Bounded in size and time whatever the answer claims: a body that never ends is not read to its end.
    const object = await client.send(new GetObjectCommand({ Bucket: target.bucketName, Key: key }), {
      abortSignal: AbortSignal.timeout(PROBE_READ_TIMEOUT_MS),
    });
    if ((object.ContentLength ?? 0) > MAX_PROBE_BYTES) {
      object.Body?.transformToWebStream()
        .cancel()
        .catch(() => undefined);
      return failed(probeMismatch(target, key));
    }
    body = await readAtMost(object.Body as AsyncIterable<Uint8Array> | undefined, MAX_PROBE_BYTES);
    if (body === undefined) return failed(probeMismatch(target, key));
  } catch (error) {
    // The probe vanished between write and read: something else deletes under the prefix.
    if (nameOf(error) === 'NoSuchKey') return failed(probeMismatch(target, key));
    return failureOf('GetObject', error, target);
  }
  return body === probeBody(target.integrationId, target.runId) ? passed() : failed(probeMismatch(target, key));
}
