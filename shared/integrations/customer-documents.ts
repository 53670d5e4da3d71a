/**
 * The setup documents of an integration, which the customer applies in their own account: the
 * role's IAM policy, its trust policy and a CloudFormation template that creates both.
 */
import type { SetupDocuments } from '#shared/integrations/schemas';

export interface DocumentInput {
  integrationId: string;
  bucketName: string;
  kmsKeyArn?: string;
  externalId: string;
  /** During an external-ID rotation (PENDING): the new ID, which the trust policy accepts beside the current one. */
  pendingExternalId?: string;
  platformAccountId: string;
}

/**
 * Least privilege on exactly the integration's bucket. Bucket-level and object-level actions get
 * their own statements so that neither applies to the other's resources. Beyond the four actions of
 * the contract, `s3:AbortMultipartUpload` lets a failed export clean up the parts it uploaded (they
 * are billed until aborted), `s3:ListBucketMultipartUploads` lets an export find the uploads a crash
 * left before their id was recorded, to abort them too, `s3:GetEncryptionConfiguration` (read-only:
 * the bucket's default encryption, never an object) lets validation name the bucket's KMS key when
 * KMS refuses a write without naming it (it does not for a key of another account), and on an
 * SSE-KMS bucket `kms:Decrypt` is what AWS requires to complete a multipart upload and to read back
 * the validation probe.
 */
export function iamPolicyFor(input: DocumentInput): SetupDocuments['iamPolicy'] {
  const statements: Array<Record<string, unknown>> = [
    {
      Sid: 'BucketLevelAccess',
      Effect: 'Allow',
      Action: [
        's3:ListBucket',
        's3:GetBucketLocation',
        's3:GetEncryptionConfiguration',
        's3:ListBucketMultipartUploads',
      ],
      Resource: `arn:aws:s3:::${input.bucketName}`,
    },
    {
      Sid: 'ObjectLevelAccess',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      Resource: `arn:aws:s3:::${input.bucketName}/*`,
    },
  ];
  if (input.kmsKeyArn) {
    statements.push({
      Sid: 'EncryptWithBucketKey',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: input.kmsKeyArn,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * Only the platform's account may assume the role, and only with this integration's external ID;
 * during a rotation, with either of its two IDs (the current one, which work uses until the new
 * one is proved, and the new one), so the role can be updated without stopping anything.
 */
export function trustPolicyFor(input: DocumentInput): SetupDocuments['trustPolicy'] {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${input.platformAccountId}:root` },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: {
            'sts:ExternalId': input.pendingExternalId ? [input.externalId, input.pendingExternalId] : input.externalId,
          },
        },
      },
    ],
  };
}

/** A template that creates the policy and the role in one step, and outputs the role ARN to paste back. */
export function cloudFormationTemplateFor(input: DocumentInput): SetupDocuments['cloudFormationTemplate'] {
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      `Lets the data platform write backup exports and audit logs to s3://${input.bucketName} ` +
      `(integration ${input.integrationId}).`,
    Parameters: {
      RoleName: {
        Type: 'String',
        Default: roleNameFor(input.integrationId),
        Description: 'Name of the IAM role the platform assumes.',
      },
    },
    Resources: {
      IntegrationPolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Description: `Access to s3://${input.bucketName} for integration ${input.integrationId}`,
          PolicyDocument: iamPolicyFor(input),
        },
      },
      IntegrationRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          AssumeRolePolicyDocument: trustPolicyFor(input),
          ManagedPolicyArns: [{ Ref: 'IntegrationPolicy' }],
          MaxSessionDuration: 3600,
        },
      },
    },
    Outputs: {
      RoleArn: {
        Description: 'Set this as the integration role (PUT .../integrations/{integrationId}/role).',
        Value: { 'Fn::GetAtt': ['IntegrationRole', 'Arn'] },
      },
    },
  };
}

/** The role (and stack) name both templates give the integration's role. */
export const roleNameFor = (integrationId: string) => `s3-integration-${integrationId}`;
