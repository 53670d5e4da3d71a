/**
 * The setup documents an integration gives the customer: the IAM policy on exactly the bucket, the
 * KMS statement when a key is set, the trust policy, and the CloudFormation template that matches them.
 */
import { describe, expect, it } from 'vitest';
import type { DocumentInput } from '#shared/integrations/customer-documents';
import { setupDocumentsFor } from '#shared/integrations/setup-documents';

const base: DocumentInput = {
  integrationId: 'integ-abcdefghijklmnopqrst',
  bucketName: 'customer-exports',
  externalId: 's3i-example-external-id',
  platformAccountId: '111111111111',
};

const kmsKeyArn = 'arn:aws:kms:us-west-2:222222222222:key/0f8b9c1e-3a4d-4f5e-9a6b-7c8d9e0f1a2b';

describe('customer setup documents', () => {
  it(
    'grants the four S3 actions on exactly the bucket and its objects, nothing else (plus abort and the read of ' +
      'the default encryption)',
    () => {
      const { iamPolicy } = setupDocumentsFor(base);
      expect(iamPolicy.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Action: [
            's3:ListBucket',
            's3:GetBucketLocation',
            's3:GetEncryptionConfiguration',
            's3:ListBucketMultipartUploads',
          ],
          Resource: 'arn:aws:s3:::customer-exports',
        }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
          Resource: 'arn:aws:s3:::customer-exports/*',
        }),
      ]);
      expect(JSON.stringify(iamPolicy)).not.toContain('kms:');
      expect(JSON.stringify(iamPolicy)).not.toMatch(/"\*"|s3:\*/);
    },
  );

  it('adds the KMS statement on the given key only when a key is set', () => {
    const { iamPolicy } = setupDocumentsFor({ ...base, kmsKeyArn });
    expect(iamPolicy.Statement.at(-1)).toEqual(
      expect.objectContaining({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: kmsKeyArn }),
    );
  });

  it('trusts only the platform account, and only with the external id', () => {
    const { trustPolicy } = setupDocumentsFor(base);
    expect(trustPolicy.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:root' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 's3i-example-external-id' } },
      },
    ]);
  });

  it('ships a CloudFormation template whose policy and role are exactly the returned documents', () => {
    const documents = setupDocumentsFor({ ...base, kmsKeyArn });
    const template = JSON.parse(JSON.stringify(documents.cloudFormationTemplate)) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, { Value: unknown }>;
    };
    const resources = Object.values(template.Resources);
    expect(resources.map((resource) => resource.Type).sort()).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role']);
    const policy = resources.find((resource) => resource.Type === 'AWS::IAM::ManagedPolicy');
    const role = resources.find((resource) => resource.Type === 'AWS::IAM::Role');
    expect(policy?.Properties.PolicyDocument).toEqual(documents.iamPolicy);
    expect(role?.Properties.AssumeRolePolicyDocument).toEqual(documents.trustPolicy);
    expect(role?.Properties.ManagedPolicyArns).toEqual([{ Ref: 'IntegrationPolicy' }]);
    expect(template.Outputs.RoleArn?.Value).toEqual({ 'Fn::GetAtt': ['IntegrationRole', 'Arn'] });
  });
});
