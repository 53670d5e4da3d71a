/**
 * Server-side encryption as S3 applies it: the request's x-amz-server-side-encryption headers,
 * else the bucket's default rule. S3 asks KMS as the caller, before any byte is stored or
 * returned, as AWS documents it: kms:GenerateDataKey to write an SSE-KMS object (PutObject,
 * CopyObject's target, CreateMultipartUpload); kms:Decrypt to read one (GetObject, a copy source of
 * CopyObject and UploadPartCopy) and to add to or finish an SSE-KMS multipart upload (UploadPart,
 * UploadPartCopy, ListParts, and CompleteMultipartUpload when the upload has a checksum
 * algorithm), whose parts S3 must decrypt to assemble them.
 */
import { bucketArn, header, objectArn, type S3Request } from '#endpoint/s3/context';
import { invalidArgument, malformedXml, notImplemented } from '#endpoint/s3/errors';
import type { BucketRecord, EncryptionRule, SseAlgorithm, SseState } from '#endpoint/s3/model';
import { childElement, childText, renderDocument, type XmlElement } from '#endpoint/s3/xml';

const ALGORITHMS: SseAlgorithm[] = ['AES256', 'aws:kms', 'aws:kms:dsse'];
export const DEFAULT_ENCRYPTION: EncryptionRule = { algorithm: 'AES256', bucketKeyEnabled: false };

export const isKms = (algorithm: SseAlgorithm) => algorithm !== 'AES256';

