/**
 * What a KMS refusal behind an S3 write or read asks the customer to do. The common dead end: a
 * bucket whose default encryption is SSE-KMS, connected by an integration that names no key. The
 * role's policy may allow the key, yet the session the platform assumes is narrowed to the key the
 * integration names (shared/customer-bucket/session-policy.ts), so nothing changes until the key
 * is set on the integration. The message names the bucket's key (from the refusal, which names it
 * when the key belongs to the role's account, or from the bucket's default encryption, which
 * validation reads when it does not) and says all three steps.
 */
import { nameOf } from '#shared/aws/error-kinds';
import type { FailureTarget, StageFailure, StageName } from '#shared/validation/failure-types';

/** The key the bucket uses, as far as it is known. */
export type BucketKey = { arn: string } | { alias: string } | undefined;

const KEY_IN_MESSAGE = /\bon resource: (arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+)/;
const KEY_ARN = /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;

/** The key a refusal names: KMS does so for a key of the caller's own account. */
export function keyNamedBy(error: unknown): BucketKey {
  const arn = KEY_IN_MESSAGE.exec((error as { message?: string })?.message ?? '')?.[1];
  return arn ? { arn } : undefined;
}

/**
 * The key of a bucket's default encryption rule (GetBucketEncryption's KMSMasterKeyID), which may
 * be written as an ARN, an alias or a bare key id (of the bucket owner's account and region).
 */
export function keyOfEncryptionRule(
  keyId: string | undefined,
  bucket: { region: string; ownerAccountId: string },
): BucketKey {
  if (!keyId) return undefined;
  if (KEY_ARN.test(keyId)) return { arn: keyId };
  if (keyId.startsWith('alias/') || /^arn:aws:kms:[^:]+:\d{12}:alias\//.test(keyId)) return { alias: keyId };
  if (/^(?:mrk-)?[\w-]{1,64}$/.test(keyId))
    return { arn: `arn:aws:kms:${bucket.region}:${bucket.ownerAccountId}:key/${keyId}` };
  return undefined;
}

/**
 * Both actions, whichever one was refused: a write needs kms:GenerateDataKey, and reading back
 * what was written (validation's probe, a multipart upload's completion) needs kms:Decrypt, so
 * asking only for the refused one would fail at the next step.
 */
const KEY_ACTIONS = 'kms:GenerateDataKey and kms:Decrypt';

const setTheKey = (key: string) =>
  `set it as the integration's KMS key (PATCH .../integrations/{integrationId} with {"kmsKeyArn": "${key}"}), ` +
  `allow ${KEY_ACTIONS} on ${key} in the role's policy (the integration's IAM policy then ` +
  `includes that statement) and in the key policy, then validate again`;

/** KMS_ACCESS_DENIED for `prefix` (the failed step and AWS's error, as the SDK words it). */
export function kmsAccessDenied(
  stage: StageName,
  prefix: string,
  error: unknown,
  target: FailureTarget,
  bucketKey: BucketKey,
): StageFailure {
  const failure = (advice: string): StageFailure => ({
    stage,
    code: 'KMS_ACCESS_DENIED',
    message: `${prefix}; ${advice}`,
  });
  const gone = nameOf(error) === 'KMS.NotFoundException' || nameOf(error) === 'KMS.DisabledException';
  if (target.kmsKeyArn) {
    const other = bucketKey && 'arn' in bucketKey && bucketKey.arn !== target.kmsKeyArn ? bucketKey.arn : undefined;
    return failure(
      `the role's policy and the key policy must allow ${KEY_ACTIONS} on ${target.kmsKeyArn}, and the key must ` +
        `${gone ? 'exist in ' + target.region + ' and ' : ''}be enabled` +
        (other
          ? ` (the bucket's default encryption uses ${other}: if that is the key meant, instead ${setTheKey(other)})`
          : ''),
    );
  }
  if (bucketKey && 'arn' in bucketKey) {
    return failure(
      `the bucket encrypts new objects with the KMS key ${bucketKey.arn} (default encryption SSE-KMS), which the ` +
        `integration does not name: ${setTheKey(bucketKey.arn)}`,
    );
  }
  if (bucketKey) {
    return failure(
      `the bucket encrypts new objects with the KMS key behind ${bucketKey.alias} (default encryption SSE-KMS), ` +
        `which the integration does not name: ` +
        `find the key's ARN (aws kms describe-key --key-id ${bucketKey.alias}) and ${setTheKey('<that key ARN>')}`,
    );
  }
  return failure(
    `the bucket's default encryption uses a KMS key the integration does not name: find its ARN (aws s3api ` +
      `get-bucket-encryption --bucket ${target.bucketName}) and ${setTheKey('<that key ARN>')}`,
  );
}
