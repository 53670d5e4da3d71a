/**
 * One generic CloudFormation template for every integration's customer role, for AWS's one-click
 * "Launch Stack" (quick-create) links: AWS reads a quick-create template from S3 only, so the
 * platform publishes this file once (`npm run customer-role-template` writes it; docs/deploy.md
 * says where it goes) and each integration's link names it with its own parameter values. It
 * creates exactly the policy and role of the per-integration documents (customer-documents.ts);
 * test/integrations/customer-role-template.test.ts creates both on the local stack and compares them.
 */
import { roleNameFor, type DocumentInput } from '#shared/integrations/customer-documents';

const NO_KMS_KEY = '';
const NO_PENDING_EXTERNAL_ID = '';

export const customerRoleTemplate = {
  AWSTemplateFormatVersion: '2010-09-09',
  Description:
    'Lets the data platform write backup exports and audit logs to one S3 bucket of yours, through a role only it ' +
    "can assume, with your integration's external ID.",
  Parameters: {
    PlatformAccountId: {
      Type: 'String',
      AllowedPattern: '^\\d{12}$',
      Description: "The platform's AWS account, trusted to assume the role.",
    },
    ExternalId: {
      Type: 'String',
      AllowedPattern: '^[\\w+=,.@:/-]{2,1224}$',
      Description: "The integration's external ID: the role can be assumed only with it.",
    },
    PendingExternalId: {
      Type: 'String',
      Default: NO_PENDING_EXTERNAL_ID,
      AllowedPattern: '^$|^[\\w+=,.@:/-]{2,1224}$',
      Description:
        "During a rotation of the integration's external ID, the new one, accepted beside ExternalId; empty otherwise.",
    },
    BucketName: {
      Type: 'String',
      AllowedPattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      Description: 'Your bucket that receives the exports and audit logs.',
    },
    KmsKeyArn: {
      Type: 'String',
      Default: NO_KMS_KEY,
      AllowedPattern: '^$|^arn:aws:kms:[a-z0-9-]+:\\d{12}:key/[a-zA-Z0-9-]+$',
      Description:
        "The KMS key of the bucket's default encryption (SSE-KMS); empty when the bucket uses S3-managed keys.",
    },
    RoleName: {
      Type: 'String',
      Default: 's3-integration',
      AllowedPattern: '^[\\w+=,.@-]{1,64}$',
      Description: 'Name of the IAM role the platform assumes.',
    },
  },
  Conditions: {
    HasKmsKey: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'KmsKeyArn' }, NO_KMS_KEY] }] },
    HasPendingExternalId: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'PendingExternalId' }, NO_PENDING_EXTERNAL_ID] }] },
  },
  Resources: {
    IntegrationPolicy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: { 'Fn::Sub': 'Access to s3://${BucketName} for the data platform' },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'BucketLevelAccess',
              Effect: 'Allow',
              Action: [
                's3:ListBucket',
                's3:GetBucketLocation',
                's3:GetEncryptionConfiguration',
                's3:ListBucketMultipartUploads',
              ],
              Resource: { 'Fn::Sub': 'arn:aws:s3:::${BucketName}' },
            },
            {
              Sid: 'ObjectLevelAccess',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
              Resource: { 'Fn::Sub': 'arn:aws:s3:::${BucketName}/*' },
            },
            {
              'Fn::If': [
                'HasKmsKey',
                {
                  Sid: 'EncryptWithBucketKey',
                  Effect: 'Allow',
                  Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
                  Resource: { Ref: 'KmsKeyArn' },
                },
                { Ref: 'AWS::NoValue' },
              ],
            },
          ],
        },
      },
    },
    IntegrationRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { Ref: 'RoleName' },
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: { 'Fn::Sub': 'arn:aws:iam::${PlatformAccountId}:root' } },
              Action: 'sts:AssumeRole',
              Condition: {
                StringEquals: {
                  'sts:ExternalId': {
                    'Fn::If': [
                      'HasPendingExternalId',
                      [{ Ref: 'ExternalId' }, { Ref: 'PendingExternalId' }],
                      { Ref: 'ExternalId' },
                    ],
                  },
                },
              },
            },
          ],
        },
        ManagedPolicyArns: [{ Ref: 'IntegrationPolicy' }],
        MaxSessionDuration: 3600,
      },
    },
  },
  Outputs: {
    RoleArn: {
      Description: 'Paste this role ARN into the integration.',
      Value: { 'Fn::GetAtt': ['IntegrationRole', 'Arn'] },
    },
  },
};

/**
 * AWS's quick-create link for the integration: the CloudFormation console of the integration's
 * region with the published template and every parameter filled in (`param_<Name>`).
 */
export function launchStackUrl(templateUrl: string, input: DocumentInput & { region: string }): string {
  const query = new URLSearchParams({
    templateURL: templateUrl,
    stackName: roleNameFor(input.integrationId),
    param_PlatformAccountId: input.platformAccountId,
    param_ExternalId: input.externalId,
    param_PendingExternalId: input.pendingExternalId ?? NO_PENDING_EXTERNAL_ID,
    param_BucketName: input.bucketName,
    param_KmsKeyArn: input.kmsKeyArn ?? NO_KMS_KEY,
    param_RoleName: roleNameFor(input.integrationId),
  });
  return (
    `https://${input.region}.console.aws.amazon.com/cloudformation/home` +
    `?region=${input.region}#/stacks/quickcreate?${query.toString()}`
  );
}
