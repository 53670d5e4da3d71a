/**
 * Where the customer does each step in AWS: links into the AWS console of the right region, and,
 * on the local stack (which has no AWS console), the same steps as AWS CLI commands against the
 * local endpoint, built from the integration's documents.
 */
import type { LocalStackInfo } from '../app/context';
import type { SetupDocuments } from '../api/types';

export const awsConsole = {
  createBucket: (region: string) => `https://${region}.console.aws.amazon.com/s3/bucket/create?region=${region}`,
  createPolicy: () => 'https://console.aws.amazon.com/iam/home#/policies/create',
  createRole: () => 'https://console.aws.amazon.com/iam/home#/roles/create',
};

/** The role name the templates use (customer-documents.ts), so both paths give the same ARN shape. */
export const roleNameOf = (integrationId: string) => `s3-integration-${integrationId}`;

const quote = (value: unknown) => `'${JSON.stringify(value)}'`;

/**
 * Every command names the endpoint (`--endpoint-url`): AWS CLI versions before 2.13, such as the
 * 2.9 of Debian 12's apt, ignore AWS_ENDPOINT_URL and would send the calls to the real AWS.
 */
export function localCommands(
  local: LocalStackInfo,
  input: { region: string; bucketName: string; integrationId?: string; documents?: SetupDocuments },
) {
  const role = input.integrationId ? roleNameOf(input.integrationId) : 's3-integration';
  const aws = `aws --endpoint-url ${local.endpoint}`;
  const environment = [
    `export AWS_REGION=${input.region}`,
    `export AWS_ACCESS_KEY_ID=LOCAL${local.customerAccountId} AWS_SECRET_ACCESS_KEY=local   ` +
      `# account ${local.customerAccountId}`,
  ].join('\n');
  const bucket =
    `${aws} s3api create-bucket --bucket ${input.bucketName}` +
    (input.region === 'us-east-1' ? '' : ` --create-bucket-configuration LocationConstraint=${input.region}`);
  if (!input.documents) return { environment, bucket, policy: '', role: '', roleArn: '' };
  const policy =
    `${aws} iam create-policy --policy-name ${role}-policy ` + `--policy-document ${quote(input.documents.iamPolicy)}`;
  const roleCommands = [
    `${aws} iam create-role --role-name ${role} --assume-role-policy-document ${quote(input.documents.trustPolicy)}`,
    `${aws} iam attach-role-policy --role-name ${role} ` +
      `--policy-arn arn:aws:iam::${local.customerAccountId}:policy/${role}-policy`,
  ].join('\n');
  return {
    environment,
    bucket,
    policy,
    role: roleCommands,
    roleArn: `arn:aws:iam::${local.customerAccountId}:role/${role}`,
  };
}
