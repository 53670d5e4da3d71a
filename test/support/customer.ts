/**
 * The customer side of a test on the local stack: a fresh account that creates its bucket, policy
 * and role with the ordinary SDK clients from the documents the API returned (modified per case),
 * and the API calls that take an integration through validation.
 */
import { randomBytes } from 'node:crypto';
import { AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, PutBucketEncryptionCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import type { IntegrationView, SetupDocuments } from '#shared/integrations/schemas';
import { clientsFor, uniqueAccountId } from './local-stack';
import { eventually, type Project } from './platform';

type PolicyDocument = SetupDocuments['iamPolicy'];

export type CreatedIntegration = IntegrationView & { setup: SetupDocuments };

/** POST an integration (named `validation <random>` unless `body` names it), expecting 201. */
export async function createIntegration(
  project: Project,
  body: { region: string; bucketName: string; kmsKeyArn?: string; name?: string; description?: string },
): Promise<CreatedIntegration> {
  const answer = await project.client.post(project.base, {
    name: `validation ${randomBytes(4).toString('hex')}`,
    ...body,
  });
  expect(answer.status, answer.text).toBe(201);
  return answer.json as CreatedIntegration;
}

export const uniqueBucketName = (label: string) => `val-${label}-${randomBytes(5).toString('hex')}`;

/** Creates a bucket as the customer; us-east-1 gets no location constraint, as in AWS. */
export async function createBucket(accountId: string, bucketName: string, region: string): Promise<void> {
  const { s3 } = clientsFor(accountId, region);
  await s3.send(
    new CreateBucketCommand({
      Bucket: bucketName,
      ...(region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
    }),
  );
}

/** A KMS key of the customer and SSE-KMS default encryption on their bucket with it. */
export async function createKmsKey(accountId: string, region: string): Promise<string> {
  const { kms } = clientsFor(accountId, region);
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'bucket key' }));
  if (!KeyMetadata?.Arn) throw new Error('no key ARN');
  return KeyMetadata.Arn;
}

export async function encryptBucketWith(
  accountId: string,
  bucketName: string,
  region: string,
  keyArn: string,
): Promise<void> {
  const { s3 } = clientsFor(accountId, region);
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucketName,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } }],
      },
    }),
  );
}

/** Creates the role and its policy in the customer's account, from the (possibly modified) documents. */
export async function createRole(
  accountId: string,
  documents: { iamPolicy: PolicyDocument; trustPolicy: PolicyDocument },
  roleName = `s3-integration-${randomBytes(4).toString('hex')}`,
): Promise<string> {
  const { iam } = clientsFor(accountId);
  const { Role } = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(documents.trustPolicy) }),
  );
  const { Policy } = await iam.send(
    new CreatePolicyCommand({ PolicyName: `${roleName}-policy`, PolicyDocument: JSON.stringify(documents.iamPolicy) }),
  );
  await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: Policy?.Arn }));
  if (!Role?.Arn) throw new Error('no role ARN');
  return Role.Arn;
}

/** The customer's policy without one action (in every statement that grants it). */
export function withoutAction(policy: PolicyDocument, action: string): PolicyDocument {
  return {
    ...policy,
    Statement: policy.Statement.map((statement) => ({
      ...statement,
      Action: ([] as string[]).concat(statement.Action as string | string[]).filter((granted) => granted !== action),
    })).filter((statement) => (statement.Action as string[]).length > 0),
  };
}

/** The whole happy path for the customer: bucket in `bucketRegion`, policy and role from the documents. */
export async function customerSetUp(
  integration: CreatedIntegration,
  options: {
    accountId?: string;
    bucketRegion?: string;
    iamPolicy?: PolicyDocument;
    trustPolicy?: PolicyDocument;
    createBucket?: boolean;
  } = {},
): Promise<{ accountId: string; roleArn: string }> {
  const accountId = options.accountId ?? uniqueAccountId();
  if (options.createBucket !== false)
    await createBucket(accountId, integration.bucketName, options.bucketRegion ?? integration.region);
  const roleArn = await createRole(accountId, {
    iamPolicy: options.iamPolicy ?? integration.setup.iamPolicy,
    trustPolicy: options.trustPolicy ?? integration.setup.trustPolicy,
  });
  return { accountId, roleArn };
}

const FINAL = new Set(['ACTIVE', 'FAILED']);

/** Polls GET until the validation run has ended: ACTIVE or FAILED with a finished report. */
export async function waitForResult(
  project: Project,
  integrationId: string,
  timeoutMs = 30_000,
): Promise<IntegrationView> {
  return eventually(
    async () => {
      const answer = await project.client.get(`${project.base}/${integrationId}`);
      const view = answer.json as IntegrationView;
      return FINAL.has(view.status) && view.validation && view.validation.result !== 'RUNNING' ? view : undefined;
    },
    'validation did not finish',
    timeoutMs,
  );
}

/** PUT role (which starts validation) and wait for the result. */
export async function setRoleAndWait(
  project: Project,
  integrationId: string,
  roleArn: string,
): Promise<IntegrationView> {
  const answer = await project.client.put(`${project.base}/${integrationId}/role`, { roleArn });
  expect(answer.status, answer.text).toBe(202);
  return waitForResult(project, integrationId);
}

/** The failed stage of a FAILED report, after checking the report's shape: earlier stages SUCCEEDED, none after. */
export function failedStage(view: IntegrationView) {
  expect(view.status).toBe('FAILED');
  expect(view.validation?.result).toBe('FAILED');
  const stages = view.validation?.stages ?? [];
  const last = stages.at(-1);
  expect(last?.status).toBe('FAILED');
  for (const stage of stages.slice(0, -1)) expect(stage.status).toBe('SUCCEEDED');
  expect(last?.endedAt).toBeDefined();
  return last as NonNullable<typeof last> & { code: string; message: string };
}