/** A key ARN from what a bucket rule or header names: an ARN, `alias/<name>` or a key id. */
export function kmsKeyArn(keyId: string | undefined, region: string, accountId: string): string {
  if (!keyId) return `arn:aws:kms:${region}:${accountId}:alias/aws/s3`;
  if (keyId.startsWith('arn:')) return keyId;
  if (keyId.startsWith('alias/')) return `arn:aws:kms:${region}:${accountId}:${keyId}`;
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

/** The encryption of a new object (PutObject, CreateMultipartUpload, CopyObject target). */
export function resolveSse(request: S3Request, bucket: BucketRecord): SseState {
  if (header(request, 'x-amz-server-side-encryption-customer-algorithm') !== undefined) {
    throw notImplemented('SSE-C (customer-provided keys)');
  }
  const requested = header(request, 'x-amz-server-side-encryption');
  const requestedKey = header(request, 'x-amz-server-side-encryption-aws-kms-key-id');
  const bucketKey = header(request, 'x-amz-server-side-encryption-bucket-key-enabled');
  if (requested === undefined) {
    if (requestedKey !== undefined) {
      throw invalidArgument(
        'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
        'x-amz-server-side-encryption',
      );
    }
    const rule = bucket.encryption;
    return isKms(rule.algorithm)
      ? {
          algorithm: rule.algorithm,
          kmsKeyArn: kmsKeyArn(rule.kmsMasterKeyId, bucket.region, bucket.ownerAccountId),
          bucketKeyEnabled: rule.bucketKeyEnabled,
        }
      : { algorithm: rule.algorithm };
  }
  const algorithm = ALGORITHMS.find((candidate) => candidate === requested);
  if (!algorithm)
    throw invalidArgument(
      'The encryption method specified is not supported',
      'x-amz-server-side-encryption',
      requested,
    );
  if (!isKms(algorithm)) {
    if (requestedKey !== undefined)
      throw invalidArgument(
        'The x-amz-server-side-encryption-aws-kms-key-id header needs aws:kms encryption',
        'x-amz-server-side-encryption-aws-kms-key-id',
      );
    return { algorithm };
  }
  // The request names no key: the bucket's default key if the bucket uses KMS, else aws/s3.
  const keyId = requestedKey ?? (isKms(bucket.encryption.algorithm) ? bucket.encryption.kmsMasterKeyId : undefined);
  return {
    algorithm,
    kmsKeyArn: kmsKeyArn(keyId, bucket.region, request.signed.caller.accountId),
    bucketKeyEnabled: bucketKey === undefined ? bucket.encryption.bucketKeyEnabled : bucketKey.toLowerCase() === 'true',
  };
}

/** Where an object lives, for S3's encryption context (its ARN) and kms:ViaService (its region). */
export interface ObjectPlace {
  bucketName: string;
  key: string;
  region: string;
}

/** The object the request names, in the region the request was sent to (its bucket's). */
export const requestedObject = (request: S3Request): ObjectPlace => ({
  bucketName: request.bucketName,
  key: request.key,
  region: request.signed.region,
});

/**
 * Asks KMS for a data key as the caller, through S3 (kms:ViaService), with the encryption context
 * S3 uses: the object's ARN, or the bucket's with an S3 Bucket Key. KMS throws AccessDenied /
 * NotFound / Disabled as AWS would. The AWS managed key aws/s3 is exempt: its key policy lets
 * every principal of the account use it through S3, so AWS never refuses it for want of IAM
 * permissions.
 */
export function requireDataKey(request: S3Request, sse: SseState): void {
  askKms('generateDataKey', request, sse, requestedObject(request));
}

/**
 * kms:Decrypt on the key of an SSE-KMS object (or multipart upload) at `place` for the caller, asked
 * the same way: reading its bytes (GetObject, not HeadObject; a copy source) or adding to the
 * parts of an upload. AWS answers 403 AccessDenied naming kms:Decrypt and the key otherwise.
 */
export function requireDecrypt(request: S3Request, sse: SseState, place = requestedObject(request)): void {
  askKms('decrypt', request, sse, place);
}

function askKms(operation: 'generateDataKey' | 'decrypt', request: S3Request, sse: SseState, place: ObjectPlace): void {
  if (isKms(sse.algorithm) && sse.kmsKeyArn && !isAwsManagedKey(sse.kmsKeyArn)) {
    const s3Arn = sse.bucketKeyEnabled ? bucketArn(place.bucketName) : objectArn(place.bucketName, place.key);
    request.kms[operation](request.signed.caller, sse.kmsKeyArn, {
      region: place.region,
      encryptionContext: { 'aws:s3:arn': s3Arn },
    });
  }
}

const isAwsManagedKey = (keyArn: string) => keyArn.endsWith(':alias/aws/s3');

export function sseHeaders(sse: SseState): Record<string, string> {
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': sse.algorithm };
  if (sse.kmsKeyArn) headers['x-amz-server-side-encryption-aws-kms-key-id'] = sse.kmsKeyArn;
  if (sse.bucketKeyEnabled) headers['x-amz-server-side-encryption-bucket-key-enabled'] = 'true';
  return headers;
}

/** The body of PutBucketEncryption. */
export function parseEncryptionConfiguration(document: XmlElement | undefined): EncryptionRule {
  if (!document || document.name !== 'ServerSideEncryptionConfiguration') throw malformedXml();
  const rules = document.children.filter((child) => child.name === 'Rule');
  const rule = rules[0];
  if (rules.length !== 1 || !rule) throw malformedXml();
  const byDefault = childElement(rule, 'ApplyServerSideEncryptionByDefault');
  if (!byDefault) throw malformedXml();
  const algorithmText = childText(byDefault, 'SSEAlgorithm')?.trim() ?? '';
  const algorithm = ALGORITHMS.find((candidate) => candidate === algorithmText);
  if (!algorithm) throw malformedXml();
  const keyId = childText(byDefault, 'KMSMasterKeyID')?.trim();
  if (keyId !== undefined && !isKms(algorithm)) {
    throw invalidArgument(
      'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      'ApplyServerSideEncryptionByDefault',
    );
  }
  return {
    algorithm,
    ...(keyId ? { kmsMasterKeyId: keyId } : {}),
    bucketKeyEnabled: childText(rule, 'BucketKeyEnabled')?.trim() === 'true',
  };
}

export function renderEncryptionConfiguration(rule: EncryptionRule): string {
  return renderDocument('ServerSideEncryptionConfiguration', {
    Rule: {
      ApplyServerSideEncryptionByDefault: { SSEAlgorithm: rule.algorithm, KMSMasterKeyID: rule.kmsMasterKeyId },
      BucketKeyEnabled: rule.bucketKeyEnabled,
    },
  });
}
