/**
 * The condition keys KMS puts in the request context, which key policies and IAM policies often
 * test: `kms:CallerAccount` (always), `kms:ViaService` and `aws:ViaAWSService` (when another
 * service such as S3 calls KMS on the caller's behalf, e.g. for an SSE-KMS write), and the
 * encryption context as `kms:EncryptionContext:<key>` plus `kms:EncryptionContextKeys`.
 */
import type { Caller } from '#endpoint/contract';

/** A service calling KMS for a caller: S3 names itself `s3.<region>.amazonaws.com`. */
export interface KmsVia {
  viaService: string;
}

export function kmsConditions(
  caller: Caller,
  encryptionContext: Record<string, string> = {},
  via?: KmsVia,
): Record<string, string | string[]> {
  const keys = Object.keys(encryptionContext);
  return {
    'kms:CallerAccount': caller.accountId,
    'aws:ViaAWSService': via ? 'true' : 'false',
    ...(via ? { 'kms:ViaService': via.viaService } : {}),
    ...(keys.length > 0 ? { 'kms:EncryptionContextKeys': keys } : {}),
    ...Object.fromEntries(
      Object.entries(encryptionContext).map(([key, value]) => [`kms:EncryptionContext:${key}`, value]),
    ),
  };
}
