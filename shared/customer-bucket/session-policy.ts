/**
 * A session policy narrows what the assumed customer role can do in this session, whatever the
 * customer's policy allows: only this bucket, only the given key prefixes, only the actions the
 * job needs. If our code had a bug that tried to touch another key, AWS itself would refuse it.
 */
import type { PolicyDocumentJson } from '#shared/customer-bucket/types';

export interface SessionScope {
  bucketName: string;
  /** Key prefixes the session may read and write (e.g. `exports/c-1/b-7/`). */
  prefixes: string[];
  /** Object actions beyond PutObject (e.g. GetObject for verification). */
  objectActions: string[];
  /**
   * Bucket-level actions beyond GetBucketLocation, allowed on the bucket alone: validation reads the
   * default encryption (s3:GetEncryptionConfiguration, read-only); exports list their folder's
   * unfinished multipart uploads (s3:ListBucketMultipartUploads, which has no prefix condition).
   */
  bucketActions?: string[];
  kmsKeyArn?: string;
}

/**
 * Denies everything. For AssumeRole calls that only ask "would STS grant this?" (the external-ID
 * probe, the diagnosis of a 403): if STS grants them, their credentials can do nothing at all.
 */
export const DENY_ALL_SESSION_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
});

/** The session name of every validation session (stage checks and the external-ID probe alike). */
export const validationSessionName = (integrationId: string) => `${integrationId}-validate`;

export function sessionPolicyFor(scope: SessionScope): PolicyDocumentJson {
  const bucketArn = `arn:aws:s3:::${scope.bucketName}`;
  const statements: PolicyDocumentJson['Statement'] = [
    { Effect: 'Allow', Action: ['s3:GetBucketLocation', ...(scope.bucketActions ?? [])], Resource: bucketArn },
    {
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: bucketArn,
      Condition: { StringLike: { 's3:prefix': scope.prefixes.map((prefix) => `${prefix}*`) } },
    },
    {
      Effect: 'Allow',
      Action: scope.objectActions,
      Resource: scope.prefixes.map((prefix) => `${bucketArn}/${prefix}*`),
    },
  ];
  if (scope.bucketActions?.length)
    statements.push({ Effect: 'Allow', Action: scope.bucketActions, Resource: bucketArn });
  if (scope.kmsKeyArn) {
    statements.push({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: scope.kmsKeyArn });
  }
  return { Version: '2012-10-17', Statement: statements };
}
